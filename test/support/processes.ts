// Real gateway processes for end-to-end tests: `node bin/sellergate.js serve` (the compiled CLI in
// dist/, rebuilt first when a source file is newer than the last build), each on a free port,
// waited for until /readyz answers, its output kept for failure messages, and stopped on teardown.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { GraphQLResponseBody, PostOptions, TestResponse } from './gateway';

const ROOT = join(__dirname, '..', '..');
const BUILD_INFO = join(ROOT, 'dist', '.tsbuildinfo');
const SOURCE_DIRS = ['src', 'entities', 'resolvers', 'schema'];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

let built: Promise<void> | null = null;

/**
 * Makes dist/ current: an incremental `tsc -p tsconfig.build.json` when a source file changed
 * since the last build (a few seconds; nothing when dist/ is current, as after `npm ci`).
 */
export function ensureBuilt(): Promise<void> {
  built ??= (async () => {
    const stale = !existsSync(BUILD_INFO) || !existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js')) || SOURCE_DIRS.some((dir) => newestSource(join(ROOT, dir)) > statSync(BUILD_INFO).mtimeMs);
    if (!stale) return;
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    try {
      await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      const { stdout } = error as { stdout?: string };
      // Type errors still emit JavaScript; only a build that produced no CLI is fatal.
      if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error(`Build of dist/ failed:\n${stdout ?? String(error)}`);
    }
  })();
  return built;
}

export interface GatewayProcess {
  name: string;
  url: string;
  pid: number;
  /** Its DATA_DIR (the embedded database's data when `databaseUrl` is empty). */
  dataDir: string;
  /** Everything the process printed so far (stdout and stderr), for failure messages. */
  output(): string;
  post(query: string, options?: PostOptions): Promise<TestResponse>;
  stop(): Promise<void>;
}

export interface GatewayProcessOptions {
  /** Shown in failure messages. */
  name: string;
  /** The PostgreSQL server; empty: the embedded database under the process's DATA_DIR. */
  databaseUrl: string;
  /** Extra environment (REDIS_URL, limits...); `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** Extra `serve` arguments (`--subgraph orders`, `--gateway`...). */
  args?: string[];
  startTimeoutMs?: number;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts `sellergate serve` (or `serve --subgraph <name>`, `serve --gateway`) in its own process and
 * resolves once /readyz answers 200.
 */
export async function startGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  await ensureBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'sellergate-process-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: options.databaseUrl || undefined,
    DATA_DIR: dataDir,
    SEED_DEMO: '0',
    RETENTION_SCHEDULE: 'off',
    // Up to eight processes per test file, two files at once: keep within max_connections (100).
    DATABASE_POOL_SIZE: '4',
    ...options.env,
  };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'sellergate.js'), 'serve', ...(options.args ?? [])], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const describe = () => `gateway ${options.name} (pid ${child.pid}) output:\n${output.slice(-4_000)}`;

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited(child);
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Not ready within ${options.startTimeoutMs ?? 60_000} ms: ${describe()}`)), options.startTimeoutMs ?? 60_000);
      const onData = () => {
        const match = /sellergate (subgraph \S+ )?ready at (\S+)\/graphql/.exec(output);
        if (!match) return;
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(match[2]);
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`Exited (code ${code}, signal ${signal}) before it was ready: ${describe()}`));
      });
    });
    const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
    for (;;) {
      const status = await fetch(`${url}/readyz`).then((response) => response.status, () => 0);
      if (status === 200) break;
      if (Date.now() > deadline) throw new Error(`/readyz answered ${status}: ${describe()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return {
      name: options.name,
      url,
      pid: child.pid!,
      dataDir,
      output: () => output,
      async post(query, postOptions = {}) {
        const headers: Record<string, string> = { 'content-type': 'application/json', ...postOptions.headers };
        if (postOptions.token) headers.authorization = `Bearer ${postOptions.token}`;
        if (postOptions.purpose) headers['x-purpose'] = postOptions.purpose;
        const response = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ query, variables: postOptions.variables, operationName: postOptions.operationName }),
        });
        const text = await response.text();
        let body: GraphQLResponseBody;
        try {
          body = JSON.parse(text) as GraphQLResponseBody;
        } catch {
          throw new Error(`Gateway ${options.name} answered ${response.status} with no JSON: ${text.slice(0, 500)}`);
        }
        return { status: response.status, headers: response.headers, body };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Runs the CLI (`node bin/sellergate.js ...`) as its own process; resolves with its exit code and output. */
export async function runCliProcess(args: string[], extraEnv: Record<string, string | undefined>): Promise<{ code: number; stdout: string; stderr: string }> {
  await ensureBuilt();
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', ...extraEnv };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(ROOT, 'bin', 'sellergate.js'), ...args], { cwd: ROOT, env }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : null) : 0;
      if (code === null) reject(error);
      else resolve({ code, stdout, stderr });
    });
  });
}
