// Embedded PostgreSQL (PGlite, real PostgreSQL compiled to WASM) served on a local port, so
// TypeORM and pg use their ordinary driver against it. All connections share one session:
// the data source keeps a single pooled connection on it (see data-source.ts).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// PGlite is one process's database: a second process opening the same directory would corrupt
// it, so the directory is locked by the process that has it open.
function lockDataDir(dataDir: string): () => void {
  const lockFile = join(dataDir, 'sellergate.lock');
  if (existsSync(lockFile)) {
    const pid = Number(readFileSync(lockFile, 'utf8').trim());
    if (Number.isInteger(pid) && pid !== process.pid && processAlive(pid)) {
      throw new Error(
        `The embedded database in ${dataDir} is open in another sellergate process (pid ${pid}). ` +
          'Stop that process first, or run both against a PostgreSQL server with DATABASE_URL.',
      );
    }
  }
  writeFileSync(lockFile, String(process.pid));
  return () => rmSync(lockFile, { force: true });
}

/** Starts PGlite with its data under `dataDir` (or in memory when omitted). */
export async function startEmbeddedPostgres(options: { dataDir?: string; port?: number } = {}): Promise<EmbeddedPostgres> {
  let unlock = () => {};
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    unlock = lockDataDir(options.dataDir);
  }
  let db: PGlite;
  try {
    db = await PGlite.create(options.dataDir);
  } catch (error) {
    unlock();
    throw error;
  }
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: options.port ?? 0, maxConnections: 64 });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres?sslmode=disable`;
  return {
    url,
    async stop() {
      await server.stop();
      await db.close();
      unlock();
    },
  };
}

/** True for URLs served by PGlite: one session for every connection. */
export function isEmbeddedUrl(url: string): boolean {
  return process.env.SELLERGATE_EMBEDDED_URL === url;
}
