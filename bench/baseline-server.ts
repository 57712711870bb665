// Child process of the gateway benchmark: the baseline. A bare node:http handler that answers
// the benchmark queries with the SQL the gateway runs for them (same tables, order and limits,
// through a pg.Pool of the gateway's size) and the JSON the gateway puts under `data`.
// No GraphQL, no authentication, no governance, no audit: what the data alone costs.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { HANDLERS } from './baseline-data';
import { BENCH_QUERIES } from './bench-queries';
import { answerProbe, countSqlStatements } from './bench-probes';

countSqlStatements();

const BY_QUERY = new Map(BENCH_QUERIES.map((query) => [query.query, HANDLERS[query.name]]));

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function handle(pool: Pool, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (answerProbe(req, res)) return;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (req.method !== 'POST' || req.url !== '/graphql') return send(res, 404, { error: 'not found' });
  let handler: ((pool: Pool) => Promise<unknown>) | undefined;
  try {
    handler = BY_QUERY.get((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query?: string }).query ?? '');
  } catch {
    return send(res, 400, { error: 'malformed JSON' });
  }
  if (!handler) return send(res, 400, { error: 'not a benchmark query' });
  send(res, 200, { data: await handler(pool) });
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required');
  // The gateway's TypeORM pool holds at most 10 connections (src/db/data-source.ts).
  const pool = new Pool({ connectionString: url, max: 10 });
  const server = createServer((req, res) => {
    handle(pool, req, res).catch((error: unknown) => {
      process.stderr.write(`baseline: ${String(error)}\n`);
      if (!res.headersSent) send(res, 500, { error: 'internal' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ ready: `http://127.0.0.1:${port}/graphql` })}\n`);
  process.once('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    void pool.end().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`baseline server failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
