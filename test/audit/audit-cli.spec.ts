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

  it('verifies the chain, signs a checkpoint, and reports as JSON', async () => {
    expect(await run('verify')).toMatch(/^audit chain OK: records 1\.\.12 \(12 verified\)/);
    expect(JSON.parse(await run('checkpoint', '--json'))).toEqual({ headId: '12', headHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const json = JSON.parse(await run('verify', '--json', '--from', '3', '--to', '12'));
    expect(json).toMatchObject({ ok: true, checked: 10, firstId: '3', lastId: '12', checkpointsChecked: 1, signaturesChecked: true });
    expect(process.exitCode).toBeUndefined();
  });

  it('tails and exports records as JSON lines with their hashes', async () => {
    const tail = (await run('tail', '-n', '3', '--json')).trim().split('\n').map((l) => JSON.parse(l));
    expect(tail.map((r) => r.id)).toEqual(['10', '11', '12']);
    expect((await run('tail', '-n', '1')).trim()).toMatch(/^#12 \S+ ok\s+user-1 \(analyst\) purpose=BUSINESS_ANALYSIS query Cli\d+ fields=2 request=req-\d+$/);
    const file = join(mkdtempSync(join(tmpdir(), 'audit-export-')), 'audit.jsonl');
    await run('export', '--format', 'jsonl', '--from', '5', '--to', '9', '--output', file);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((r) => r.id)).toEqual(['5', '6', '7', '8', '9']);
    expect(lines[1].prevHash).toBe(lines[0].hash);
  });

  it('exits with 1 and names the first bad record when the chain is broken', async () => {
    await asTamperer(db.dataSource, ["UPDATE audit_record SET purpose = 'AUDIT' WHERE id = 7"]);
    const text = await run('verify');
    expect(text).toMatch(/^audit chain BROKEN at record 7 \(changed\)/);
    expect(process.exitCode).toBe(1);
  });
});
