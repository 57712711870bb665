// `npm run bench`: gateway throughput and latency against a bare pg baseline, in one run.
// A fresh database on the PostgreSQL server (DATABASE_URL, else the local server) gets the
// demo data; each variant runs as a child process pinned to core 0, the load (autocannon, in
// this process) to core 1 when `taskset` exists. No assertion on timings: figures are printed.
// BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (10), BENCH_WARMUP (s, 2),
// BENCH_PIN=0 (no pinning), BENCH_CPU_PROF=<variant> (`--cpu-prof` for that server, into
// BENCH_PROFILE_DIR, default ./.bench-profiles).
import 'reflect-metadata';
import { isDeepStrictEqual } from 'node:util';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/config';
import { BENCH_QUERIES, requestBody, VARIANTS, type BenchQuery, type BenchQueryName, type VariantName } from './bench-queries';
import { createBenchDatabase, DEFAULT_SERVER_URL, prepareBenchData } from './bench-database';
import { canPin, pinSelf, startChild, type ChildServer } from './child-server';
import { runLoad, type LoadResult } from './load';

const SERVER_CORE = 0;
const LOAD_CORE = 1;

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

interface Measurement extends LoadResult {
  variant: VariantName;
  query: BenchQueryName;
}

function headersFor(query: BenchQuery, tokens: Record<BenchQueryName, string>): Record<string, string> {
  return { authorization: `Bearer ${tokens[query.name]}`, 'x-purpose': query.purpose };
}

async function post(url: string, query: BenchQuery, headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: requestBody(query) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Every gateway variant must answer exactly the baseline's `data`, in full (nothing masked or denied). */
async function verifyAnswers(servers: Map<VariantName, ChildServer>, tokens: Record<BenchQueryName, string>): Promise<void> {
  for (const query of BENCH_QUERIES) {
    const headers = headersFor(query, tokens);
    const baseline = await post(servers.get('baseline')!.url, query, headers);
    if (baseline.status !== 200 || !baseline.body.data) throw new Error(`baseline failed on ${query.name}: ${JSON.stringify(baseline.body)}`);
    for (const variant of VARIANTS.filter((candidate) => candidate.gateway)) {
      const answer = await post(servers.get(variant.name)!.url, query, headers);
      if (answer.status !== 200 || answer.body.errors) {
        throw new Error(`gateway (${variant.name}) did not serve ${query.name}: HTTP ${answer.status} ${JSON.stringify(answer.body.errors ?? answer.body)}`);
      }
      const governance = (answer.body.extensions as { governance?: { masked: string[]; denied: string[] } } | undefined)?.governance;
      if (variant.gateway?.governance && (!governance || governance.masked.length > 0 || governance.denied.length > 0)) {
        throw new Error(`gateway (${variant.name}) did not serve ${query.name} in full under ${query.role}/${query.purpose}: ${JSON.stringify(governance)}`);
      }
      if (!isDeepStrictEqual(answer.body.data, baseline.body.data)) {
        throw new Error(
          `baseline and gateway (${variant.name}) disagree on ${query.name}:\n gateway:  ${JSON.stringify(answer.body.data).slice(0, 1500)}\n baseline: ${JSON.stringify(baseline.body.data).slice(0, 1500)}`,
        );
      }
    }
    log(`verified: ${query.name} — every gateway variant's data deep-equals the baseline's`);
  }
}

function ratio(numerator: number, denominator: number): number {
  return denominator > 0 ? Math.round((numerator / denominator) * 1000) / 1000 : Number.NaN;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const duration = envInt('BENCH_DURATION', 10);
  const connections = envInt('BENCH_CONNECTIONS', 10);
  const warmup = envInt('BENCH_WARMUP', 2);
  const pinned = canPin();
  const serverUrl = process.env.DATABASE_URL ?? DEFAULT_SERVER_URL;
  const profiled = process.env.BENCH_CPU_PROF as VariantName | undefined;
  const profileDir = resolve(process.env.BENCH_PROFILE_DIR ?? '.bench-profiles');
  const startedAt = new Date();
  const loadBefore = loadavg();

  const database = await createBenchDatabase(serverUrl);
  log(`database ${database.name} created`);
  const servers = new Map<VariantName, ChildServer>();
  try {
    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: database.url,
      NODE_ENV: 'production',
      PSEUDONYM_KEY: process.env.PSEUDONYM_KEY ?? 'bench-pseudonym-key-not-secret',
      AUDIT_CHECKPOINT_KEY: process.env.AUDIT_CHECKPOINT_KEY ?? 'bench-checkpoint-key-not-secret',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    };
    const tokens = await prepareBenchData(database.url, loadConfig(childEnv), log);

    for (const variant of VARIANTS) {
      const env = variant.gateway
        ? { ...childEnv, BENCH_GOVERNANCE: variant.gateway.governance ? '1' : '0', BENCH_AUDIT: variant.gateway.audit ? '1' : '0' }
        : childEnv;
      const nodeArgs = profiled === variant.name ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
      const server = await startChild({
        label: variant.name,
        script: join(__dirname, variant.gateway ? 'gateway-server.js' : 'baseline-server.js'),
        env,
        core: pinned ? SERVER_CORE : null,
        nodeArgs,
      });
      servers.set(variant.name, server);
      log(`${variant.name} listening at ${server.url} (pid ${server.pid})`);
    }
    if (pinned) pinSelf(LOAD_CORE);
    log(pinned ? `pinned: servers on core ${SERVER_CORE}, load on core ${LOAD_CORE}` : 'not pinned (no taskset, one core, or BENCH_PIN=0)');

    await verifyAnswers(servers, tokens);

    // Query by query, every variant back to back, so background load hits them alike.
    const measurements: Measurement[] = [];
    for (const query of BENCH_QUERIES) {
      for (const variant of VARIANTS) {
        const options = { url: servers.get(variant.name)!.url, body: requestBody(query), headers: headersFor(query, tokens), connections };
        await runLoad({ ...options, duration: warmup });
        const result = await runLoad({ ...options, duration });
        log(`${variant.name} ${query.name}: ${result.requestsPerSecond.toFixed(1)} req/s, p99 ${result.latencyP99Ms} ms`);
        if (result.failures > 0) throw new Error(`${variant.name} ${query.name}: ${result.failures} of ${result.requests} requests failed or were not clean answers`);
        measurements.push({ variant: variant.name, query: query.name, ...result });
      }
    }

    const find = (variant: VariantName, query: BenchQueryName) => measurements.find((m) => m.variant === variant && m.query === query)!;
    const rows = [['variant', 'query', 'req/s', 'p50 ms', 'p99 ms', 'vs baseline']];
    for (const m of measurements) {
      const vsBaseline = m.variant === 'baseline' ? '1.000' : ratio(m.requestsPerSecond, find('baseline', m.query).requestsPerSecond).toFixed(3);
      rows.push([m.variant, m.query, m.requestsPerSecond.toFixed(1), String(m.latencyP50Ms), String(m.latencyP99Ms), vsBaseline]);
    }
    const nested = (variant: VariantName) => find(variant, 'nested').requestsPerSecond;
    const ratios = {
      nestedVsBaseline: ratio(nested('full'), nested('baseline')),
      listVsBaseline: ratio(find('full', 'list').requestsPerSecond, find('baseline', 'list').requestsPerSecond),
      governanceOnOff: ratio(nested('full'), nested('governance-off')),
      auditOnOff: ratio(nested('full'), nested('audit-off')),
    };
    const conditions = {
      date: startedAt.toISOString(),
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      pinned,
      loadAverageBefore: loadBefore.map((value) => Math.round(value * 100) / 100),
      loadAverageAfter: loadavg().map((value) => Math.round(value * 100) / 100),
      durationSeconds: duration,
      warmupSeconds: warmup,
      connections,
    };

    process.stdout.write(`\nsellergate gateway benchmark  ${conditions.date}  node ${conditions.node}  ${conditions.cpus} CPUs (${conditions.cpuModel})\n`);
    process.stdout.write(
      `${pinned ? `pinned with taskset: servers on core ${SERVER_CORE}, autocannon on core ${LOAD_CORE}` : 'NOT pinned: servers and load share the cores'}; ` +
        `${connections} connections, ${duration} s per run after ${warmup} s warm-up; load average before ${conditions.loadAverageBefore.join(' ')}, after ${conditions.loadAverageAfter.join(' ')}\n\n`,
    );
    process.stdout.write(`${table(rows)}\n\n`);
    process.stdout.write(`nested query, gateway (full) / baseline:  ${ratios.nestedVsBaseline.toFixed(3)}   (aim >= 0.5)\n`);
    process.stdout.write(`list query, gateway (full) / baseline:    ${ratios.listVsBaseline.toFixed(3)}\n`);
    process.stdout.write(`nested query, governance on / off:        ${ratios.governanceOnOff.toFixed(3)}   (cost ${((1 - ratios.governanceOnOff) * 100).toFixed(1)} %, aim <= 15 %)\n`);
    process.stdout.write(`nested query, audit on / off:             ${ratios.auditOnOff.toFixed(3)}   (cost ${((1 - ratios.auditOnOff) * 100).toFixed(1)} %, aim <= 10 %)\n\n`);
    const summary = {
      conditions,
      results: measurements.map(({ variant, query, requestsPerSecond, latencyP50Ms, latencyP99Ms, requests }) => ({
        variant,
        query,
        requestsPerSecond: Math.round(requestsPerSecond * 10) / 10,
        latencyP50Ms,
        latencyP99Ms,
        requests,
      })),
      ratios,
    };
    process.stdout.write(`BENCH_SUMMARY ${JSON.stringify(summary)}\n`);
  } finally {
    for (const server of servers.values()) await server.stop();
    if (profiled) log(`CPU profile of ${profiled} written under ${profileDir}`);
    await database.drop().catch((error: unknown) => log(`could not drop ${database.name}: ${String(error)}`));
    log(`database ${database.name} dropped`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`\nbenchmark FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
