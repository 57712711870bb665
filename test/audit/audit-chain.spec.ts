import type { Pool } from 'pg';
import { AuditCheckpoint } from '../../entities/gateway/audit-checkpoint.entity';
import { AuditRecord } from '../../entities/gateway/audit-record.entity';
import { hashContent } from '../../src/audit/audit-entry';
import { removeExpiredAuditRecords } from '../../src/audit/audit-retention';
import { verifyChain } from '../../src/audit/audit-verify';
import { AuditWriter } from '../../src/audit/audit.writer';
import { createDataSource } from '../../src/db/data-source';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { asTamperer, auditEntry, resetAudit } from './audit-fixtures';

const KEY = 'test-checkpoint-key-0123456789abcdef';

describe('audit hash chain', () => {
  let db: TestDatabase;
  let writer: AuditWriter;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  beforeEach(async () => {
    await resetAudit(db.dataSource);
    writer = new AuditWriter(db.dataSource, { batchSize: 50, flushIntervalMs: 2 });
  });
  afterEach(async () => writer.stop());
  afterAll(async () => db.close());

  async function appendMany(count: number, target = writer): Promise<void> {
    await Promise.all(Array.from({ length: count }, () => target.append(auditEntry())));
  }

  it('verifies after many concurrent appends, with gapless ids in insertion order', async () => {
    await appendMany(400);
    const result = await verifyChain(db.dataSource.manager);
    expect(result).toMatchObject({ ok: true, checked: 400, firstId: '1', lastId: '400', problem: null });
    expect(writer.committed).toBe(400);
  });

  it('stays one chain with two writers on their own connections (two gateway processes)', async () => {
    const other = createDataSource({ url: db.url, embedded: db.embedded, poolSize: 3 });
    await other.initialize();
    const second = new AuditWriter(other, { batchSize: 7, flushIntervalMs: 1 });
    try {
      await Promise.all([appendMany(150), appendMany(150, second), appendMany(50)]);
      await second.stop();
    } finally {
      await other.destroy();
    }
    const result = await verifyChain(db.dataSource.manager);
    expect(result).toMatchObject({ ok: true, checked: 350, problem: null });
  });

  it('appends where another writer moved the head before each of its attempts', async () => {
    const other = createDataSource({ url: db.url, embedded: db.embedded, poolSize: 3 });
    await other.initialize();
    const second = new AuditWriter(other, { flushIntervalMs: 0 });
    await appendMany(3);
    // Before each of the next batch's appends, the second writer adds a record, so the head the
    // batch was hashed against is gone every time, until the writer reads it under the lock.
    // The appends outside the lock are single statements on the pool (src/db/raw-rows.ts).
    const pool = (db.dataSource.driver as unknown as { master: Pool }).master;
    // A hot statement is sent as a prepared one: a query config ({ name, text, values }).
    const query = pool.query.bind(pool) as (sql: string | { text: string }, parameters?: unknown[]) => Promise<unknown>;
    let moved = 0;
    const spy = jest.spyOn(pool, 'query').mockImplementation((async (sql: string | { text: string }, parameters?: unknown[]) => {
      if ((typeof sql === 'string' ? sql : sql.text).includes('audit_append') && moved < 5) {
        moved += 1;
        await second.append(auditEntry({ operationName: `Moved${moved}` }));
      }
      return query(sql, parameters);
    }) as never);
    try {
      await appendMany(4);
    } finally {
      spy.mockRestore();
      await second.stop();
      await other.destroy();
    }
    expect(moved).toBeGreaterThanOrEqual(3);
    const result = await verifyChain(db.dataSource.manager);
    expect(result).toMatchObject({ ok: true, checked: 7 + moved, problem: null });
    const names = (await db.dataSource.getRepository(AuditRecord).find({ order: { id: 'ASC' } })).map((r) => r.operationName);
    expect(names.filter((name) => name?.startsWith('Moved'))).toHaveLength(moved);
  });

  it('stores and verifies text that holds a lone UTF-16 surrogate (replaced by U+FFFD)', async () => {
    await writer.append(auditEntry({ operationName: 'Op\uD800x', variables: { ['k\uDC00']: 'v\uD83D' } }));
    const stored = await db.dataSource.getRepository(AuditRecord).findOneByOrFail({ id: '1' });
    expect(stored.operationName).toBe('Op\uFFFDx');
    expect(stored.variables).toEqual({ ['k\uFFFD']: 'v\uFFFD' });
    expect(await verifyChain(db.dataSource.manager)).toMatchObject({ ok: true, checked: 1 });
  });

  it('names a record whose content was changed by one byte', async () => {
    await appendMany(30);
    await asTamperer(db.dataSource, ["UPDATE audit_record SET operation_name = 'Op0' || substr(operation_name, 4) WHERE id = 17"]);
    const result = await verifyChain(db.dataSource.manager);
    expect(result.ok).toBe(false);
    expect(result.problem).toMatchObject({ id: '17', kind: 'changed' });
    expect(result.checked).toBe(16);
  });

  it('names a record that was removed', async () => {
    await appendMany(30);
    await asTamperer(db.dataSource, ['DELETE FROM audit_record WHERE id = 9']);
    const result = await verifyChain(db.dataSource.manager);
    expect(result.problem).toMatchObject({ id: '9', kind: 'removed' });
  });

  it('names a copied record placed at the end (its hash covers its id), and one inserted before the start', async () => {
    await appendMany(20);
    // A copy of record 5 appended as record 21: its hash is valid, but it links to record 4.
    await asTamperer(db.dataSource, [
      `INSERT INTO audit_record SELECT 21, timestamp, request_id, principal_id, principal_kind, principal_role, purpose, client_name,
         client_version, source_ip, user_agent, operation_type, operation_name, document_hash, variables, fields, categories, masked,
         denied, rows_by_category, outcome, error_codes, duration_ms, policy_version, prev_hash, hash FROM audit_record WHERE id = 5`,
    ]);
    expect((await verifyChain(db.dataSource.manager)).problem).toMatchObject({ id: '21', kind: 'changed' });

    await resetAudit(db.dataSource);
    await appendMany(5);
    await asTamperer(db.dataSource, [
      `INSERT INTO audit_record SELECT 0, timestamp, request_id, principal_id, principal_kind, principal_role, purpose, client_name,
         client_version, source_ip, user_agent, operation_type, operation_name, document_hash, variables, fields, categories, masked,
         denied, rows_by_category, outcome, error_codes, duration_ms, policy_version, prev_hash, hash FROM audit_record WHERE id = 3`,
    ]);
    expect((await verifyChain(db.dataSource.manager)).problem).toMatchObject({ id: '0', kind: 'inserted' });
  });

  it('names a record inserted with a correct hash that does not link to its predecessor', async () => {
    await appendMany(10);
    const forged = await db.dataSource.manager.findOneByOrFail(AuditRecord, { id: '4' });
    forged.id = '11';
    forged.hash = hashContent(forged as never);
    await db.dataSource.transaction(async (manager) => {
      await manager.query('ALTER TABLE audit_record DISABLE TRIGGER ALL');
      await manager.insert(AuditRecord, forged as never);
      await manager.query('ALTER TABLE audit_record ENABLE TRIGGER ALL');
    });
    expect((await verifyChain(db.dataSource.manager)).problem).toMatchObject({ id: '11', kind: 'inserted' });
  });

  it('refuses UPDATE, DELETE and TRUNCATE in the database', async () => {
    await appendMany(3);
    await expect(db.dataSource.query("UPDATE audit_record SET outcome = 'ok' WHERE id = 1")).rejects.toThrow(/append-only/);
    await expect(db.dataSource.query('DELETE FROM audit_record WHERE id = 1')).rejects.toThrow(/append-only/);
    await expect(db.dataSource.query('TRUNCATE audit_record')).rejects.toThrow(/append-only/);
    await expect(db.dataSource.query('DELETE FROM audit_checkpoint')).rejects.toThrow(/append-only/);
    await expect(db.dataSource.query('UPDATE audit_document SET document = NULL')).rejects.toThrow(/append-only/);
    // The retention setting alone does not open the table: the bound must be set too.
    await expect(
      db.dataSource.transaction(async (manager) => {
        await manager.query("SET LOCAL sellergate.audit_retention = 'on'");
        await manager.query('DELETE FROM audit_record');
      }),
    ).rejects.toThrow(/append-only/);
    expect(await db.dataSource.getRepository(AuditRecord).count()).toBe(3);
  });

  it('rejects appends when the write fails, and commits none of the batch', async () => {
    await db.dataSource.query(`CREATE FUNCTION refuse_audit_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.operation_name = 'Poison' THEN RAISE EXCEPTION 'write refused'; END IF; RETURN NEW; END $$`);
    await db.dataSource.query('CREATE TRIGGER refuse_audit_insert BEFORE INSERT ON audit_record FOR EACH ROW EXECUTE FUNCTION refuse_audit_insert()');
    try {
      const results = await Promise.allSettled([writer.append(auditEntry()), writer.append(auditEntry({ operationName: 'Poison' }))]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect(await db.dataSource.getRepository(AuditRecord).count()).toBe(0);
    } finally {
      await db.dataSource.query('DROP TRIGGER refuse_audit_insert ON audit_record');
      await db.dataSource.query('DROP FUNCTION refuse_audit_insert()');
    }
    // The writer recovers: the next record starts the chain at id 1.
    await writer.append(auditEntry());
    expect((await verifyChain(db.dataSource.manager)).lastId).toBe('1');
  });

  it('rejects appends when its database connection is closed', async () => {
    const other = createDataSource({ url: db.url, embedded: db.embedded });
    await other.initialize();
    const closed = new AuditWriter(other, { flushIntervalMs: 1 });
    await other.destroy();
    await expect(closed.append(auditEntry())).rejects.toThrow();
  });

  it('signs periodic checkpoints, checks them, and catches a removed tail with them', async () => {
    const signing = new AuditWriter(db.dataSource, { batchSize: 10, flushIntervalMs: 1, checkpointKey: KEY, checkpointEvery: 10 });
    await appendMany(35, signing);
    await signing.stop();
    const checkpoints = await db.dataSource.getRepository(AuditCheckpoint).find({ order: { headId: 'ASC' } });
    expect(checkpoints.map((cp) => cp.headId)).toEqual(['10', '20', '30', '35']);
    const ok = await verifyChain(db.dataSource.manager, { key: KEY });
    expect(ok).toMatchObject({ ok: true, checked: 35, checkpointsChecked: 4 });
    expect(await verifyChain(db.dataSource.manager, { key: 'another key' })).toMatchObject({ ok: false, problem: { kind: 'checkpoint' } });
    const fromCheckpoint = await verifyChain(db.dataSource.manager, { key: KEY, fromCheckpoint: true, to: 32 });
    expect(fromCheckpoint).toMatchObject({ ok: true, firstId: '31', lastId: '32' });
    const range = await verifyChain(db.dataSource.manager, { from: 12, to: 18 });
    expect(range).toMatchObject({ ok: true, checked: 7, firstId: '12', lastId: '18' });

    await asTamperer(db.dataSource, ['DELETE FROM audit_record WHERE id >= 34']);
    expect((await verifyChain(db.dataSource.manager, { key: KEY })).problem).toMatchObject({ id: '34', kind: 'removed' });
  });

  it('removes a whole expired range through the retention path, and the rest still verifies', async () => {
    const old = new Date('2020-01-01T00:00:00Z');
    await Promise.all(Array.from({ length: 12 }, () => writer.append(auditEntry({ timestamp: old }))));
    await appendMany(8);
    const result = await removeExpiredAuditRecords(db.dataSource, { before: new Date('2021-01-01T00:00:00Z'), key: KEY });
    expect(result).toEqual({ removed: 12, fromId: '1', toId: '12' });
    const retention = await db.dataSource.getRepository(AuditCheckpoint).findOneByOrFail({ kind: 'retention' });
    expect(retention).toMatchObject({ removedFromId: '1', removedToId: '12' });
    await appendMany(5);
    expect(await verifyChain(db.dataSource.manager, { key: KEY })).toMatchObject({ ok: true, checked: 13, firstId: '13', lastId: '25' });
    // Removing everything keeps the chain going from the retention checkpoint.
    await removeExpiredAuditRecords(db.dataSource, { before: new Date(Date.now() + 60_000), key: KEY });
    await appendMany(2);
    expect(await verifyChain(db.dataSource.manager, { key: KEY })).toMatchObject({ ok: true, checked: 2, firstId: '26' });
  });
});
