import { Order, OrderReturn, OrderStatus, ReturnSourceKind } from '../../entities/orders';
import { DataSourceKind } from '../../entities/common/provenance';
import { orderItemsLoader, orderReturnsLoader, orderShipmentsLoader } from '../../resolvers/orders/orders.loaders';
import { cents, money } from '../../src/db/demo/orders.seed';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { countQueries } from '../support/query-counter';
import { contextFor, data, errorCodes, execute } from './graphql-helper';
import { Purpose } from '../../src/policy/taxonomy';
import { testContext, testPrincipal } from '../support/context';
import { registerGovernedFields } from '../../src/policy/governed-fields';
import { defaultPolicy } from '../../src/policy/default-policy';
import { fieldRegistry } from '../../src/policy/field-registry';
import { buildGatewaySchema } from '../../src/server/schema';
import { ACCOUNT_EU, ACCOUNT_NA, CA, DE, US, seedTestData } from './orders-fixture';

describe('orders', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestData(db.dataSource, { inventoryFinance: false });
  });
  afterAll(async () => db.close());

  const count = async (sql: string, params: unknown[] = []) => Number((await db.dataSource.query(sql, params))[0].count);

  describe('orders connection', () => {
    it('pages with cursors in purchase-date order, newest first, and counts the whole filter', async () => {
      const query = `query($after: String) { orders(first: 25, after: $after) {
        totalCount edges { cursor node { id purchaseDate } } nodes { amazonOrderId } pageInfo { hasNextPage hasPreviousPage endCursor } } }`;
      const first = (await data(contextFor(db.dataSource), query)).orders;
      expect(first.totalCount).toBe(await count('SELECT count(*) FROM amazon_order'));
      expect(first.nodes).toHaveLength(25);
      expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
      const second = (await data(contextFor(db.dataSource), query, { after: first.pageInfo.endCursor })).orders;
      expect(second.pageInfo.hasPreviousPage).toBe(true);
      const dates = [...first.edges, ...second.edges].map((edge: any) => Date.parse(edge.node.purchaseDate));
      expect(dates).toEqual([...dates].sort((a, b) => b - a));
      const ids = new Set([...first.edges, ...second.edges].map((edge: any) => edge.node.id));
      expect(ids.size).toBe(50);
    });

    it('sorts ascending by last update date when asked, for a purpose that reads it in full', async () => {
      // The last update derives the delivery time (policy derivations): operations reads both for after-sales.
      // As the governed schema does on start: the classifications the guard decides by.
      registerGovernedFields(fieldRegistry(await buildGatewaySchema()).fields, defaultPolicy());
      try {
        const afterSales = testContext(db.dataSource, { principal: testPrincipal({ role: 'operations' }), purpose: Purpose.AFTER_SALES });
        const { orders } = await data(afterSales, `{ orders(first: 30, sortBy: LAST_UPDATE_DATE, direction: ASC) { nodes { lastUpdateDate } } }`);
        const dates = orders.nodes.map((node: any) => Date.parse(node.lastUpdateDate));
        expect(dates).toEqual([...dates].sort((a, b) => a - b));
        const oldest = await db.dataSource.query('SELECT min(last_update_date) AS min FROM amazon_order');
        expect(dates[0]).toBe(new Date(oldest[0].min).getTime());
      } finally {
        // The other tests here run ungoverned (no classifications): their argument checks take values as given.
        registerGovernedFields(new Map(), defaultPolicy());
      }
    });

    it('filters by status, account, marketplace, date range, SKU and fulfillment channel', async () => {
      const from = '2026-09-01T00:00:00.000Z';
      const to = '2026-10-01T00:00:00.000Z';
      const { orders } = await data(
        contextFor(db.dataSource),
        `query($from: DateTimeISO, $to: DateTimeISO) {
          orders(first: 100, status: [CANCELED], account: "${ACCOUNT_NA}", marketplace: "${US}", from: $from, to: $to) {
            totalCount nodes { status sellerAccountId marketplaceId purchaseDate } } }`,
        { from, to },
      );
      const expected = await count(
        `SELECT count(*) FROM amazon_order WHERE status = 'Canceled' AND seller_account_id = $1 AND marketplace_id = $2 AND purchase_date >= $3 AND purchase_date < $4`,
        [ACCOUNT_NA, US, from, to],
      );
      expect(expected).toBeGreaterThan(0);
      expect(orders.totalCount).toBe(expected);
      for (const node of orders.nodes) {
        expect(node).toMatchObject({ status: 'CANCELED', sellerAccountId: ACCOUNT_NA, marketplaceId: US });
        expect(node.purchaseDate >= from && node.purchaseDate < to).toBe(true);
      }

      const bySku = await data(contextFor(db.dataSource), `{ orders(first: 100, sku: "T-ATV-1", fulfillmentChannel: MFN) { totalCount nodes { fulfillmentChannel items { sku } } } }`);
      expect(bySku.orders.totalCount).toBe(
        await count(`SELECT count(DISTINCT o.id) FROM amazon_order o JOIN order_item i ON i.order_id = o.id WHERE i.sku = 'T-ATV-1' AND o.fulfillment_channel = 'MFN'`),
      );
      for (const node of bySku.orders.nodes) {
        expect(node.fulfillmentChannel).toBe('MFN');
        expect(node.items.map((item: any) => item.sku)).toContain('T-ATV-1');
      }
    });

    it('refuses a malformed cursor, a page above the maximum and an inverted range', async () => {
      const ctx = contextFor(db.dataSource);
      const malformed = await execute(ctx, `{ orders(first: 5, after: "not-a-cursor") { nodes { id } } }`);
      expect(errorCodes(malformed)).toEqual(['BAD_USER_INPUT']);
      const tooMany = await execute(ctx, `{ orders(first: 1000) { nodes { id } } }`);
      expect(errorCodes(tooMany)).toEqual(['BAD_USER_INPUT']);
      expect(tooMany.errors?.[0].message).toMatch(/maximum page size is 100/);
      const inverted = await execute(ctx, `{ orders(from: "2026-10-01T00:00:00Z", to: "2026-09-01T00:00:00Z") { nodes { id } } }`);
      expect(errorCodes(inverted)).toEqual(['BAD_USER_INPUT']);
    });
  });

  describe('order lookup and relations', () => {
    it('returns one order with its items, shipments and returns', async () => {
      const [row] = await db.dataSource.query(
        `SELECT o.amazon_order_id FROM amazon_order o JOIN order_return r ON r.amazon_order_id = o.amazon_order_id ORDER BY o.id LIMIT 1`,
      );
      const { order } = await data(
        contextFor(db.dataSource),
        `query($id: String!) { order(amazonOrderId: $id) { amazonOrderId status orderTotal currency shipPostalCode
          items { sku asin quantity itemPrice itemTax } shipments { carrier trackingNumber quantityShipped } returns { reason sourceKind customerComments } } }`,
        { id: row.amazon_order_id },
      );
      expect(order.amazonOrderId).toBe(row.amazon_order_id);
      expect(order.items.length).toBeGreaterThan(0);
      expect(order.shipments.length).toBeGreaterThan(0);
      expect(order.returns.length).toBeGreaterThan(0);
      // The order total is the sum of its lines (price + tax + shipping - promotion).
      const lines = await db.dataSource.query(
        `SELECT i.item_price, i.item_tax, i.shipping_price, i.promotion_discount FROM order_item i JOIN amazon_order o ON o.id = i.order_id WHERE o.amazon_order_id = $1`,
        [row.amazon_order_id],
      );
      const total = lines.reduce((sum: number, l: any) => sum + cents(l.item_price) + cents(l.item_tax) + cents(l.shipping_price) - cents(l.promotion_discount), 0);
      expect(order.orderTotal).toBe(money(total));
    });

    it('answers null for an unknown order id', async () => {
      const { order } = await data(contextFor(db.dataSource), `{ order(amazonOrderId: "000-0000000-0000000") { id } }`);
      expect(order).toBeNull();
    });

    it('lists returns with filters', async () => {
      const { returns } = await data(contextFor(db.dataSource), `{ returns(first: 100, sourceKind: FBA, marketplace: "${DE}") { totalCount nodes { sourceKind marketplaceId returnDate } } }`);
      expect(returns.totalCount).toBe(await count(`SELECT count(*) FROM order_return WHERE source_kind = 'FBA' AND marketplace_id = $1`, [DE]));
      expect(returns.nodes.every((node: any) => node.sourceKind === 'FBA' && node.marketplaceId === DE)).toBe(true);
    });
  });

  describe('sales summary', () => {
    const range = { from: '2026-08-03T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' };
    const summary = (groupBy: string, extra = '') =>
      `query($from: DateTimeISO!, $to: DateTimeISO!) { salesSummary(groupBy: ${groupBy}, from: $from, to: $to${extra}) {
        groups { key currency orders units sales averageOrderValue } suppressedGroups } }`;

    async function detail(where = 'TRUE', params: unknown[] = []) {
      const rows: { currency: string; order_id: string; quantity: number; item_price: string | null }[] = await db.dataSource.query(
        `SELECT o.currency, o.id AS order_id, i.quantity, i.item_price FROM order_item i JOIN amazon_order o ON o.id = i.order_id
          WHERE o.status <> 'Canceled' AND o.purchase_date >= $1 AND o.purchase_date < $2 AND ${where}`,
        [range.from, range.to, ...params],
      );
      const byCurrency = new Map<string, { sales: number; units: number; orders: Set<string> }>();
      for (const row of rows) {
        const entry = byCurrency.get(row.currency) ?? { sales: 0, units: 0, orders: new Set<string>() };
        entry.sales += row.item_price === null ? 0 : cents(row.item_price);
        entry.units += row.quantity;
        entry.orders.add(row.order_id);
        byCurrency.set(row.currency, entry);
      }
      return byCurrency;
    }

    function totals(groups: any[]) {
      const byCurrency = new Map<string, { sales: number; units: number; orders: number }>();
      for (const group of groups) {
        const entry = byCurrency.get(group.currency) ?? { sales: 0, units: 0, orders: 0 };
        entry.sales += cents(group.sales);
        entry.units += group.units;
        entry.orders += group.orders;
        byCurrency.set(group.currency, entry);
      }
      return byCurrency;
    }

    it.each(['DAY', 'WEEK', 'MONTH', 'MARKETPLACE'])('grouped by %s adds up to the order detail, canceled orders excluded', async (groupBy) => {
      const { salesSummary } = await data(contextFor(db.dataSource), summary(groupBy), range);
      expect(salesSummary.suppressedGroups).toBe(0);
      const expected = await detail();
      const actual = totals(salesSummary.groups);
      expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [currency, entry] of expected) {
        // Each order falls into exactly one time or marketplace group.
        expect(actual.get(currency)).toEqual({ sales: entry.sales, units: entry.units, orders: entry.orders.size });
      }
      for (const group of salesSummary.groups) {
        expect(group.averageOrderValue).toBe(money(Math.round(cents(group.sales) / group.orders)));
      }
    });

    it('keys groups by period, ASIN and SKU', async () => {
      const ctx = contextFor(db.dataSource);
      const month = await data(ctx, summary('MONTH'), range);
      expect(month.salesSummary.groups.map((g: any) => g.key)).toEqual(expect.arrayContaining(['2026-08', '2026-09', '2026-10']));
      const week = await data(ctx, summary('WEEK'), range);
      for (const group of week.salesSummary.groups) expect(new Date(`${group.key}T00:00:00Z`).getUTCDay()).toBe(1);
      const bySku = await data(ctx, summary('SKU'), range);
      const expected = await detail('i.sku = $3', ['T-ATV-1']);
      const group = bySku.salesSummary.groups.find((g: any) => g.key === 'T-ATV-1');
      expect(cents(group.sales)).toBe(expected.get('USD')!.sales);
      expect(group.orders).toBe(expected.get('USD')!.orders.size);
      const byAsin = await data(ctx, summary('ASIN'), range);
      expect(byAsin.salesSummary.groups.some((g: any) => g.key === 'B0TEST0001')).toBe(true);
    });

    it('applies the account and marketplace arguments', async () => {
      const { salesSummary } = await data(contextFor(db.dataSource), summary('MARKETPLACE', `, account: "${ACCOUNT_NA}"`), range);
      expect(salesSummary.groups.map((g: any) => g.key).sort()).toEqual([CA, US].sort());
    });
  });

  describe('row scope', () => {
    const deOnly = () => contextFor(db.dataSource, { marketplaces: [DE] });
    const euAccount = () => contextFor(db.dataSource, { accounts: [ACCOUNT_EU] });

    it('limits lists and their counts to the scoped marketplace or account', async () => {
      const query = `{ orders(first: 100) { totalCount nodes { marketplaceId sellerAccountId } } returns(first: 100) { totalCount nodes { marketplaceId } } }`;
      for (const ctx of [deOnly(), euAccount()]) {
        const result = await data(ctx, query);
        expect(result.orders.totalCount).toBe(await count(`SELECT count(*) FROM amazon_order WHERE marketplace_id = $1`, [DE]));
        expect(result.orders.nodes.every((n: any) => n.marketplaceId === DE && n.sellerAccountId === ACCOUNT_EU)).toBe(true);
        expect(result.returns.totalCount).toBe(await count(`SELECT count(*) FROM order_return WHERE marketplace_id = $1`, [DE]));
      }
      // An explicit filter cannot widen the scope.
      const widened = await data(deOnly(), `{ orders(first: 5, marketplace: "${US}") { totalCount nodes { id } } }`);
      expect(widened.orders).toEqual({ totalCount: 0, nodes: [] });
    });

    it('hides another marketplace\'s order from the lookup', async () => {
      const [us] = await db.dataSource.query(`SELECT amazon_order_id FROM amazon_order WHERE marketplace_id = $1 LIMIT 1`, [US]);
      const result = await data(deOnly(), `query($id: String!) { order(amazonOrderId: $id) { id } }`, { id: us.amazon_order_id });
      expect(result.order).toBeNull();
    });

    it('aggregates only in-scope rows', async () => {
      const range = { from: '2026-08-03T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' };
      const query = `query($from: DateTimeISO!, $to: DateTimeISO!) { salesSummary(groupBy: MARKETPLACE, from: $from, to: $to) { groups { key currency orders } } }`;
      const { salesSummary } = await data(deOnly(), query, range);
      expect(salesSummary.groups.map((g: any) => g.key)).toEqual([DE]);
      const byAccount = await data(contextFor(db.dataSource, { accounts: [ACCOUNT_NA] }), query, range);
      expect(byAccount.salesSummary.groups.map((g: any) => g.key).sort()).toEqual([CA, US].sort());
    });

    it('never loads another marketplace\'s children through the relation loaders', async () => {
      const [us] = await db.dataSource.query(
        `SELECT o.id, o.amazon_order_id FROM amazon_order o WHERE o.marketplace_id = $1 AND EXISTS (SELECT 1 FROM shipment s WHERE s.order_id = o.id) LIMIT 1`,
        [US],
      );
      const ctx = deOnly();
      expect(await orderItemsLoader(ctx).load(String(us.id))).toEqual([]);
      expect(await orderShipmentsLoader(ctx).load(String(us.id))).toEqual([]);
      // Unscoped, the same loaders read them (items then without the join to their orders).
      const [{ items }] = await db.dataSource.query(`SELECT count(*)::int AS items FROM order_item WHERE order_id = $1`, [us.id]);
      expect(items).toBeGreaterThan(0);
      expect(await orderItemsLoader(contextFor(db.dataSource)).load(String(us.id))).toHaveLength(items);
      expect((await orderShipmentsLoader(contextFor(db.dataSource)).load(String(us.id))).length).toBeGreaterThan(0);

      // A return filed under a DE order id but recorded for the US marketplace stays hidden from DE.
      const [de] = await db.dataSource.query(`SELECT amazon_order_id FROM amazon_order WHERE marketplace_id = $1 LIMIT 1`, [DE]);
      await db.dataSource.getRepository(OrderReturn).insert({
        sourceKind: ReturnSourceKind.MFN, returnKey: 'SCOPE-TEST', returnDate: new Date('2026-10-20T00:00:00Z'), amazonOrderId: de.amazon_order_id,
        sku: 'T-ATV-1', quantity: 1, sellerAccountId: ACCOUNT_NA, marketplaceId: US, source: DataSourceKind.DEMO,
      });
      try {
        const visible = await data(deOnly(), `query($id: String!) { order(amazonOrderId: $id) { returns { sku marketplaceId } } }`, { id: de.amazon_order_id });
        expect(visible.order.returns.every((r: any) => r.marketplaceId === DE)).toBe(true);
        const all = await orderReturnsLoader(contextFor(db.dataSource)).load(de.amazon_order_id);
        expect(all.some((r) => r.returnKey === 'SCOPE-TEST')).toBe(true);
      } finally {
        await db.dataSource.getRepository(OrderReturn).delete({ returnKey: 'SCOPE-TEST' });
      }
    });
  });

  describe('statement count', () => {
    const nested = (first: number) => `{ orders(first: ${first}, direction: ASC) { nodes { amazonOrderId items { sku quantity } shipments { carrier } returns { reason } } } }`;

    it('stays the same for 10 and 100 orders with items, shipments and returns (one statement per relation level)', async () => {
      const counter = countQueries(db.dataSource);
      try {
        const small = await data(contextFor(db.dataSource), nested(10));
        const smallCount = counter.count;
        counter.reset();
        const large = await data(contextFor(db.dataSource), nested(100));
        expect(small.orders.nodes).toHaveLength(10);
        expect(large.orders.nodes).toHaveLength(100);
        expect(large.orders.nodes.some((n: any) => n.returns.length > 0)).toBe(true);
        expect(counter.count).toBe(smallCount);
        // The page, then items, shipments and returns: one statement each.
        expect(smallCount).toBe(4);
      } finally {
        counter.stop();
      }
    });
  });

  it('seeds canceled orders that the summary leaves out', async () => {
    expect(await db.dataSource.getRepository(Order).countBy({ status: OrderStatus.CANCELED })).toBeGreaterThan(0);
  });
});
