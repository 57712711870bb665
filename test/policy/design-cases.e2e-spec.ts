// The hand-written cases of DESIGN.md and issue 3 ("What must hold"), over HTTP.
import { graphql, type GraphQLSchema } from 'graphql';
import { seedDemo } from '../../src/db/demo/seed-demo';
import { ALL_PURPOSES } from '../../src/policy/taxonomy';
import { testContext } from '../support/context';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { buildUngovernedSchema, startPolicyGateway, type PolicyGateway } from './support/policy-gateway';

const SPEND = '{ campaigns(first: 5) { nodes { campaignId metrics(from: "2000-01-01", to: "2100-01-01") { spend } } } }';
const ORDER_IDS = '{ orders(first: 5) { nodes { amazonOrderId } } }';

describe('DESIGN.md cases', () => {
  let db: TestDatabase;
  let gateway: PolicyGateway;
  let schema: GraphQLSchema;
  const reference = async (source: string) => (await graphql({ schema, source, contextValue: testContext(db.dataSource) })).data as Record<string, any>;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemo(db.dataSource);
    schema = await buildUngovernedSchema();
    gateway = await startPolicyGateway(db);
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  it('ads_manager + ADVERTISING_MANAGEMENT reads Campaign.metrics.spend in full', async () => {
    const response = await gateway.post(SPEND, { token: gateway.tokens.ads_manager, purpose: 'ADVERTISING_MANAGEMENT' });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual(await reference(SPEND));
    expect(response.body.extensions?.governance).toMatchObject({ purpose: 'ADVERTISING_MANAGEMENT', masked: [], denied: [] });
  });

  it('analyst + BUSINESS_ANALYSIS gets FORBIDDEN and no spend', async () => {
    const response = await gateway.post(SPEND, { token: gateway.tokens.analyst, purpose: 'BUSINESS_ANALYSIS' });
    expect(response.body.data).toBeNull();
    expect(response.body.errors).toEqual([
      expect.objectContaining({ path: ['campaigns'], extensions: { code: 'FORBIDDEN', coordinate: 'Query.campaigns', category: 'ADVERTISING', purpose: 'BUSINESS_ANALYSIS' } }),
    ]);
    expect(response.body.extensions?.governance).toMatchObject({ denied: ['Query.campaigns'] });
  });

  it('ads_manager declaring LISTING_MAINTENANCE is refused with PURPOSE_NOT_GRANTED', async () => {
    const response = await gateway.post(SPEND, { token: gateway.tokens.ads_manager, purpose: 'LISTING_MAINTENANCE' });
    expect(response.body.data ?? null).toBeNull();
    expect(response.body.errors?.map((error) => error.extensions?.code)).toEqual(['PURPOSE_NOT_GRANTED']);
  });

  it('a data query without X-Purpose is refused with PURPOSE_REQUIRED, fragments included', async () => {
    for (const query of [ORDER_IDS, 'query { ...o } fragment o on Query { orders(first: 1) { ...n } } fragment n on OrderConnection { totalCount }']) {
      const response = await gateway.post(query, { token: gateway.tokens.operations });
      expect(response.body.data ?? null).toBeNull();
      expect(response.body.errors?.map((error) => error.extensions?.code)).toEqual(['PURPOSE_REQUIRED']);
    }
  });

  it('introspection and __typename need no purpose', async () => {
    const response = await gateway.post('{ __typename __schema { queryType { name } } }', { token: gateway.tokens.operations });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.extensions?.governance).toMatchObject({ purpose: null });
  });

  it('an unknown purpose is refused with BAD_USER_INPUT listing the valid ones', async () => {
    const response = await gateway.post(ORDER_IDS, { token: gateway.tokens.operations, purpose: 'CURIOSITY' });
    expect(response.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', validPurposes: ALL_PURPOSES });
    expect(response.body.errors?.[0].message).toContain('AFTER_SALES');
  });

  it('operations sees Order.amazonOrderId in full under AFTER_SALES and as LAST4 under OPERATIONAL_REPORTING', async () => {
    const full = await gateway.post(ORDER_IDS, { token: gateway.tokens.operations, purpose: 'AFTER_SALES' });
    const expected = await reference(ORDER_IDS);
    expect(full.body.data).toEqual(expected);
    const masked = await gateway.post(ORDER_IDS, { token: gateway.tokens.operations, purpose: 'OPERATIONAL_REPORTING' });
    const ids = (masked.body.data as any).orders.nodes.map((node: { amazonOrderId: string }) => node.amazonOrderId);
    const originals = expected.orders.nodes.map((node: { amazonOrderId: string }) => node.amazonOrderId);
    expect(ids).toEqual(originals.map((id: string) => `***-*******-${id.slice(-4)}`));
    expect(masked.body.extensions?.governance).toMatchObject({ masked: ['Order.amazonOrderId'], denied: [] });
  });

  it('catalog_manager + LISTING_MAINTENANCE reads listing price in full', async () => {
    const query = '{ listings(first: 5) { nodes { sellerSku price currency } } }';
    const response = await gateway.post(query, { token: gateway.tokens.catalog_manager, purpose: 'LISTING_MAINTENANCE' });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual(await reference(query));
  });

  it('every role reads a product title (PUBLIC) under every purpose it holds', async () => {
    const query = '{ products(first: 3) { nodes { asin title } } }';
    const expected = await reference(query);
    for (const [role, definition] of Object.entries(gateway.policy.roles)) {
      for (const purpose of definition.purposes) {
        const response = await gateway.post(query, { token: gateway.tokens[role], purpose });
        expect({ role, purpose, data: response.body.data, errors: response.body.errors }).toEqual({ role, purpose, data: expected, errors: undefined });
      }
    }
  });

  it('analyst aggregates: measures in full only for groups of at least k orders, smaller groups counted', async () => {
    const query = '{ salesSummary(groupBy: DAY, from: "2000-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z") { groups { key currency orders sales } suppressedGroups } }';
    const all = (await reference(query)).salesSummary.groups as { orders: number }[];
    const small = all.filter((group) => group.orders < 5).length;
    expect(small).toBeGreaterThan(0);
    const response = await gateway.post(query, { token: gateway.tokens.analyst, purpose: 'OPERATIONAL_REPORTING' });
    expect(response.body.errors).toBeUndefined();
    const summary = (response.body.data as any).salesSummary;
    expect(summary.groups).toEqual(all.filter((group) => group.orders >= 5));
    expect(summary.suppressedGroups).toBe(small);
    expect(response.body.extensions?.governance).toMatchObject({ suppressedGroups: small, masked: [] });
    // finance holds CONFIDENTIAL in full: nothing suppressed.
    const finance = await gateway.post(query, { token: gateway.tokens.finance, purpose: 'OPERATIONAL_REPORTING' });
    expect((finance.body.data as any).salesSummary).toEqual({ groups: all, suppressedGroups: 0 });
  });

  it('explainAccess answers admin and compliance, and nobody else', async () => {
    const query = '{ explainAccess(role: "operations", purpose: OPERATIONAL_REPORTING, coordinate: "Order.amazonOrderId") { effect mask rule source policyVersion } }';
    for (const role of ['admin', 'compliance']) {
      const response = await gateway.post(query, { token: gateway.tokens[role] });
      expect(response.body.data).toEqual({
        explainAccess: { effect: 'mask', mask: 'LAST4', rule: 'ROLE_GRANT', source: 'roles.operations.grants.OPERATIONAL_REPORTING.IDENTIFIER', policyVersion: gateway.policy.version },
      });
    }
    const refused = await gateway.post(query, { token: gateway.tokens.analyst });
    expect(refused.body.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', coordinate: 'Query.explainAccess' });
  });
});
