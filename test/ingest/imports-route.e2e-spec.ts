// POST /imports: the same importer as the CLI, behind authentication, the IMPORT_DATA permission
// and the token's scope.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerAccount } from '../../src/ingest/seller-accounts';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';

const LISTINGS = join(__dirname, '..', 'fixtures', 'amazon', 'GET_FLAT_FILE_OPEN_LISTINGS_DATA', 'mws-rs_report.tdff.tsv');

describe('POST /imports', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let admin: string;
  let analyst: string;
  let file: Buffer;

  beforeAll(async () => {
    db = await createTestDatabase();
    await registerAccount(db.dataSource, { sellerId: 'A1IMPORTTEST01', marketplaces: ['ATVPDKIKX0DER'], name: 'Import test' });
    admin = await testTokenFor(db.dataSource, 'admin');
    analyst = await testTokenFor(db.dataSource, 'analyst');
    gateway = await startTestGateway(db);
    file = readFileSync(LISTINGS);
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  const upload = (token: string | null, query: string) =>
    fetch(`${gateway.url}/imports?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'text/tab-separated-values', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: file,
    });

  it('imports a report for a role with the import permission and answers with the run summary', async () => {
    const response = await upload(admin, 'account=A1IMPORTTEST01&marketplace=ATVPDKIKX0DER&fileName=listings.tsv');
    const summary = (await response.json()) as { status: string; rowsInserted: number; reportType: string; importRunId: string };
    expect(response.status).toBe(200);
    expect(summary.status).toBe('SUCCEEDED');
    expect(summary.rowsInserted).toBeGreaterThan(0);
    const [run] = await db.dataSource.query('SELECT file_name, status FROM import_run WHERE id = $1', [summary.importRunId]);
    expect(run).toEqual({ file_name: 'listings.tsv', status: 'SUCCEEDED' });
    const again = (await (await upload(admin, 'account=A1IMPORTTEST01&marketplace=ATVPDKIKX0DER')).json()) as { rowsInserted: number; rowsUpdated: number };
    expect(again).toMatchObject({ rowsInserted: 0, rowsUpdated: 0 });
  });

  it('refuses callers without credentials, without the permission, or for an unregistered account', async () => {
    expect((await upload(null, 'account=A1IMPORTTEST01')).status).toBe(401);
    const forbidden = await upload(analyst, 'account=A1IMPORTTEST01&marketplace=ATVPDKIKX0DER');
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    const unknown = await upload(admin, 'account=A9UNKNOWN&marketplace=ATVPDKIKX0DER');
    expect(unknown.status).toBe(403);
    expect((await db.dataSource.query("SELECT count(*)::int AS n FROM listing WHERE seller_account_id = 'A9UNKNOWN'"))[0].n).toBe(0);
  });
});
