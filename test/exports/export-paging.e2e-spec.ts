// Exports of a connection page through it: the file holds every row a client paging through
// /graphql with the same token, purpose and `first` (following `pageInfo.endCursor`) reads, byte
// for byte and masked alike; more rows than EXPORT_MAX_ROWS are refused, never cut.
import { parse as parseCsv } from 'csv-parse/sync';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestDemo, testTokenFor } from '../support/fixtures';
import { startTestGateway, type GraphQLResponseBody, type TestGateway } from '../support/gateway';
import { CREATE_EXPORT, type ExportInfo } from './support';

const PURPOSE = 'OPERATIONAL_REPORTING';

// The client's own paging query: it selects pageInfo itself and takes `after` as a variable.
const ALL_ORDERS = `query AllOrders($first: Int, $after: String) {
  orders(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id amazonOrderId sellerAccountId orderTotal currency purchaseDate status items { sku quantity itemPrice } }
  }
}`;

type Row = Record<string, unknown>;

interface OrdersPage {
  orders: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: Row[] };
}

describe('exports of a connection', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let capped: TestGateway;
  let analyst: string;
  /** What the analyst reads paging through /graphql with ALL_ORDERS and first 100: each page's raw response text and rows. */
  const pages: { raw: string; nodes: Row[]; endCursor: string | null }[] = [];
  let totalCount = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestDemo(db.dataSource);
    analyst = await testTokenFor(db.dataSource, 'analyst');
    gateway = await startTestGateway(db, { env: { RATE_LIMIT_PER_MINUTE: '0' } });
    capped = await startTestGateway(db, { env: { RATE_LIMIT_PER_MINUTE: '0', EXPORT_MAX_ROWS: '20' } });

    let after: string | null = null;
    for (;;) {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${analyst}`, 'x-purpose': PURPOSE },
        body: JSON.stringify({ query: ALL_ORDERS, variables: { first: 100, after } }),
      });
      const raw = await response.text();
      const body = JSON.parse(raw) as GraphQLResponseBody;
      expect(body.errors).toBeUndefined();
      const { orders } = body.data as unknown as OrdersPage;
      totalCount = orders.totalCount;
      pages.push({ raw, nodes: orders.nodes, endCursor: orders.pageInfo.endCursor });
      if (!orders.pageInfo.hasNextPage) break;
      after = orders.pageInfo.endCursor;
    }
  }, 180_000);
  afterAll(async () => {
    await capped?.stop();
    await gateway?.stop();
    await db?.close();
  });

  const createExport = (on: TestGateway, document: string, format: 'CSV' | 'JSONL', variables?: Row) =>
    on.post(CREATE_EXPORT, { token: analyst, purpose: PURPOSE, variables: { document, format, variables } });

  const exported = async (on: TestGateway, document: string, format: 'CSV' | 'JSONL', variables?: Row): Promise<ExportInfo> => {
    const response = await createExport(on, document, format, variables);
    expect(response.body.errors).toBeUndefined();
    return (response.body.data as { createExport: ExportInfo }).createExport;
  };

  const fileOf = async (on: TestGateway, info: ExportInfo): Promise<string> => {
    const response = await on.get(info.downloadUrl, { authorization: `Bearer ${analyst}` });
    expect(response.status).toBe(200);
    return response.text();
  };

  const allNodes = () => pages.flatMap((page) => page.nodes);

  it('holds every row of every page as JSONL, byte for byte what paging through /graphql reads, masked alike', async () => {
    expect(pages.length).toBeGreaterThan(2);
    expect(allNodes()).toHaveLength(totalCount);

    const info = await exported(gateway, ALL_ORDERS, 'JSONL', { first: 100 });
    expect(info.rowCount).toBe(totalCount);
    expect(info.policyVersion).toBe(gateway.policy.version);
    const [watermark, ...lines] = (await fileOf(gateway, info)).split('\n');
    expect(JSON.parse(watermark).sellergateExport).toMatchObject({ rows: totalCount, policyVersion: gateway.policy.version });
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(totalCount);
    // Each page's lines are the JSON of that page's rows exactly as its HTTP response carried them.
    let offset = 0;
    for (const page of pages) {
      const slice = lines.slice(offset, offset + page.nodes.length);
      expect(slice).toEqual(page.nodes.map((node) => JSON.stringify(node)));
      expect(page.raw).toContain(`"nodes":[${slice.join(',')}]`);
      offset += page.nodes.length;
    }
    // Neither the paging the export added nor the client's own pageInfo is in the rows.
    expect(lines.some((line) => /pageInfo|endCursor|hasNextPage|sellergateExport/.test(line))).toBe(false);
    const first = JSON.parse(lines[0]) as Row;
    expect(first.amazonOrderId).toMatch(/^\*{3}-\*{7}-\d{4}$/);
    expect(first.sellerAccountId).toMatch(/^psn_[0-9a-f]{16}$/);

    // The audit record of the export counts the rows of all pages.
    const [record] = await db.dataSource.query(
      `SELECT r.rows_by_category FROM audit_record r JOIN data_export e ON e.request_id = r.request_id WHERE e.id = $1 AND r.operation_name = 'MakeExport'`,
      [info.id],
    );
    expect(record.rows_by_category.ORDERS).toBeGreaterThanOrEqual(totalCount);
  });

  it('pages with a small first from the after the document gives, through edges, as CSV', async () => {
    // The last 100 orders, 7 per page (15 pages); no pageInfo selected, `after` given as a literal.
    const start = pages[pages.length - 2].endCursor!;
    const expected = allNodes().slice(-(totalCount - 100 * (pages.length - 1)));
    const document = `{ orders(first: 7, after: ${JSON.stringify(start)}) { edges { node { id amazonOrderId orderTotal status } } } }`;
    const info = await exported(gateway, document, 'CSV');
    expect(info.rowCount).toBe(expected.length);
    const [header, ...records] = parseCsv(await fileOf(gateway, info), { from_line: 2 }) as string[][];
    expect(header).toEqual(['id', 'amazonOrderId', 'orderTotal', 'status']);
    const cell = (value: unknown) => (value === null ? '' : String(value));
    expect(records).toEqual(expected.map((node) => header.map((column) => cell(node[column]))));
  });

  it('exports a root that is not a connection in one execution, as before; EXPORT_MAX_ROWS holds for it too', async () => {
    const byDay = '{ salesSummary(from: "2026-08-01T00:00:00Z", to: "2026-11-01T00:00:00Z", groupBy: DAY) { suppressedGroups groups { key orders units sales } } }';
    const read = await gateway.post(byDay, { token: analyst, purpose: PURPOSE });
    expect(read.body.errors).toBeUndefined();
    const groups = (read.body.data as { salesSummary: { groups: Row[] } }).salesSummary.groups;
    expect(groups.length).toBeGreaterThan(20);
    const info = await exported(gateway, byDay, 'JSONL');
    expect(info.rowCount).toBe(groups.length);
    const [, ...lines] = (await fileOf(gateway, info)).split('\n');
    expect(lines.join('\n')).toBe(`${groups.map((group) => JSON.stringify(group)).join('\n')}\n`);
    const refused = await createExport(capped, byDay, 'CSV');
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'EXPORT_MAX_ROWS', max: 20 });
  });

  it('refuses a result over EXPORT_MAX_ROWS, naming it, and exports one up to it', async () => {
    const codeOf = (body: GraphQLResponseBody) => body.errors?.[0]?.extensions?.code;
    const before = await db.dataSource.query('SELECT count(*)::int AS count FROM data_export');
    for (const first of [7, 10, 20]) {
      const refused = await createExport(capped, ALL_ORDERS, 'JSONL', { first });
      expect(codeOf(refused.body)).toBe('BAD_USER_INPUT');
      expect(refused.body.errors![0].message).toMatch(/more than EXPORT_MAX_ROWS \(20\) rows/);
      expect(refused.body.errors![0].extensions).toMatchObject({ limit: 'EXPORT_MAX_ROWS', max: 20 });
    }
    expect(await db.dataSource.query('SELECT count(*)::int AS count FROM data_export')).toEqual(before);

    // Exactly 20 rows left after this cursor: two pages of 10, the second the last one.
    const nodes = allNodes();
    const lastPage = pages[pages.length - 1].nodes.length;
    expect(lastPage).toBeGreaterThanOrEqual(20);
    let after = pages[pages.length - 2].endCursor!;
    if (lastPage > 20) {
      const body = (await gateway.post('query C($first: Int, $after: String) { orders(first: $first, after: $after) { pageInfo { endCursor } } }', { token: analyst, purpose: PURPOSE, variables: { first: lastPage - 20, after } })).body;
      after = (body.data as { orders: { pageInfo: { endCursor: string } } }).orders.pageInfo.endCursor;
    }
    const info = await exported(capped, ALL_ORDERS, 'JSONL', { first: 10, after });
    expect(info.rowCount).toBe(20);
    const [, ...lines] = (await fileOf(capped, info)).split('\n');
    expect(lines.join('\n')).toBe(`${nodes.slice(-20).map((node) => JSON.stringify(node)).join('\n')}\n`);
  });

  it('pages an aliased root whose own selections use the names paging needs (pageInfo, the internal ones)', async () => {
    // `pageInfo` aliases totalCount here, and the text mentions the internal names: paging picks others.
    const document = `# sellergateExportAfter sellergateExportPageInfo
      query Canceled($after: String) { all: orders(first: 50, status: [CANCELED], after: $after) { pageInfo: totalCount nodes { id status } } }`;
    const expected = allNodes()
      .filter((node) => node.status === 'CANCELED')
      .map((node) => ({ id: node.id, status: node.status }));
    expect(expected.length).toBeGreaterThan(100);
    const info = await exported(gateway, document, 'JSONL', { after: null });
    const [, ...lines] = (await fileOf(gateway, info)).split('\n');
    expect(lines.join('\n')).toBe(`${expected.map((row) => JSON.stringify(row)).join('\n')}\n`);
  });

  it('refuses a connection selected through a fragment at the root instead of exporting one page of it', async () => {
    const response = await createExport(gateway, '{ ...Rows } fragment Rows on Query { orders(first: 5) { nodes { id } } }', 'JSONL');
    expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.body.errors![0].message).toMatch(/pages through the connection orders: select it once, directly at the root/);
  });
});
