import { registerTokenCommands } from '../../src/cli/token.command';
import { registerPolicyCommands } from '../../src/cli/policy.command';
import type { CliDeps } from '../../src/cli/cli-deps';
import { defaultPolicy } from '../../src/policy/default-policy';
import { runCli, testCliDeps } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/database';

describe('policy and token commands', () => {
  let db: TestDatabase;
  let deps: CliDeps;
  beforeAll(async () => {
    db = await createTestDatabase();
    deps = testCliDeps(db);
  });
  afterAll(async () => db?.close());

  const run = (...args: string[]) => runCli(deps, [registerTokenCommands, registerPolicyCommands], args);

  it('policy show prints the version and every role', async () => {
    const text = await run('policy', 'show');
    expect(text).toContain(`policy version ${defaultPolicy().version}`);
    expect(text).toMatch(/AFTER_SALES\s+full \/ masked \/ full \/ full/);
    expect(JSON.parse(await run('policy', 'show', '--json')).version).toBe(defaultPolicy().version);
  });

  it('policy explain gives the decision and the rule', async () => {
    const explained = JSON.parse(await run('policy', 'explain', '--role', 'operations', '--purpose', 'OPERATIONAL_REPORTING', 'Order.amazonOrderId', '--json'));
    expect(explained).toMatchObject({ effect: 'mask', mask: 'LAST4', rule: 'ROLE_GRANT', source: 'roles.operations.grants.OPERATIONAL_REPORTING.IDENTIFIER' });
    const text = await run('policy', 'explain', '--role', 'finance', '--purpose', 'ACCOUNTING', 'Order.amazonOrderId');
    expect(text).toContain('DENY');
    expect(text).toContain('PURPOSE_OUTSIDE_CATEGORY');
  });

  it('token create prints the secret once, list never shows it, revoke revokes', async () => {
    const created = JSON.parse(await run('token', 'create', '--role', 'analyst', '--purposes', 'BUSINESS_ANALYSIS', '--expires-in', '30d', '--partner', '--name', 'bi partner', '--json'));
    expect(created.token).toMatch(/^sg_/);
    expect(created).toMatchObject({ role: 'analyst', purposes: ['BUSINESS_ANALYSIS'], partner: true });
    const listed = await run('token', 'list', '--json');
    expect(listed).toContain(created.id);
    expect(listed).not.toContain(created.token);
    expect(await run('token', 'revoke', created.id)).toContain(`revoked ${created.id}`);
    expect(await run('token', 'list')).toMatch(new RegExp(`${created.id}\\s+revoked`));
    await expect(run('token', 'create', '--role', 'analyst', '--expires-in', '120d')).rejects.toThrow(/at most 90 days/);
  });
});
