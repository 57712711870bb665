// Where a server's CPU time went: reads a V8 `.cpuprofile` (node --cpu-prof, see BENCH_CPU_PROF)
// and prints self time by package / source file and the hottest functions, plus the inclusive
// time of a few gateway stages. `node dist/bench/cpu-profile-summary.js <file.cpuprofile> [top]`
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** `node_modules/<pkg>` (scoped too), the project file, or a V8/Node category. */
function ownerOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return 'node (core)';
  const dist = url.indexOf('/dist/');
  return dist >= 0 ? url.slice(dist + '/dist/'.length) : url;
}

function percent(part: number, total: number): string {
  return `${((part / total) * 100).toFixed(1).padStart(5)} %`;
}

export function summarize(profile: CpuProfile, top = 25): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, index) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));

  let total = 0;
  let idle = 0;
  let startup = 0;
  let gc = 0;
  const startupCache = new Map<number, boolean>();
  // Module loading and building the schema and components is start-up, not per-request work.
  const isStartup = (id: number): boolean => {
    const cached = startupCache.get(id);
    if (cached !== undefined) return cached;
    let found = false;
    for (let cursor: number | undefined = id; cursor !== undefined && !found; cursor = parent.get(cursor)) {
      const frame = byId.get(cursor)!.callFrame;
      found =
        frame.url.startsWith('node:internal/modules/') ||
        (frame.url.includes('/dist/') && /^(createComponents|buildGatewaySchema|governSchema|main)$/.test(frame.functionName));
    }
    startupCache.set(id, found);
    return found;
  };
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  // Inclusive time of the frames of each part of the gateway (counted once per sample however
  // deep; async continuations start at the microtask queue, so callers' shares are lower bounds).
  const stages: Record<string, (frame: CallFrame) => boolean> = {
    'typeorm (query building, running, hydration)': (f) => f.url.includes('node_modules/typeorm/'),
    'pg client (protocol, parsing, socket writes)': (f) => /node_modules\/(pg|pg-protocol|pg-pool|pg-types|postgres-date)\//.test(f.url),
    '@apollo/server': (f) => f.url.includes('node_modules/@apollo/server/'),
    'graphql-js execute and validate': (f) => /node_modules\/graphql\/(execution|validation)\//.test(f.url),
    'governance: graphql-shield, graphql-middleware, src/policy': (f) =>
      /node_modules\/(graphql-shield|graphql-middleware)\//.test(f.url) || f.url.includes('/dist/src/policy/'),
    'audit: src/audit (plugin, writer, API call log)': (f) => f.url.includes('/dist/src/audit/'),
    'security: src/security (limits, cost, suspensions)': (f) => f.url.includes('/dist/src/security/'),
    'authentication: src/auth': (f) => f.url.includes('/dist/src/auth/'),
    'data: resolvers/, src/db/paginate': (f) => f.url.includes('/dist/resolvers/') || f.url.includes('/dist/src/db/paginate'),
    'express, body-parser, router': (f) => /node_modules\/(express|body-parser|router|raw-body)\//.test(f.url),
  };
  const stageTime = new Map<string, number>();
  const stageCache = new Map<number, string[]>();
  const stagesOf = (id: number): string[] => {
    const cached = stageCache.get(id);
    if (cached) return cached;
    const found = new Set<string>();
    for (let cursor: number | undefined = id; cursor !== undefined; cursor = parent.get(cursor)) {
      const frame = byId.get(cursor)!.callFrame;
      for (const [name, test] of Object.entries(stages)) if (test(frame)) found.add(name);
    }
    const list = [...found];
    stageCache.set(id, list);
    return list;
  };

  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)' || frame.functionName === '(program)') {
      idle += delta;
      return;
    }
    if (isStartup(id)) {
      startup += delta;
      return;
    }
    total += delta;
    if (frame.functionName === '(garbage collector)') gc += delta;
    const owner = ownerOf(frame.url, frame.functionName);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + delta);
    const name = `${frame.functionName || '(anonymous)'}  ${owner}:${frame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + delta);
    for (const stage of stagesOf(id)) stageTime.set(stage, (stageTime.get(stage) ?? 0) + delta);
  });

  const lines: string[] = [];
  lines.push(`busy ${(total / 1e6).toFixed(2)} s (start-up ${(startup / 1e6).toFixed(2)} s more, not counted), idle/program ${(idle / 1e6).toFixed(2)} s`);
  lines.push('', 'inclusive time by part (share of busy time; parts overlap, e.g. typeorm calls pg):');
  for (const [name, time] of [...stageTime].sort((a, b) => b[1] - a[1])) lines.push(`  ${percent(time, total)}  ${name}`);
  lines.push(`  ${percent(gc, total)}  garbage collector`);
  lines.push('', 'self time by package or file:');
  for (const [name, time] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${percent(time, total)}  ${name}`);
  lines.push('', 'self time by function:');
  for (const [name, time] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${percent(time, total)}  ${name}`);
  return lines.join('\n');
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node dist/bench/cpu-profile-summary.js <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  process.stdout.write(`${summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, top ? Number(top) : 25)}\n`);
}
