import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyChain } from '../../src/audit/audit-verify';
import type { CliDeps } from '../../src/cli/cli-deps';
import { registerRetentionCommands } from '../../src/cli/retention.command';
import { DEFAULT_POLICY_DOCUMENT } from '../../src/policy/default-policy';
import { runCli, testCliDeps } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { AUDIT_KEY, ORDERS, rowCounts, seedRetentionData } from './retention-fixture';

describe('retention CLI', () => {
  let db: TestDatabase;
  let deps: CliDeps;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedRetentionData(db.dataSource);
    // The local operator runs every step of a deletion here: a policy without separation of duties
    // (test/retention/deletion-duties.e2e-spec.ts covers the default, where it is refused).
    const dir = mkdtempSync(join(tmpdir(), 'sg-retention-cli-'));
    writeFileSync(join(dir, 'policy.json'), JSON.stringify({ ...DEFAULT_POLICY_DOCUMENT, deletion: { separationOfDuties: false } }));
    deps = testCliDeps(db, { AUDIT_CHECKPOINT_KEY: AUDIT_KEY, POLICY_FILE: join(dir, 'policy.json') });
  });
  afterAll(async () => db.close());

  const run = (...args: string[]) => runCli(deps, [registerRetentionCommands], args);

  it('retention run --dry-run --json reports per rule and changes nothing but its own audit record', async () => {
    const before = await rowCounts(db.dataSource);
    const chain = await verifyChain(db.dataSource.manager, {});
    const report = JSON.parse(await run('retention', 'run', '--dry-run', '--json'));
    expect(report).toMatchObject({ runId: null, dryRun: true, status: 'DRY_RUN' });
    expect(report.rules.find((rule: { ruleId: string }) => rule.ruleId === 'api-call-logs-delete')).toMatchObject({ affected: 1, action: 'DELETE' });
    expect(await rowCounts(db.dataSource)).toEqual({ ...before, audit_record: before.audit_record + 1 });
    const after = await verifyChain(db.dataSource.manager, {});
    expect(after).toMatchObject({ ok: true, checked: chain.checked + 1 });
    const [record] = await db.dataSource.query('SELECT operation_name, operation_type, prev_hash FROM audit_record ORDER BY id DESC LIMIT 1');
    expect(record).toEqual({ operation_name: 'retention run', operation_type: 'query', prev_hash: chain.lastHash });
  });

  it('retention run --rule applies one rule and says what it did', async () => {
    const text = await run('retention', 'run', '--rule', 'api-call-logs-delete');
    expect(text).toMatch(/^run [0-9a-f-]{36} SUCCEEDED, rules default-1\+[0-9a-f]{12}\n {2}api-call-logs-delete +DELETE +api_call_logs +before \d{4}-\d\d-\d\d {2}affected 1 {2}\(api_call_log=1, keys 1\.\.1\)\n$/);
    expect(await db.dataSource.query("SELECT request_id FROM api_call_log ORDER BY 1")).toEqual([{ request_id: 'call-kept' }, { request_id: 'call-new' }]);
    expect(await run('retention', 'rules')).toContain('orders-personal-data     ANONYMIZE orders [shipPostalCode] 30d after DELIVERY');
  });

  it('holds and deletion requests from the command line, each a user action', async () => {
    const hold = JSON.parse(await run('hold', 'place', '--reason', 'Litigation', '--amazon-order-ids', ORDERS.neighbour, '--json'));
    expect(hold).toMatchObject({ active: true, amazonOrderIds: [ORDERS.neighbour] });
    expect(await run('hold', 'list')).toContain(`${hold.id}  active    orders ${ORDERS.neighbour}  reason: Litigation`);

    const request = JSON.parse(await run('deletion', 'request', '--orders', ORDERS.neighbour, // deprecated name, still accepted
      '--reason', 'Erasure', '--requester', 'buyer via privacy contact', '--json'));
    expect(request).toMatchObject({ state: 'RECEIVED', overdue: false });
    await run('deletion', 'approve', request.id, '--reason', 'Verified');
    await expect(run('deletion', 'execute', request.id)).rejects.toThrow(`blocked by legal hold ${hold.id}`);
    await run('hold', 'release', hold.id, '--reason', 'Settled');
    const certificate = await run('deletion', 'execute', request.id);
    expect(certificate).toMatch(/amazon_order +1\n/);
    expect(certificate).toMatch(/total +\d+\n/);
    expect(await run('deletion', 'certificate', request.id)).toBe(certificate);
    expect(await run('deletion', 'list', '--state', 'executed')).toContain(`${request.id}  EXECUTED COMPANY`);

    const actions = await db.dataSource.query("SELECT action FROM user_action WHERE actor LIKE 'cli%' ORDER BY id");
    expect(actions.map((row: { action: string }) => row.action)).toEqual([
      'retention.run', 'legal_hold.place', 'deletion.request', 'deletion.approve', 'legal_hold.release', 'deletion.execute',
    ]);
  });
});
