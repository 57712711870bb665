// Embedded PostgreSQL (PGlite, real PostgreSQL compiled to WASM) served on a local port, so
// TypeORM and pg use their ordinary driver against it. All connections share one session:
// the data source keeps a single pooled connection on it (see data-source.ts).
//
// One process opens a data directory. The gateway (`share`) writes the address of its socket
// server to the directory, so commands run while it serves connect through it instead
// (`runningEmbeddedUrl`): its server runs one transaction at a time, whoever sends it.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

const LOCK_FILE = 'sellergate.lock';
const SHARED_FILE = 'sellergate.socket.json';

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
  const lockFile = join(dataDir, LOCK_FILE);
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

/**
 * Starts PGlite with its data under `dataDir` (or in memory when omitted). `share`: publish the
 * socket server's address in `dataDir` for other sellergate processes (the gateway does).
 */
export async function startEmbeddedPostgres(options: { dataDir?: string; port?: number; share?: boolean } = {}): Promise<EmbeddedPostgres> {
  let unlock = () => {};
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    unlock = lockDataDir(options.dataDir);
  }
  // Loaded here, not at the top: commands that connect to a running gateway never load PGlite.
  const { PGlite } = require('@electric-sql/pglite') as typeof import('@electric-sql/pglite');
  const { PGLiteSocketServer } = require('@electric-sql/pglite-socket') as typeof import('@electric-sql/pglite-socket');
  let db: PGlite;
  try {
    db = await PGlite.create(options.dataDir);
  } catch (error) {
    unlock();
    throw error;
  }
  const server = new PGLiteSocketServer({ db: oneClientAtATime(db), host: '127.0.0.1', port: options.port ?? 0, maxConnections: 64 });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres?sslmode=disable`;
  const shared = options.share && options.dataDir ? join(options.dataDir, SHARED_FILE) : undefined;
  if (shared) writeFileSync(shared, `${JSON.stringify({ pid: process.pid, url })}\n`, { mode: 0o600 });
  return {
    url,
    async stop() {
      if (shared) rmSync(shared, { force: true });
      await server.stop();
      await db.close();
      unlock();
    },
  };
}

/**
 * The socket server queues protocol messages one by one and lets another connection's messages in
 * between unless PGlite reports an open transaction. An extended-protocol query (Parse, Bind,
 * Execute, Sync) split over two reads could then bind another connection's statement. Seen from
 * the server, this PGlite is "in a transaction" from a connection's first message until PGlite
 * answers ReadyForQuery idle, so each connection keeps PGlite from its first message to that.
 */
function oneClientAtATime(db: PGlite): PGlite {
  let turnOpen = false;
  const READY_FOR_QUERY = 0x5a; // 'Z', length 5, then the status: I (idle), T (transaction), E (failed transaction)
  return new Proxy(db, {
    get(target, property) {
      if (property === 'isInTransaction') return () => turnOpen || target.isInTransaction();
      if (property === 'execProtocolRawStream') {
        return async (message: Uint8Array, options: { onRawData: (data: Uint8Array) => void }) => {
          let tail = new Uint8Array(0);
          const result = await target.execProtocolRawStream(message, {
            ...options,
            onRawData: (data: Uint8Array) => {
              const joined = new Uint8Array(tail.length + data.length);
              joined.set(tail);
              joined.set(data, tail.length);
              tail = joined.slice(-6);
              options.onRawData(data);
            },
          });
          const ready = tail.length === 6 && tail[0] === READY_FOR_QUERY && tail[4] === 5;
          turnOpen = !(ready && tail[5] === 0x49);
          return result;
        };
      }
      if (property === 'exec') {
        // The server's ROLLBACK for a connection that went away mid-transaction ends its turn.
        return async (...args: Parameters<PGlite['exec']>) => {
          const result = await target.exec(...args);
          turnOpen = false;
          return result;
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The pid holding `dataDir` open, when that process is alive. */
function lockHolder(dataDir: string): number | undefined {
  const lockFile = join(dataDir, LOCK_FILE);
  if (!existsSync(lockFile)) return undefined;
  const pid = Number(readFileSync(lockFile, 'utf8').trim());
  return Number.isInteger(pid) && pid !== process.pid && processAlive(pid) ? pid : undefined;
}

/**
 * The address of the running gateway's embedded PostgreSQL for `dataDir`, or undefined when no
 * process has the directory open (open it yourself). While another process holds the directory
 * without sharing it (a gateway still starting, another command), waits up to `waitMs` for it to
 * share or to let go, then fails as opening a held directory does.
 */
export async function runningEmbeddedUrl(dataDir: string, waitMs = 60_000): Promise<string | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const pid = lockHolder(dataDir);
    if (pid === undefined) return undefined;
    const sharedFile = join(dataDir, SHARED_FILE);
    if (existsSync(sharedFile)) {
      try {
        const shared = JSON.parse(readFileSync(sharedFile, 'utf8')) as { pid?: number; url?: string };
        if (shared.pid === pid && typeof shared.url === 'string') return shared.url;
      } catch {
        // Being written: read again below.
      }
    }
    if (Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** True for URLs served by PGlite: one session for every connection. */
export function isEmbeddedUrl(url: string): boolean {
  return process.env.SELLERGATE_EMBEDDED_URL === url;
}
