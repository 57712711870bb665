// The installed command line as a user runs it: `node bin/sellergate.js ...` in its own process.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureBuilt } from '../support/processes';

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
