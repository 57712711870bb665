// AGGREGATE on the orders demo data: salesSummary gives the same totals, in every grouping and
// row scope, before and after the old detail is rolled up and deleted.
import { SalesGroupBy } from '../../schema/orders/sales-summary.type';
import { salesSummaryService } from '../../resolvers/orders/sales-summary.service';
import { runRetention } from '../../src/retention/retention-runner';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testContext, testPrincipal } from '../support/context';
import { ACCOUNT_NA, seedTestData } from '../orders/orders-fixture';
import { runOptions } from './retention-support';

describe('orders AGGREGATE keeps salesSummary totals', () => {
  let db: TestDatabase;
  let now: Date;
  let from: Date;
  let to: Date;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestData(db.dataSource, { inventoryFinance: false });
    const [range] = await db.dataSource.query('SELECT min(purchase_date) AS first, max(purchase_date) AS last FROM amazon_order');
    const first = new Date(range.first);
    const last = new Date(range.last);
    from = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), first.getUTCDate()));
    to = new Date(Date.UTC(last.getUTCFullYear(), last.getUTCMonth(), last.getUTCDate() + 1));
    // The clock 24 months after the middle of the data: about half the orders are due.
    const middle = new Date((first.getTime() + last.getTime()) / 2);
    now = new Date(middle.getTime());
    now.setUTCMonth(now.getUTCMonth() + 24);
  });
  afterAll(async () => db.close());

  const summaries = async () => {
    const contexts = { all: testContext(db.dataSource), scoped: testContext(db.dataSource, { principal: testPrincipal({ accounts: [ACCOUNT_NA] }) }) };
    const result: Record<string, unknown> = {};
    for (const [name, ctx] of Object.entries(contexts)) {
      for (const groupBy of Object.values(SalesGroupBy)) {
        result[`${name} ${groupBy}`] = (await salesSummaryService.summarize(ctx, { groupBy, from, to })).groups;
      }
    }
    // A day-aligned window that straddles the cutoff.
    const window = { from: new Date(from.getTime() + 20 * 86_400_000), to: new Date(to.getTime() - 20 * 86_400_000) };
    result.window = (await salesSummaryService.summarize(testContext(db.dataSource), { groupBy: SalesGroupBy.SKU, ...window })).groups;
    return result;
  };

  it('gives the same groups, orders, units, sales and averages after aggregation', async () => {
    const before = await summaries();
    const [{ n: ordersBefore }] = await db.dataSource.query('SELECT count(*)::int AS n FROM amazon_order');
    const report = await runRetention(db.dataSource, runOptions({ now: () => now, ruleId: 'orders-aggregate', batchSize: 37 }));
    expect(report.status).toBe('SUCCEEDED');
    const aggregated = report.rules[0].counts.amazon_order;
    expect(aggregated).toBeGreaterThan(10);
    const [{ n: ordersAfter }] = await db.dataSource.query('SELECT count(*)::int AS n FROM amazon_order');
    expect(ordersAfter).toBe(ordersBefore - aggregated);
    expect(ordersAfter).toBeGreaterThan(0);
    expect(await summaries()).toEqual(before);
  });
});
