// A token running CLI commands pays into the same per-principal bucket as over HTTP: with
// REDIS_URL the bucket lives in Redis, so separate commands (separate processes in real use) and
// the gateway's processes share it. Once it is empty a command is refused with RATE_LIMITED,
// recorded like any refused command.
import { CliRefusal } from '../../src/admission/cli-admission';
import { registerAccountCommands } from '../../src/cli/account.command';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestCatalog, testTokenFor } from '../support/fixtures';
import { runCli, testCliDeps } from '../support/cli';

jest.setTimeout(60_000);

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await seedTestCatalog(db.dataSource);
});
afterAll(() => db?.close());

describe('rate limit of a token running CLI commands', () => {
  it('is one bucket across commands: the third of a burst of two is refused RATE_LIMITED, and recorded', async () => {
    const token = await testTokenFor(db.dataSource, 'admin');
    // Each run builds its own admission, as a new process would.
    const run = () => runCli(testCliDeps(db, { REDIS_URL, RATE_LIMIT_PER_MINUTE: '1', RATE_LIMIT_BURST: '2' }, { token }), [registerAccountCommands], ['account', 'list']);
    await run();
    await run();
    const third = run();
    await expect(third).rejects.toThrow(CliRefusal);
    await expect(third).rejects.toThrow(/^refused \(RATE_LIMITED\): Rate limit exceeded for this principal/);
    const [record] = await db.dataSource.query(`SELECT operation_name, outcome, error_codes FROM audit_record WHERE operation_name = 'account list' ORDER BY id DESC LIMIT 1`);
    expect(record).toEqual({ operation_name: 'account list', outcome: 'refused', error_codes: ['RATE_LIMITED'] });
  });
});
