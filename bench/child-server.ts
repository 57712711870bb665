// Starts a benchmark server as a child process (pinned to one core with `taskset` when asked)
// and waits for the `{"ready": url}` line it prints.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpus } from 'node:os';

export interface ChildServer {
  label: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export interface ChildOptions {
  label: string;
  script: string;
  env: NodeJS.ProcessEnv;
  /** Core to pin the child to (`taskset -c <core>`); `null` leaves it to the scheduler. */
  core: number | null;
  nodeArgs?: string[];
  readyTimeoutMs?: number;
  /** Node binary to run the script with (the peer needs its own); this process's by default. */
  node?: string;
  /** Working directory of the child (where the peer's modules are). */
  cwd?: string;
  /** Called with each line the child prints on stdout (e.g. V8's `--trace-gc-nvp` lines). */
  onLine?: (line: string) => void;
}

/** Server and load on separate cores needs `taskset` and at least two cores. */
export function canPin(): boolean {
  if (process.env.BENCH_PIN === '0' || cpus().length < 2) return false;
  return spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Pins this process, all its threads, to `core`. */
export function pinSelf(core: number): void {
  const result = spawnSync('taskset', ['-a', '-cp', String(core), String(process.pid)], { stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`taskset could not pin the load generator to core ${core}`);
}

async function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  const timer = new Promise<false>((resolve) => setTimeout(() => resolve(false), ms).unref());
  return Promise.race([once(child, 'exit').then(() => true), timer]);
}

export async function startChild(options: ChildOptions): Promise<ChildServer> {
  const nodeArgs = [...(options.nodeArgs ?? []), options.script];
  const node = options.node ?? process.execPath;
  const spawnOptions = { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'] };
  const child =
    options.core === null ? spawn(node, nodeArgs, spawnOptions) : spawn('taskset', ['-c', String(options.core), node, ...nodeArgs], spawnOptions);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`${options.label}: not ready after ${options.readyTimeoutMs ?? 120_000} ms\n${stderr}`)), options.readyTimeoutMs ?? 120_000);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        options.onLine?.(line);
        if (line.startsWith('{"ready"')) {
          clearTimeout(timer);
          resolve((JSON.parse(line) as { ready: string }).ready);
        }
      }
      if (buffered.length > 100_000) buffered = '';
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${options.label}: exited before it was ready (code ${code}, signal ${signal})\n${stderr}`));
    });
  });
  return {
    label: options.label,
    url,
    pid: child.pid ?? -1,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 20_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    },
  };
}
