// The operations the single process and the federated gateway must answer alike (identical data,
// errors and extensions.governance): lists, nested cross-category queries, aggregates, denied and
// masked fields, row-scoped tokens. Shared by the in-process run (equivalence.e2e-spec.ts) and the
// run over separate `sellergate serve` processes (equivalence-processes.e2e-spec.ts).
import type { DataSource } from 'typeorm';
import { testTokenFor } from '../../support/fixtures';
import type { GraphQLResponseBody, PostOptions, TestResponse } from '../../support/gateway';

export interface EquivalenceCase {
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

export const EQUIVALENCE_CASES: EquivalenceCase[] = [
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

/** A query sent without a token: refused at the gateway (401) by both. */
export const UNAUTHENTICATED_CASE = { query: '{ listings(first: 1) { nodes { sellerSku } } }', purpose: 'LISTING_MAINTENANCE' };

/** What must be equal: data, errors and the governance extension. */
export function observable(body: GraphQLResponseBody) {
  return { data: body.data, errors: body.errors, governance: body.extensions?.governance };
}

/**
 * One token per role (and per row scope) the cases need, the scoped ones limited to the first
 * seller account; `optionsFor` gives the request options of a case.
 */
export async function equivalenceTokens(dataSource: DataSource): Promise<{ optionsFor(testCase: EquivalenceCase): PostOptions }> {
  const [account] = await dataSource.query<{ seller_id: string }[]>('SELECT seller_id FROM seller_account ORDER BY seller_id LIMIT 1');
  const tokens = new Map<string, string>();
  const keyOf = (testCase: EquivalenceCase) => `${testCase.role}:${testCase.scoped ? 'scoped' : 'all'}`;
  for (const testCase of EQUIVALENCE_CASES) {
    const key = keyOf(testCase);
    if (!tokens.has(key)) tokens.set(key, await testTokenFor(dataSource, testCase.role, testCase.scoped ? { accounts: [account.seller_id] } : {}));
  }
  return { optionsFor: (testCase) => ({ token: tokens.get(keyOf(testCase)), purpose: testCase.purpose, variables: testCase.variables }) };
}

/** Anything that answers a GraphQL POST: a single process or a federated gateway. */
interface Endpoint {
  post(query: string, options?: PostOptions): Promise<TestResponse>;
}

/**
 * The equivalence tests themselves, for a describe block whose beforeAll sets up `endpoints()`:
 * every case gives the same status, data, errors and governance from both, and shows real content.
 */
export function itAnswersAlike(endpoints: () => { single: Endpoint; federated: Endpoint; optionsFor(testCase: EquivalenceCase): PostOptions }): void {
  it.each(EQUIVALENCE_CASES)('$name', async (testCase) => {
    const { single, federated, optionsFor } = endpoints();
    const options = optionsFor(testCase);
    const direct = await single.post(testCase.query, options);
    const throughGateway = await federated.post(testCase.query, options);
    expect(throughGateway.status).toBe(direct.status);
    expect(observable(throughGateway.body)).toEqual(observable(direct.body));
    testCase.shows(throughGateway.body);
  });

  it('refuses a call without a token at the gateway, as the single process does', async () => {
    const { single, federated } = endpoints();
    const { query, purpose } = UNAUTHENTICATED_CASE;
    const direct = await single.post(query, { purpose });
    const throughGateway = await federated.post(query, { purpose });
    expect(throughGateway.status).toBe(401);
    expect(observable(throughGateway.body)).toEqual(observable(direct.body));
  });
}
