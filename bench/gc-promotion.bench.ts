// `npm run bench:gc`: what each request leaves to the garbage collector. The gateway (production
// wiring) serves each benchmark query under load, and Apollo Server's pipeline alone
// (`npm run bench:http-floor`'s `node+body-parser+apollo` stack, the same list answer from a
// plugin) serves the list query as the baseline; each runs with V8's `--trace-gc-nvp`, and the
// bench sums, over the measured seconds, what young-generation collections promoted to the old
// generation and how long they paused the process, per request.
//
// A request lives a few milliseconds and scavenges come tens of milliseconds apart, so what a
// request promotes is what something kept alive past two of them: on Node 20, for instance, an
// object spread from another that then gains a key, an object literal with getters, a WeakMap
// keyed by short-lived objects (docs/benchmarks.md, "Young-generation garbage").
import { join } from 'node:path';
import { loadConfig } from '../src/config';
import { benchGatewayEnv, createBenchDatabase, DEFAULT_SERVER_URL, prepareBenchData } from './bench-database';
import { BENCH_QUERIES, requestBody, type BenchQuery } from './bench-queries';
import { canPin, pinSelf, startChild } from './child-server';
import { runLoad } from './load';

const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const log = (message: string) => process.stderr.write(`[bench:gc] ${message}\n`);

const PROMOTED = /\bpromoted=([0-9.]+)/;
const PAUSE = /\bpause=([0-9.]+)/;

/** Sums of the scavenges V8 reports while `measuring` is on. */
class ScavengeTotals {
  measuring = false;
  scavenges = 0;
  promotedBytes = 0;
  pauseMs = 0;

  /** One `--trace-gc-nvp` line: `... pause=1.2 ... gc=s ... promoted=12345 ...`. */
  read(line: string): void {
    if (!this.measuring || !line.includes(' gc=s ')) return;
    this.scavenges += 1;
    this.promotedBytes += Number(PROMOTED.exec(line)?.[1] ?? 0);
    this.pauseMs += Number(PAUSE.exec(line)?.[1] ?? 0);
  }
}

interface Measured {
  label: string;
  requests: number;
  requestsPerSecond: number;
  scavenges: number;
  promotedKbPerRequest: number;
  scavengeMsPerRequest: number;
}

async function measure(label: string, start: (totals: ScavengeTotals) => Promise<{ url: string; stop(): Promise<void> }>, body: string, headers: Record<string, string>): Promise<Measured> {
  const totals = new ScavengeTotals();
  const server = await start(totals);
  try {
    await runLoad({ url: server.url, body, headers, duration: 3, connections: CONNECTIONS });
    totals.measuring = true;
    const load = await runLoad({ url: server.url, body, headers, duration: DURATION, connections: CONNECTIONS });
    totals.measuring = false;
    if (load.failures > 0) throw new Error(`${label}: ${load.failures} of ${load.requests} requests failed or were not clean answers`);
    const result = {
      label,
      requests: load.requests,
      requestsPerSecond: load.requestsPerSecond,
      scavenges: totals.scavenges,
      promotedKbPerRequest: totals.promotedBytes / 1024 / Math.max(1, load.requests),
      scavengeMsPerRequest: totals.pauseMs / Math.max(1, load.requests),
    };
    log(`${label}: ${result.requests} requests, ${result.scavenges} scavenges, ${result.promotedKbPerRequest.toFixed(2)} KB promoted and ${result.scavengeMsPerRequest.toFixed(4)} ms of scavenge per request`);
    return result;
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const pinned = canPin();
  if (pinned) pinSelf(1);
  const database = await createBenchDatabase(process.env.DATABASE_URL ?? DEFAULT_SERVER_URL);
  try {
    const env = benchGatewayEnv(database.url);
    const tokens = await prepareBenchData(database.url, loadConfig(env), log);
    const core = pinned ? 0 : null;
    const list = BENCH_QUERIES.find((query) => query.name === 'list')!;
    const floor = await measure(
      'Apollo Server alone, list',
      (totals) => startChild({ label: 'apollo', script: join(__dirname, 'http-floor-server.js'), env: { ...process.env, HTTP_FLOOR_STACK: 'node+body-parser+apollo' }, core, nodeArgs: ['--trace-gc-nvp'], onLine: (line) => totals.read(line) }),
      requestBody(list),
      {},
    );
    const rows: Measured[] = [floor];
    for (const query of BENCH_QUERIES as readonly BenchQuery[]) {
      rows.push(
        await measure(
          `gateway, ${query.name}`,
          (totals) => startChild({ label: 'gateway', script: join(__dirname, 'gateway-server.js'), env, core, nodeArgs: ['--trace-gc-nvp'], onLine: (line) => totals.read(line) }),
          requestBody(query),
          { authorization: `Bearer ${tokens[query.name]}`, 'x-purpose': query.purpose },
        ),
      );
    }
    const lines = [
      `Young-generation collections per request, ${CONNECTIONS} connections, ${DURATION} s each after 3 s of warm-up, ${pinned ? 'server on core 0, load on core 1' : 'not pinned'}`,
      'server and query                 req/s   scavenges   promoted KB/req   scavenge ms/req   promoted vs Apollo alone',
      ...rows.map(
        (row) =>
          `${row.label.padEnd(30)} ${row.requestsPerSecond.toFixed(0).padStart(7)} ${String(row.scavenges).padStart(11)} ${row.promotedKbPerRequest.toFixed(2).padStart(17)} ${row.scavengeMsPerRequest.toFixed(4).padStart(17)} ${(row.promotedKbPerRequest / Math.max(floor.promotedKbPerRequest, 0.001)).toFixed(1).padStart(26)}`,
      ),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await database.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
