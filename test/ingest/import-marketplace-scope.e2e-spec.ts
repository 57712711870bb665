// An import by a principal limited to some marketplaces writes only rows of those marketplaces:
// a row the file places in another marketplace (the All Orders report's `sales-channel`) is not
// inserted, an existing row of another marketplace is neither overwritten nor moved into the
// scope (whatever marketplace the file gives it), and its children are left alone too; every
// such row is counted in `rowsOutOfScope`, and the rows within the scope are still written.
import { Readable } from 'node:stream';
import { UNRESTRICTED_SCOPE } from '../../src/auth/principal';
import { importStream } from '../../src/ingest/import-file';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestCatalog, testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';

jest.setTimeout(120_000);

const EU = 'A2SGDEMOEU0002';
const UK = 'A1F83G8C2ARO7P';
const DE = 'A1PA6795UKMFR9';
const TYPE = 'GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL';

const HEADER = ['amazon-order-id', 'merchant-order-id', 'purchase-date', 'last-updated-date', 'order-status', 'fulfillment-channel', 'sales-channel', 'product-name', 'sku', 'item-status', 'quantity', 'currency', 'item-price', 'ship-country'];
interface OrderRow {
  id: string;
  channel: string;
  status: string;
  sku: string;
  quantity: number;
  currency: string;
}
const ordersFile = (rows: OrderRow[]) =>
  [HEADER.join('\t'), ...rows.map((r) => [r.id, '', '2025-06-01T10:00:00+00:00', '2025-06-02T10:00:00+00:00', r.status, 'Amazon', r.channel, 'Widget', r.sku, r.status, String(r.quantity), r.currency, '10.00', ''].join('\t'))].join('\n') + '\n';

const DE_EXISTING = '302-0000001-0000001';
const DE_TO_MOVE = '302-0000002-0000002';
const UK_EXISTING = '202-0000003-0000003';
const DE_NEW = '302-0000004-0000004';
const UK_NEW = '202-0000005-0000005';

describe('imports within the marketplaces of the row scope', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let ukToken: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestCatalog(db.dataSource);
    gateway = await startTestGateway(db);
    // Existing orders of the EU account: two in Germany, one in the UK (imported by the operator).
    const seeded = await importStream(
      db.dataSource,
      Readable.from([
        ordersFile([
          { id: DE_EXISTING, channel: 'Amazon.de', status: 'Pending', sku: 'DE-SKU-1', quantity: 1, currency: 'EUR' },
          { id: DE_TO_MOVE, channel: 'Amazon.de', status: 'Pending', sku: 'DE-SKU-2', quantity: 1, currency: 'EUR' },
          { id: UK_EXISTING, channel: 'Amazon.co.uk', status: 'Pending', sku: 'UK-SKU-1', quantity: 1, currency: 'GBP' },
        ]),
      ]),
      { account: EU, marketplace: UK, type: TYPE, importedBy: 'test', scope: UNRESTRICTED_SCOPE },
    );
    expect(seeded).toMatchObject({ status: 'SUCCEEDED', rowsInserted: 6, rowsOutOfScope: 0 });
    ukToken = await testTokenFor(db.dataSource, 'admin', { accounts: [EU], marketplaces: [UK] });
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  const order = async (id: string) =>
    (await db.dataSource.query('SELECT marketplace_id, status, import_run_id::text AS run FROM amazon_order WHERE amazon_order_id = $1', [id]))[0] as
      | { marketplace_id: string; status: string; run: string }
      | undefined;
  const items = async (id: string) =>
    db.dataSource.query('SELECT i.sku, i.quantity FROM order_item i JOIN amazon_order o ON o.id = i.order_id WHERE o.amazon_order_id = $1 ORDER BY i.sku', [id]);

  const post = async (token: string, file: string) => {
    const response = await fetch(`${gateway.url}/imports?account=${EU}&marketplace=${UK}&type=${TYPE}`, {
      method: 'POST',
      headers: { 'content-type': 'text/tab-separated-values', authorization: `Bearer ${token}` },
      body: file,
    });
    return { status: response.status, summary: (await response.json()) as Record<string, any> };
  };

  it('does not insert, overwrite or move rows of a marketplace outside the scope, counts them, and writes the rows within it', async () => {
    const before = { de: await order(DE_EXISTING), move: await order(DE_TO_MOVE) };
    const { status, summary } = await post(
      ukToken,
      ordersFile([
        // Insert attempt: a new German order.
        { id: DE_NEW, channel: 'Amazon.de', status: 'Shipped', sku: 'DE-SKU-9', quantity: 7, currency: 'EUR' },
        // Overwrite attempt: an existing German order, still German.
        { id: DE_EXISTING, channel: 'Amazon.de', status: 'Cancelled', sku: 'DE-SKU-1', quantity: 9, currency: 'EUR' },
        // Move attempt: an existing German order the file places in the UK.
        { id: DE_TO_MOVE, channel: 'Amazon.co.uk', status: 'Shipped', sku: 'DE-SKU-2', quantity: 5, currency: 'GBP' },
        // Within the scope: an update and an insert.
        { id: UK_EXISTING, channel: 'Amazon.co.uk', status: 'Shipped', sku: 'UK-SKU-1', quantity: 1, currency: 'GBP' },
        { id: UK_NEW, channel: 'Amazon.co.uk', status: 'Shipped', sku: 'UK-SKU-2', quantity: 2, currency: 'GBP' },
      ]),
    );
    expect(status).toBe(200);
    expect(summary).toMatchObject({
      status: 'SUCCEEDED',
      rowsRead: 5,
      rowsRejected: 0,
      // Three orders and their three items.
      rowsOutOfScope: 6,
      rowsInserted: 2,
      // The UK order and its item (status).
      rowsUpdated: 2,
      tables: { amazon_order: { inserted: 1, updated: 1, outOfScope: 3 }, order_item: { inserted: 1, updated: 1, outOfScope: 3 } },
    });
    expect(await order(DE_NEW)).toBeUndefined();
    expect(await order(DE_EXISTING)).toEqual(before.de);
    expect(await order(DE_TO_MOVE)).toEqual(before.move);
    expect(before.de).toMatchObject({ marketplace_id: DE, status: 'Pending' });
    expect(before.move).toMatchObject({ marketplace_id: DE, status: 'Pending' });
    expect(await items(DE_EXISTING)).toEqual([{ sku: 'DE-SKU-1', quantity: 1 }]);
    expect(await items(DE_TO_MOVE)).toEqual([{ sku: 'DE-SKU-2', quantity: 1 }]);
    expect(await order(UK_EXISTING)).toMatchObject({ marketplace_id: UK, status: 'Shipped', run: summary.importRunId });
    expect(await order(UK_NEW)).toMatchObject({ marketplace_id: UK, status: 'Shipped', run: summary.importRunId });
    expect(await items(UK_NEW)).toEqual([{ sku: 'UK-SKU-2', quantity: 2 }]);
    const [run] = await db.dataSource.query('SELECT rows_out_of_scope, rows_inserted, rows_updated FROM import_run WHERE id = $1', [summary.importRunId]);
    expect(run).toEqual({ rows_out_of_scope: 6, rows_inserted: 2, rows_updated: 2 });
  });

  it('leaves the UK-scoped principal reading only UK orders (none was moved into its scope)', async () => {
    const visible: { amazon_order_id: string }[] = await db.dataSource.query(
      'SELECT amazon_order_id FROM amazon_order WHERE seller_account_id = $1 AND marketplace_id = ANY($2) ORDER BY amazon_order_id',
      [EU, [UK]],
    );
    expect(visible.map((row) => row.amazon_order_id)).toEqual([UK_EXISTING, UK_NEW]);
  });

  it('leaves every row of a file wholly outside the scope alone (direct import, no entry check)', async () => {
    const summary = await importStream(
      db.dataSource,
      Readable.from([ordersFile([{ id: DE_EXISTING, channel: 'Amazon.de', status: 'Shipped', sku: 'DE-SKU-1', quantity: 3, currency: 'EUR' }])]),
      { account: EU, marketplace: DE, type: TYPE, importedBy: 'test', scope: { accounts: [EU], marketplaces: [UK] } },
    );
    expect(summary).toMatchObject({ status: 'SUCCEEDED', rowsInserted: 0, rowsUpdated: 0, rowsOutOfScope: 2 });
    expect(await order(DE_EXISTING)).toMatchObject({ marketplace_id: DE, status: 'Pending' });
  });

  it('lets a principal not limited in marketplaces write every marketplace of the account', async () => {
    const summary = await importStream(
      db.dataSource,
      Readable.from([ordersFile([{ id: DE_NEW, channel: 'Amazon.de', status: 'Shipped', sku: 'DE-SKU-9', quantity: 7, currency: 'EUR' }])]),
      { account: EU, marketplace: UK, type: TYPE, importedBy: 'test', scope: { accounts: [EU], marketplaces: null } },
    );
    expect(summary).toMatchObject({ status: 'SUCCEEDED', rowsInserted: 2, rowsOutOfScope: 0 });
    expect(await order(DE_NEW)).toMatchObject({ marketplace_id: DE });
  });
});
