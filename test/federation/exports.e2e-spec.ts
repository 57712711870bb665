// Restricted exports through the federated gateway (gateway + subgraphs on separate ports, in
// this jest process) and through the single process, on one database: for the same token,
// purpose and query the files are byte for byte the same (the watermark line aside: its id and
// times differ), masked alike, refused alike, audited alike at the gateway, downloadable by no
// one else, and gone after expiry.
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestDemo, testTokenFor } from '../support/fixtures';
import { startTestGateway, type GraphQLResponseBody, type TestGateway } from '../support/gateway';
import { startTestFederation, type TestFederation } from './support/federation';
import { CREATE_EXPORT, type ExportInfo } from '../exports/support';
import { FEDERATION_ENGINES } from '../../src/federation/federated-gateway';

const PURPOSE = 'OPERATIONAL_REPORTING';

// Five orders a page: the export pages through the connection to its last page on both sides.
const ORDERS_QUERY = `query RecentOrders($first: Int) {
  orders(first: $first, status: [UNSHIPPED, PARTIALLY_SHIPPED]) {
    nodes { id amazonOrderId sellerAccountId orderTotal currency purchaseDate status items { sku quantity itemPrice } }
  }
}`;

type Row = Record<string, unknown>;
type Format = 'CSV' | 'JSONL';

interface Side {
  url: string;
  post: TestGateway['post'];
}

describe.each(FEDERATION_ENGINES)('restricted exports through the federated gateway (engine %s)', (engine) => {
  let db: TestDatabase;
  let single: TestGateway;
  let federation: TestFederation;
  let analyst: string;
  let otherAnalyst: string;
  let catalogManager: string;
  let offsetMs = 0;
  const sides = (): [Side, Side] => [
    { url: single.url, post: single.post },
    { url: federation.gatewayUrl, post: federation.post },
  ];

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestDemo(db.dataSource);
    analyst = await testTokenFor(db.dataSource, 'analyst');
    otherAnalyst = await testTokenFor(db.dataSource, 'analyst');
    catalogManager = await testTokenFor(db.dataSource, 'catalog_manager');
    const env = { RATE_LIMIT_PER_MINUTE: '0', EXPORT_SWEEP_SECONDS: '1' };
    single = await startTestGateway(db, { env });
    // Only the federated deployment's clock moves (expiry test); its subgraphs move with it.
    federation = await startTestFederation(db, { engine, env, now: () => new Date(Date.now() + offsetMs) });
  }, 120_000);
  afterAll(async () => {
    await federation?.stop();
    await single?.stop();
    await db?.close();
  });

  const createExport = (side: Side, token: string, document: string, format: Format, variables?: Row, purpose = PURPOSE) =>
    side.post(CREATE_EXPORT, { token, purpose, variables: { document, format, variables } });

  const exported = async (side: Side, token: string, document: string, format: Format, variables?: Row): Promise<{ info: ExportInfo; body: GraphQLResponseBody }> => {
    const response = await createExport(side, token, document, format, variables);
    expect(response.body.errors).toBeUndefined();
    return { info: (response.body.data as { createExport: ExportInfo }).createExport, body: response.body };
  };

  const download = (side: Side, token: string, path: string) => fetch(`${side.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

  const fileOf = async (side: Side, token: string, info: ExportInfo): Promise<{ watermark: string; rest: string }> => {
    const response = await download(side, token, info.downloadUrl);
    expect(response.status).toBe(200);
    const text = await response.text();
    const newline = text.indexOf('\n');
    return { watermark: text.slice(0, newline), rest: text.slice(newline + 1) };
  };

  const auditOf = async (exportId: string) => {
    const [record] = await db.dataSource.query(
      `SELECT r.outcome, r.rows_by_category, r.masked, r.denied, r.categories, r.error_codes FROM audit_record r JOIN data_export e ON e.request_id = r.request_id WHERE e.id = $1 AND r.operation_name = 'MakeExport'`,
      [exportId],
    );
    return record as { outcome: string; rows_by_category: Record<string, number>; masked: string[]; denied: string[]; categories: string[]; error_codes: string[] };
  };

  it.each<Format>(['JSONL', 'CSV'])('makes the same %s file as the single process, paged, masked and audited alike', async (format) => {
    const [direct, federated] = sides();
    const variables = { first: 5 };
    const made = await exported(direct, analyst, ORDERS_QUERY, format, variables);
    const viaGateway = await exported(federated, analyst, ORDERS_QUERY, format, variables);
    expect(made.info.rowCount).toBeGreaterThan(10);

    const strip = ({ id: _id, createdAt: _createdAt, expiresAt: _expiresAt, downloadUrl: _url, byteSize: _byteSize, sha256: _sha256, ...rest }: ExportInfo) => rest;
    expect(strip(viaGateway.info)).toEqual(strip(made.info));
    expect(viaGateway.info.downloadUrl).toBe(`/exports/${viaGateway.info.id}`);
    // The response's governance: the exported query's masks, under the same policy and purpose.
    expect(viaGateway.body.extensions?.governance).toEqual(made.body.extensions?.governance);
    expect((viaGateway.body.extensions?.governance as { masked: string[] }).masked).toEqual(expect.arrayContaining(['Order.amazonOrderId', 'Order.sellerAccountId']));

    const directFile = await fileOf(direct, analyst, made.info);
    const gatewayFile = await fileOf(federated, analyst, viaGateway.info);
    expect(gatewayFile.rest).toBe(directFile.rest);
    expect(gatewayFile.rest).toMatch(/psn_[0-9a-f]{16}/);
    const sameWatermark = (line: string, info: ExportInfo) =>
      line.replace(info.id, '<id>').replace(info.createdAt, '<created>').replace(info.expiresAt, '<expires>');
    expect(sameWatermark(gatewayFile.watermark, viaGateway.info)).toBe(sameWatermark(directFile.watermark, made.info));

    // The gateway's audit record of the export: the rows each subgraph read, the masks applied.
    const directAudit = await auditOf(made.info.id);
    const gatewayAudit = await auditOf(viaGateway.info.id);
    expect(gatewayAudit.outcome).toBe('ok');
    expect(gatewayAudit.rows_by_category.ORDERS).toBeGreaterThanOrEqual(viaGateway.info.rowCount);
    expect(gatewayAudit).toEqual(directAudit);
  });

  it('keeps a row-scoped token to its rows: the subgraphs apply the scope of the signed context', async () => {
    const [direct, federated] = sides();
    const [account] = await db.dataSource.query('SELECT seller_id FROM seller_account ORDER BY seller_id LIMIT 1');
    const scoped = await testTokenFor(db.dataSource, 'analyst', { accounts: [account.seller_id] });
    const made = await exported(direct, scoped, ORDERS_QUERY, 'JSONL', { first: 5 });
    const viaGateway = await exported(federated, scoped, ORDERS_QUERY, 'JSONL', { first: 5 });
    const rows = (await fileOf(federated, scoped, viaGateway.info)).rest;
    expect(rows).toBe((await fileOf(direct, scoped, made.info)).rest);
    const accounts = new Set(rows.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as Row).sellerAccountId));
    expect(accounts.size).toBe(1);
    const all = await exported(federated, analyst, ORDERS_QUERY, 'JSONL', { first: 5 });
    expect(viaGateway.info.rowCount).toBeGreaterThan(0);
    expect(viaGateway.info.rowCount).toBeLessThan(all.info.rowCount);
  });

  it('serves the file from the federated gateway to its principal only (404 for anyone else)', async () => {
    const [direct, federated] = sides();
    const { info } = await exported(federated, analyst, ORDERS_QUERY, 'JSONL', { first: 20 });
    expect((await download(federated, otherAnalyst, info.downloadUrl)).status).toBe(404);
    expect((await download(federated, analyst, info.downloadUrl)).status).toBe(200);
    // One table behind both: the single process serves it to the same principal too.
    expect((await download(direct, analyst, info.downloadUrl)).status).toBe(200);
    const attempts = await db.dataSource.query(
      `SELECT outcome, error_codes FROM audit_record WHERE operation_name = 'GET /exports/:id' AND variables->>'exportId' = $1 ORDER BY id`,
      [info.id],
    );
    expect(attempts.map((row: { outcome: string }) => row.outcome)).toEqual(['denied', 'ok', 'ok']);
  });

  it('refuses a denied field, a missing permission and an ungranted purpose exactly as the single process does', async () => {
    const [direct, federated] = sides();
    const cases: { token: string; document: string; purpose?: string; code: string }[] = [
      { token: analyst, document: '{ orders(first: 3) { nodes { id shipPostalCode } } }', code: 'FORBIDDEN' },
      { token: catalogManager, document: ORDERS_QUERY, purpose: 'LISTING_MAINTENANCE', code: 'FORBIDDEN' },
      { token: analyst, document: ORDERS_QUERY, purpose: 'AFTER_SALES', code: 'PURPOSE_NOT_GRANTED' },
      { token: analyst, document: 'mutation { revokeApiToken(id: "x") { id } }', code: 'BAD_USER_INPUT' },
    ];
    for (const testCase of cases) {
      const one = await createExport(direct, testCase.token, testCase.document, 'CSV', undefined, testCase.purpose);
      const other = await createExport(federated, testCase.token, testCase.document, 'CSV', undefined, testCase.purpose);
      expect(one.body.errors?.[0]?.extensions?.code).toBe(testCase.code);
      expect({ status: other.status, body: other.body }).toEqual({ status: one.status, body: one.body });
    }
    const denied = await createExport(federated, analyst, '{ orders(first: 3) { nodes { id shipPostalCode } } }', 'CSV');
    expect(denied.body.errors![0].message).toMatch(/FORBIDDEN at orders\.nodes\.0\.shipPostalCode \(Order\.shipPostalCode\)/);
  });

  it('refuses createExport beside another mutation field (the gateway resolves it on its own)', async () => {
    const response = await federation.post(
      'mutation { createExport(document: "{ orders(first: 1) { nodes { id } } }", format: CSV) { id } revokeApiToken(id: "x") { id } }',
      { token: analyst, purpose: PURPOSE },
    );
    expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.body.errors?.[0]?.message).toMatch(/createExport .* mutation of its own/);
  });

  it('expires on the federated gateway: refused at once, then deleted by its sweep', async () => {
    const [, federated] = sides();
    const { info } = await exported(federated, analyst, ORDERS_QUERY, 'CSV', { first: 20 });
    offsetMs = new Date(info.expiresAt).getTime() - Date.now() + 1_000;
    try {
      expect([410, 404]).toContain((await download(federated, analyst, info.downloadUrl)).status);
      const deadline = Date.now() + 5_000;
      let left = 1;
      while (left > 0 && Date.now() < deadline) {
        [{ count: left }] = await db.dataSource.query('SELECT count(*)::int AS count FROM data_export WHERE id = $1', [info.id]);
        if (left > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(left).toBe(0);
      expect((await download(federated, analyst, info.downloadUrl)).status).toBe(404);
    } finally {
      offsetMs = 0;
    }
  });
});
