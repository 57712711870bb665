// `npm run bench:faults`: the fault-tolerance figures of docs/fault-tolerance.md, on a gateway
// process (`sellergate serve`) over a throwaway database on the DATABASE_URL server (default: the
// local PostgreSQL) and a redis-server of its own on a free port:
//   1. terminated backends: TRIALS (20) times, every backend of the gateway's database is
//      terminated under 20-connection load; the process must survive, and the time until it
//      answers with data again is measured;
//   2. a 15 s lock: the audit chain's advisory lock, then the api_token table, held by another
//      connection under 10-connection load; p50/p99 latency against REQUEST_DEADLINE_MS;
//   3. Redis stopped: throughput at 10 connections with Redis up, then stopped (breaker open).
// Loopback only; bounded in time (about two minutes).
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { AUDIT_CHAIN_LOCK } from '../src/audit/audit-head';
import { createToken } from '../src/auth/api-token.service';
import { connectAndMigrate } from '../src/db/data-source';
import { seedCatalogDemo } from '../src/db/demo/catalog.seed';
import { DemoRandom } from '../src/db/demo/demo-random';
import { defaultPolicy } from '../src/policy/default-policy';
import { createBenchDatabase, DEFAULT_SERVER_URL } from './bench-database';

const SERVER_URL = process.env.DATABASE_URL ?? DEFAULT_SERVER_URL;
const TRIALS = Number(process.env.TRIALS ?? 20);
const HOLD_MS = Number(process.env.HOLD_MS ?? 15_000);
const DEADLINE_MS = Number(process.env.REQUEST_DEADLINE_MS ?? 3_000);
const ROOT = join(__dirname, '..', '..');
const QUERY = JSON.stringify({ query: '{ products(first: 3) { nodes { asin title } } }' });

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const pct = (values: number[], p: number) => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const ms = (value: number) => `${Math.round(value)} ms`;

interface Result {
  status: number;
  data: boolean;
  ms: number;
}

async function call(url: string, token: string, timeoutMs = 30_000): Promise<Result> {
  const started = performance.now();
  try {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': 'BUSINESS_ANALYSIS', 'x-request-id': `bench-${randomUUID()}` },
      body: QUERY,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json().catch(() => ({}))) as { data?: { products?: unknown } | null };
    return { status: response.status, data: Boolean(body.data?.products), ms: performance.now() - started };
  } catch {
    return { status: 0, data: false, ms: performance.now() - started };
  }
}

async function load(url: string, token: string, connections: number, until: () => boolean): Promise<Result[]> {
  const results: Result[] = [];
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (!until()) {
        const result = await call(url, token);
        results.push(result);
        if (result.status === 0) await sleep(20);
      }
    }),
  );
  return results;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
    });
    if (up) return child;
    await sleep(50);
  }
  throw new Error('redis-server did not start');
}

async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
}

async function startGateway(databaseUrl: string, env: Record<string, string>): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sellergate-faults-'));
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'error', HOST: '127.0.0.1', PORT: '0', DATABASE_URL: databaseUrl, DATA_DIR: dataDir, SEED_DEMO: '0', RETENTION_SCHEDULE: 'off', RATE_LIMIT_PER_MINUTE: '0', IP_RATE_LIMIT_PER_MINUTE: '0', ...env };
  if (!env.REDIS_URL) delete childEnv.REDIS_URL;
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'sellergate.js'), 'serve'], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /ready at (\S+)\/graphql/.exec(output);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`gateway exited (${code}) before it was ready:\n${output.slice(-2000)}`)));
  });
  return {
    url,
    child,
    async stop() {
      await stopProcess(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

async function terminatedBackends(databaseUrl: string, database: string, token: string): Promise<void> {
  const gateway = await startGateway(databaseUrl, { DATABASE_POOL_SIZE: '10' });
  try {
    let survived = 0;
    const recoveries: number[] = [];
    let stop = false;
    const running = load(gateway.url, token, 20, () => stop);
    for (let trial = 0; trial < TRIALS; trial += 1) {
      await sleep(500);
      await withClient(SERVER_URL, (client) => client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]));
      const terminatedAt = performance.now();
      // The database accepts connections at once (only the backends were ended): serving again is measured from here.
      let recovered = false;
      while (!recovered && performance.now() - terminatedAt < 10_000) {
        const result = await call(gateway.url, token, 10_000);
        recovered = result.status === 200 && result.data;
        if (!recovered) await sleep(10);
      }
      if (gateway.child.exitCode === null && gateway.child.signalCode === null && recovered) survived += 1;
      if (recovered) recoveries.push(performance.now() - terminatedAt);
    }
    stop = true;
    const results = await running;
    const counts: Record<string, number> = {};
    for (const result of results) counts[result.status] = (counts[result.status] ?? 0) + 1;
    console.log(`1. terminated backends at 20 connections: ${survived} of ${TRIALS} trials survived and served again; ` +
      `time to serve again p50 ${ms(pct(recoveries, 50))}, max ${ms(Math.max(...recoveries))}; answers ${JSON.stringify(counts)}`);
  } finally {
    await gateway.stop();
  }
}

async function heldLock(databaseUrl: string, token: string, what: 'audit chain lock' | 'api_token table lock'): Promise<void> {
  const gateway = await startGateway(databaseUrl, { DATABASE_POOL_SIZE: '10', REQUEST_DEADLINE_MS: String(DEADLINE_MS), DATABASE_LOCK_TIMEOUT_MS: String(HOLD_MS * 2), READY_TIMEOUT_MS: '1000' });
  try {
    const holder = new Client({ connectionString: databaseUrl });
    await holder.connect();
    await holder.query('BEGIN');
    if (what === 'audit chain lock') await holder.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
    else await holder.query('LOCK TABLE api_token IN ACCESS EXCLUSIVE MODE');
    const heldAt = performance.now();
    let stop = false;
    const running = load(gateway.url, token, 10, () => stop);
    await sleep(HOLD_MS / 2);
    const readyStarted = performance.now();
    const ready = await fetch(`${gateway.url}/readyz`).then((response) => response.status, () => 0);
    const readyMs = performance.now() - readyStarted;
    while (performance.now() - heldAt < HOLD_MS) await sleep(100);
    stop = true;
    const results = await running;
    await holder.query('ROLLBACK');
    await holder.end();
    const latencies = results.map((result) => result.ms);
    const statuses: Record<string, number> = {};
    for (const result of results) statuses[result.status] = (statuses[result.status] ?? 0) + 1;
    console.log(`2. ${what} held ${HOLD_MS / 1000} s, 10 connections, REQUEST_DEADLINE_MS=${DEADLINE_MS}: ${results.length} requests, ` +
      `p50 ${ms(pct(latencies, 50))}, p99 ${ms(pct(latencies, 99))}, max ${ms(Math.max(...latencies))}; answers ${JSON.stringify(statuses)}; /readyz ${ready} in ${ms(readyMs)}`);
  } finally {
    await gateway.stop();
  }
}

async function redisStopped(databaseUrl: string, token: string): Promise<void> {
  const port = await freePort();
  let redis = await startRedis(port);
  const gateway = await startGateway(databaseUrl, { DATABASE_POOL_SIZE: '10', REDIS_URL: `redis://127.0.0.1:${port}` });
  try {
    const measure = async (seconds: number) => {
      let stop = false;
      const started = performance.now();
      const timer = setTimeout(() => (stop = true), seconds * 1000);
      const results = await load(gateway.url, token, 10, () => stop);
      clearTimeout(timer);
      const ok = results.filter((result) => result.status === 200 && result.data);
      return { rps: ok.length / ((performance.now() - started) / 1000), p50: pct(ok.map((result) => result.ms), 50) };
    };
    await measure(2); // warm-up
    const up = await measure(10);
    await stopProcess(redis, 'SIGKILL');
    await sleep(3_000); // the breaker opens on the lost connection
    const down = await measure(10);
    redis = await startRedis(port);
    await sleep(4_000); // reconnect, then the half-open try closes the breaker
    const back = await measure(5);
    console.log(`3. Redis at 10 connections: up ${up.rps.toFixed(1)} req/s (p50 ${ms(up.p50)}); stopped ${down.rps.toFixed(1)} req/s (p50 ${ms(down.p50)}) = ` +
      `${((100 * down.rps) / up.rps).toFixed(0)} % of up; back ${back.rps.toFixed(1)} req/s`);
  } finally {
    await gateway.stop();
    await stopProcess(redis, 'SIGKILL');
  }
}

async function main(): Promise<void> {
  const database = await createBenchDatabase(SERVER_URL);
  try {
    const { dataSource } = await connectAndMigrate({ url: database.url, poolSize: 2 });
    let token: string;
    try {
      await dataSource.transaction((manager) => seedCatalogDemo(manager, new DemoRandom()));
      token = (await createToken(dataSource.manager, defaultPolicy(), { role: 'analyst', createdBy: 'bench' })).token;
    } finally {
      await dataSource.destroy();
    }
    await terminatedBackends(database.url, database.name, token);
    await heldLock(database.url, token, 'audit chain lock');
    await heldLock(database.url, token, 'api_token table lock');
    await redisStopped(database.url, token);
  } finally {
    await database.drop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
