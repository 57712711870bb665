// The dashboards' operations (typed from test/operations) over HTTP on the demo data set, with
// the figures checked against the database and the masks the policy prescribes.
import { CampaignDashboardDocument, OrdersDashboardDocument, SalesByMonthDocument } from '../generated/graphql';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestDemo, testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';

describe('dashboard operations on the demo data', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestDemo(db.dataSource);
    for (const role of ['ads_manager', 'operations', 'analyst']) tokens[role] = await testTokenFor(db.dataSource, role);
    gateway = await startTestGateway(db);
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  it('campaign dashboard: spend and sales are the sums of the daily metrics, ACOS and ROAS derived from them', async () => {
    const { body } = await gateway.run(
      CampaignDashboardDocument,
      { first: 5, from: '2026-10-01', to: '2026-10-31' },
      { token: tokens.ads_manager, purpose: 'ADVERTISING_MANAGEMENT' },
    );
    expect(body.errors).toBeUndefined();
    const campaigns = body.data!.campaigns;
    expect(campaigns.nodes).toHaveLength(5);
    for (const campaign of campaigns.nodes) {
      const [sums] = await db.dataSource.query(
        `SELECT COALESCE(SUM(cost), 0)::text AS spend, COALESCE(SUM(sales), 0)::text AS sales
           FROM ad_daily_metric WHERE entity_type = 'CAMPAIGN' AND entity_id = $1 AND date BETWEEN '2026-10-01' AND '2026-10-31'`,
        [campaign.campaignId],
      );
      const metrics = campaign.metrics!;
      expect(Number(metrics.spend)).toBeCloseTo(Number(sums.spend), 2);
      expect(Number(metrics.sales)).toBeCloseTo(Number(sums.sales), 2);
      if (Number(sums.sales) > 0) expect(metrics.acos).toBeCloseTo(Number(sums.spend) / Number(sums.sales), 4);
      else expect(metrics.acos).toBeNull();
    }
    expect(body.extensions?.governance).toMatchObject({ purpose: 'ADVERTISING_MANAGEMENT', denied: [] });
  });

  it('orders dashboard: order ids in full for after-sales work, masked to the last four digits for reporting', async () => {
    const full = await gateway.run(OrdersDashboardDocument, { first: 10 }, { token: tokens.operations, purpose: 'AFTER_SALES' });
    const masked = await gateway.run(OrdersDashboardDocument, { first: 10 }, { token: tokens.operations, purpose: 'OPERATIONAL_REPORTING' });
    expect(full.body.errors).toBeUndefined();
    const fullIds = full.body.data!.orders.nodes.map((order) => order.amazonOrderId!);
    const maskedIds = masked.body.data!.orders.nodes.map((order) => order.amazonOrderId!);
    expect(fullIds.every((id) => /^\d{3}-\d{7}-\d{7}$/.test(id))).toBe(true);
    expect(maskedIds).toEqual(fullIds.map((id) => `***-*******-${id.slice(-4)}`));
    expect(masked.body.extensions?.governance).toMatchObject({ masked: expect.arrayContaining(['Order.amazonOrderId']) });
    const items = full.body.data!.orders.nodes.flatMap((order) => order.items);
    expect(items.length).toBeGreaterThanOrEqual(10);
  });

  it('sales by month: an analyst gets full totals for groups of at least k orders, summed from the day bins of at least k orders', async () => {
    const { body } = await gateway.run(
      SalesByMonthDocument,
      { from: '2026-08-01T00:00:00Z', to: '2026-11-01T00:00:00Z' },
      { token: tokens.analyst, purpose: 'OPERATIONAL_REPORTING' },
    );
    expect(body.errors).toBeUndefined();
    const groups = body.data!.salesSummary.groups;
    expect(groups.length).toBeGreaterThan(0);
    expect(groups.every((group) => (group.orders ?? 0) >= 5)).toBe(true);
    // Figures are sums of day bins (UTC day x account x marketplace x currency) of at least k orders.
    const [detail] = await db.dataSource.query(
      `SELECT COALESCE(SUM(n), 0)::int AS orders FROM (
         SELECT COUNT(DISTINCT o.id) AS n FROM amazon_order o JOIN order_item i ON i.order_id = o.id
          WHERE o.purchase_date >= '2026-08-01' AND o.purchase_date < '2026-11-01' AND o.status <> 'Canceled'
          GROUP BY to_char(o.purchase_date AT TIME ZONE 'UTC', 'YYYY-MM-DD'), o.seller_account_id, o.marketplace_id, o.currency
         HAVING COUNT(DISTINCT o.id) >= 5) bins`,
    );
    const reported = groups.reduce((sum, group) => sum + (group.orders ?? 0), 0);
    expect(reported).toBe(detail.orders);
  });
});
