// The installed command line as a user runs it: `node bin/sellergate.js ...` in its own process.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureBuilt, runCliProcess, startGatewayProcess, type GatewayProcess } from '../support/processes';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

function sellergate(args: string[], env: NodeJS.ProcessEnv = {}) {
  return run(process.execPath, [join(ROOT, 'bin', 'sellergate.js'), ...args], { cwd: ROOT, env: { ...process.env, NODE_ENV: 'test', ...env } });
}

beforeAll(() => ensureBuilt(), 180_000);

describe('sellergate --version', () => {
  it('prints the version of package.json and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const { stdout, stderr } = await sellergate([flag]);
      expect(stdout).toBe(`${version}\n`);
      expect(stderr).toBe('');
    }
  });
});

describe('commands while the gateway runs on the embedded database', () => {
  let gateway: GatewayProcess;
  beforeAll(async () => {
    // No DATABASE_URL: the gateway opens (and holds) the embedded database under its DATA_DIR, with the demo data.
    gateway = await startGatewayProcess({ name: 'embedded', databaseUrl: '', env: { DATABASE_URL: undefined, SELLERGATE_TOKEN: undefined }, startTimeoutMs: 300_000 });
  }, 320_000);
  afterAll(async () => {
    await gateway?.stop();
  }, 30_000);

  const cli = (args: string[]) => runCliProcess(args, { DATA_DIR: gateway.dataDir, DATABASE_URL: undefined, SELLERGATE_TOKEN: undefined, LOG_LEVEL: 'warn' });

  it('lists tokens, verifies the audit chain and creates a token the running gateway accepts at once', async () => {
    const listed = await cli(['token', 'list']);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('demo analyst');

    const created = await cli(['token', 'create', '--role', 'analyst', '--name', 'made while serving', '--json']);
    expect(created.code).toBe(0);
    const { token } = JSON.parse(created.stdout) as { token: string };
    // An unknown token is refused with 401: this one is known to the gateway at once.
    const answer = await gateway.post('{ __typename }', { token, purpose: 'BUSINESS_ANALYSIS' });
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();

    const verified = await cli(['audit', 'verify']);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/audit chain OK/);
    // The gateway still holds its database and answers; the token revoked from the command line is refused.
    const [id] = /^\S+/.exec((await cli(['token', 'list'])).stdout.split('\n').find((line) => line.includes('made while serving'))!)!;
    expect((await cli(['token', 'revoke', id])).code).toBe(0);
    expect((await gateway.post('{ __typename }', { token, purpose: 'BUSINESS_ANALYSIS' })).status).toBe(401);
  }, 120_000);
});
