// Child process of the gateway benchmark: PostGraphile v5 (amber preset, simplified inflection)
// over the benchmark's database, as the ungoverned peer. No governance, no audit, no
// authentication. Runs on the Node 22 that bench/peers/postgraphile.ts installs into a cache
// folder beside PostGraphile itself; this file is copied there so its imports resolve there.
// Prints {"ready": url} and answers the benchmark probes (/__bench/cpu, /__bench/sql) like the
// other variants.
import { createServer } from 'node:http';
import pg from 'pg';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { PgSimplifyInflectionPreset } from '@graphile/simplify-inflection';

// SQL statements by text, for the benchmark's statements-per-request count.
const statements = new Map();
let counting = false;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function countedQuery(config, ...rest) {
  if (counting) {
    const text = (typeof config === 'string' ? config : (config?.text ?? '')).replace(/\s+/g, ' ').trim().slice(0, 60);
    statements.set(text, (statements.get(text) ?? 0) + 1);
  }
  return query.call(this, config, ...rest);
};

function probe(req, res) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/__bench/cpu') {
    const usage = process.cpuUsage();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ cpuMicros: usage.user + usage.system, rssBytes: process.memoryUsage.rss() }));
    return true;
  }
  if (url.pathname === '/__bench/sql') {
    const body = Object.fromEntries(statements);
    if (url.searchParams.get('reset') === '1') statements.clear();
    counting = url.searchParams.get('count') === '1';
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
    return true;
  }
  return false;
}

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const preset = {
  extends: [PostGraphileAmberPreset, PgSimplifyInflectionPreset],
  // Ordering by any column (not only indexed ones), so the peer sorts as the gateway does.
  disablePlugins: ['PgIndexBehaviorsPlugin'],
  pgServices: [makePgService({ pool, schemas: ['public'] })],
  grafserv: { graphqlPath: '/graphql', graphiql: false },
  grafast: { explain: false },
  schema: { pgForbidSetofFunctionsToReturnNull: true },
};
const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const handler = serv.createHandler();
const server = createServer((req, res) => {
  if (!probe(req, res)) handler(req, res);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ ready: `http://127.0.0.1:${server.address().port}/graphql` })}\n`);
});
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pgl.release().then(() => pool.end()).then(() => process.exit(0));
});
