import type { GraphQLSchema } from 'graphql';
import { buildGatewaySchema } from '../../src/server/schema';
import type { TestDatabase } from '../support/database';
import { testContext, testPrincipal } from '../support/context';
import { createDemoDatabase } from './demo-database';
import { runQuery } from './run-query';

const US = 'ATVPDKIKX0DER';
const JP = 'A1VC38T7YXB528';
const NA_ACCOUNT = 'A1SGDEMOUS0001';

describe('catalog queries', () => {
  let db: TestDatabase;
  let schema: GraphQLSchema;
  const all = () => testContext(db.dataSource);
  const onlyMarketplace = (marketplace: string) => testContext(db.dataSource, { principal: testPrincipal({ marketplaces: [marketplace] }) });
  const count = async (sql: string, params: unknown[] = []) => Number((await db.dataSource.query(sql, params))[0].count);

  beforeAll(async () => {
    schema = await buildGatewaySchema();
    db = await createDemoDatabase({ advertising: false });
  });
  afterAll(async () => db.close());

  describe('products', () => {
    it('pages with cursors through every product exactly once, in title order', async () => {
      const seen: { asin: string; title: string }[] = [];
      let after: string | null = null;
      let totalCount = 0;
      do {
        const data: any = await runQuery(schema, all(), 'query($after: String) { products(first: 70, after: $after) { totalCount nodes { asin title } pageInfo { hasNextPage endCursor } } }', { after });
        totalCount = data.products.totalCount;
        seen.push(...data.products.nodes);
        after = data.products.pageInfo.hasNextPage ? data.products.pageInfo.endCursor : null;
      } while (after);
      expect(totalCount).toBe(300);
      expect(new Set(seen.map((p) => p.asin)).size).toBe(300);
      const expected = await db.dataSource.query('SELECT asin FROM product ORDER BY title, id');
      expect(seen.map((p) => p.asin)).toEqual(expected.map((row: { asin: string }) => row.asin));
    });

    it('filters by brand, title words and ASIN, and sorts by ASIN descending', async () => {
      const data = await runQuery(schema, all(), '{ products(first: 100, brand: "Kestrel", search: "mat", sortBy: ASIN, direction: DESC) { totalCount nodes { asin title brand } } }');
      const expected = await db.dataSource.query("SELECT asin FROM product WHERE brand = 'Kestrel' AND title ILIKE '%mat%' ORDER BY asin DESC");
      expect(data.products.totalCount).toBe(expected.length);
      expect(data.products.nodes.map((p: { asin: string }) => p.asin)).toEqual(expected.map((row: { asin: string }) => row.asin));
      const one = await runQuery(schema, all(), `{ products(asin: "${expected[0]?.asin ?? 'none'}") { totalCount } product(asin: "${expected[0]?.asin ?? 'none'}") { brand } }`);
      expect(one.products.totalCount).toBe(expected.length > 0 ? 1 : 0);
    });

    it('treats % and _ in the search text literally', async () => {
      const data = await runQuery(schema, all(), '{ products(search: "%") { totalCount } }');
      expect(data.products.totalCount).toBe(0);
    });
  });

  describe('listings', () => {
    it('pages by price with no row lost or repeated, and counts the filter', async () => {
      const ids: string[] = [];
      let after: string | null = null;
      let totalCount = 0;
      do {
        const data: any = await runQuery(
          schema,
          all(),
          'query($after: String) { listings(first: 40, after: $after, account: "A1SGDEMOUS0001", sortBy: PRICE, direction: ASC) { totalCount edges { cursor node { id price } } pageInfo { hasNextPage endCursor } } }',
          { after },
        );
        totalCount = data.listings.totalCount;
        ids.push(...data.listings.edges.map((edge: { node: { id: string } }) => edge.node.id));
        after = data.listings.pageInfo.hasNextPage ? data.listings.pageInfo.endCursor : null;
      } while (after);
      const expected = await db.dataSource.query('SELECT id FROM listing WHERE seller_account_id = $1 ORDER BY price, id', [NA_ACCOUNT]);
      expect(totalCount).toBe(expected.length);
      expect(ids).toEqual(expected.map((row: { id: string }) => row.id));
    });

    it('sorts by open date (newest first by default) and by SKU', async () => {
      const data = await runQuery(schema, all(), '{ byDate: listings(first: 100) { nodes { openDate } } bySku: listings(first: 100, sortBy: SKU) { nodes { sellerSku } } }');
      const dates = data.byDate.nodes.map((n: { openDate: string }) => n.openDate);
      expect(dates).toEqual([...dates].sort().reverse());
      const skus = data.bySku.nodes.map((n: { sellerSku: string }) => n.sellerSku);
      const expected = await db.dataSource.query('SELECT seller_sku FROM listing ORDER BY seller_sku, id LIMIT 100');
      expect(skus).toEqual(expected.map((row: { seller_sku: string }) => row.seller_sku));
    });

    it('filters by marketplace, status, open date range, SKU and ASIN', async () => {
      const from = '2025-01-01T00:00:00Z';
      const to = '2026-01-01T00:00:00Z';
      const data = await runQuery(schema, all(), `{ listings(first: 100, marketplace: "${US}", status: [ACTIVE, INCOMPLETE], openedFrom: "${from}", openedTo: "${to}") {
        totalCount nodes { marketplaceId status openDate sellerSku asin } } }`);
      const expected = await count(
        "SELECT count(*) FROM listing WHERE marketplace_id = $1 AND status IN ('Active', 'Incomplete') AND open_date >= $2 AND open_date < $3",
        [US, from, to],
      );
      expect(data.listings.totalCount).toBe(expected);
      for (const node of data.listings.nodes) {
        expect(node.marketplaceId).toBe(US);
        expect(['ACTIVE', 'INCOMPLETE']).toContain(node.status);
        expect(node.openDate >= '2025-01-01' && node.openDate < '2026-01-01').toBe(true);
      }
      const { sellerSku, asin } = data.listings.nodes[0];
      const bySku = await runQuery(schema, all(), `{ listings(sku: "${sellerSku}", asin: "${asin}", marketplace: "${US}") { totalCount nodes { sellerSku } } }`);
      expect(bySku.listings.nodes).toEqual([{ sellerSku }]);
    });

    it('looks a listing up by account, marketplace and SKU, with its product through a loader', async () => {
      const [row] = await db.dataSource.query('SELECT seller_sku, asin FROM listing WHERE seller_account_id = $1 AND marketplace_id = $2 LIMIT 1', [NA_ACCOUNT, US]);
      const data = await runQuery(schema, all(), `{ listing(sellerAccountId: "${NA_ACCOUNT}", marketplaceId: "${US}", sku: "${row.seller_sku}") { sellerSku asin price currency product { asin title } } }`);
      expect(data.listing).toMatchObject({ sellerSku: row.seller_sku, asin: row.asin, currency: 'USD', product: { asin: row.asin } });
      const missing = await runQuery(schema, all(), `{ listing(sellerAccountId: "${NA_ACCOUNT}", marketplaceId: "${JP}", sku: "${row.seller_sku}") { sellerSku } }`);
      expect(missing.listing).toBeNull();
    });

    it('rejects a page larger than the maximum and a malformed cursor', async () => {
      const result = await import('graphql').then(({ graphql }) =>
        graphql({ schema, contextValue: all(), source: '{ a: listings(first: 1000) { totalCount } }' }),
      );
      expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      await expect(runQuery(schema, all(), '{ listings(after: "nonsense") { totalCount } }')).rejects.toThrow(/cursor/);
    });
  });

  describe('accounts and marketplaces', () => {
    it('lists the accounts with their marketplaces, and the marketplaces', async () => {
      const data = await runQuery(schema, all(), '{ sellerAccounts { sellerId name marketplaces { marketplaceId } } marketplaces { marketplaceId currencyCode salesChannel } }');
      expect(data.sellerAccounts.map((a: { sellerId: string }) => a.sellerId)).toEqual(['A1SGDEMOUS0001', 'A2SGDEMOEU0002', 'A3SGDEMOJP0003']);
      expect(data.sellerAccounts[0].marketplaces.map((m: { marketplaceId: string }) => m.marketplaceId).sort()).toEqual(['A2EUQ1WTGCTBG2', US].sort());
      expect(data.marketplaces).toHaveLength(5);
      expect(data.marketplaces.find((m: { marketplaceId: string }) => m.marketplaceId === JP)).toEqual({ marketplaceId: JP, currencyCode: 'JPY', salesChannel: 'Amazon.co.jp' });
    });
  });

  describe('row scope', () => {
    it('never shows or counts listings of another marketplace, in lists, lookups and relations', async () => {
      const data = await runQuery(schema, onlyMarketplace(JP), '{ listings(first: 100) { totalCount nodes { marketplaceId product { asin } } } }');
      expect(data.listings.totalCount).toBe(await count('SELECT count(*) FROM listing WHERE marketplace_id = $1', [JP]));
      expect(new Set(data.listings.nodes.map((n: { marketplaceId: string }) => n.marketplaceId))).toEqual(new Set([JP]));
      expect(data.listings.nodes.every((n: { product: unknown }) => n.product !== null)).toBe(true);
      const other = await runQuery(schema, onlyMarketplace(JP), `{ listings(marketplace: "${US}") { totalCount nodes { id } } }`);
      expect(other.listings).toEqual({ totalCount: 0, nodes: [] });
      const [row] = await db.dataSource.query('SELECT seller_sku FROM listing WHERE marketplace_id = $1 LIMIT 1', [US]);
      const lookup = await runQuery(schema, onlyMarketplace(JP), `{ listing(sellerAccountId: "${NA_ACCOUNT}", marketplaceId: "${US}", sku: "${row.seller_sku}") { id } }`);
      expect(lookup.listing).toBeNull();
    });

    it('shows a scoped caller only the products listed within its scope', async () => {
      const data = await runQuery(schema, onlyMarketplace(JP), '{ products(first: 100) { totalCount } }');
      expect(data.products.totalCount).toBe(await count('SELECT count(DISTINCT asin) FROM listing WHERE marketplace_id = $1', [JP]));
      const [usOnly] = await db.dataSource.query(
        'SELECT asin FROM listing l WHERE marketplace_id = $1 AND NOT EXISTS (SELECT 1 FROM listing j WHERE j.asin = l.asin AND j.marketplace_id = $2) LIMIT 1',
        [US, JP],
      );
      const lookup = await runQuery(schema, onlyMarketplace(JP), `{ product(asin: "${usOnly.asin}") { asin } }`);
      expect(lookup.product).toBeNull();
      const unscoped = await runQuery(schema, all(), `{ product(asin: "${usOnly.asin}") { asin } }`);
      expect(unscoped.product).toEqual({ asin: usOnly.asin });
    });

    it('limits accounts and marketplaces to the scope', async () => {
      const byMarketplace = await runQuery(schema, onlyMarketplace(US), '{ sellerAccounts { sellerId marketplaces { marketplaceId } } marketplaces { marketplaceId } }');
      expect(byMarketplace.sellerAccounts).toEqual([{ sellerId: NA_ACCOUNT, marketplaces: [{ marketplaceId: US }] }]);
      expect(byMarketplace.marketplaces).toEqual([{ marketplaceId: US }]);
      const byAccount = testContext(db.dataSource, { principal: testPrincipal({ accounts: ['A2SGDEMOEU0002'] }) });
      const data = await runQuery(schema, byAccount, '{ sellerAccounts { sellerId } marketplaces { marketplaceId } listings { totalCount } }');
      expect(data.sellerAccounts).toEqual([{ sellerId: 'A2SGDEMOEU0002' }]);
      expect(data.marketplaces.map((m: { marketplaceId: string }) => m.marketplaceId)).toEqual(['A1F83G8C2ARO7P', 'A1PA6795UKMFR9']);
      expect(data.listings.totalCount).toBe(await count("SELECT count(*) FROM listing WHERE seller_account_id = 'A2SGDEMOEU0002'"));
    });
  });
});
