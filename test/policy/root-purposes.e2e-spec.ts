// One operation under several purposes: root fields of a query declare their own purpose with
// `@purpose(name:)`; each root field, and everything under it (a fragment shared by two roots
// too), is decided under its own purpose only, exactly as if it had been sent alone under that
// purpose. Every purpose named must be granted; the audit record names each purpose used.
import { AuditRecord } from '../../entities/gateway/audit-record.entity';
import { verifyChain } from '../../src/audit/audit-verify';
import { Purpose } from '../../src/policy/taxonomy';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestDemo, testTokenFor } from '../support/fixtures';
import { startTestGateway, type GraphQLResponseBody, type TestGateway } from '../support/gateway';

const ORDER_FIELDS = 'fragment OrderFields on Order { amazonOrderId shipPostalCode deliveredAt orderTotal status }';

/** The part of a response under one root response key: its data and its errors (paths from the root key). */
function underRoot(body: GraphQLResponseBody, key: string, as = key) {
  const errors = (body.errors ?? [])
    .filter((error) => error.path?.[0] === key)
    .map((error) => ({ path: [as, ...error.path!.slice(1)], code: error.extensions?.code, coordinate: error.extensions?.coordinate, purpose: error.extensions?.purpose }));
  return { data: body.data?.[key], errors };
}

describe('one operation under several purposes (@purpose on root fields)', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let operations: string;
  let analyst: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestDemo(db.dataSource);
    gateway = await startTestGateway(db);
    operations = await testTokenFor(db.dataSource, 'operations');
    analyst = await testTokenFor(db.dataSource, 'analyst');
  });

  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  it('decides each root field, and a fragment shared by two roots, under its own purpose only: aliases get no wider treatment', async () => {
    const mixed = async (first: 'afterSales' | 'reporting') => {
      const roots = {
        afterSales: 'afterSales: orders(first: 3) @purpose(name: AFTER_SALES) { nodes { ...OrderFields } }',
        reporting: 'reporting: orders(first: 3) @purpose(name: OPERATIONAL_REPORTING) { nodes { ...OrderFields } }',
      };
      const second = first === 'afterSales' ? 'reporting' : 'afterSales';
      return gateway.post(`query Mixed { ${roots[first]} ${roots[second]} } ${ORDER_FIELDS}`, { token: operations });
    };
    const alone = async (key: string, purpose: Purpose) =>
      (await gateway.post(`query Alone { ${key}: orders(first: 3) { nodes { ...OrderFields } } } ${ORDER_FIELDS}`, { token: operations, purpose })).body;

    const afterSales = underRoot(await alone('afterSales', Purpose.AFTER_SALES), 'afterSales');
    const reporting = underRoot(await alone('reporting', Purpose.OPERATIONAL_REPORTING), 'reporting');
    // The two purposes treat the same orders differently: full under AFTER_SALES, masked and denied under OPERATIONAL_REPORTING.
    expect(afterSales.errors).toEqual([]);
    expect(reporting.errors.map((error) => error.coordinate)).toContain('Order.shipPostalCode');
    expect(reporting.errors.every((error) => error.code === 'FORBIDDEN' && error.purpose === 'OPERATIONAL_REPORTING')).toBe(true);
    expect(JSON.stringify(reporting.data)).not.toEqual(JSON.stringify(afterSales.data));

    for (const order of ['afterSales', 'reporting'] as const) {
      const response = await mixed(order);
      expect(response.status).toBe(200);
      // Each root answers exactly as it does alone under its purpose, whichever comes first.
      expect(underRoot(response.body, 'afterSales')).toEqual(afterSales);
      expect(underRoot(response.body, 'reporting')).toEqual(reporting);
      const governance = response.body.extensions?.governance as Record<string, unknown>;
      expect(governance).toMatchObject({ purpose: null, rootPurposes: { afterSales: 'AFTER_SALES', reporting: 'OPERATIONAL_REPORTING' } });
      expect(governance.denied).toEqual(expect.arrayContaining(['Order.shipPostalCode']));
      expect(governance.masked).toEqual(expect.arrayContaining(['Order.amazonOrderId']));
    }
  });

  it('serves a dashboard of two categories under two purposes in one request, aggregates unchanged, and audits every purpose used', async () => {
    const sales = 'salesSummary(from: "2020-01-01", to: "2030-01-01", groupBy: MONTH) { groups { key currency orders units sales averageOrderValue } suppressedGroups suppressedBins }';
    const stock = 'inventory(first: 5) { totalCount nodes { sku fulfillable } }';
    const response = await gateway.post(`query Dashboard { sales: ${sales.replace('{', '@purpose(name: OPERATIONAL_REPORTING) {')} stock: ${stock.replace('{', '@purpose(name: BUSINESS_ANALYSIS) {')} }`, {
      token: analyst,
      headers: { 'x-request-id': 'dashboard-two-purposes' },
    });
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    const separately = {
      sales: (await gateway.post(`{ sales: ${sales} }`, { token: analyst, purpose: Purpose.OPERATIONAL_REPORTING })).body,
      stock: (await gateway.post(`{ stock: ${stock} }`, { token: analyst, purpose: Purpose.BUSINESS_ANALYSIS })).body,
    };
    // k-anonymous groups and suppression exactly as under the one purpose.
    expect(response.body.data?.sales).toEqual(separately.sales.data?.sales);
    expect(response.body.data?.stock).toEqual(separately.stock.data?.stock);
    expect((response.body.data?.stock as { totalCount: number }).totalCount).toBeGreaterThan(0);
    expect(response.body.extensions?.governance).toMatchObject({ rootPurposes: { sales: 'OPERATIONAL_REPORTING', stock: 'BUSINESS_ANALYSIS' } });

    const record = await db.dataSource.getRepository(AuditRecord).findOneByOrFail({ requestId: 'dashboard-two-purposes' });
    expect(record).toMatchObject({ purpose: null, purposes: ['BUSINESS_ANALYSIS', 'OPERATIONAL_REPORTING'], outcome: 'ok', categories: expect.arrayContaining(['ORDERS', 'INVENTORY_FINANCE']) });
    // A record of one purpose keeps the shape it always had.
    const single = await gateway.post(`{ ${stock} }`, { token: analyst, purpose: Purpose.BUSINESS_ANALYSIS, headers: { 'x-request-id': 'one-purpose' } });
    expect(single.status).toBe(200);
    expect(await db.dataSource.getRepository(AuditRecord).findOneByOrFail({ requestId: 'one-purpose' })).toMatchObject({ purpose: 'BUSINESS_ANALYSIS', purposes: null });
    // The hash chain holds the new column.
    const verified = await verifyChain(db.dataSource.manager);
    expect(verified.problem ?? null).toBeNull();
    // Auditors find the record by either purpose.
    const compliance = await testTokenFor(db.dataSource, 'compliance');
    const found = await gateway.post('{ auditRecords(first: 5, filter: { purpose: BUSINESS_ANALYSIS }) { nodes { requestId purpose purposes } } }', { token: compliance, purpose: Purpose.AUDIT });
    expect((found.body.data?.auditRecords as { nodes: { requestId: string; purposes: string[] | null }[] }).nodes).toEqual(
      expect.arrayContaining([{ requestId: 'dashboard-two-purposes', purpose: null, purposes: ['BUSINESS_ANALYSIS', 'OPERATIONAL_REPORTING'] }]),
    );
  });

  it('keeps each operation of a batch to its own root purposes', async () => {
    const query = (directive: string) => `{ orders(first: 2) ${directive} { nodes { ...OrderFields } } } ${ORDER_FIELDS}`;
    const response = await gateway.postRaw(JSON.stringify([{ query: query('@purpose(name: AFTER_SALES)') }, { query: query('') }]), {
      'content-type': 'application/json',
      authorization: `Bearer ${operations}`,
      'x-purpose': Purpose.OPERATIONAL_REPORTING,
    });
    const [withDirective, plain] = response.body as GraphQLResponseBody[];
    expect(withDirective.errors).toBeUndefined();
    expect(withDirective.extensions?.governance).toMatchObject({ rootPurposes: { orders: 'AFTER_SALES' } });
    expect(plain.extensions?.governance).not.toHaveProperty('rootPurposes');
    expect(plain.errors?.map((error) => error.extensions?.purpose)).toEqual(expect.arrayContaining(['OPERATIONAL_REPORTING']));
    expect(plain.errors?.every((error) => error.extensions?.purpose === 'OPERATIONAL_REPORTING')).toBe(true);
  });

  it('takes X-Purpose for the root fields that declare none, and a purpose from a variable', async () => {
    const response = await gateway.post('query Q($p: Purpose!) { reporting: orders(first: 1) @purpose(name: $p) { totalCount } inventory(first: 1) { totalCount } }', {
      token: analyst,
      purpose: Purpose.BUSINESS_ANALYSIS,
      variables: { p: 'OPERATIONAL_REPORTING' },
    });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.extensions?.governance).toMatchObject({ purpose: 'BUSINESS_ANALYSIS', rootPurposes: { reporting: 'OPERATIONAL_REPORTING', inventory: 'BUSINESS_ANALYSIS' } });
  });

  it('refuses the whole operation when one named purpose is not granted (the role, or the token narrowing it)', async () => {
    const query = '{ orders(first: 1) @purpose(name: OPERATIONAL_REPORTING) { totalCount } inventory(first: 1) @purpose(name: AFTER_SALES) { totalCount } }';
    const refused = await gateway.post(query, { token: analyst, headers: { 'x-request-id': 'refused-root-purpose' } });
    expect(refused.status).toBe(403);
    expect(refused.body.data ?? null).toBeNull();
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'PURPOSE_NOT_GRANTED', purpose: 'AFTER_SALES' });
    // Its record names the purposes it declared.
    expect(await db.dataSource.getRepository(AuditRecord).findOneByOrFail({ requestId: 'refused-root-purpose' })).toMatchObject({
      outcome: 'refused',
      errorCodes: ['PURPOSE_NOT_GRANTED'],
      purposes: ['AFTER_SALES', 'OPERATIONAL_REPORTING'],
    });
    const narrowed = await testTokenFor(db.dataSource, 'analyst', { purposes: [Purpose.OPERATIONAL_REPORTING] });
    const byToken = await gateway.post('{ orders(first: 1) @purpose(name: OPERATIONAL_REPORTING) { totalCount } inventory(first: 1) @purpose(name: BUSINESS_ANALYSIS) { totalCount } }', { token: narrowed });
    expect(byToken.body.errors?.[0]?.extensions).toMatchObject({ code: 'PURPOSE_NOT_GRANTED', purpose: 'BUSINESS_ANALYSIS' });
  });

  it('requires a purpose for every root field that reads data', async () => {
    const response = await gateway.post('{ orders(first: 1) @purpose(name: OPERATIONAL_REPORTING) { totalCount } inventory(first: 1) { totalCount } }', { token: analyst });
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('PURPOSE_REQUIRED');
    // A root field that reads no data needs none.
    const me = await gateway.post('{ orders(first: 1) @purpose(name: OPERATIONAL_REPORTING) { totalCount } me { role } }', { token: analyst });
    expect(me.body.errors).toBeUndefined();
  });

  it.each([
    ['on a nested field', '{ orders(first: 1) { nodes { status @purpose(name: OPERATIONAL_REPORTING) } } }', /root fields of a query only/],
    ['in a fragment used below the root', `{ orders(first: 1) @purpose(name: OPERATIONAL_REPORTING) { nodes { ...F } } } fragment F on Order { status @purpose(name: AFTER_SALES) }`, /root fields of a query only/],
    ['on one root field selected twice under two purposes', '{ orders(first: 1) @purpose(name: OPERATIONAL_REPORTING) { totalCount } orders(first: 1) @purpose(name: AFTER_SALES) { totalCount } }', /two purposes/],
    ['on one root field selected with and without', '{ orders(first: 1) { totalCount } orders(first: 1) @purpose(name: OPERATIONAL_REPORTING) { totalCount } }', /two purposes/],
    ['on a mutation', 'mutation { createExport(document: "{ orders { totalCount } }", format: JSONL) @purpose(name: OPERATIONAL_REPORTING) { id } }', /root fields of a query only/],
  ])('refuses @purpose %s', async (_case, query, message) => {
    const response = await gateway.post(query, { token: operations, purpose: Purpose.OPERATIONAL_REPORTING });
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(message) });
  });

  it('refuses @purpose inside an exported query (an export runs under one purpose)', async () => {
    const finance = await testTokenFor(db.dataSource, 'finance');
    const response = await gateway.post('mutation { createExport(document: "{ inventory(first: 1) @purpose(name: BUSINESS_ANALYSIS) { nodes { sku } } }", format: JSONL) { id } }', {
      token: finance,
      purpose: Purpose.BUSINESS_ANALYSIS,
    });
    expect(response.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/runs under one purpose/) });
  });
});
