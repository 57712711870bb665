// Restricted exports: the file of a query is byte-for-byte what the same principal reads through
// GraphQL (masked the same way), only that principal can download it, and it is gone after expiry.
// These queries select fewer orders than one page (an export of a connection pages through it to
// the end: export-paging.e2e-spec.ts), so the one GraphQL response holds them all.
import { createHash } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import { SignJWT } from 'jose';
import { loadConfig } from '../../src/config';
import { defaultPolicy } from '../../src/policy/default-policy';
import { applyPolicy, baselinePolicy, policyDocument } from '../../src/policy/policy-store';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestDemo, testTokenFor } from '../support/fixtures';
import { startTestGateway, type GraphQLResponseBody, type TestGateway } from '../support/gateway';
import { CREATE_EXPORT, type ExportInfo } from './support';

const PURPOSE = 'OPERATIONAL_REPORTING';
const JWT_SECRET = 'exports-test-jwt-secret-of-32-characters-or-more';

const ORDERS_QUERY = `query RecentOrders($first: Int) {
  orders(first: $first, status: [UNSHIPPED]) {
    totalCount
    nodes { id amazonOrderId sellerAccountId orderTotal currency purchaseDate status items { sku quantity itemPrice } }
  }
}`;

const ORDERS_EDGES_QUERY = `query RecentOrderEdges {
  orders(first: 12, status: [PARTIALLY_SHIPPED, PENDING]) {
    edges { node { id amazonOrderId orderTotal status merchantOrderId } }
  }
}`;

type Row = Record<string, unknown>;

describe('restricted exports', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let analyst: string;
  let otherAnalyst: string;
  let catalogManager: string;
  let admin: string;
  let analystId: string;
  let offsetMs = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestDemo(db.dataSource);
    analyst = await testTokenFor(db.dataSource, 'analyst');
    otherAnalyst = await testTokenFor(db.dataSource, 'analyst');
    catalogManager = await testTokenFor(db.dataSource, 'catalog_manager');
    admin = await testTokenFor(db.dataSource, 'admin');
    gateway = await startTestGateway(db, {
      env: { EXPORT_SWEEP_SECONDS: '1', MAX_ALIASES: '3', RATE_LIMIT_PER_MINUTE: '0', JWT_SECRET },
      now: () => new Date(Date.now() + offsetMs),
    });
    const [token] = await db.dataSource.query("SELECT id FROM api_token WHERE role = 'analyst' ORDER BY created_at LIMIT 1");
    analystId = token.id;
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  const createExport = async (token: string, document: string, format: 'CSV' | 'JSONL', variables?: Row, purpose: string | null = PURPOSE) =>
    gateway.post(CREATE_EXPORT, { token, purpose: purpose ?? undefined, variables: { document, format, variables } });

  const exported = async (token: string, document: string, format: 'CSV' | 'JSONL', variables?: Row): Promise<ExportInfo> => {
    const response = await createExport(token, document, format, variables);
    expect(response.body.errors).toBeUndefined();
    return (response.body.data as { createExport: ExportInfo }).createExport;
  };

  const download = (token: string | null, path: string) => gateway.get(path, token ? { authorization: `Bearer ${token}` } : {});
  /** The ids `myExports` lists to this principal. */
  const listedExports = async (token: string): Promise<string[]> => {
    const response = await gateway.post('{ myExports { id } }', { token });
    expect(response.body.errors).toBeUndefined();
    return (response.body.data!.myExports as { id: string }[]).map((each) => each.id);
  };

  it('exports as JSONL exactly the rows the same principal reads through GraphQL, masked the same way', async () => {
    const variables = { first: 100 };
    const read = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${analyst}`, 'x-purpose': PURPOSE },
      body: JSON.stringify({ query: ORDERS_QUERY, variables }),
    });
    const rawResponse = await read.text();
    const body = JSON.parse(rawResponse) as GraphQLResponseBody;
    expect(body.errors).toBeUndefined();
    const nodes = (body.data as { orders: { nodes: Row[] } }).orders.nodes;
    expect(nodes.length).toBeGreaterThan(15);
    expect(nodes.length).toBeLessThan(100);
    const governance = body.extensions?.governance as { masked: string[] };
    expect(governance.masked).toEqual(expect.arrayContaining(['Order.amazonOrderId', 'Order.sellerAccountId', 'Order.orderTotal']));

    const info = await exported(analyst, ORDERS_QUERY, 'JSONL', variables);
    expect(info).toMatchObject({ format: 'JSONL', status: 'READY', rowCount: nodes.length, purpose: PURPOSE, policyVersion: gateway.policy.version, downloadUrl: `/exports/${info.id}` });

    const response = await download(analyst, info.downloadUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="sellergate-export-${info.id}.jsonl"`);
    expect(response.headers.get('x-sellergate-export-id')).toBe(info.id);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.length).toBe(info.byteSize);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(info.sha256);

    const [watermark, ...lines] = bytes.toString('utf8').split('\n');
    expect(JSON.parse(watermark)).toEqual({
      sellergateExport: expect.objectContaining({ id: info.id, principal: `token:${analystId}`, role: 'analyst', purpose: PURPOSE, rows: nodes.length, policyVersion: gateway.policy.version }),
    });
    // Byte for byte: each line is the row's JSON as the GraphQL response carried it.
    expect(lines.join('\n')).toBe(`${nodes.map((node) => JSON.stringify(node)).join('\n')}\n`);
    for (const line of lines.filter(Boolean)) expect(rawResponse).toContain(line);
    const first = JSON.parse(lines[0]) as Row;
    expect(first.amazonOrderId).toMatch(/^\*{3}-\*{7}-\d{4}$/);
    expect(first.sellerAccountId).toMatch(/^psn_[0-9a-f]{16}$/);
  });

  it('exports as CSV the values of the same response, one column per field path, from connection edges', async () => {
    const body = (await gateway.post(ORDERS_EDGES_QUERY, { token: analyst, purpose: PURPOSE })).body;
    expect(body.errors).toBeUndefined();
    const nodes = (body.data as { orders: { edges: { node: Row }[] } }).orders.edges.map((edge) => edge.node);

    const info = await exported(analyst, ORDERS_EDGES_QUERY, 'CSV');
    expect(info.rowCount).toBe(nodes.length);
    const response = await download(analyst, info.downloadUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = await response.text();
    expect(text.split('\n')[0]).toMatch(new RegExp(`^# sellergate export id=${info.id} principal=token:${analystId} role=analyst purpose=${PURPOSE} `));

    const [header, ...records] = parseCsv(text, { from_line: 2 }) as string[][];
    expect(header).toEqual(['id', 'amazonOrderId', 'orderTotal', 'status', 'merchantOrderId']);
    const cell = (value: unknown) => (value === null ? '' : String(value));
    expect(records).toEqual(nodes.map((node) => header.map((column) => cell(node[column]))));
    expect(records[0][1]).toMatch(/^\*{3}-\*{7}-\d{4}$/);
  });

  it('names in its audit record every coordinate and category its query read, findable by coordinate', async () => {
    const info = await exported(analyst, ORDERS_QUERY, 'JSONL', { first: 5 });
    const compliance = await testTokenFor(db.dataSource, 'compliance');
    const found = await gateway.post(
      `{ auditRecords(first: 5, filter: { coordinate: "OrderItem.itemPrice" }) { nodes { requestId operationName fields categories rowsByCategory { category rows } } } }`,
      { token: compliance, purpose: 'AUDIT' },
    );
    expect(found.body.errors).toBeUndefined();
    const nodes = (found.body.data as { auditRecords: { nodes: { operationName: string; fields: string[]; categories: string[]; rowsByCategory: { category: string; rows: number }[] }[] } }).auditRecords.nodes;
    const record = nodes.find((node) => node.operationName === 'MakeExport');
    expect(record).toBeDefined();
    expect(record!.fields).toEqual(expect.arrayContaining(['Mutation.createExport', 'Query.orders', 'Order.amazonOrderId', 'Order.orderTotal', 'OrderItem.itemPrice']));
    expect(record!.categories).toContain('ORDERS');
    // Its orders and their items: every row the query read, not only the file's lines.
    const orderRows = record!.rowsByCategory.find((entry) => entry.category === 'ORDERS')!.rows;
    expect(orderRows).toBeGreaterThan(info.rowCount);
  });

  it('serves the file to no one but the principal that made it, and audits every attempt', async () => {
    const info = await exported(analyst, ORDERS_EDGES_QUERY, 'JSONL');
    const other = await download(otherAnalyst, info.downloadUrl);
    expect(other.status).toBe(404);
    expect(await other.text()).not.toContain('amazonOrderId');
    expect((await download(admin, info.downloadUrl)).status).toBe(404);
    expect((await download(null, info.downloadUrl)).status).toBe(401);
    // A partner (service provider) token of the same role holds no permission: no download.
    const partner = await testTokenFor(db.dataSource, 'analyst', { partner: true, expiresInDays: 30 });
    expect((await download(partner, info.downloadUrl)).status).toBe(403);
    expect((await download(analyst, info.downloadUrl)).status).toBe(200);

    const attempts = await db.dataSource.query(
      `SELECT principal_id, outcome, error_codes, variables FROM audit_record WHERE operation_name = 'GET /exports/:id' AND variables->>'exportId' = $1 ORDER BY id`,
      [info.id],
    );
    expect(attempts.map((row: { outcome: string }) => row.outcome)).toEqual(['denied', 'denied', 'refused', 'refused', 'ok']);
    expect(attempts[0].principal_id).not.toBe(analystId);
    expect(attempts[4].principal_id).toBe(analystId);
    const [listed] = (await gateway.post('{ myExports { id } }', { token: otherAnalyst })).body.data!.myExports as { id: string }[];
    expect(listed).toBeUndefined();
  });

  it('records the export in the audit log with its row count and masked fields, never its values', async () => {
    const info = await exported(analyst, ORDERS_QUERY, 'JSONL', { first: 7 });
    const [record] = await db.dataSource.query(
      `SELECT r.outcome, r.rows_by_category, r.masked, r.categories, r.request_id FROM audit_record r JOIN data_export e ON e.request_id = r.request_id WHERE e.id = $1 AND r.operation_name = 'MakeExport'`,
      [info.id],
    );
    expect(record.outcome).toBe('ok');
    expect(record.rows_by_category.ORDERS).toBeGreaterThanOrEqual(7);
    expect(record.masked).toEqual(expect.arrayContaining(['Order.amazonOrderId', 'Order.orderTotal']));
    expect(record.categories).toContain('ORDERS');
    const [action] = await db.dataSource.query(`SELECT action, target, request_id FROM user_action WHERE action = 'export.create' AND target = $1`, [info.id]);
    expect(action.request_id).toBe(record.request_id);
    const body = await (await download(analyst, info.downloadUrl)).text();
    const maskedId = (JSON.parse(body.split('\n')[1]) as Row).amazonOrderId as string;
    const audit = JSON.stringify(await db.dataSource.query('SELECT * FROM audit_record'));
    expect(audit).not.toContain(maskedId);
  });

  it('refuses callers without the permission, purposes not granted, mutations, denied fields and documents over the limits', async () => {
    const codeOf = (body: GraphQLResponseBody) => body.errors?.[0]?.extensions?.code;
    expect(codeOf((await createExport(catalogManager, ORDERS_QUERY, 'JSONL', undefined, 'LISTING_MAINTENANCE')).body)).toBe('FORBIDDEN');
    expect(codeOf((await createExport(admin, ORDERS_QUERY, 'JSONL', undefined, PURPOSE)).body)).toBe('PURPOSE_NOT_GRANTED');
    expect(codeOf((await createExport(analyst, ORDERS_QUERY, 'JSONL', undefined, null)).body)).toBe('PURPOSE_REQUIRED');

    const mutation = await createExport(analyst, 'mutation { signOffAccessReview(note: "x") { reviewer } }', 'JSONL');
    expect(codeOf(mutation.body)).toBe('BAD_USER_INPUT');
    expect(mutation.body.errors![0].message).toMatch(/Only queries can be exported; this operation is a mutation/);

    const denied = await createExport(analyst, '{ orders(first: 3) { nodes { id shipPostalCode } } }', 'CSV');
    expect(codeOf(denied.body)).toBe('FORBIDDEN');
    expect(denied.body.errors![0].message).toMatch(/FORBIDDEN at orders\.nodes\.0\.shipPostalCode \(Order\.shipPostalCode\)/);

    const aliases = await createExport(analyst, '{ orders(first: 1) { a: nodes { id } b: nodes { id } c: nodes { id } d: nodes { id } } }', 'JSONL');
    expect(codeOf(aliases.body)).toBe('QUERY_TOO_COMPLEX');
    expect(aliases.body.errors![0].message).toMatch(/MAX_ALIASES/);

    const twoLists = await createExport(analyst, '{ orders(first: 2) { nodes { id } edges { cursor } } }', 'JSONL');
    expect(codeOf(twoLists.body)).toBe('BAD_USER_INPUT');
    expect(twoLists.body.errors![0].message).toMatch(/select exactly one list field .* found nodes, edges/);

    const [{ count }] = await db.dataSource.query(`SELECT count(*)::int AS count FROM data_export WHERE principal_id <> $1`, [analystId]);
    expect(count).toBe(0);
  });

  it('is gone once it expires: refused at once, then deleted by the sweep', async () => {
    const info = await exported(analyst, ORDERS_EDGES_QUERY, 'CSV');
    expect(new Date(info.expiresAt).getTime() - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    offsetMs = 24 * 3_600_000 + 60_000;
    try {
      const late = await download(analyst, info.downloadUrl);
      expect([410, 404]).toContain(late.status);
      const deadline = Date.now() + 5_000;
      let remaining = 1;
      while (remaining > 0 && Date.now() < deadline) {
        [{ remaining }] = await db.dataSource.query('SELECT count(*)::int AS remaining FROM data_export WHERE id = $1', [info.id]);
        if (remaining > 0) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(remaining).toBe(0);
      expect((await download(analyst, info.downloadUrl)).status).toBe(404);
      const listed = (await gateway.post('{ myExports { id } }', { token: analyst })).body.data!.myExports as { id: string }[];
      expect(listed).toEqual([]);
    } finally {
      offsetMs = 0;
    }
  });

  it('is not served to a user whose role changed since it was made, nor to a user whose subject is the maker token\'s id', async () => {
    const userJwt = (role: string) =>
      new SignJWT({ role }).setProtectedHeader({ alg: 'HS256' }).setSubject('user-export-7').setIssuedAt().setExpirationTime('10m').sign(new TextEncoder().encode(JWT_SECRET));
    const asFinance = await userJwt('finance');
    const made = await createExport(asFinance, ORDERS_EDGES_QUERY, 'JSONL');
    expect(made.body.errors).toBeUndefined();
    const info = (made.body.data as { createExport: ExportInfo }).createExport;
    expect((await download(asFinance, info.downloadUrl)).status).toBe(200);

    // The same user, now an analyst (EXPORT_DATA and the purpose, but masked where finance reads in full).
    const asAnalyst = await userJwt('analyst');
    const refused = await download(asAnalyst, info.downloadUrl);
    expect(refused.status).toBe(403);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error).toEqual({ code: 'FORBIDDEN', message: `Export ${info.id} was made under role finance; this principal now has role analyst: make the export again` });
    const [attempt] = await db.dataSource.query(
      `SELECT outcome, error_codes, principal_role FROM audit_record WHERE operation_name = 'GET /exports/:id' AND variables->>'exportId' = $1 ORDER BY id DESC LIMIT 1`,
      [info.id],
    );
    expect(attempt).toEqual({ outcome: 'refused', error_codes: ['FORBIDDEN'], principal_role: 'analyst' });
    // Listed only where it is served.
    expect(await listedExports(asFinance)).toContain(info.id);
    expect(await listedExports(asAnalyst)).not.toContain(info.id);

    // A user whose subject is the id of the analyst token that made an export is another principal.
    const mine = await exported(analyst, ORDERS_EDGES_QUERY, 'JSONL');
    const namesake = await new SignJWT({ role: 'analyst' }).setProtectedHeader({ alg: 'HS256' }).setSubject(analystId).setIssuedAt().setExpirationTime('10m').sign(new TextEncoder().encode(JWT_SECRET));
    expect((await download(namesake, mine.downloadUrl)).status).toBe(404);
    const listed = (await gateway.post('{ myExports { id } }', { token: namesake })).body.data!.myExports as { id: string }[];
    expect(listed.map((each) => each.id)).not.toContain(mine.id);
    expect((await download(analyst, mine.downloadUrl)).status).toBe(200);
  });

  it("is not served to a principal whose row scope has narrowed since it was made, and served to the same or a wider scope", async () => {
    const userJwt = (claims: Record<string, unknown>) =>
      new SignJWT({ role: 'finance', ...claims }).setProtectedHeader({ alg: 'HS256' }).setSubject('user-export-scope').setIssuedAt().setExpirationTime('10m').sign(new TextEncoder().encode(JWT_SECRET));
    const SETTLEMENTS = 'query Payouts { settlements(first: 100) { nodes { id sellerAccountId marketplaceId totalAmount currency } } }';
    const unscoped = await userJwt({});
    const made = await createExport(unscoped, SETTLEMENTS, 'JSONL', undefined, 'ACCOUNTING');
    expect(made.body.errors).toBeUndefined();
    const info = (made.body.data as { createExport: ExportInfo }).createExport;
    const accounts = new Set((await (await download(unscoped, info.downloadUrl)).text()).split('\n').slice(1).filter(Boolean).map((line) => (JSON.parse(line) as Row).sellerAccountId));
    expect(accounts.size).toBeGreaterThan(1);
    const [stored] = await db.dataSource.query('SELECT scope_accounts, scope_marketplaces, categories FROM data_export WHERE id = $1', [info.id]);
    expect(stored).toEqual({ scope_accounts: null, scope_marketplaces: null, categories: ['INVENTORY_FINANCE'] });

    // The same subject, now limited to JP: a live query shows JP only, and the file is refused.
    const jpOnly = await userJwt({ accounts: ['A3SGDEMOJP0003'] });
    const live = await gateway.post(SETTLEMENTS, { token: jpOnly, purpose: 'ACCOUNTING' });
    expect(new Set((live.body.data!.settlements as { nodes: Row[] }).nodes.map((node) => node.sellerAccountId))).toEqual(new Set(['A3SGDEMOJP0003']));
    const refused = await download(jpOnly, info.downloadUrl);
    expect(refused.status).toBe(403);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('FORBIDDEN');
    expect(body.error.message).toMatch(/outside your current scope/);
    const [attempt] = await db.dataSource.query(
      `SELECT outcome, error_codes FROM audit_record WHERE operation_name = 'GET /exports/:id' AND variables->>'exportId' = $1 ORDER BY id DESC LIMIT 1`,
      [info.id],
    );
    expect(attempt).toEqual({ outcome: 'refused', error_codes: ['FORBIDDEN'] });
    expect((await download(await userJwt({ marketplaces: ['A1VC38T7YXB528'] }), info.downloadUrl)).status).toBe(403);
    expect(await listedExports(jpOnly)).not.toContain(info.id);
    expect(await listedExports(unscoped)).toContain(info.id);

    // An export made under the JP scope is served to the same scope and to a wider one.
    const jpMade = await createExport(jpOnly, SETTLEMENTS, 'JSONL', undefined, 'ACCOUNTING');
    expect(jpMade.body.errors).toBeUndefined();
    const jpInfo = (jpMade.body.data as { createExport: ExportInfo }).createExport;
    const [jpStored] = await db.dataSource.query('SELECT scope_accounts, scope_marketplaces FROM data_export WHERE id = $1', [jpInfo.id]);
    expect(jpStored).toEqual({ scope_accounts: ['A3SGDEMOJP0003'], scope_marketplaces: null });
    expect((await download(jpOnly, jpInfo.downloadUrl)).status).toBe(200);
    expect((await download(await userJwt({ accounts: ['A3SGDEMOJP0003', 'A2SGDEMOEU0002'] }), jpInfo.downloadUrl)).status).toBe(200);
    expect((await download(unscoped, jpInfo.downloadUrl)).status).toBe(200);
    expect((await download(await userJwt({ accounts: ['A2SGDEMOEU0002'] }), jpInfo.downloadUrl)).status).toBe(403);
    expect(await listedExports(jpOnly)).toContain(jpInfo.id);
    expect(await listedExports(await userJwt({ accounts: ['A2SGDEMOEU0002'] }))).toEqual(expect.not.arrayContaining([jpInfo.id, info.id]));
  });

  it('serves an export made under a policy whose version label is any text (header percent-encoded, watermark one line)', async () => {
    const document = JSON.parse(JSON.stringify(policyDocument(defaultPolicy()))) as { version?: string };
    document.version = 'Q4 – review\n=1+1';
    const { policy } = await applyPolicy(db.dataSource, document, { appliedBy: 'test', baseline: baselinePolicy(loadConfig({ ...process.env, NODE_ENV: 'test' })) });
    // Until the process follows the change, an export is made under the previous version, or
    // refused once with POLICY_CHANGED (send it again) when the change lands while it starts.
    const deadline = Date.now() + 10_000;
    const attempt = async (): Promise<ExportInfo | null> => {
      const response = await createExport(analyst, ORDERS_EDGES_QUERY, 'CSV');
      if (response.body.errors?.every((error) => error.extensions?.reason === 'POLICY_CHANGED')) return null;
      expect(response.body.errors).toBeUndefined();
      return (response.body.data as { createExport: ExportInfo }).createExport;
    };
    let info = await attempt();
    while (info?.policyVersion !== policy.version && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      info = await attempt();
    }
    if (!info) throw new Error('every export was refused with POLICY_CHANGED');
    expect(info.policyVersion).toBe(policy.version);
    const response = await download(analyst, info.downloadUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-sellergate-export-policy-version')).toBe(encodeURIComponent(policy.version));
    const [watermark, header] = (await response.text()).split('\n');
    expect(watermark).toContain(`policyVersion=${JSON.stringify(policy.version)} `);
    expect(header).toBe('id,amazonOrderId,orderTotal,status,merchantOrderId');
  });

  it('is not served once the policy in force no longer grants the purpose it was made for', async () => {
    const reporting = await exported(analyst, ORDERS_EDGES_QUERY, 'JSONL');
    expect((await download(analyst, reporting.downloadUrl)).status).toBe(200);

    // `policy apply`: analyst keeps EXPORT_DATA and BUSINESS_ANALYSIS, loses OPERATIONAL_REPORTING.
    const document = JSON.parse(JSON.stringify(policyDocument(defaultPolicy()))) as { version?: string; roles: Record<string, { purposes: string[]; grants: Record<string, unknown> }> };
    document.version = 'analyst-without-reporting';
    document.roles.analyst.purposes = document.roles.analyst.purposes.filter((purpose) => purpose !== PURPOSE);
    delete document.roles.analyst.grants[PURPOSE];
    await applyPolicy(db.dataSource, document, { appliedBy: 'test', baseline: baselinePolicy(loadConfig({ ...process.env, NODE_ENV: 'test' })) });

    const deadline = Date.now() + 3_000;
    let refused = await download(analyst, reporting.downloadUrl);
    while (refused.status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      refused = await download(analyst, reporting.downloadUrl);
    }
    expect(refused.status).toBe(403);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('PURPOSE_NOT_GRANTED');
    expect(body.error.message).toContain(PURPOSE);
    const [attempt] = await db.dataSource.query(
      `SELECT outcome, error_codes FROM audit_record WHERE operation_name = 'GET /exports/:id' AND variables->>'exportId' = $1 ORDER BY id DESC LIMIT 1`,
      [reporting.id],
    );
    expect(attempt).toEqual({ outcome: 'refused', error_codes: ['PURPOSE_NOT_GRANTED'] });
    expect(await listedExports(analyst)).not.toContain(reporting.id);
  });
});
