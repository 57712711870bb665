import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditWriter } from '../../src/audit/audit.writer';
import { registerAuditCommands } from '../../src/cli/audit.command';
import type { CliDeps } from '../../src/cli/cli-deps';
import { runCli, testCliDeps } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { asTamperer, auditEntry } from './audit-fixtures';

const KEY = 'cli-test-checkpoint-key-0123456789';

describe('audit CLI', () => {
  let db: TestDatabase;
  let deps: CliDeps;

  beforeAll(async () => {
    db = await createTestDatabase();
    deps = testCliDeps(db, { AUDIT_CHECKPOINT_KEY: KEY });
    const writer = new AuditWriter(db.dataSource, { flushIntervalMs: 1 });
    await Promise.all(Array.from({ length: 12 }, (_, i) => writer.append(auditEntry({ operationName: `Cli${i}` }))));
    await writer.stop();
  });
  afterAll(async () => db.close());
  afterEach(() => {
    process.exitCode = undefined;
  });

  const run = (...args: string[]) => runCli(deps, [registerAuditCommands], ['audit', ...args]);

  const headId = async () => String((await db.dataSource.query('SELECT max(id)::text AS id FROM audit_record'))[0].id);

  it('tails and exports records as JSON lines with their hashes; each command leaves its own record first', async () => {
    const tail = (await run('tail', '-n', '3', '--json')).trim().split('\n').map((l) => JSON.parse(l));
    expect(tail.map((r) => r.id)).toEqual(['10', '11', '12']);
    // The tail's own record (#13) was written before it printed; the next tail shows it.
    const [seeded, own] = (await run('tail', '-n', '2')).trim().split('\n');
    expect(seeded).toMatch(/^#12 \S+ ok\s+user-1 \(analyst\) purpose=BUSINESS_ANALYSIS query Cli\d+ fields=2 request=req-\d+$/);
    expect(own).toMatch(/^#13 \S+ ok\s+cli:\S+ \(operator\) purpose=AUDIT query audit tail fields=0 request=\S+$/);
    const file = join(mkdtempSync(join(tmpdir(), 'audit-export-')), 'audit.jsonl');
    await run('export', '--format', 'jsonl', '--from', '5', '--to', '9', '--output', file);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((r) => r.id)).toEqual(['5', '6', '7', '8', '9']);
    expect(lines[1].prevHash).toBe(lines[0].hash);
  });

  it('verifies the chain, signs a checkpoint, and reports as JSON', async () => {
    const before = Number(await headId());
    expect(await run('verify')).toMatch(new RegExp(`^audit chain OK: records 1\\.\\.${before} \\(${before} verified\\)`));
    // The checkpoint covers the head at the time: the verify command's own record.
    expect(JSON.parse(await run('checkpoint', '--json'))).toEqual({ headId: String(before + 1), headHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const to = String(before + 1);
    const json = JSON.parse(await run('verify', '--json', '--from', '3', '--to', to));
    expect(json).toMatchObject({ ok: true, checked: before - 1, firstId: '3', lastId: to, checkpointsChecked: 1, signaturesChecked: true });
    expect(process.exitCode).toBeUndefined();
    const commands = await db.dataSource.query(`SELECT operation_name, principal_kind, purpose, outcome FROM audit_record WHERE id > $1 ORDER BY id`, [before]);
    expect(commands).toEqual([
      { operation_name: 'audit verify', principal_kind: 'operator', purpose: 'AUDIT', outcome: 'ok' },
      { operation_name: 'audit checkpoint', principal_kind: 'operator', purpose: 'AUDIT', outcome: 'ok' },
      { operation_name: 'audit verify', principal_kind: 'operator', purpose: 'AUDIT', outcome: 'ok' },
    ]);
  });

  it('exits with 1 and names the first bad record when the chain is broken', async () => {
    await asTamperer(db.dataSource, ["UPDATE audit_record SET purpose = 'AUDIT' WHERE id = 7"]);
    const text = await run('verify');
    expect(text).toMatch(/^audit chain BROKEN at record 7 \(changed\)/);
    expect(process.exitCode).toBe(1);
  });
});
