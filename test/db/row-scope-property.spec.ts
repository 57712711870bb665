// Property test of the scoped data-access layer over the demo data: for random principals with
// random scopes (accounts and marketplaces, each unlimited, empty or any subset), no query, export
// page, deletion, legal hold or token operation reads or changes a row outside the scope.
import fc from 'fast-check';
import type { EntityTarget, ObjectLiteral } from 'typeorm';
import { Listing } from '../../entities/catalog/listing.entity';
import { Product } from '../../entities/catalog/product.entity';
import { Campaign } from '../../entities/advertising/campaign.entity';
import { AdDailyMetric } from '../../entities/advertising/ad-daily-metric.entity';
import { ApiToken } from '../../entities/gateway/api-token.entity';
import { DeletionRequest } from '../../entities/gateway/deletion-request.entity';
import { LegalHold } from '../../entities/gateway/legal-hold.entity';
import { FeeEstimate } from '../../entities/inventory-finance/fee-estimate.entity';
import { InventorySnapshot } from '../../entities/inventory-finance/inventory-snapshot.entity';
import { Refund } from '../../entities/inventory-finance/refund.entity';
import { Settlement } from '../../entities/inventory-finance/settlement.entity';
import { OrderReturn } from '../../entities/orders/order-return.entity';
import { OrderSalesSummary } from '../../entities/orders/order-sales-summary.entity';
import { Order } from '../../entities/orders/order.entity';
import { Shipment } from '../../entities/orders/shipment.entity';
import { ImportRun } from '../../entities/system-logs/import-run.entity';
import { catalogService } from '../../resolvers/catalog/catalog.service';
import { orderService } from '../../resolvers/orders/order.service';
import { createToken, listTokens, revokeToken } from '../../src/auth/api-token.service';
import type { RowScope } from '../../src/auth/principal';
import { loadConfig } from '../../src/config';
import { scopedRead, scopeWithin } from '../../src/db/scoped';
import { createExport } from '../../src/exports/export.service';
import { ExportFormat } from '../../src/exports/export-file';
import { defaultPolicy } from '../../src/policy/default-policy';
import { Purpose } from '../../src/policy/taxonomy';
import { decideDeletionRequest, executeDeletionRequest, listDeletionRequests, requestDeletion, type DeletionDuties } from '../../src/retention/deletion.service';
import { existingScope } from '../../src/retention/deletion-scope';
import { listLegalHolds, placeLegalHold, releaseLegalHold } from '../../src/retention/legal-hold.service';
import { limitsFromConfig } from '../../src/security/limits';
import { buildGatewaySchema } from '../../src/server/schema';
import { testContext, testPrincipal } from '../support/context';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestDemo } from '../support/fixtures';

// One principal plays every part here: separation of duties is tested in test/retention/deletion-duties.e2e-spec.ts.
const NO_DUTIES: DeletionDuties = { separationOfDuties: false };

jest.setTimeout(300_000);

const RUNS = 30;
/** Each read run checks twelve tables, two pages, the products and an export. */
const READ_RUNS = 20;
const ACCOUNTS = ['A1SGDEMOUS0001', 'A2SGDEMOEU0002', 'A3SGDEMOJP0003'];
const KEYS = { digestKey: 'd'.repeat(32), signingKey: 's'.repeat(32) };

describe('the scoped data-access layer (property)', () => {
  let db: TestDatabase;
  let marketplaces: string[];
  let accountMarketplaces: Map<string, string[]>;
  let orders: { id: string; account: string; marketplace: string }[];

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestDemo(db.dataSource);
    const links: { seller_id: string; marketplace_id: string }[] = await db.dataSource.query('SELECT seller_id, marketplace_id FROM seller_account_marketplace ORDER BY 1, 2');
    marketplaces = [...new Set(links.map((link) => link.marketplace_id))].sort();
    accountMarketplaces = new Map(ACCOUNTS.map((account) => [account, links.filter((link) => link.seller_id === account).map((link) => link.marketplace_id)]));
    // A few orders of every account and marketplace to name in deletion requests.
    orders = (
      await db.dataSource.query(
        'SELECT amazon_order_id AS id, seller_account_id AS account, marketplace_id AS marketplace FROM (SELECT *, row_number() OVER (PARTITION BY marketplace_id ORDER BY amazon_order_id) AS n FROM amazon_order) o WHERE n <= 6 ORDER BY 1',
      )
    ).map((row: { id: string; account: string; marketplace: string }) => row);
  });
  afterAll(async () => {
    await db?.close();
  });

  /** A scope: per dimension unlimited (null), empty, or any subset. */
  const scopes = () =>
    fc.record({
      accounts: fc.option(fc.subarray(ACCOUNTS), { nil: null, freq: 3 }),
      marketplaces: fc.option(fc.subarray(marketplaces), { nil: null, freq: 2 }),
    });
  const ctxOf = (scope: RowScope, role = 'compliance') =>
    testContext(db.dataSource, { principal: testPrincipal({ role, accounts: scope.accounts, marketplaces: scope.marketplaces }), purpose: Purpose.COMPLIANCE_REVIEW });
  const rowWithin = (scope: RowScope, account: string | null, marketplace: string | null) =>
    (scope.accounts === null || (account !== null && scope.accounts.includes(account))) && (scope.marketplaces === null || (marketplace !== null && scope.marketplaces.includes(marketplace)));
  /** Rows of `table` within `scope`, counted without the layer. */
  const countWithin = async (table: string, scope: RowScope, account = 'seller_account_id', marketplace = 'marketplace_id') => {
    const conditions = ['TRUE'];
    const params: unknown[] = [];
    if (scope.accounts) conditions.push(`${account} = ANY($${params.push([...scope.accounts])})`);
    if (scope.marketplaces) conditions.push(`${marketplace} = ANY($${params.push([...scope.marketplaces])})`);
    const [row] = await db.dataSource.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${conditions.join(' AND ')}`, params);
    return row.n as number;
  };
  const countOutside = async (table: string, scope: RowScope) => (await db.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n - (await countWithin(table, scope));

  const DATA: [EntityTarget<ObjectLiteral>, string][] = [
    [Listing, 'listing'],
    [Campaign, 'campaign'],
    [AdDailyMetric, 'ad_daily_metric'],
    [Order, 'amazon_order'],
    [OrderReturn, 'order_return'],
    [Shipment, 'shipment'],
    [OrderSalesSummary, 'order_sales_summary'],
    [Settlement, 'settlement'],
    [Refund, 'refund'],
    [FeeEstimate, 'fee_estimate'],
    [InventorySnapshot, 'inventory_snapshot'],
    [ImportRun, 'import_run'],
  ];

  it('reads exactly the rows within the scope: lists, lookups, prebuilt pages, products and export pages', async () => {
    const schema = await buildGatewaySchema();
    const settings = { ttlHours: 1, limits: limitsFromConfig(loadConfig({ NODE_ENV: 'test' })), pseudonymKey: 'k'.repeat(32), maxRows: 100_000 };
    await fc.assert(
      fc.asyncProperty(scopes(), async (scope) => {
        const ctx = ctxOf(scope);
        for (const [entity, table] of DATA) {
          expect({ table, n: await scopedRead(ctx, entity, 'x').getCount() }).toEqual({ table, n: await countWithin(table, scope) });
        }
        // The prebuilt-statement page (orders) and the query-builder page (listings), first page.
        const page = await orderService.list(ctx, { first: 100 } as never);
        for (const order of page.nodes) expect(rowWithin(scope, order.sellerAccountId, order.marketplaceId)).toBe(true);
        expect(await page.totalCount).toBe(await countWithin('amazon_order', scope));
        const listings = await catalogService.listListings(ctx, { first: 100 } as never);
        for (const listing of listings.nodes) expect(rowWithin(scope, listing.sellerAccountId, listing.marketplaceId)).toBe(true);
        // A product is read only when a listing within the scope names its ASIN.
        const products = await scopedRead(ctx, Product, 'p').select(['p.asin']).getMany();
        const listed: { asin: string; seller_account_id: string; marketplace_id: string }[] = await db.dataSource.query('SELECT asin, seller_account_id, marketplace_id FROM listing WHERE asin IS NOT NULL');
        const visible = new Set(listed.filter((l) => rowWithin(scope, l.seller_account_id, l.marketplace_id)).map((l) => l.asin));
        const unlimited = scope.accounts === null && scope.marketplaces === null;
        const everyProduct = unlimited ? (await db.dataSource.query('SELECT asin FROM product')).map((p: { asin: string }) => p.asin) : [];
        expect(products.map((p) => p.asin).sort()).toEqual(unlimited ? everyProduct.sort() : [...visible].sort());
        // An export pages through the same layer.
        const exported = await createExport(ctx, schema, { document: '{ orders(first: 100) { nodes { amazonOrderId } } }', format: ExportFormat.JSONL, variables: null, operationName: null }, settings);
        const ids = exported.content
          .toString('utf8')
          .split('\n')
          .filter((line) => line.includes('amazonOrderId'))
          .map((line) => (JSON.parse(line) as { amazonOrderId: string }).amazonOrderId);
        expect(ids.length).toBe(await countWithin('amazon_order', scope));
        if (ids.length > 0) {
          const rows: { seller_account_id: string; marketplace_id: string }[] = await db.dataSource.query('SELECT seller_account_id, marketplace_id FROM amazon_order WHERE amazon_order_id = ANY($1)', [ids]);
          for (const row of rows) expect(rowWithin(scope, row.seller_account_id, row.marketplace_id)).toBe(true);
        }
      }),
      { numRuns: READ_RUNS },
    );
  });

  it('deletion requests, legal holds and tokens: named, listed and acted on only within the scope', async () => {
    const reachOfAccount = (account: string): RowScope => ({ accounts: [account], marketplaces: accountMarketplaces.get(account)! });
    await fc.assert(
      fc.asyncProperty(
        scopes(),
        fc.nat(),
        fc.constantFrom(...ACCOUNTS),
        scopes(),
        fc.nat(),
        async (scope, orderPick, account, asked, pick) => {
          const ctx = ctxOf(scope);
          const by = { actor: 'property', now: new Date(), scope };
          const order = orders[orderPick % orders.length];
          const outsideBefore = await countOutside('amazon_order', scope);

          // Deletion request: earlier runs execute some, so an order may be gone.
          const exists = (await db.dataSource.query('SELECT 1 FROM amazon_order WHERE amazon_order_id = $1', [order.id])).length > 0;
          const requested = await db.dataSource
            .transaction((manager) => requestDeletion(manager, { scope: { amazonOrderIds: [order.id] }, reason: 'property', requester: 'property' }, by, { dueDays: 30, amazonDueHours: 72 }))
            .then((request) => request, () => null);
          // A principal not limited in scope names any order whose data is still there (rows derived
          // from it count); a limited one only orders it can read. Data that is gone: refused alike.
          const unlimited = scope.accounts === null && scope.marketplaces === null;
          const dataLeft = (await existingScope(db.dataSource.manager, { kind: 'ORDERS', orderIds: [order.id], account: null })).orderIds.includes(order.id);
          expect(requested !== null).toBe(unlimited ? dataLeft : exists && rowWithin(scope, order.account, order.marketplace));
          if (requested) expect(scopeWithin(scope, { accounts: requested.scopeAccounts, marketplaces: requested.scopeMarketplaces })).toBe(true);

          // Legal hold on an account: accepted exactly when all of the account's data lies within the scope.
          const hold = await db.dataSource.transaction((manager) => placeLegalHold(manager, { reason: 'property', sellerAccountId: account }, by)).then((h) => h, () => null);
          expect(hold !== null).toBe(scopeWithin(scope, reachOfAccount(account)));

          // A token: no wider than its creator (a token on record, made by the local operator).
          const parent = await createToken(db.dataSource.manager, defaultPolicy(), { role: 'admin', accounts: scope.accounts, marketplaces: scope.marketplaces, createdBy: 'property' });
          const creator = testPrincipal({ id: parent.record.id, role: 'admin', kind: 'token', accounts: scope.accounts, marketplaces: scope.marketplaces, purposes: [] });
          const token = await createToken(db.dataSource.manager, defaultPolicy(), { role: 'admin', accounts: asked.accounts, marketplaces: asked.marketplaces, createdBy: 'property', creator }).then((t) => t, () => null);
          expect(token !== null).toBe(scopeWithin(scope, asked));

          // Listing: every object listed lies within the scope, and every one within it is listed.
          const requests = await listDeletionRequests(db.dataSource.manager, { now: new Date(), scope });
          const allRequests = await db.dataSource.getRepository(DeletionRequest).find();
          expect(requests.map((r) => r.id).sort()).toEqual(allRequests.filter((r) => scopeWithin(scope, { accounts: r.scopeAccounts, marketplaces: r.scopeMarketplaces })).map((r) => r.id).sort());
          const holds = await listLegalHolds(db.dataSource.manager, { includeInactive: true, now: new Date(), scope });
          const allHolds = await db.dataSource.getRepository(LegalHold).find();
          expect(holds.map((h) => h.id).sort()).toEqual(allHolds.filter((h) => scopeWithin(scope, { accounts: h.scopeAccounts, marketplaces: h.scopeMarketplaces })).map((h) => h.id).sort());
          const tokens = await listTokens(db.dataSource.manager, scope);
          const allTokens = await db.dataSource.getRepository(ApiToken).find();
          expect(tokens.map((t) => t.id).sort()).toEqual(allTokens.filter((t) => scopeWithin(scope, { accounts: t.accounts, marketplaces: t.marketplaces })).map((t) => t.id).sort());

          // Acting on any object by id: allowed exactly when it is within the scope.
          const someRequest = allRequests[pick % Math.max(1, allRequests.length)];
          const someRequestVisible = someRequest && scopeWithin(scope, { accounts: someRequest.scopeAccounts, marketplaces: someRequest.scopeMarketplaces });
          if (!someRequest) {
            // nothing to act on yet
          } else if (someRequest.state === 'RECEIVED') {
            const decided = await db.dataSource.transaction((manager) => decideDeletionRequest(manager, someRequest.id, 'APPROVED', 'property', by, NO_DUTIES)).then(() => true, () => false);
            expect(decided).toBe(someRequestVisible);
          } else if (someRequest.state === 'APPROVED') {
            const executed = await db.dataSource.transaction((manager) => executeDeletionRequest(manager, someRequest.id, by, KEYS, NO_DUTIES)).then(() => true, () => false);
            // (a legal hold may block one within the scope; one outside it is never executed)
            if (!someRequestVisible) expect(executed).toBe(false);
          }
          const someHold = allHolds[pick % Math.max(1, allHolds.length)];
          if (someHold && !someHold.releasedAt) {
            const released = await db.dataSource.transaction((manager) => releaseLegalHold(manager, someHold.id, 'property', by)).then(() => true, () => false);
            expect(released).toBe(scopeWithin(scope, { accounts: someHold.scopeAccounts, marketplaces: someHold.scopeMarketplaces }));
          }
          const someToken = allTokens[pick % Math.max(1, allTokens.length)];
          if (someToken) {
            const revoked = await revokeToken(db.dataSource.manager, someToken.id, scope).then(() => true, () => false);
            expect(revoked).toBe(scopeWithin(scope, { accounts: someToken.accounts, marketplaces: someToken.marketplaces }));
          }
          // Nothing outside the scope was deleted.
          expect(await countOutside('amazon_order', scope)).toBe(outsideBefore);
          void ctx;
        },
      ),
      { numRuns: RUNS },
    );
  });
});
