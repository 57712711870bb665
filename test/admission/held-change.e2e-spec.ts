// holdChange (src/admission/held-change.ts): a change kept only once committed. On a
// PostgreSQL server it is a transaction held open (nobody else sees the row until commit; abandon
// rolls it back) while the audit writer commits on another connection; on the embedded database,
// where a held transaction would keep the audit writer from its only connection, it is committed
// at once and abandon runs the compensating undo.
import { AuditWriter, AuditWaitExceededError } from '../../src/audit/audit.writer';
import { canHoldAcrossAudit, holdChange } from '../../src/admission/held-change';
import { auditEntry } from '../audit/audit-fixtures';
import { createTestDatabase, type TestDatabase } from '../support/database';

describe('holdChange', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.query('CREATE TABLE held_change_probe (id int PRIMARY KEY)');
  });

  afterAll(async () => {
    await db?.dataSource.query('DROP TABLE IF EXISTS held_change_probe');
    await db?.close();
  });

  const rows = async () => ((await db.dataSource.query('SELECT id FROM held_change_probe ORDER BY id')) as { id: number }[]).map((row) => row.id);
  const insert = (id: number) => holdChange(db.dataSource, async (manager) => {
    await manager.query('INSERT INTO held_change_probe (id) VALUES ($1)', [id]);
    return id;
  }, async (manager, inserted) => {
    await manager.query('DELETE FROM held_change_probe WHERE id = $1', [inserted]);
  });

  it('holds a transaction across the audit append only where a second connection exists', () => {
    expect(canHoldAcrossAudit(db.dataSource)).toBe(!db.embedded);
  });

  it('keeps a committed change and leaves nothing of an abandoned one', async () => {
    const kept = await insert(1);
    const dropped = await insert(2);
    // On a server neither is visible to other connections before it is committed.
    if (!db.embedded) expect(await rows()).toEqual([]);
    await kept.commit();
    await dropped.abandon();
    expect(await rows()).toEqual([1]);
  });

  it('lets the audit writer commit while changes are held (server), within the pool', async () => {
    const writer = new AuditWriter(db.dataSource);
    const held = await Promise.all([10, 11, 12].map((id) => insert(id)));
    await writer.append(auditEntry({ operationName: 'HeldChangeProbe' }), { timeoutMs: 10_000 });
    await Promise.all(held.map((change) => change.commit()));
    expect(await rows()).toEqual(expect.arrayContaining([10, 11, 12]));
    await writer.stop();
  });

  it('(server) holds at most one fewer change than the pool has connections, so the record always finds one', async () => {
    if (db.embedded) return;
    const size = (db.dataSource.driver as unknown as { master: { options: { max: number } } }).master.options.max;
    const writer = new AuditWriter(db.dataSource);
    const ids = Array.from({ length: size + 1 }, (_, i) => 100 + i);
    const changes = ids.map((id) => insert(id));
    const first = await Promise.all(changes.slice(0, size - 1));
    // Every held change waits for its record: the writer still gets a connection.
    await writer.append(auditEntry({ operationName: 'PoolProbe' }), { timeoutMs: 10_000 });
    await Promise.all(first.map((change) => change.commit()));
    const rest = await Promise.all(changes.slice(size - 1));
    await Promise.all(rest.map((change) => change.abandon()));
    expect((await rows()).filter((id) => id >= 100)).toEqual(ids.slice(0, size - 1));
    await writer.stop();
  });

  it('(embedded) a transaction held on its one connection would keep the audit record from being written', async () => {
    if (!db.embedded) return;
    const writer = new AuditWriter(db.dataSource);
    const runner = db.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await runner.query('INSERT INTO held_change_probe (id) VALUES (99)');
      await expect(writer.append(auditEntry({ operationName: 'BlockedProbe' }), { timeoutMs: 1_000 })).rejects.toBeInstanceOf(AuditWaitExceededError);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
      await writer.stop();
    }
  });
});
