// `npm run bench`: gateway throughput and latency against a bare pg baseline, in one run, and
// the federated mode (gateway + one process per category subgraph) next to the single process.
// A fresh database on the PostgreSQL server (DATABASE_URL, else the local server) gets the
// demo data; each variant runs as a child process pinned to core 0, the load (autocannon, in
// this process) to core 1 when `taskset` exists. No assertion on timings: figures are printed.
// BENCH_DURATION (s per run, default 10), BENCH_CONNECTIONS (10), BENCH_WARMUP (s, 2), BENCH_SERVER_WARMUP
// (s of load each server gets before its first measured run, default 10; 0 = none), BENCH_ROUNDS (2),
// BENCH_PIN=0 (no pinning), BENCH_QUERY=list,nested,settlements (only those queries), BENCH_CPU_PROF=<variant>
// (`--cpu-prof` for that server, into BENCH_PROFILE_DIR, default <tmp>/sellergate-bench-profiles; read it with
// `node dist/bench/cpu-profile-summary.js <file>`), BENCH_PEER=0 (without PostGraphile, the
// ungoverned peer: bench/peers/postgraphile.ts), BENCH_SWEEP (connection counts of the
// concurrency sweep on the nested query, default 10,50,200; 0 = none), BENCH_STABILITY (seconds of
// the stability run of the production wiring, in 10 s slices, default 60; 0 = none), BENCH_VARIANTS
// (a comma-separated list of variants to run beside `baseline` and `full`, e.g. unplanned or federated,federated-hive).
import 'reflect-metadata';
import { generateKeyPairSync } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/config';
import { SUBGRAPH_NAMES } from '../src/federation/subgraphs';
import { BENCH_QUERIES, requestBody, VARIANTS, type BenchQuery, type BenchQueryName, type Variant, type VariantName } from './bench-queries';
import { benchGatewayEnv, createBenchDatabase, DEFAULT_SERVER_URL, prepareBenchData } from './bench-database';
import { canPin, pinSelf, startChild, type ChildServer } from './child-server';
import type { AuditCounts } from './bench-probes';
import { runLoad, type LoadOptions, type LoadResult } from './load';
import { ioWaitCell, ioWaitPercent, ioWaitSuffix, machineCpuTimes } from './machine-io';
import { fixedWorkMs } from './machine-speed';
import { POSTGRAPHILE_QUERIES, preparePostGraphile } from './peers/postgraphile';

const SERVER_CORE = 0;
const LOAD_CORE = 1;

function envInt(name: string, fallback: number, zeroAllowed = false): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < (zeroAllowed ? 0 : 1)) throw new Error(`${name} must be a ${zeroAllowed ? 'non-negative' : 'positive'} integer, got "${raw}"`);
  return value;
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

interface Measurement extends LoadResult {
  variant: VariantName;
  query: BenchQueryName;
  /** CPU time of the server process per request served (ms): independent of how busy the machine is. */
  serverCpuMsPerRequest: number;
  /** Share of the machine's CPU time spent waiting for the disk during the run (%; null off Linux). */
  ioWaitPercent: number | null;
  /** What the gateway's audit writer committed during the run (null: no audit record, or not a gateway). */
  audit: AuditCounts | null;
}

/** `records per commit, ms per batch` of audit counts, or null when nothing was committed. */
function auditBatches(counts: AuditCounts | null): { recordsPerCommit: number; msPerBatch: number } | null {
  if (!counts || counts.batches === 0) return null;
  return { recordsPerCommit: Math.round((counts.records / counts.batches) * 10) / 10, msPerBatch: Math.round((counts.batchMs / counts.batches) * 100) / 100 };
}

/** The processes serving a variant: its server, plus the subgraphs of the federated variant. */
type Processes = Map<VariantName, ChildServer[]>;

/** A fresh Ed25519 key pair for the federated variant's hop tokens (production mode needs real keys). */
function benchFederationKeys(): { FEDERATION_SIGNING_KEY: string; FEDERATION_PUBLIC_KEY: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    FEDERATION_SIGNING_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    FEDERATION_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** CPU time (µs) and resident set size (bytes) of all of a variant's processes (gateway and subgraphs alike). */
type Paths = { planner?: Record<string, number>; known?: Record<string, number> };

async function serverUsage(processes: ChildServer[]): Promise<{ cpuMicros: number; rssBytes: number; paths: Paths | undefined; audit: AuditCounts | null }> {
  const total = { cpuMicros: 0, rssBytes: 0, paths: undefined as Paths | undefined, audit: null as AuditCounts | null };
  for (const [index, server] of processes.entries()) {
    const response = await fetch(server.url.replace(/\/graphql$/, '/__bench/cpu'));
    const usage = (await response.json()) as { cpuMicros: number; rssBytes: number; paths?: Paths; audit?: AuditCounts | null };
    total.cpuMicros += usage.cpuMicros;
    total.rssBytes += usage.rssBytes;
    // The first process's (the gateway's): how its operations were answered, its audit writer.
    if (index === 0) {
      total.paths = usage.paths;
      total.audit = usage.audit ?? null;
    }
  }
  return total;
}

/**
 * One measured load run: its result, the servers' CPU per request, the machine's I/O wait, and
 * what the gateway's audit writer committed meanwhile.
 */
async function measuredRun(processes: ChildServer[], options: LoadOptions): Promise<LoadResult & Pick<Measurement, 'serverCpuMsPerRequest' | 'ioWaitPercent' | 'audit'>> {
  const before = await serverUsage(processes);
  const machineBefore = machineCpuTimes();
  const result = await runLoad(options);
  const ioWait = ioWaitPercent(machineBefore, machineCpuTimes());
  const after = await serverUsage(processes);
  const serverCpuMsPerRequest = (after.cpuMicros - before.cpuMicros) / 1000 / Math.max(1, result.requests);
  const audit =
    before.audit && after.audit
      ? { records: after.audit.records - before.audit.records, batches: after.audit.batches - before.audit.batches, batchMs: after.audit.batchMs - before.audit.batchMs }
      : null;
  return { ...result, serverCpuMsPerRequest, ioWaitPercent: ioWait, audit };
}

/** `, audit: 4.2 records per commit, 1.90 ms per batch` for a run's log line; empty without audit. */
function auditSuffix(counts: AuditCounts | null): string {
  const batches = auditBatches(counts);
  return batches ? `, audit: ${batches.recordsPerCommit} records per commit, ${batches.msPerBatch.toFixed(2)} ms per batch` : '';
}

const megabytes = (bytes: number) => Math.round(bytes / 1024 / 1024);

/** The request body a variant receives for a query: the peer is asked the same rows in its own schema. */
function bodyFor(variant: Variant, query: BenchQuery): string {
  return variant.peer ? JSON.stringify({ query: POSTGRAPHILE_QUERIES[query.name].query }) : requestBody(query);
}

function headersFor(query: BenchQuery, tokens: Record<BenchQueryName, string>): Record<string, string> {
  return { authorization: `Bearer ${tokens[query.name]}`, 'x-purpose': query.purpose };
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/**
 * Every gateway variant must answer exactly the baseline's `data`, in full (nothing masked or
 * denied); the peer the same rows once its names and formats are mapped onto the gateway's.
 */
async function verifyAnswers(servers: Map<VariantName, ChildServer>, variants: readonly Variant[], tokens: Record<BenchQueryName, string>): Promise<void> {
  for (const query of BENCH_QUERIES) {
    const headers = headersFor(query, tokens);
    const baseline = await post(servers.get('baseline')!.url, requestBody(query), headers);
    if (baseline.status !== 200 || !baseline.body.data) throw new Error(`baseline failed on ${query.name}: ${JSON.stringify(baseline.body)}`);
    const peer = variants.find((variant) => variant.peer);
    if (peer) {
      const answer = await post(servers.get(peer.name)!.url, bodyFor(peer, query), {});
      if (answer.status !== 200 || answer.body.errors || !answer.body.data) throw new Error(`${peer.name} did not serve ${query.name}: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 1500)}`);
      const mapped = POSTGRAPHILE_QUERIES[query.name].toGatewayData(answer.body.data);
      if (!isDeepStrictEqual(mapped, baseline.body.data)) {
        throw new Error(`baseline and ${peer.name} disagree on ${query.name}:\n ${peer.name}: ${JSON.stringify(mapped).slice(0, 1500)}\n baseline: ${JSON.stringify(baseline.body.data).slice(0, 1500)}`);
      }
    }
    for (const variant of variants.filter((candidate) => candidate.gateway)) {
      const answer = await post(servers.get(variant.name)!.url, requestBody(query), headers);
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
    log(`verified: ${query.name} — every variant's data deep-equals the baseline's`);
  }
}

const SQL_SAMPLE = 20;

/** SQL statements per request of each variant, counted over SQL_SAMPLE sequential requests. */
async function countStatements(
  processes: Processes,
  variants: readonly Variant[],
  queries: readonly BenchQuery[],
  tokens: Record<BenchQueryName, string>,
): Promise<Record<string, Record<string, number>>> {
  const report: Record<string, Record<string, number>> = {};
  for (const query of queries) {
    for (const variant of variants) {
      const bases = processes.get(variant.name)!.map((server) => server.url.replace(/\/graphql$/, ''));
      await new Promise((done) => setTimeout(done, 150));
      for (const base of bases) await fetch(`${base}/__bench/sql?reset=1&count=1`);
      for (let i = 0; i < SQL_SAMPLE; i += 1) await post(`${bases[0]}/graphql`, bodyFor(variant, query), headersFor(query, tokens));
      // Let the batched audit and API call log writes of the sample land.
      await new Promise((done) => setTimeout(done, 300));
      const counts: Record<string, number> = {};
      for (const base of bases) {
        for (const [text, count] of Object.entries((await (await fetch(`${base}/__bench/sql?count=0`)).json()) as Record<string, number>)) {
          counts[text] = (counts[text] ?? 0) + count;
        }
      }
      const perRequest: Record<string, number> = {};
      for (const [text, count] of Object.entries(counts)) perRequest[text] = Math.round((count / SQL_SAMPLE) * 100) / 100;
      report[`${variant.name} ${query.name}`] = perRequest;
    }
  }
  return report;
}

interface Aggregated extends Measurement {
  /** req/s of each round, in round order. */
  perRound: number[];
}

/** Per variant and query: mean req/s and p50 over the rounds, the worst p99, CPU over all requests. */
function aggregate(runs: Measurement[], variants: readonly Variant[], queries: readonly BenchQuery[]): Aggregated[] {
  const result: Aggregated[] = [];
  for (const query of queries) {
    for (const variant of variants) {
      const mine = runs.filter((run) => run.variant === variant.name && run.query === query.name);
      const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
      const requests = mine.reduce((sum, run) => sum + run.requests, 0);
      const cpuMs = mine.reduce((sum, run) => sum + run.serverCpuMsPerRequest * run.requests, 0);
      const ioWaits = mine.map((run) => run.ioWaitPercent).filter((value): value is number => value !== null);
      result.push({
        variant: variant.name,
        query: query.name,
        requestsPerSecond: mean(mine.map((run) => run.requestsPerSecond)),
        latencyP50Ms: Math.round(mean(mine.map((run) => run.latencyP50Ms))),
        latencyP99Ms: Math.max(...mine.map((run) => run.latencyP99Ms)),
        requests,
        failures: 0,
        serverCpuMsPerRequest: Math.round((cpuMs / Math.max(1, requests)) * 100) / 100,
        ioWaitPercent: ioWaits.length > 0 ? Math.round(mean(ioWaits) * 10) / 10 : null,
        // Summed over the rounds: records per commit and ms per batch of all of them.
        audit: mine.some((run) => run.audit)
          ? mine.reduce<AuditCounts>(
              (sum, run) => ({ records: sum.records + (run.audit?.records ?? 0), batches: sum.batches + (run.audit?.batches ?? 0), batchMs: sum.batchMs + (run.audit?.batchMs ?? 0) }),
              { records: 0, batches: 0, batchMs: 0 },
            )
          : null,
        perRound: mine.map((run) => Math.round(run.requestsPerSecond * 10) / 10),
      });
    }
  }
  return result;
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
  // V8 optimizes a server's hot paths over its first seconds under load (the gateway's take about
  // 10 s: 1.6 ms of CPU per request in its first 3 s). Each server gets that much load, spread over
  // the queries, before its first measured run, so that round 1 does not measure the compiler.
  const serverWarmup = envInt('BENCH_SERVER_WARMUP', 10, true);
  const rounds = envInt('BENCH_ROUNDS', 2);
  const pinned = canPin();
  const serverUrl = process.env.DATABASE_URL ?? DEFAULT_SERVER_URL;
  const profiled = process.env.BENCH_CPU_PROF as VariantName | undefined;
  const profileDir = resolve(process.env.BENCH_PROFILE_DIR ?? join(tmpdir(), 'sellergate-bench-profiles'));
  const only = process.env.BENCH_QUERY ? process.env.BENCH_QUERY.split(',').map((name) => name.trim()) : null;
  const unknown = only?.filter((name) => !BENCH_QUERIES.some((query) => query.name === name)) ?? [];
  if (unknown.length > 0) throw new Error(`BENCH_QUERY takes one or more of ${BENCH_QUERIES.map((query) => query.name).join(', ')} (comma-separated), not "${unknown.join(',')}"`);
  const queries = BENCH_QUERIES.filter((query) => !only || only.includes(query.name));
  const startedAt = new Date();
  const loadBefore = loadavg();

  const database = await createBenchDatabase(serverUrl);
  log(`database ${database.name} created`);
  const servers = new Map<VariantName, ChildServer>();
  const processes: Processes = new Map();
  const subgraphs: ChildServer[] = [];
  try {
    const childEnv: NodeJS.ProcessEnv = {
      ...benchGatewayEnv(database.url),
      // The federated gateway signs its per-hop tokens with a key pair made for this run.
      ...benchFederationKeys(),
    };
    const tokens = await prepareBenchData(database.url, loadConfig(childEnv), log);
    const peer = preparePostGraphile(log);
    // BENCH_VARIANTS=a,b: only those (the baseline and the single process `full` always run: answers are checked against the one, ratios taken against the other).
    const wanted = process.env.BENCH_VARIANTS?.split(',').map((name) => name.trim());
    const variants = VARIANTS.filter((variant) => (!variant.peer || peer) && (!wanted || ['baseline', 'full', ...wanted].includes(variant.name)));

    for (const variant of variants) {
      let env = variant.gateway
        ? {
            ...childEnv,
            BENCH_GOVERNANCE: variant.gateway.governance ? '1' : '0',
            BENCH_AUDIT: variant.gateway.audit ? '1' : '0',
            ...(variant.gateway.planned === false ? { PLANNED_EXECUTION: '0' } : {}),
            ...(variant.gateway.knownOperations === false ? { BENCH_KNOWN_OPERATIONS: '0' } : {}),
          }
        : childEnv;
      const own: ChildServer[] = [];
      if (variant.federated) {
        // One process per category subgraph, on the servers' core like every other variant.
        for (const name of SUBGRAPH_NAMES) {
          const subgraph = await startChild({
            label: `${variant.name}/${name}`,
            script: join(__dirname, 'subgraph-server.js'),
            env: { ...childEnv, BENCH_SUBGRAPH: name },
            core: pinned ? SERVER_CORE : null,
          });
          subgraphs.push(subgraph);
          own.push(subgraph);
          log(`${variant.name}: subgraph ${name} listening at ${subgraph.url} (pid ${subgraph.pid})`);
        }
        env = {
          ...env,
          BENCH_FEDERATED: '1',
          FEDERATION_ENGINE: variant.engine ?? 'apollo',
          FEDERATION_SUBGRAPHS: own.map((subgraph, i) => `${SUBGRAPH_NAMES[i]}=${subgraph.url}`).join(','),
        };
      }
      const nodeArgs = profiled === variant.name ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
      const server =
        variant.peer && peer
          ? await startChild({ label: variant.name, script: peer.script, node: peer.node, cwd: peer.cwd, env, core: pinned ? SERVER_CORE : null, nodeArgs })
          : await startChild({
              label: variant.name,
              script: join(__dirname, variant.gateway ? 'gateway-server.js' : 'baseline-server.js'),
              env,
              core: pinned ? SERVER_CORE : null,
              nodeArgs,
            });
      servers.set(variant.name, server);
      processes.set(variant.name, [server, ...own]);
      log(`${variant.name} listening at ${server.url} (pid ${server.pid})`);
    }
    if (pinned) pinSelf(LOAD_CORE);
    log(pinned ? `pinned: servers on core ${SERVER_CORE}, load on core ${LOAD_CORE}` : 'not pinned (no taskset, one core, or BENCH_PIN=0)');

    await verifyAnswers(servers, variants, tokens);
    const statements = await countStatements(processes, variants, queries, tokens);
    const rssAtStart = new Map<VariantName, number>();
    for (const variant of variants) rssAtStart.set(variant.name, (await serverUsage(processes.get(variant.name)!)).rssBytes);

    /** The load of one variant and query: its server, the body it is asked in, the query's token. */
    const loadOf = (variant: Variant, query: BenchQuery, connectionCount: number) => ({
      url: servers.get(variant.name)!.url,
      body: bodyFor(variant, query),
      headers: headersFor(query, tokens),
      connections: connectionCount,
    });

    if (serverWarmup > 0) {
      const perQuery = Math.max(1, Math.ceil(serverWarmup / queries.length));
      for (const variant of variants) {
        for (const query of queries) {
          await runLoad({ ...loadOf(variant, query, connections), duration: perQuery });
        }
      }
      log(`every server warmed up: ${perQuery} s of load per query before the first measured run`);
    }

    // Round by round, query by query, every variant back to back (order reversed every other
    // round), so background load on the machine hits the variants alike.
    const runs: Measurement[] = [];
    for (let round = 1; round <= rounds; round += 1) {
      for (const query of queries) {
        for (const variant of round % 2 === 1 ? variants : [...variants].reverse()) {
          const options = loadOf(variant, query, connections);
          await runLoad({ ...options, duration: warmup });
          const result = await measuredRun(processes.get(variant.name)!, { ...options, duration });
          log(
            `round ${round} ${variant.name} ${query.name}: ${result.requestsPerSecond.toFixed(1)} req/s, p99 ${result.latencyP99Ms} ms, server CPU ${result.serverCpuMsPerRequest.toFixed(2)} ms/request` +
              ioWaitSuffix(result.ioWaitPercent) +
              auditSuffix(result.audit),
          );
          if (result.failures > 0) throw new Error(`${variant.name} ${query.name}: ${result.failures} of ${result.requests} requests failed or were not clean answers`);
          runs.push({ variant: variant.name, query: query.name, ...result });
        }
      }
    }
    const measurements = aggregate(runs, variants, queries);
    const rssAfterRounds = new Map<VariantName, number>();
    const pathsAfterRounds = new Map<VariantName, Paths>();
    for (const variant of variants) {
      const usage = await serverUsage(processes.get(variant.name)!);
      rssAfterRounds.set(variant.name, usage.rssBytes);
      if (variant.gateway && usage.paths) pathsAfterRounds.set(variant.name, usage.paths);
    }

    // Stability of the production wiring: one long run in 10 s slices, req/s and RSS per slice,
    // before the concurrency sweep (whose 200 connections leave a larger heap in the first slice).
    const nestedQuery = queries.find((query) => query.name === 'nested');
    const stabilitySeconds = envInt('BENCH_STABILITY', 60, true);
    const stability: { slice: number; requestsPerSecond: number; rssMb: number; ioWaitPercent: number | null; serverCpuMsPerRequest: number; fixedWorkMs: number }[] = [];
    if (nestedQuery && stabilitySeconds > 0) {
      const options = loadOf(variants.find((variant) => variant.name === 'full')!, nestedQuery, connections);
      await runLoad({ ...options, duration: warmup });
      for (let slice = 1; slice <= Math.max(1, Math.round(stabilitySeconds / 10)); slice += 1) {
        // RSS moves by tens of MB with each major collection: one sample would read the collector's
        // phase. The slice's peak (sampled every 500 ms) is what the process needs.
        let peak = 0;
        let sampling = true;
        const sampler = (async () => {
          while (sampling) {
            peak = Math.max(peak, (await serverUsage(processes.get('full')!)).rssBytes);
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
        })();
        const result = await measuredRun(processes.get('full')!, { ...options, duration: 10 });
        sampling = false;
        await sampler;
        const rssMb = megabytes(Math.max(peak, (await serverUsage(processes.get('full')!)).rssBytes));
        // Between slices, with no load: how fast the machine itself ran the same work.
        const probe = fixedWorkMs();
        log(
          `stability slice ${slice}: ${result.requestsPerSecond.toFixed(1)} req/s, server CPU ${result.serverCpuMsPerRequest.toFixed(2)} ms/request, RSS ${rssMb} MB` +
            `${ioWaitSuffix(result.ioWaitPercent)}, fixed work ${probe} ms${auditSuffix(result.audit)}`,
        );
        stability.push({ slice, requestsPerSecond: result.requestsPerSecond, rssMb, ioWaitPercent: result.ioWaitPercent, serverCpuMsPerRequest: result.serverCpuMsPerRequest, fixedWorkMs: probe });
      }
    }

    // Concurrency sweep on the nested query: the production wiring, the peer and the baseline.
    const sweepLevels = (process.env.BENCH_SWEEP ?? '10,50,200')
      .split(',')
      .map((level) => Number(level.trim()))
      .filter((level) => Number.isInteger(level) && level > 0);
    const sweep: { variant: VariantName; connections: number; requestsPerSecond: number; latencyP99Ms: number; serverCpuMsPerRequest: number }[] = [];
    if (nestedQuery && sweepLevels.length > 0) {
      for (const level of sweepLevels) {
        for (const variant of variants.filter((candidate) => ['full', 'postgraphile', 'baseline'].includes(candidate.name))) {
          const options = loadOf(variant, nestedQuery, level);
          await runLoad({ ...options, duration: warmup });
          const result = await measuredRun(processes.get(variant.name)!, { ...options, duration });
          log(`sweep ${level} connections ${variant.name}: ${result.requestsPerSecond.toFixed(1)} req/s, p99 ${result.latencyP99Ms} ms, ${result.failures} failures${auditSuffix(result.audit)}`);
          sweep.push({ variant: variant.name, connections: level, requestsPerSecond: result.requestsPerSecond, latencyP99Ms: result.latencyP99Ms, serverCpuMsPerRequest: result.serverCpuMsPerRequest });
        }
      }
    }

    const find = (variant: VariantName, query: BenchQueryName) =>
      measurements.find((m) => m.variant === variant && m.query === query) ?? { requestsPerSecond: Number.NaN, serverCpuMsPerRequest: Number.NaN };
    const rows = [['variant', 'query', 'req/s', 'per round', 'p50 ms', 'p99 ms', 'vs baseline', 'vs full', 'CPU ms/req', 'CPU vs baseline', 'I/O wait %']];
    for (const m of measurements) {
      const base = find('baseline', m.query);
      const single = find('full', m.query);
      rows.push([
        m.variant,
        m.query,
        m.requestsPerSecond.toFixed(1),
        m.perRound.map((value) => value.toFixed(0)).join(' / '),
        String(m.latencyP50Ms),
        String(m.latencyP99Ms),
        ratio(m.requestsPerSecond, base.requestsPerSecond).toFixed(3),
        // This variant's req/s over the single process's (`full`): federated / single for `federated`.
        ratio(m.requestsPerSecond, single.requestsPerSecond).toFixed(3),
        m.serverCpuMsPerRequest.toFixed(2),
        // Baseline CPU per request / this variant's: the req/s ratio a dedicated, CPU-bound core would give.
        ratio(base.serverCpuMsPerRequest, m.serverCpuMsPerRequest).toFixed(3),
        ioWaitCell(m.ioWaitPercent),
      ]);
    }
    const nested = (variant: VariantName) => find(variant, 'nested').requestsPerSecond;
    const cpuOf = (variant: VariantName, query: BenchQueryName) => find(variant, query).serverCpuMsPerRequest;
    // NaN (a query left out with BENCH_QUERY) prints as NaN and goes into the JSON as null.
    const ratios = {
      nestedVsBaseline: ratio(nested('full'), nested('baseline')),
      listVsBaseline: ratio(find('full', 'list').requestsPerSecond, find('baseline', 'list').requestsPerSecond),
      governanceOnOff: ratio(nested('full'), nested('governance-off')),
      auditOnOff: ratio(nested('full'), nested('audit-off')),
      nestedFederatedVsSingle: ratio(nested('federated'), nested('full')),
      listFederatedVsSingle: ratio(find('federated', 'list').requestsPerSecond, find('full', 'list').requestsPerSecond),
      nestedFederatedHiveVsSingle: ratio(nested('federated-hive'), nested('full')),
      listFederatedHiveVsSingle: ratio(find('federated-hive', 'list').requestsPerSecond, find('full', 'list').requestsPerSecond),
      nestedHiveVsApollo: ratio(nested('federated-hive'), nested('federated')),
      governanceAndAuditOnOff: ratio(nested('full'), nested('both-off')),
      nestedVsPostGraphile: ratio(nested('full'), nested('postgraphile')),
      listVsPostGraphile: ratio(find('full', 'list').requestsPerSecond, find('postgraphile', 'list').requestsPerSecond),
      nestedPlannedVsUnplanned: ratio(nested('full'), nested('unplanned')),
      listPlannedVsUnplanned: ratio(find('full', 'list').requestsPerSecond, find('unplanned', 'list').requestsPerSecond),
      nestedKnownVsApollo: ratio(nested('full'), nested('apollo-pipeline')),
      listKnownVsApollo: ratio(find('full', 'list').requestsPerSecond, find('apollo-pipeline', 'list').requestsPerSecond),
      settlementsVsBaseline: ratio(find('full', 'settlements').requestsPerSecond, find('baseline', 'settlements').requestsPerSecond),
      settlementsVsPostGraphile: ratio(find('full', 'settlements').requestsPerSecond, find('postgraphile', 'settlements').requestsPerSecond),
      // The same from server CPU per request (what a dedicated core would sustain).
      cpu: {
        nestedVsBaseline: ratio(cpuOf('baseline', 'nested'), cpuOf('full', 'nested')),
        listVsBaseline: ratio(cpuOf('baseline', 'list'), cpuOf('full', 'list')),
        governanceOnOff: ratio(cpuOf('governance-off', 'nested'), cpuOf('full', 'nested')),
        auditOnOff: ratio(cpuOf('audit-off', 'nested'), cpuOf('full', 'nested')),
        nestedFederatedVsSingle: ratio(cpuOf('full', 'nested'), cpuOf('federated', 'nested')),
        listFederatedVsSingle: ratio(cpuOf('full', 'list'), cpuOf('federated', 'list')),
        nestedFederatedHiveVsSingle: ratio(cpuOf('full', 'nested'), cpuOf('federated-hive', 'nested')),
        listFederatedHiveVsSingle: ratio(cpuOf('full', 'list'), cpuOf('federated-hive', 'list')),
        nestedHiveVsApollo: ratio(cpuOf('federated', 'nested'), cpuOf('federated-hive', 'nested')),
        governanceAndAuditOnOff: ratio(cpuOf('both-off', 'nested'), cpuOf('full', 'nested')),
        nestedVsPostGraphile: ratio(cpuOf('postgraphile', 'nested'), cpuOf('full', 'nested')),
        listVsPostGraphile: ratio(cpuOf('postgraphile', 'list'), cpuOf('full', 'list')),
        nestedPlannedVsUnplanned: ratio(cpuOf('unplanned', 'nested'), cpuOf('full', 'nested')),
        listPlannedVsUnplanned: ratio(cpuOf('unplanned', 'list'), cpuOf('full', 'list')),
        nestedKnownVsApollo: ratio(cpuOf('apollo-pipeline', 'nested'), cpuOf('full', 'nested')),
        listKnownVsApollo: ratio(cpuOf('apollo-pipeline', 'list'), cpuOf('full', 'list')),
        settlementsVsBaseline: ratio(cpuOf('baseline', 'settlements'), cpuOf('full', 'settlements')),
        settlementsVsPostGraphile: ratio(cpuOf('postgraphile', 'settlements'), cpuOf('full', 'settlements')),
      },
    };
    const conditions = {
      date: startedAt.toISOString(),
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      pinned,
      loadAverageBefore: loadBefore.map((value) => Math.round(value * 100) / 100),
      loadAverageAfter: loadavg().map((value) => Math.round(value * 100) / 100),
      rounds,
      durationSeconds: duration,
      warmupSeconds: warmup,
      connections,
    };

    process.stdout.write(`\nsellergate gateway benchmark  ${conditions.date}  node ${conditions.node}  ${conditions.cpus} CPUs (${conditions.cpuModel})\n`);
    process.stdout.write(
      `${pinned ? `pinned with taskset: servers on core ${SERVER_CORE}, autocannon on core ${LOAD_CORE}` : 'NOT pinned: servers and load share the cores'}; ` +
        `${connections} connections, ${rounds} rounds of ${duration} s per variant and query, each after ${warmup} s warm-up; load average before ${conditions.loadAverageBefore.join(' ')}, after ${conditions.loadAverageAfter.join(' ')}\n\n`,
    );
    process.stdout.write(`${table(rows)}\n\n`);
    const cost = (value: number) => `${((1 - value) * 100).toFixed(1)} %`;
    process.stdout.write('ratios                                    req/s    server CPU/request\n');
    process.stdout.write(`nested, gateway (full) / baseline         ${ratios.nestedVsBaseline.toFixed(3)}    ${ratios.cpu.nestedVsBaseline.toFixed(3)}   (aim >= 0.5)\n`);
    process.stdout.write(`list, gateway (full) / baseline           ${ratios.listVsBaseline.toFixed(3)}    ${ratios.cpu.listVsBaseline.toFixed(3)}\n`);
    process.stdout.write(`nested, governance on / off               ${ratios.governanceOnOff.toFixed(3)}    ${ratios.cpu.governanceOnOff.toFixed(3)}   (cost ${cost(ratios.governanceOnOff)} / ${cost(ratios.cpu.governanceOnOff)}; aim <= 15 %)\n`);
    process.stdout.write(`nested, audit on / off                    ${ratios.auditOnOff.toFixed(3)}    ${ratios.cpu.auditOnOff.toFixed(3)}   (cost ${cost(ratios.auditOnOff)} / ${cost(ratios.cpu.auditOnOff)}; aim <= 10 %)\n`);
    process.stdout.write(`nested, governance + audit on / both off   ${ratios.governanceAndAuditOnOff.toFixed(3)}    ${ratios.cpu.governanceAndAuditOnOff.toFixed(3)}   (cost ${cost(ratios.governanceAndAuditOnOff)} / ${cost(ratios.cpu.governanceAndAuditOnOff)}; aim <= 15 %)\n`);
    process.stdout.write(`nested, gateway (full) / PostGraphile     ${ratios.nestedVsPostGraphile.toFixed(3)}    ${ratios.cpu.nestedVsPostGraphile.toFixed(3)}   (aim >= 1.0)\n`);
    process.stdout.write(`list, gateway (full) / PostGraphile       ${ratios.listVsPostGraphile.toFixed(3)}    ${ratios.cpu.listVsPostGraphile.toFixed(3)}   (aim >= 1.0)\n`);
    process.stdout.write(`nested, planned / unplanned (full)        ${ratios.nestedPlannedVsUnplanned.toFixed(3)}    ${ratios.cpu.nestedPlannedVsUnplanned.toFixed(3)}\n`);
    process.stdout.write(`list, planned / unplanned (full)          ${ratios.listPlannedVsUnplanned.toFixed(3)}    ${ratios.cpu.listPlannedVsUnplanned.toFixed(3)}\n`);
    process.stdout.write(`nested, full / apollo-pipeline            ${ratios.nestedKnownVsApollo.toFixed(3)}    ${ratios.cpu.nestedKnownVsApollo.toFixed(3)}   (known documents answered outside Apollo Server's pipeline / not)\n`);
    process.stdout.write(`list, full / apollo-pipeline              ${ratios.listKnownVsApollo.toFixed(3)}    ${ratios.cpu.listKnownVsApollo.toFixed(3)}\n`);
    process.stdout.write(`settlements, gateway (full) / baseline    ${ratios.settlementsVsBaseline.toFixed(3)}    ${ratios.cpu.settlementsVsBaseline.toFixed(3)}\n`);
    process.stdout.write(`settlements, gateway (full) / PostGraphile ${ratios.settlementsVsPostGraphile.toFixed(3)}    ${ratios.cpu.settlementsVsPostGraphile.toFixed(3)}\n`);
    process.stdout.write(`nested, federated / single process        ${ratios.nestedFederatedVsSingle.toFixed(3)}    ${ratios.cpu.nestedFederatedVsSingle.toFixed(3)}\n`);
    process.stdout.write(`list, federated / single process          ${ratios.listFederatedVsSingle.toFixed(3)}    ${ratios.cpu.listFederatedVsSingle.toFixed(3)}\n`);
    process.stdout.write(`nested, federated-hive / single process   ${ratios.nestedFederatedHiveVsSingle.toFixed(3)}    ${ratios.cpu.nestedFederatedHiveVsSingle.toFixed(3)}\n`);
    process.stdout.write(`list, federated-hive / single process     ${ratios.listFederatedHiveVsSingle.toFixed(3)}    ${ratios.cpu.listFederatedHiveVsSingle.toFixed(3)}\n`);
    process.stdout.write(`nested, federated-hive / federated        ${ratios.nestedHiveVsApollo.toFixed(3)}    ${ratios.cpu.nestedHiveVsApollo.toFixed(3)}   (Hive Gateway's runtime / @apollo/gateway)\n`);
    process.stdout.write(
      `federated: gateway + ${SUBGRAPH_NAMES.length} subgraphs (${SUBGRAPH_NAMES.join(', ')}), each its own process on the same database${pinned ? `, all on core ${SERVER_CORE} like the single process` : ''}; CPU counts all ${SUBGRAPH_NAMES.length + 1} processes\n\n`,
    );
    if (sweep.length > 0) {
      process.stdout.write(`concurrency sweep, nested query (${duration} s each after ${warmup} s warm-up):\n`);
      const sweepRows = [['variant', 'connections', 'req/s', 'p99 ms', 'CPU ms/req', 'vs lowest']];
      for (const point of sweep) {
        const lowest = sweep.find((candidate) => candidate.variant === point.variant && candidate.connections === sweepLevels[0]);
        sweepRows.push([
          point.variant,
          String(point.connections),
          point.requestsPerSecond.toFixed(1),
          String(point.latencyP99Ms),
          point.serverCpuMsPerRequest.toFixed(2),
          ratio(point.requestsPerSecond, lowest?.requestsPerSecond ?? Number.NaN).toFixed(3),
        ]);
      }
      process.stdout.write(`${table(sweepRows)}\n(aim: req/s at the most connections >= 0.8 of req/s at the fewest)\n\n`);
    }
    if (stability.length > 0) {
      const first = stability[0];
      const last = stability[stability.length - 1];
      process.stdout.write(
        `stability, full, nested, ${connections} connections, 10 s slices: req/s ${stability.map((slice) => slice.requestsPerSecond.toFixed(0)).join(' ')}; ` +
          `peak RSS MB ${stability.map((slice) => slice.rssMb).join(' ')}; ` +
          `machine I/O wait % ${stability.map((slice) => ioWaitCell(slice.ioWaitPercent)).join(' ')}; last / first slice ${ratio(last.requestsPerSecond, first.requestsPerSecond).toFixed(3)} req/s, ` +
          `${ratio(last.rssMb, first.rssMb).toFixed(3)} RSS (aim: within 10 %)\n` +
          `  server CPU ms/request ${stability.map((slice) => slice.serverCpuMsPerRequest.toFixed(2)).join(' ')}; fixed work ms (the same computation in the bench process after each slice: ` +
          `the machine's own speed) ${stability.map((slice) => slice.fixedWorkMs.toFixed(1)).join(' ')}; last / first slice ${ratio(last.serverCpuMsPerRequest, first.serverCpuMsPerRequest).toFixed(3)} CPU, ` +
          `${ratio(last.fixedWorkMs, first.fixedWorkMs).toFixed(3)} fixed work\n\n`,
      );
    }
    process.stdout.write('RSS MB (all processes of a variant) after start -> after the rounds:');
    for (const variant of variants) process.stdout.write(` ${variant.name} ${megabytes(rssAtStart.get(variant.name) ?? 0)} -> ${megabytes(rssAfterRounds.get(variant.name) ?? 0)};`);
    process.stdout.write('\n\n');
    process.stdout.write('How the gateways answered (operations since start: plans made, answered on a plan, not plannable, fell back to graphql-js; of the planned, answered outside Apollo Server\'s pipeline, and admitted there then handed to it):\n');
    for (const [name, paths] of pathsAfterRounds) process.stdout.write(`  ${name.padEnd(16)} ${JSON.stringify(paths.planner)} ${JSON.stringify(paths.known ?? {})}\n`);
    process.stdout.write('\n');
    process.stdout.write(`SQL statements per request (mean of ${SQL_SAMPLE} sequential requests; under load the audit batches are shared):\n`);
    for (const [name, counts] of Object.entries(statements)) {
      const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
      const detail = Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([text, count]) => `${count} x ${text}`).join('; ');
      process.stdout.write(`  ${name.padEnd(22)} ${total.toFixed(2).padStart(5)}  ${detail}\n`);
    }
    process.stdout.write('\n');
    process.stdout.write(`Audit batches under load (the gateway's writer over all rounds; every answer waits for its batch's commit):\n`);
    for (const m of measurements) {
      const batches = auditBatches(m.audit);
      if (batches) process.stdout.write(`  ${`${m.variant} ${m.query}`.padEnd(26)} ${batches.recordsPerCommit} records per commit, ${batches.msPerBatch.toFixed(2)} ms per batch\n`);
    }
    process.stdout.write('\n');
    const summary = {
      conditions,
      results: measurements.map(({ variant, query, requestsPerSecond, perRound, latencyP50Ms, latencyP99Ms, requests, serverCpuMsPerRequest, audit }) => ({
        variant,
        query,
        requestsPerSecond: Math.round(requestsPerSecond * 10) / 10,
        requestsPerSecondPerRound: perRound,
        latencyP50Ms,
        latencyP99Ms,
        requests,
        serverCpuMsPerRequest,
        auditBatches: auditBatches(audit),
      })),
      ratios,
      sweep,
      stability,
      rssMb: Object.fromEntries(variants.map((variant) => [variant.name, { start: megabytes(rssAtStart.get(variant.name) ?? 0), afterRounds: megabytes(rssAfterRounds.get(variant.name) ?? 0) }])),
      peer: peer ? { name: 'postgraphile', version: peer.version } : null,
      sqlStatementsPerRequest: statements,
    };
    process.stdout.write(`BENCH_SUMMARY ${JSON.stringify(summary)}\n`);
  } finally {
    for (const server of servers.values()) await server.stop();
    for (const subgraph of subgraphs) await subgraph.stop();
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
