// A throwaway database on the PostgreSQL server for one benchmark run: created, migrated,
// seeded with the demo data and given one API token per benchmark query; dropped at the end.
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { createToken } from '../src/auth/api-token.service';
import type { Config } from '../src/config';
import { connectAndMigrate } from '../src/db/data-source';
import { seedDemo } from '../src/db/demo/seed-demo';
import { loadGatewayPolicy } from '../src/server/components';
import { BENCH_QUERIES, type BenchQueryName } from './bench-queries';

export const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function onServer<T>(serverUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** `CREATE DATABASE sg_bench_<pid>` on the server of `serverUrl`. */
export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `sg_bench_${process.pid}`;
  await onServer(serverUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  });
  return {
    name,
    url: withDatabase(serverUrl, name),
    drop: () => onServer(serverUrl, async (client) => void (await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}

/**
 * The environment of a gateway server on the benchmark database: the production wiring, with
 * the limits that would refuse one principal's load switched off.
 */
export function benchGatewayEnv(databaseUrl: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    NODE_ENV: 'production',
    PSEUDONYM_KEY: process.env.PSEUDONYM_KEY ?? 'bench-pseudonym-key-not-secret',
    AUDIT_CHECKPOINT_KEY: process.env.AUDIT_CHECKPOINT_KEY ?? 'bench-checkpoint-key-not-secret',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    // One principal sends thousands of requests a minute here: the per-principal and per-IP
    // rate limits and the "many rows" suspension rule would refuse the load, so they are off
    // (0 = off); every other part of the production wiring stays on.
    RATE_LIMIT_PER_MINUTE: '0',
    IP_RATE_LIMIT_PER_MINUTE: '0',
    SUSPICIOUS_ROWS_COUNT: '0',
  };
}

/** Migrates, seeds the demo data and returns an API token per benchmark query. */
export async function prepareBenchData(url: string, config: Config, log: (message: string) => void): Promise<Record<BenchQueryName, string>> {
  const { dataSource, applied } = await connectAndMigrate({ url, poolSize: 2 });
  try {
    log(`migrations applied: ${applied.length}`);
    await seedDemo(dataSource, log);
    const policy = loadGatewayPolicy(config);
    const tokens = {} as Record<BenchQueryName, string>;
    for (const query of BENCH_QUERIES) {
      const created = await createToken(dataSource.manager, policy, {
        role: query.role,
        purposes: [query.purpose],
        name: `bench ${query.name}`,
        createdBy: 'bench',
      });
      tokens[query.name] = created.token;
    }
    await dataSource.query('ANALYZE');
    // The seed's pages written to disk now rather than by the checkpointer while the first runs
    // are measured: its writes otherwise compete with the WAL flushes that audit commits wait for
    // (docs/benchmarks.md, "The audit commit and the disk").
    try {
      await dataSource.query('CHECKPOINT');
    } catch (error) {
      log(`CHECKPOINT after seeding refused (${(error as Error).message}): the first runs may wait for the seed's writes`);
    }
    return tokens;
  } finally {
    await dataSource.destroy();
  }
}

/**
 * `prepareBenchData` in a child process (bench/prepare-bench-data.ts), for a benchmark that
 * measures in its own process: the seed's garbage stays out of the process measured.
 */
export function prepareBenchDataInChild(env: NodeJS.ProcessEnv): Promise<Record<BenchQueryName, string>> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'prepare-bench-data.js'), { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let tokens: Record<BenchQueryName, string> | null = null;
    child.once('message', (message) => {
      tokens = message as Record<BenchQueryName, string>;
    });
    child.once('error', reject);
    child.once('exit', (code) => (tokens && code === 0 ? resolve(tokens) : reject(new Error(`preparing the benchmark data failed (exit code ${code})`))));
  });
}
