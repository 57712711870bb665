// The same operations through the single process and through gateway + subgraphs (separate
// ports): identical data, errors and extensions.governance, whatever the policy decided.
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestDemo, testTokenFor } from '../support/fixtures';
import { startTestGateway, type GraphQLResponseBody, type TestGateway } from '../support/gateway';
import { startTestFederation, TEST_FEDERATION_SECRET, type TestFederation } from './support/federation';

interface Case {
  name: string;
  query: string;
  role: string;
  purpose?: string;
  scoped?: boolean;
  variables?: Record<string, unknown>;
  /** What the answer shows, so the comparison is not between two empty answers. */
  shows: (body: GraphQLResponseBody) => void;
}

const nodes = (body: GraphQLResponseBody, field: string) => ((body.data?.[field] as { nodes?: unknown[] } | null)?.nodes ?? []) as Record<string, unknown>[];
const governance = (body: GraphQLResponseBody) => body.extensions?.governance as { masked: string[]; denied: string[] };
const codes = (body: GraphQLResponseBody) => (body.errors ?? []).map((error) => error.extensions?.code);

const CASES: Case[] = [
  { name: 'a list with paging and totals', role: 'catalog_manager', purpose: 'LISTING_MAINTENANCE', query: '{ listings(first: 5) { totalCount pageInfo { hasNextPage endCursor } nodes { sellerSku marketplaceId price status } } }', shows: (b) => expect(nodes(b, 'listings')).toHaveLength(5) },
  { name: 'a nested query (orders with items and shipments)', role: 'operations', purpose: 'AFTER_SALES', query: '{ orders(first: 3) { nodes { amazonOrderId status orderTotal items { sku quantity itemPrice } shipments { id } } } }', shows: (b) => expect(nodes(b, 'orders').flatMap((o) => o.items as unknown[]).length).toBeGreaterThan(0) },
  { name: 'a nested catalog query (listing -> product, accounts -> marketplaces)', role: 'catalog_manager', purpose: 'LISTING_MAINTENANCE', query: '{ listings(first: 4) { nodes { sellerSku product { asin title } } } sellerAccounts { name marketplaces { marketplaceId } } }', shows: (b) => expect(nodes(b, 'listings').some((l) => l.product !== null)).toBe(true) },
  { name: 'an aggregate with k-anonymity', role: 'analyst', purpose: 'OPERATIONAL_REPORTING', query: '{ salesSummary(groupBy: DAY, from: "2000-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z") { groups { key currency orders sales } suppressedGroups } }', shows: (b) => expect([(b.data?.salesSummary as { groups: unknown[] }).groups.length > 0, (b.extensions?.governance as { suppressedGroups?: number }).suppressedGroups! > 0]).toEqual([true, true]) },
  { name: 'a denied field', role: 'analyst', purpose: 'BUSINESS_ANALYSIS', query: '{ campaigns(first: 5) { nodes { campaignId metrics(from: "2000-01-01", to: "2100-01-01") { spend } } } }', shows: (b) => expect(governance(b).denied).toEqual(['Query.campaigns']) },
  { name: 'a denied field beside allowed ones', role: 'operations', purpose: 'OPERATIONAL_REPORTING', query: '{ orders(first: 2) { nodes { id shipPostalCode } } }', shows: (b) => expect([nodes(b, 'orders').length, [...new Set(codes(b))]]).toEqual([2, ['FORBIDDEN']]) },
  { name: 'a masked field', role: 'operations', purpose: 'OPERATIONAL_REPORTING', query: '{ orders(first: 5) { nodes { amazonOrderId sellerAccountId } } }', shows: (b) => expect(governance(b).masked).toContain('Order.amazonOrderId') },
  { name: 'a row-scoped token', role: 'operations', purpose: 'AFTER_SALES', scoped: true, query: '{ orders(first: 50) { totalCount nodes { sellerAccountId amazonOrderId } } }', shows: (b) => expect(new Set(nodes(b, 'orders').map((o) => o.sellerAccountId)).size).toBe(1) },
  { name: 'a row-scoped token on accounts and listings', role: 'catalog_manager', purpose: 'LISTING_MAINTENANCE', scoped: true, query: '{ sellerAccounts { name marketplaces { marketplaceId } } listings(first: 20) { totalCount nodes { sellerSku } } }', shows: (b) => expect(b.data?.sellerAccounts).toHaveLength(1) },
  { name: 'variables and an operation name', role: 'finance', purpose: 'ACCOUNTING', query: 'query Settlements($n: Int) { settlements(first: $n) { nodes { settlementId totalAmount lines { amount } } } }', variables: { n: 2 }, shows: (b) => expect(nodes(b, 'settlements')).toHaveLength(2) },
  { name: 'a purpose not granted', role: 'analyst', purpose: 'AFTER_SALES', query: '{ orders(first: 1) { nodes { id } } }', shows: (b) => expect(codes(b)).toEqual(['PURPOSE_NOT_GRANTED']) },
  { name: 'no purpose for data', role: 'operations', query: '{ orders(first: 1) { nodes { id } } }', shows: (b) => expect(codes(b)).toEqual(['PURPOSE_REQUIRED']) },
];

/** What must be equal: data, errors and the governance extension. */
function observable(body: GraphQLResponseBody) {
  return { data: body.data, errors: body.errors, governance: body.extensions?.governance };
}

describe('single process and federated gateway answer alike', () => {
  let db: TestDatabase;
  let single: TestGateway;
  let federation: TestFederation;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestDemo(db.dataSource);
    single = await startTestGateway(db, { env: { FEDERATION_SECRET: TEST_FEDERATION_SECRET } });
    federation = await startTestFederation(db);
    const [account] = await db.dataSource.query<{ seller_id: string }[]>('SELECT seller_id FROM seller_account ORDER BY seller_id LIMIT 1');
    for (const testCase of CASES) {
      const key = `${testCase.role}:${testCase.scoped ? 'scoped' : 'all'}`;
      if (!tokens.has(key)) tokens.set(key, await testTokenFor(db.dataSource, testCase.role, testCase.scoped ? { accounts: [account.seller_id] } : {}));
    }
  });
  afterAll(async () => {
    await federation?.stop();
    await single?.stop();
    await db?.close();
  });

  it.each(CASES)('$name', async (testCase) => {
    const options = { token: tokens.get(`${testCase.role}:${testCase.scoped ? 'scoped' : 'all'}`), purpose: testCase.purpose, variables: testCase.variables };
    const direct = await single.post(testCase.query, options);
    const federated = await federation.post(testCase.query, options);
    expect(federated.status).toBe(direct.status);
    expect(observable(federated.body)).toEqual(observable(direct.body));
    testCase.shows(federated.body);
  });

  it('refuses a call without a token at the gateway, as the single process does', async () => {
    const query = '{ listings(first: 1) { nodes { sellerSku } } }';
    const direct = await single.post(query, { purpose: 'LISTING_MAINTENANCE' });
    const federated = await federation.post(query, { purpose: 'LISTING_MAINTENANCE' });
    expect(federated.status).toBe(401);
    expect(observable(federated.body)).toEqual(observable(direct.body));
  });
});
