// POST /imports with the report as a form's file part, as `curl -F file=@report.txt` and browsers send it.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { registerAccount } from '../../src/ingest/seller-accounts';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';

const LISTINGS = join(__dirname, '..', 'fixtures', 'amazon', 'GET_FLAT_FILE_OPEN_LISTINGS_DATA', 'mws-rs_report.tdff.tsv');

describe('POST /imports with a multipart form', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let admin: string;
  let dir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await registerAccount(db.dataSource, { sellerId: 'A1IMPORTFORM01', marketplaces: ['ATVPDKIKX0DER'], name: 'Form import test' });
    admin = await testTokenFor(db.dataSource, 'admin');
    gateway = await startTestGateway(db);
    dir = mkdtempSync(join(tmpdir(), 'sellergate-form-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await gateway?.stop();
    await db?.close();
  });

  it('imports the file part of `curl -F file=@listings.txt` and keeps its file name', async () => {
    const path = join(dir, 'listings.txt');
    copyFileSync(LISTINGS, path);
    const { stdout } = await promisify(execFile)('curl', [
      '-sS',
      '-H',
      `Authorization: Bearer ${admin}`,
      '-F',
      `file=@${path}`,
      `${gateway.url}/imports?account=A1IMPORTFORM01&marketplace=ATVPDKIKX0DER`,
    ]);
    const summary = JSON.parse(stdout) as { status: string; rowsInserted: number; reportType: string; importRunId: string };
    expect(summary).toMatchObject({ status: 'SUCCEEDED', reportType: 'GET_FLAT_FILE_OPEN_LISTINGS_DATA' });
    expect(summary.rowsInserted).toBeGreaterThan(0);
    const [run] = await db.dataSource.query('SELECT file_name FROM import_run WHERE id = $1', [summary.importRunId]);
    expect(run.file_name).toBe('listings.txt');
  });

  it('takes the first file of a form with other fields (fetch FormData), and refuses a form without a file', async () => {
    const form = new FormData();
    form.append('comment', 'weekly listings');
    form.append('report', new Blob([readFileSync(LISTINGS)]), 'weekly.tsv');
    const response = await fetch(`${gateway.url}/imports?account=A1IMPORTFORM01&marketplace=ATVPDKIKX0DER`, { method: 'POST', headers: { authorization: `Bearer ${admin}` }, body: form });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { status: string }).status).toBe('SUCCEEDED');

    const empty = new FormData();
    empty.append('comment', 'no file here');
    const refused = await fetch(`${gateway.url}/imports?account=A1IMPORTFORM01&marketplace=ATVPDKIKX0DER`, { method: 'POST', headers: { authorization: `Bearer ${admin}` }, body: empty });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('curl -F file=@') });
  });
});
