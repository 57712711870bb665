// `npm run bench:http-floor`: what the HTTP stack alone costs per request, before any GraphQL,
// governance or database work. The same 1.4 KB JSON answer to POST /graphql behind Node's HTTP
// server, Node's server with body-parser (what the gateway's `/graphql` entry runs), the same with
// Apollo Server's request pipeline answering before execution (what every operation passes),
// Express's router, and Express's router with body-parser (what `/graphql` ran on before). Each server is
// pinned to core 0 and the load to core 1 (when `taskset` and two cores exist); rounds alternate
// the order. Prints req/s, server CPU per request, and each stack's CPU against Node's own.
import { join } from 'node:path';
import { canPin, pinSelf, startChild } from './child-server';
import { runLoad } from './load';

const STACKS = ['node', 'node+body-parser', 'node+body-parser+apollo', 'express', 'express+body-parser'] as const;
const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const BODY = JSON.stringify({ query: '{ campaigns(first: 20) { nodes { campaignId name state } } }' });

async function cpuMicros(url: string): Promise<number> {
  const response = await fetch(url.replace(/\/graphql$/, '/__cpu'));
  return ((await response.json()) as { cpuMicros: number }).cpuMicros;
}

async function main(): Promise<void> {
  const pinned = canPin();
  if (pinned) pinSelf(1);
  const totals = new Map<string, { requests: number; cpuMicros: number; seconds: number }>();
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const stack of round % 2 === 0 ? STACKS : [...STACKS].reverse()) {
      const server = await startChild({
        label: stack,
        script: join(__dirname, 'http-floor-server.js'),
        env: { ...process.env, HTTP_FLOOR_STACK: stack },
        core: pinned ? 0 : null,
      });
      try {
        await runLoad({ url: server.url, body: BODY, headers: {}, duration: 2, connections: CONNECTIONS });
        const before = await cpuMicros(server.url);
        const load = await runLoad({ url: server.url, body: BODY, headers: {}, duration: DURATION, connections: CONNECTIONS });
        const used = (await cpuMicros(server.url)) - before;
        if (load.failures > 0) throw new Error(`${stack}: ${load.failures} failed requests`);
        const total = totals.get(stack) ?? { requests: 0, cpuMicros: 0, seconds: 0 };
        total.requests += load.requests;
        total.cpuMicros += used;
        total.seconds += DURATION;
        totals.set(stack, total);
        process.stderr.write(`[bench:http-floor] round ${round + 1} ${stack}: ${load.requestsPerSecond.toFixed(0)} req/s, ${(used / 1000 / load.requests).toFixed(3)} ms CPU/request\n`);
      } finally {
        await server.stop();
      }
    }
  }
  const cpuOf = (stack: string) => totals.get(stack)!.cpuMicros / 1000 / totals.get(stack)!.requests;
  const lines = [
    `HTTP stack alone, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION} s, ${pinned ? 'server on core 0, load on core 1' : 'not pinned'}`,
    'stack                      req/s   CPU ms/req   CPU vs node',
    ...STACKS.map((stack) => {
      const total = totals.get(stack)!;
      return `${stack.padEnd(24)} ${(total.requests / total.seconds).toFixed(0).padStart(7)}   ${cpuOf(stack).toFixed(3).padStart(10)}   ${(cpuOf(stack) / cpuOf('node')).toFixed(2).padStart(11)}`;
    }),
    `Express's router and response objects add ${(cpuOf('express+body-parser') - cpuOf('node+body-parser')).toFixed(3)} ms of CPU per request to body-parser on Node's server.`,
    `Apollo Server's request pipeline (document cache, hooks, the answer's JSON; no execution) adds ${(cpuOf('node+body-parser+apollo') - cpuOf('node+body-parser')).toFixed(3)} ms.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
