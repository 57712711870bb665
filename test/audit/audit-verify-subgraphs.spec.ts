// `audit verify` in a federated deployment: every subgraph record of data served (a principal
// named) has its gateway record with the same request id; one without is named (exit code 1),
// and the chain's hashes are still reported as verified.
import { AuditWriter } from '../../src/audit/audit.writer';
import { registerAuditCommands } from '../../src/cli/audit.command';
import type { CliDeps } from '../../src/cli/cli-deps';
import { runCli, testCliDeps } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { auditEntry } from './audit-fixtures';

describe('audit verify and subgraph records', () => {
  let db: TestDatabase;
  let deps: CliDeps;
  const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

  beforeAll(async () => {
    db = await createTestDatabase();
    deps = testCliDeps(db);
  });
  afterAll(async () => db.close());
  afterEach(() => {
    process.exitCode = undefined;
  });

  const run = (...args: string[]) => runCli(deps, [registerAuditCommands], ['audit', ...args]);
  const write = async (...entries: ReturnType<typeof auditEntry>[]) => {
    const writer = new AuditWriter(db.dataSource, {});
    for (const entry of entries) await writer.append(entry);
    await writer.stop();
  };

  it('accepts subgraph records linked to their gateway record, and refusals of unverified calls', async () => {
    await write(
      auditEntry({ requestId: 'linked', servedBy: 'orders', timestamp: minutesAgo(5) }),
      auditEntry({ requestId: 'linked', servedBy: 'catalog', timestamp: minutesAgo(5) }),
      auditEntry({ requestId: 'linked', timestamp: minutesAgo(5) }),
      // A direct call refused for its hop token names no principal: nothing to link.
      auditEntry({ requestId: 'direct', servedBy: 'orders', principalId: null, principalKind: null, principalRole: null, outcome: 'refused', errorCodes: ['HOP_TOKEN_REPLAYED', 'UNAUTHENTICATED'], timestamp: minutesAgo(5) }),
    );
    expect(await run('verify')).toMatch(/^audit chain OK: records 1\.\.4 \(4 verified\)/);
    expect(process.exitCode).toBeUndefined();
  });

  it('names a subgraph record of served data that has no gateway record', async () => {
    await write(auditEntry({ requestId: 'orphan', servedBy: 'orders', timestamp: minutesAgo(5) }));
    const text = await run('verify');
    expect(text).toMatch(/^audit log INCOMPLETE at record 6 \(unlinked\): record 6 of subgraph orders \(request orphan\) has no gateway record with that request id/);
    expect(process.exitCode).toBe(1);
    const json = JSON.parse(await run('verify', '--json'));
    expect(json).toMatchObject({ ok: false, problem: { id: '6', kind: 'unlinked' } });
  });

  it('leaves a subgraph record younger than a minute for later (its gateway record is written after it)', async () => {
    const fresh = await createTestDatabase();
    try {
      const writer = new AuditWriter(fresh.dataSource, {});
      await writer.append(auditEntry({ requestId: 'in-flight', servedBy: 'orders' }));
      await writer.stop();
      expect(await runCli(testCliDeps(fresh), [registerAuditCommands], ['audit', 'verify'])).toMatch(/^audit chain OK/);
    } finally {
      await fresh.close();
    }
  });
});
