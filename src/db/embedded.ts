// Embedded PostgreSQL (PGlite, real PostgreSQL compiled to WASM) served on a local port, so
// TypeORM and pg use their ordinary driver against it. All connections share one session:
// the data source keeps a single pooled connection on it (see data-source.ts).
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/** Starts PGlite with its data under `dataDir` (or in memory when omitted). */
export async function startEmbeddedPostgres(options: { dataDir?: string; port?: number } = {}): Promise<EmbeddedPostgres> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: options.port ?? 0, maxConnections: 64 });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres?sslmode=disable`;
  return {
    url,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

/** True for URLs served by PGlite: one session for every connection. */
export function isEmbeddedUrl(url: string): boolean {
  return process.env.SELLERGATE_EMBEDDED_URL === url;
}
