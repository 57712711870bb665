// An import cannot change rows another scope sees: a product is shared by every account that lists
// its ASIN, so an import by a principal limited to the Japanese account leaves a product the US
// account lists as it is, and its import run says how many rows it left alone.
import { UNRESTRICTED_SCOPE } from '../../src/auth/principal';
import { importStream } from '../../src/ingest/import-file';
import { Readable } from 'node:stream';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestCatalog, testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';

jest.setTimeout(120_000);

const US = 'A1SGDEMOUS0001';
const JP = 'A3SGDEMOJP0003';
const JP_MARKETPLACE = 'A1VC38T7YXB528';

const HEADER = ['item-name', 'listing-id', 'seller-sku', 'price', 'quantity', 'open-date', 'asin1', 'fulfillment-channel', 'status'].join('\t');
const listingsFile = (rows: { asin: string; title: string; sku: string }[]) =>
  [HEADER, ...rows.map((row) => [row.title, `L${row.sku}`, row.sku, '1200', '3', '2025-06-01 10:00:00 JST', row.asin, 'DEFAULT', 'Active'].join('\t'))].join('\n') + '\n';

describe('imports within the row scope', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let sharedAsin: string;
  let sharedTitle: string;
  let jpOnlyAsin: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestCatalog(db.dataSource);
    gateway = await startTestGateway(db);
    // A product the US account lists (and the Japanese one does not), and one only the Japanese account lists.
    [{ asin: sharedAsin, title: sharedTitle }] = await db.dataSource.query(
      `SELECT p.asin, p.title FROM product p WHERE EXISTS (SELECT 1 FROM listing l WHERE l.asin = p.asin AND l.seller_account_id = $1)
         AND NOT EXISTS (SELECT 1 FROM listing l WHERE l.asin = p.asin AND l.seller_account_id <> $1) ORDER BY p.asin LIMIT 1`,
      [US],
    );
    [{ asin: jpOnlyAsin }] = await db.dataSource.query(
      `SELECT p.asin FROM product p WHERE NOT EXISTS (SELECT 1 FROM listing l WHERE l.asin = p.asin AND l.seller_account_id <> $1)
         AND EXISTS (SELECT 1 FROM listing l WHERE l.asin = p.asin) ORDER BY p.asin LIMIT 1`,
      [JP],
    );
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  const titleOf = async (asin: string) => (await db.dataSource.query('SELECT title FROM product WHERE asin = $1', [asin]))[0]?.title;

  it("leaves a product another account lists as it is when a JP-scoped principal imports (POST /imports), and says so", async () => {
    const token = await testTokenFor(db.dataSource, 'admin', { accounts: [JP] });
    const file = listingsFile([
      { asin: sharedAsin, title: 'Retitled by the JP import', sku: 'JP-SHARED-1' },
      { asin: jpOnlyAsin, title: 'JP title', sku: 'JP-OWN-1' },
    ]);
    const response = await fetch(`${gateway.url}/imports?account=${JP}&marketplace=${JP_MARKETPLACE}&type=GET_MERCHANT_LISTINGS_ALL_DATA`, {
      method: 'POST',
      headers: { 'content-type': 'text/tab-separated-values', authorization: `Bearer ${token}` },
      body: file,
    });
    const summary = (await response.json()) as { status: string; rowsOutOfScope: number; importRunId: string; tables: Record<string, { outOfScope?: number }> };
    expect(response.status).toBe(200);
    expect(summary).toMatchObject({ status: 'SUCCEEDED', rowsOutOfScope: 1, tables: { product: { outOfScope: 1 } } });
    expect(await titleOf(sharedAsin)).toBe(sharedTitle);
    // A product only its own scope sees is still maintained; its own listings are written.
    expect(await titleOf(jpOnlyAsin)).toBe('JP title');
    expect(await db.dataSource.query('SELECT seller_sku FROM listing WHERE seller_account_id = $1 AND seller_sku LIKE $2 ORDER BY seller_sku', [JP, 'JP-%'])).toEqual([
      { seller_sku: 'JP-OWN-1' },
      { seller_sku: 'JP-SHARED-1' },
    ]);
    const [run] = await db.dataSource.query('SELECT rows_out_of_scope FROM import_run WHERE id = $1', [summary.importRunId]);
    expect(run).toEqual({ rows_out_of_scope: 1 });
  });

  it('lets a principal not limited in scope maintain shared products', async () => {
    const summary = await importStream(db.dataSource, Readable.from([listingsFile([{ asin: sharedAsin, title: 'Operator title', sku: 'JP-SHARED-2' }])]), {
      account: JP,
      marketplace: JP_MARKETPLACE,
      type: 'GET_MERCHANT_LISTINGS_ALL_DATA',
      importedBy: 'test',
      scope: UNRESTRICTED_SCOPE,
    });
    expect(summary).toMatchObject({ status: 'SUCCEEDED', rowsOutOfScope: 0 });
    expect(await titleOf(sharedAsin)).toBe('Operator title');
  });
});
