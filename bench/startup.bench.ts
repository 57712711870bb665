// `npm run bench:startup`: how long a newcomer waits, on this machine, with its load average beside
// each figure (a loaded machine stretches every one of them):
//   fresh start  `npm start` on an empty data directory (embedded PostgreSQL, demo data) until
//                the first GraphQL answer (after `npm ci`; the build is up to date)
//   restart      `npm start` again on the same data directory until the first answer
//   CLI          simple commands (`token list`, `audit verify`, `policy show`) while the gateway runs
// Options (environment): KEEP=1 keeps the data directory; RUNS=N repeats restart and CLI N times.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
const RUNS = Number(process.env.RUNS ?? 1);
const QUERY = '{ __typename }';

interface Figure {
  what: string;
  seconds: number;
  load: string;
}

const figures: Figure[] = [];
const load = () => loadavg().map((value) => value.toFixed(2)).join(' ');

function record(what: string, startedAt: number, loadBefore: string): void {
  const figure = { what, seconds: (performance.now() - startedAt) / 1000, load: `${loadBefore} -> ${load()}` };
  figures.push(figure);
  process.stdout.write(`${what.padEnd(34)} ${figure.seconds.toFixed(1).padStart(6)} s   load average (1, 5, 15 min) ${figure.load}\n`);
}

interface Started {
  child: ChildProcess;
  output(): string;
}

/** `npm start` in its own process group (npm and the gateway it runs are stopped together). */
function npmStart(dataDir: string): Started {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', RETENTION_SCHEDULE: 'off' };
  delete env.DATABASE_URL;
  delete env.DATABASE_READ_URL;
  const child = spawn('npm', ['start', '--silent'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

/** Waits for the ready line, then sends a GraphQL query with the printed analyst demo token until it is answered. */
async function firstAnswer(started: Started, timeoutMs = 600_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = /sellergate ready at (\S+)\/graphql/.exec(started.output());
    const analyst = /^\s+analyst\s+(\S+)/m.exec(started.output());
    if (ready && analyst) {
      const response = await fetch(`${ready[1]}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${analyst[1]}`, 'x-purpose': 'BUSINESS_ANALYSIS' },
        body: JSON.stringify({ query: QUERY }),
      }).catch(() => undefined);
      if (response?.status === 200) return ready[1];
    }
    if (started.child.exitCode !== null) throw new Error(`npm start exited (${started.child.exitCode}):\n${started.output().slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`No answer within ${timeoutMs / 1000} s:\n${started.output().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stop(started: Started, dataDir: string): Promise<void> {
  if (started.child.exitCode === null && started.child.signalCode === null) {
    const exited = new Promise((resolve) => started.child.once('exit', resolve));
    process.kill(-started.child.pid!, 'SIGTERM');
    const timer = setTimeout(() => process.kill(-started.child.pid!, 'SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
  // npm may exit before the gateway it runs has closed the database: wait for its lock to go.
  const deadline = Date.now() + 30_000;
  while (existsSync(join(dataDir, 'pg', 'sellergate.lock')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
}

async function cli(args: string[], dataDir: string): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  delete env.SELLERGATE_TOKEN;
  await promisify(execFile)(process.execPath, [join(ROOT, 'bin', 'sellergate.js'), ...args], { cwd: ROOT, env });
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sellergate-startup-bench-'));
  process.stdout.write(`startup bench: ${dataDir}, ${require('node:os').cpus().length} CPUs, node ${process.version}\n`);
  let running: Started | undefined;
  try {
    let loadBefore = load();
    let startedAt = performance.now();
    running = npmStart(dataDir);
    await firstAnswer(running);
    record('fresh start to first answer', startedAt, loadBefore);
    for (let run = 0; run < RUNS; run += 1) {
      for (const args of [['token', 'list'], ['audit', 'verify'], ['policy', 'show']]) {
        loadBefore = load();
        startedAt = performance.now();
        await cli(args, dataDir);
        record(`CLI while serving: ${args.join(' ')}`, startedAt, loadBefore);
      }
      await stop(running, dataDir);
      loadBefore = load();
      startedAt = performance.now();
      running = npmStart(dataDir);
      await firstAnswer(running);
      record('restart to first answer', startedAt, loadBefore);
    }
  } finally {
    if (running) await stop(running, dataDir);
    if (process.env.KEEP !== '1') rmSync(dataDir, { recursive: true, force: true });
  }
  if (process.env.JSON === '1') process.stdout.write(`${JSON.stringify(figures)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`startup bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
