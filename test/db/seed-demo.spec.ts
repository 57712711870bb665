// Demo data as `sellergate serve` loads it on the embedded database: once, and never again on restart.
import { seedDemo } from '../../src/db/demo/seed-demo';
import { createTestDatabase, type TestDatabase } from '../support/database';

describe('demo data load', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  async function count(table: string): Promise<number> {
    const [{ n }] = (await db.dataSource.query(`SELECT count(*)::int AS n FROM "${table}"`)) as { n: number }[];
    return n;
  }

  it('loads every category with the trusted load, leaves foreign-key checks on afterwards, and loads nothing a second time', async () => {
    expect(await seedDemo(db.dataSource, () => {}, { trustedLoad: true })).toBe(true);
    const loaded = { orders: await count('amazon_order'), metrics: await count('ad_daily_metric'), lines: await count('settlement_line') };
    expect(loaded.orders).toBeGreaterThan(0);
    expect(loaded.metrics).toBeGreaterThan(0);
    expect(loaded.lines).toBeGreaterThan(0);
    const [{ role }] = (await db.dataSource.query(`SELECT current_setting('session_replication_role') AS role`)) as { role: string }[];
    expect(role).toBe('origin');
    // Every order item refers to an order: the load skipped checks, not integrity.
    const [{ orphans }] = (await db.dataSource.query(
      `SELECT count(*)::int AS orphans FROM order_item i LEFT JOIN amazon_order o ON o.id = i.order_id WHERE o.id IS NULL`,
    )) as { orphans: number }[];
    expect(orphans).toBe(0);
    await expect(db.dataSource.query(`UPDATE order_item SET order_id = -1 WHERE id = (SELECT min(id) FROM order_item)`)).rejects.toThrow(/foreign key/);

    expect(await seedDemo(db.dataSource, () => {}, { trustedLoad: true })).toBe(false);
    expect(await count('amazon_order')).toBe(loaded.orders);
  });
});
