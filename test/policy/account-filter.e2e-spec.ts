// The `account:` argument of the lists is taken as the caller sees the rows' `sellerAccountId`:
// a principal that sees it as a pseudonym (PSEUDONYM mask) filters by the pseudonym, and a real
// seller id is refused, so the filter is no equality oracle telling which pseudonym is which seller
// id (DESIGN.md "Invariants every entry point keeps"). Principals reading the field in full filter
// by the seller id, as before.
import { accountFilter } from '../../src/policy/argument-access';
import { registerGovernedFields } from '../../src/policy/governed-fields';
import { DEFAULT_POLICY_DOCUMENT } from '../../src/policy/default-policy';
import { fieldRegistry } from '../../src/policy/field-registry';
import { pseudonym, resolvePseudonymKey } from '../../src/policy/masks';
import { parsePolicy } from '../../src/policy/policy';
import { Purpose } from '../../src/policy/taxonomy';
import { buildGatewaySchema } from '../../src/server/schema';
import { testContext, testPrincipal } from '../support/context';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestDemo, testTokenFor } from '../support/fixtures';
import { startTestGateway, type GraphQLResponseBody, type TestGateway } from '../support/gateway';

jest.setTimeout(180_000);

const UNKNOWN = /Unknown seller account in `account`: give the account as you see it \(its pseudonym/;

describe('account filters of the lists under a PSEUDONYM mask', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let analyst: string;
  let finance: string;
  let compliance: string;
  /** The demo account with the most orders, and another one. */
  let account: string;
  let other: string;
  let key: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestDemo(db.dataSource);
    analyst = await testTokenFor(db.dataSource, 'analyst');
    finance = await testTokenFor(db.dataSource, 'finance');
    compliance = await testTokenFor(db.dataSource, 'compliance');
    gateway = await startTestGateway(db);
    key = resolvePseudonymKey(gateway.config);
    const accounts: { id: string }[] = await db.dataSource.query(
      `SELECT a.seller_id AS id FROM seller_account a LEFT JOIN amazon_order o ON o.seller_account_id = a.seller_id GROUP BY a.seller_id ORDER BY count(o.id) DESC, a.seller_id`,
    );
    [account, other] = accounts.map((row) => row.id);
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  const codes = (body: GraphQLResponseBody): unknown[] => (body.errors ?? []).map((error) => error.extensions?.code);

  /** Every order (id, account as seen) the query returns, page by page. */
  async function allOrders(token: string, purpose: string, filter: string): Promise<{ id: string; sellerAccountId: string }[]> {
    const rows: { id: string; sellerAccountId: string }[] = [];
    let after: string | null = null;
    for (;;) {
      const { body } = await gateway.post(
        `query($after: String) { orders(first: 100, after: $after${filter}) { nodes { id sellerAccountId } pageInfo { hasNextPage endCursor } } }`,
        { token, purpose, variables: { after } },
      );
      expect(body.errors).toBeUndefined();
      const page = (body.data as any).orders;
      rows.push(...page.nodes);
      if (!page.pageInfo.hasNextPage) return rows;
      after = page.pageInfo.endCursor;
    }
  }

  it('analyst under OPERATIONAL_REPORTING: a real seller id is BAD_USER_INPUT, the same as an account that does not exist', async () => {
    const real = await gateway.post(`{ orders(first: 5, account: "${account}") { totalCount nodes { id } } }`, { token: analyst, purpose: 'OPERATIONAL_REPORTING' });
    expect(codes(real.body)).toEqual(['BAD_USER_INPUT']);
    expect(real.body.errors![0].message).toMatch(UNKNOWN);
    expect(real.body.errors![0].message).not.toContain(account);
    expect(real.body.data?.orders ?? null).toBeNull();
    const missing = await gateway.post(`{ orders(first: 5, account: "A9NOSUCHSELLER") { totalCount } }`, { token: analyst, purpose: 'OPERATIONAL_REPORTING' });
    const unknownPseudonym = await gateway.post(`{ orders(first: 5, account: "psn_0000000000000000") { totalCount } }`, { token: analyst, purpose: 'OPERATIONAL_REPORTING' });
    // No difference between "exists but hidden" and "does not exist".
    for (const refused of [missing, unknownPseudonym]) {
      expect(codes(refused.body)).toEqual(['BAD_USER_INPUT']);
      expect(refused.body.errors![0].message).toBe(real.body.errors![0].message);
    }
  });

  it('analyst: by the pseudonym it sees, the same rows as the unfiltered list restricted to that pseudonym', async () => {
    const seen = pseudonym(account, key);
    const unfiltered = await allOrders(analyst, 'OPERATIONAL_REPORTING', '');
    expect(unfiltered.some((row) => row.sellerAccountId === account)).toBe(false);
    const expected = unfiltered.filter((row) => row.sellerAccountId === seen).map((row) => row.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(unfiltered.length);
    const filtered = await allOrders(analyst, 'OPERATIONAL_REPORTING', `, account: "${seen}"`);
    expect(filtered.every((row) => row.sellerAccountId === seen)).toBe(true);
    expect(filtered.map((row) => row.id).sort()).toEqual([...expected].sort());
  });

  it('analyst: the other lists and the sales summary take the pseudonym too, and refuse the seller id', async () => {
    const seen = pseudonym(account, key);
    const summary = (value: string) => `{ salesSummary(from: "2000-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z", groupBy: MARKETPLACE, account: "${value}") { groups { key orders } } }`;
    const byPseudonym = await gateway.post(summary(seen), { token: analyst, purpose: 'OPERATIONAL_REPORTING' });
    expect(byPseudonym.body.errors).toBeUndefined();
    const bySellerId = await gateway.post(summary(account), { token: analyst, purpose: 'OPERATIONAL_REPORTING' });
    expect(codes(bySellerId.body)).toEqual(['BAD_USER_INPUT']);

    const settlements = (value: string) => `{ settlements(first: 100, account: "${value}") { totalCount nodes { sellerAccountId } } }`;
    const seenSettlements = await gateway.post(settlements(seen), { token: analyst, purpose: 'BUSINESS_ANALYSIS' });
    expect(seenSettlements.body.errors).toBeUndefined();
    const [{ count }] = await db.dataSource.query('SELECT count(*)::int AS count FROM settlement WHERE seller_account_id = $1', [account]);
    expect((seenSettlements.body.data as any).settlements.totalCount).toBe(count);
    expect(codes((await gateway.post(settlements(account), { token: analyst, purpose: 'BUSINESS_ANALYSIS' })).body)).toEqual(['BAD_USER_INPUT']);
  });

  it('a token scoped to one account: the pseudonym of an account outside its scope is refused like an unknown one', async () => {
    const scoped = await testTokenFor(db.dataSource, 'analyst', { accounts: [account] });
    const outside = await gateway.post(`{ orders(first: 5, account: "${pseudonym(other, key)}") { totalCount } }`, { token: scoped, purpose: 'OPERATIONAL_REPORTING' });
    expect(codes(outside.body)).toEqual(['BAD_USER_INPUT']);
    expect(outside.body.errors![0].message).toMatch(UNKNOWN);
    const inside = await gateway.post(`{ orders(first: 5, account: "${pseudonym(account, key)}") { totalCount } }`, { token: scoped, purpose: 'OPERATIONAL_REPORTING' });
    expect(inside.body.errors).toBeUndefined();
    expect((inside.body.data as any).orders.totalCount).toBeGreaterThan(0);
  });

  it('principals reading the account in full filter by the seller id, as before', async () => {
    const [{ orders }] = await db.dataSource.query('SELECT count(*)::int AS orders FROM amazon_order WHERE seller_account_id = $1', [account]);
    const byCompliance = await gateway.post(`{ orders(first: 5, account: "${account}") { totalCount nodes { sellerAccountId } } }`, { token: compliance, purpose: 'COMPLIANCE_REVIEW' });
    expect(byCompliance.body.errors).toBeUndefined();
    expect((byCompliance.body.data as any).orders.totalCount).toBe(orders);
    expect((byCompliance.body.data as any).orders.nodes.every((node: any) => node.sellerAccountId === account)).toBe(true);

    const [{ settlements }] = await db.dataSource.query('SELECT count(*)::int AS settlements FROM settlement WHERE seller_account_id = $1', [account]);
    const byFinance = await gateway.post(`{ settlements(first: 5, account: "${account}") { totalCount nodes { sellerAccountId } } }`, { token: finance, purpose: 'ACCOUNTING' });
    expect(byFinance.body.errors).toBeUndefined();
    expect((byFinance.body.data as any).settlements.totalCount).toBe(settlements);
    expect((byFinance.body.data as any).settlements.nodes.every((node: any) => node.sellerAccountId === account)).toBe(true);
  });
});

describe('accountFilter', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestDemo(db.dataSource);
  });
  afterAll(async () => {
    registerGovernedFields(new Map(), parsePolicy(DEFAULT_POLICY_DOCUMENT));
    await db?.close();
  });

  it('denied (or unclassified): FORBIDDEN naming the coordinate, recorded as denied; PSEUDONYM under the registered key: mapped back', async () => {
    const [{ id }] = await db.dataSource.query('SELECT seller_id AS id FROM seller_account ORDER BY seller_id LIMIT 1');
    const analyst = DEFAULT_POLICY_DOCUMENT.roles.analyst;
    const identifiers = (IDENTIFIER: 'deny' | 'masked') =>
      parsePolicy({
        ...DEFAULT_POLICY_DOCUMENT,
        roles: { ...DEFAULT_POLICY_DOCUMENT.roles, analyst: { ...analyst, grants: { ...analyst.grants, [Purpose.OPERATIONAL_REPORTING]: { ...analyst.grants![Purpose.OPERATIONAL_REPORTING]!, IDENTIFIER } } } },
      });
    const fields = fieldRegistry(await buildGatewaySchema()).fields;
    const denied = identifiers('deny');
    registerGovernedFields(fields, denied, 'k'.repeat(16));
    const ctx = testContext(db.dataSource, { principal: testPrincipal({ role: 'analyst' }), purpose: Purpose.OPERATIONAL_REPORTING });
    ctx.policy = denied;
    const refused = await accountFilter(ctx, 'Order.sellerAccountId', pseudonym(id, 'k'.repeat(16))).catch((error: unknown) => error);
    expect(refused).toMatchObject({ extensions: { code: 'FORBIDDEN', coordinate: 'Order.sellerAccountId' } });
    expect(ctx.governance.denied.has('Order.sellerAccountId')).toBe(true);
    // A coordinate without a classification fails closed.
    await expect(accountFilter(ctx, 'Order.noSuchField', id)).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });

    // Masked with PSEUDONYM under the registered key: mapped back to the seller id; no argument, no filter.
    const masked = identifiers('masked');
    registerGovernedFields(fields, masked, 'k'.repeat(16));
    const maskedCtx = testContext(db.dataSource, { principal: testPrincipal({ role: 'analyst' }), purpose: Purpose.OPERATIONAL_REPORTING });
    maskedCtx.policy = masked;
    await expect(accountFilter(maskedCtx, 'Order.sellerAccountId', pseudonym(id, 'k'.repeat(16)))).resolves.toBe(id);
    await expect(accountFilter(maskedCtx, 'Order.sellerAccountId', pseudonym(id, 'another key 0123'))).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    await expect(accountFilter(maskedCtx, 'Order.sellerAccountId', null)).resolves.toBeUndefined();
  });
});
