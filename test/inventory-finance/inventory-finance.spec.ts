import { settlementLinesLoader } from '../../resolvers/inventory-finance/inventory-finance.loaders';
import { cents, money } from '../../src/db/demo/orders.seed';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { countQueries } from '../support/query-counter';
import { contextFor, data, errorCodes, execute } from '../orders/graphql-helper';
import { ACCOUNT_EU, ACCOUNT_NA, DE, US, seedTestData } from '../orders/orders-fixture';

describe('inventory and finance', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestData(db.dataSource);
  });
  afterAll(async () => db.close());

  const count = async (sql: string, params: unknown[] = []) => Number((await db.dataSource.query(sql, params))[0].count);

  describe('inventory', () => {
    it('pages daily snapshots newest first and filters by day range, SKU and marketplace', async () => {
      const query = `query($after: String) { inventory(first: 20, after: $after, marketplace: "${US}", fromDate: "2026-10-25", toDate: "2026-10-28") {
        totalCount nodes { id snapshotDate sku marketplaceId fulfillable inbound inboundWorking inboundShipped inboundReceiving total reserved unfulfillable }
        pageInfo { hasNextPage endCursor } } }`;
      const first = (await data(contextFor(db.dataSource), query)).inventory;
      expect(first.totalCount).toBe(
        await count(`SELECT count(*) FROM inventory_snapshot WHERE marketplace_id = $1 AND snapshot_date BETWEEN '2026-10-25' AND '2026-10-28'`, [US]),
      );
      const second = (await data(contextFor(db.dataSource), query, { after: first.pageInfo.endCursor })).inventory;
      const nodes = [...first.nodes, ...second.nodes];
      expect(new Set(nodes.map((n: any) => n.id)).size).toBe(nodes.length);
      const days = nodes.map((n: any) => n.snapshotDate);
      expect(days).toEqual([...days].sort().reverse());
      for (const node of nodes) {
        expect(node.snapshotDate >= '2026-10-25' && node.snapshotDate <= '2026-10-28').toBe(true);
        expect(node.marketplaceId).toBe(US);
        expect(node.inbound).toBe(node.inboundWorking + node.inboundShipped + node.inboundReceiving);
        expect(node.total).toBe(node.fulfillable + node.inbound + node.reserved + node.unfulfillable);
      }
      const bySku = await data(contextFor(db.dataSource), `{ inventory(first: 100, sku: "T-ATV-2") { totalCount nodes { sku } } }`);
      expect(bySku.inventory.totalCount).toBe(14);
    });

    it('sorts by fulfillable quantity', async () => {
      const { inventory } = await data(contextFor(db.dataSource), `{ inventory(first: 50, sortBy: FULFILLABLE, direction: ASC) { nodes { fulfillable } } }`);
      const values = inventory.nodes.map((n: any) => n.fulfillable);
      expect(values).toEqual([...values].sort((a, b) => a - b));
    });

    it('lists replenishment recommendations and fee estimates', async () => {
      const result = await data(
        contextFor(db.dataSource),
        `{ replenishmentRecommendations(first: 100, sortBy: RECOMMENDED_QUANTITY) { totalCount nodes { sku recommendedQuantity recommendationDate alert } }
           feeEstimates(first: 100, marketplace: "${DE}") { totalCount nodes { sku estimatedFeeTotal referralFee fulfillmentFee currency } } }`,
      );
      expect(result.replenishmentRecommendations.totalCount).toBe(await count('SELECT count(*) FROM replenishment_recommendation'));
      const quantities = result.replenishmentRecommendations.nodes.map((n: any) => n.recommendedQuantity);
      expect(quantities).toEqual([...quantities].sort((a, b) => b - a));
      expect(result.feeEstimates.totalCount).toBe(await count('SELECT count(*) FROM fee_estimate WHERE marketplace_id = $1', [DE]));
      for (const fee of result.feeEstimates.nodes) {
        expect(fee.currency).toBe('EUR');
        expect(cents(fee.estimatedFeeTotal)).toBe(cents(fee.referralFee) + cents(fee.fulfillmentFee));
      }
    });

    it('refuses a malformed cursor, a page above the maximum and an inverted day range', async () => {
      const ctx = contextFor(db.dataSource);
      expect(errorCodes(await execute(ctx, `{ inventory(after: "%%%") { nodes { id } } }`))).toEqual(['BAD_USER_INPUT']);
      expect(errorCodes(await execute(ctx, `{ settlements(first: 101) { nodes { id } } }`))).toEqual(['BAD_USER_INPUT']);
      expect(errorCodes(await execute(ctx, `{ inventory(fromDate: "2026-10-28", toDate: "2026-10-01") { nodes { id } } }`))).toEqual(['BAD_USER_INPUT']);
    });
  });

  describe('settlements', () => {
    it('have lines that add up to the total and refer to imported orders', async () => {
      const { settlements } = await data(
        contextFor(db.dataSource),
        `{ settlements(first: 50) { totalCount nodes { settlementId totalAmount currency endDate lines { lineNumber transactionType orderId amountType amount } } } }`,
      );
      expect(settlements.totalCount).toBe(await count('SELECT count(*) FROM settlement'));
      const ends = settlements.nodes.map((s: any) => Date.parse(s.endDate));
      expect(ends).toEqual([...ends].sort((a, b) => b - a));
      const orderIds = new Set<string>((await db.dataSource.query('SELECT amazon_order_id FROM amazon_order')).map((r: any) => r.amazon_order_id));
      for (const settlement of settlements.nodes) {
        expect(money(settlement.lines.reduce((sum: number, line: any) => sum + cents(line.amount), 0))).toBe(settlement.totalAmount);
        expect(settlement.lines.map((l: any) => l.lineNumber)).toEqual(settlement.lines.map((_: unknown, i: number) => i + 1));
        for (const line of settlement.lines.filter((l: any) => l.transactionType === 'Order')) expect(orderIds.has(line.orderId)).toBe(true);
      }
      expect(settlements.nodes.some((s: any) => s.lines.some((l: any) => l.transactionType === 'Refund'))).toBe(true);
    });

    it('are looked up by settlement id', async () => {
      const [row] = await db.dataSource.query('SELECT settlement_id, total_amount FROM settlement LIMIT 1');
      const { settlement } = await data(contextFor(db.dataSource), `query($id: String!) { settlement(settlementId: $id) { settlementId totalAmount lines { amount } } }`, {
        id: row.settlement_id,
      });
      expect(settlement).toMatchObject({ settlementId: row.settlement_id, totalAmount: row.total_amount });
      const missing = await data(contextFor(db.dataSource), `{ settlement(settlementId: "0") { id } }`);
      expect(missing.settlement).toBeNull();
    });

    it('load lines with one statement for 2 or 9 settlements', async () => {
      const counter = countQueries(db.dataSource);
      try {
        await data(contextFor(db.dataSource), `{ settlements(first: 2) { nodes { settlementId lines { orderId amountType amount } } } }`);
        const small = counter.count;
        counter.reset();
        const { settlements } = await data(contextFor(db.dataSource), `{ settlements(first: 9) { nodes { settlementId lines { orderId amountType amount } } } }`);
        expect(settlements.nodes).toHaveLength(9);
        expect(counter.count).toBe(small);
        expect(small).toBe(2);
      } finally {
        counter.stop();
      }
    });
  });

  describe('refunds', () => {
    it('filter by order id and posted range', async () => {
      const [row] = await db.dataSource.query('SELECT order_id FROM refund LIMIT 1');
      const { refunds } = await data(contextFor(db.dataSource), `query($id: String) { refunds(orderId: $id) { totalCount nodes { orderId amount currency refundType } } }`, {
        id: row.order_id,
      });
      expect(refunds.totalCount).toBeGreaterThan(0);
      for (const refund of refunds.nodes) {
        expect(refund.orderId).toBe(row.order_id);
        expect(cents(refund.amount)).toBeLessThan(0);
      }
      const ranged = await data(contextFor(db.dataSource), `{ refunds(first: 100, from: "2026-10-01T00:00:00Z", to: "2026-10-15T00:00:00Z") { totalCount } }`);
      expect(ranged.refunds.totalCount).toBe(await count(`SELECT count(*) FROM refund WHERE posted_date >= '2026-10-01T00:00:00Z' AND posted_date < '2026-10-15T00:00:00Z'`));
    });
  });

  describe('row scope', () => {
    const euOnly = () => contextFor(db.dataSource, { accounts: [ACCOUNT_EU] });

    it('limits every list and its count to the scoped account', async () => {
      const result = await data(
        euOnly(),
        `{ inventory(first: 100) { totalCount nodes { sellerAccountId } }
           replenishmentRecommendations(first: 100) { totalCount nodes { sellerAccountId } }
           feeEstimates(first: 100) { totalCount nodes { sellerAccountId } }
           settlements(first: 100) { totalCount nodes { sellerAccountId lines { orderId } } }
           refunds(first: 100) { totalCount nodes { sellerAccountId } } }`,
      );
      const tables = { inventory: 'inventory_snapshot', replenishmentRecommendations: 'replenishment_recommendation', feeEstimates: 'fee_estimate', settlements: 'settlement', refunds: 'refund' };
      for (const [field, table] of Object.entries(tables)) {
        expect(result[field].totalCount).toBe(await count(`SELECT count(*) FROM ${table} WHERE seller_account_id = $1`, [ACCOUNT_EU]));
        expect(result[field].totalCount).toBeGreaterThan(0);
        expect(result[field].nodes.every((n: any) => n.sellerAccountId === ACCOUNT_EU)).toBe(true);
      }
      const widened = await data(euOnly(), `{ settlements(account: "${ACCOUNT_NA}") { totalCount } }`);
      expect(widened.settlements.totalCount).toBe(0);
    });

    it('hides another account\'s settlement and its lines', async () => {
      const [na] = await db.dataSource.query('SELECT id, settlement_id FROM settlement WHERE seller_account_id = $1 LIMIT 1', [ACCOUNT_NA]);
      const { settlement } = await data(euOnly(), `query($id: String!) { settlement(settlementId: $id) { id } }`, { id: na.settlement_id });
      expect(settlement).toBeNull();
      expect(await settlementLinesLoader(euOnly()).load(String(na.id))).toEqual([]);
      expect((await settlementLinesLoader(contextFor(db.dataSource)).load(String(na.id))).length).toBeGreaterThan(0);
    });

    it('limits by marketplace too', async () => {
      const { inventory } = await data(contextFor(db.dataSource, { marketplaces: [US] }), `{ inventory(first: 100) { totalCount nodes { marketplaceId } } }`);
      expect(inventory.totalCount).toBe(await count('SELECT count(*) FROM inventory_snapshot WHERE marketplace_id = $1', [US]));
      expect(inventory.nodes.every((n: any) => n.marketplaceId === US)).toBe(true);
    });
  });
});
