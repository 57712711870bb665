// What must hold whatever the file: personal data never stored or logged, encodings do not change
// rows, bad files write nothing, the same file twice changes nothing, an interrupted import
// leaves the database as it was and a rerun completes it.
import { UNRESTRICTED_SCOPE } from '../../src/auth/principal';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { importFile, type ImportSummary } from '../../src/ingest/import-file';
import { registerAccount } from '../../src/ingest/seller-accounts';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { IT, JP, SELLER, UK, US, dataCounts, dumpAllTables, importSample, registerTestAccount, sample } from './helpers';

let db: TestDatabase;
const dir = mkdtempSync(join(tmpdir(), 'sg-import-'));
beforeAll(async () => {
  db = await createTestDatabase();
  await registerTestAccount(db.dataSource);
});
afterAll(() => db.close());

const q = (sql: string, params: unknown[] = []) => db.dataSource.query(sql, params);
function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
function importPath(path: string, options: Partial<Parameters<typeof importFile>[1]> = {}): Promise<ImportSummary> {
  return importFile(db.dataSource, { path, account: SELLER, marketplace: US, importedBy: 'test', scope: UNRESTRICTED_SCOPE, asOf: new Date('2025-07-01T00:00:00Z'), ...options });
}

const SHIPMENTS = ['GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL/jp_balmuda_2017_REDACTED.tsv', 'GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL/us_easyacc_2013_row_REDACTED.tsv'];

describe('minimization at the door', () => {
  test('the shipments samples leave no buyer name, e-mail, phone or address in the database or the logs', async () => {
    const log: unknown[] = [];
    const logger = { info: (fields: Record<string, unknown>, message: string) => log.push({ fields, message }), warn: (fields: Record<string, unknown>, message: string) => log.push({ fields, message }) };
    const summaries = [
      await importSample(db.dataSource, SHIPMENTS[0], { marketplace: JP, maxErrors: 4, logger }),
      await importSample(db.dataSource, SHIPMENTS[1], { marketplace: US, maxErrors: 1, logger }),
      await importSample(db.dataSource, SHIPMENTS[0], { marketplace: JP, logger }),
    ];
    expect(summaries.map((s) => s.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'FAILED']);
    expect(summaries[0].droppedColumns).toEqual(expect.arrayContaining(['buyer-email', 'buyer-name', 'buyer-phone-number', 'recipient-name', 'ship-address-1', 'ship-city', 'ship-phone-number', 'bill-address-1']));
    const personal: string[] = [];
    for (const path of SHIPMENTS) {
      const lines = readFileSync(sample(path), 'utf8').trim().split('\n');
      const header = lines[0].split('\t');
      for (const line of lines.slice(1)) {
        const cells = line.split('\t');
        header.forEach((name, i) => {
          if (/^(buyer-|recipient-name|ship-address|ship-phone|ship-city|bill-)/.test(name) && cells[i] && cells[i].trim() && cells[i] !== '--') personal.push(cells[i]);
        });
      }
    }
    expect(personal.length).toBeGreaterThan(20);
    const everything = [await dumpAllTables(db.dataSource), JSON.stringify(log), JSON.stringify(summaries)].join('\n');
    for (const value of new Set(personal)) expect(everything).not.toContain(value);
    expect(everything).not.toMatch(/@marketplace\.amazon/);
    // The run records which columns were dropped, by name.
    const [run] = await q("SELECT dropped_columns FROM import_run WHERE status = 'SUCCEEDED' AND report_type = 'GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL' LIMIT 1");
    expect(run.dropped_columns).toEqual(expect.arrayContaining(['buyer-email', 'bill-country']));
  });
});

describe('encodings', () => {
  // A UTF-8 sample with Japanese titles and German text, then the same text in cp932 / cp1252.
  const utf8 = readFileSync(sample('GET_MERCHANT_LISTINGS_ALL_DATA/bmad_uk_all_listings_2025.tsv'), 'utf8');
  const japanese = utf8
    .replace(/Nespresso Krups XN110BRD[^\t]*/, 'バルミューダ スチームトースター BALMUDA The Toaster K01E-GW（グレー）')
    .replace(/Krups Nespresso Essenza Mini[^\t]*/, '全自動コーヒーメーカー ｜ 0.6L');
  const german = utf8.replace(/Nespresso Krups XN110BRD[^\t]*/, '„Kaffeemaschine“ für Büro – grün, 19 bar');

  const rows = () => q("SELECT marketplace_id, seller_sku, item_name, price::text, open_date FROM listing WHERE seller_sku LIKE 'DE-1%' ORDER BY marketplace_id, seller_sku");

  test('Shift_JIS (cp932) imports to the same rows as UTF-8', async () => {
    const first = await importPath(file('jp-utf8.tsv', japanese), { marketplace: JP });
    expect(first).toMatchObject({ status: 'SUCCEEDED', encoding: 'utf8' });
    const before = await rows();
    expect(before.map((r: { item_name: string }) => r.item_name)).toContain('バルミューダ スチームトースター BALMUDA The Toaster K01E-GW（グレー）');
    const sjis = await importPath(file('jp-sjis.tsv', iconv.encode(japanese, 'cp932')), { marketplace: JP });
    expect(sjis).toMatchObject({ status: 'SUCCEEDED', encoding: 'cp932', rowsInserted: 0, rowsUpdated: 0 });
    expect(await rows()).toEqual(before);
    // Without a marketplace hint, chardet recognizes the Japanese bytes.
    const guessed = await importPath(file('jp-sjis-2.tsv', iconv.encode(japanese, 'cp932')), { marketplace: undefined, type: 'GET_MERCHANT_LISTINGS_ALL_DATA', account: SELLER });
    expect(guessed.encoding).toBe('cp932');
  });

  test('cp1252 imports to the same rows as UTF-8; --encoding overrides', async () => {
    await q("DELETE FROM listing WHERE marketplace_id = $1", [UK]);
    expect(await importPath(file('de-utf8.tsv', german), { marketplace: UK })).toMatchObject({ status: 'SUCCEEDED', encoding: 'utf8' });
    const before = await rows();
    expect(before[0].item_name).toBe('„Kaffeemaschine“ für Büro – grün, 19 bar');
    const cp1252 = await importPath(file('de-cp1252.tsv', iconv.encode(german, 'cp1252')), { marketplace: UK });
    expect(cp1252).toMatchObject({ status: 'SUCCEEDED', encoding: 'cp1252', rowsInserted: 0, rowsUpdated: 0 });
    expect(await rows()).toEqual(before);
    const forced = await importPath(file('de-cp1252-2.tsv', iconv.encode(german, 'cp1252')), { marketplace: UK, encoding: 'windows-1252' });
    expect(forced).toMatchObject({ status: 'SUCCEEDED', encoding: 'cp1252', rowsUpdated: 0 });
  });
});

describe('bad files write nothing', () => {
  const orders = readFileSync(sample('GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL/tzotopia_all_orders_row_2017_scrubbed.tsv'), 'utf8');
  const listings = readFileSync(sample('GET_FLAT_FILE_OPEN_LISTINGS_DATA/mws-rs_report.tdff.tsv'), 'utf8');
  const getOrders = readFileSync(sample('SPAPI_Orders_v0/getOrders.200.sandbox_static_0.json'), 'utf8');

  test.each([
    ['truncated TAB file', () => file('cut.tsv', listings.slice(0, 3000).replace(/\t[^\t]*$/, '')), {}, 'TRUNCATED', /line \d+.*cut short/],
    ['truncated JSON', () => file('cut.json', getOrders.slice(0, 900)), {}, 'TRUNCATED', /cut short/],
    ['binary file', () => file('photo.bin', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))), {}, 'BINARY_FILE', /binary/],
    ['spreadsheet', () => file('report.xlsx', Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(100, 1)])), {}, 'UNSUPPORTED_FORMAT', /XLSX/],
    ['empty file', () => file('empty.tsv', ''), {}, 'EMPTY_FILE', /empty/],
    ['header-only file', () => file('header.tsv', `${orders.split('\n')[0]}\n`), {}, 'HEADER_ONLY', /no data rows/],
    ['wrong type', () => file('orders.tsv', orders), { type: 'GET_MERCHANT_LISTINGS_ALL_DATA' }, 'WRONG_TYPE', /missing columns: price.*looks like GET_FLAT_FILE_ALL_ORDERS/],
    ['JSON of the wrong type', () => file('orders.json', getOrders), { type: 'SPAPI_FBA_INVENTORY_SUMMARIES_V1' }, 'WRONG_TYPE', /looks like SPAPI_ORDERS_V0/],
    ['unknown report', () => file('notes.tsv', 'colour\tsize\nred\tL\n'), {}, 'UNKNOWN_TYPE', /--type/],
    ['unknown type name', () => file('orders2.tsv', orders), { type: 'GET_NOTHING' }, 'UNKNOWN_TYPE', /Known types/],
    ['unregistered account', () => file('orders3.tsv', orders), { account: 'A9UNKNOWN0000' }, 'ACCOUNT_NOT_AUTHORIZED', /not registered/],
    ['marketplace not registered for the account', () => file('orders4.tsv', orders), { marketplace: 'A1RKKUPIHCS9HS' }, 'MARKETPLACE_NOT_AUTHORIZED', /A1RKKUPIHCS9HS/],
  ] as const)('%s', async (_name, make, options, code, message) => {
    const before = await dataCounts(db.dataSource);
    const s = await importPath(make(), options);
    expect(s).toMatchObject({ status: 'FAILED', error: { code, message: expect.stringMatching(message) }, rowsInserted: 0 });
    expect(s.error!.message).toMatch(/nothing was imported|Known types/);
    expect(await dataCounts(db.dataSource)).toEqual(before);
    const [run] = await q('SELECT status, error FROM import_run WHERE id = $1', [s.importRunId]);
    expect(run).toEqual({ status: 'FAILED', error: s.error!.message });
  });

  test('an unauthorized account is refused even when registered', async () => {
    await q("INSERT INTO seller_account (seller_id, name, authorized) VALUES ('A9SUSPENDED00', 'suspended', false)");
    const s = await importPath(file('orders5.tsv', orders), { account: 'A9SUSPENDED00' });
    expect(s.error).toMatchObject({ code: 'ACCOUNT_NOT_AUTHORIZED', message: expect.stringMatching(/not authorized/) });
  });

  test('a row for a marketplace the account may not import is rejected by line', async () => {
    await registerAccount(db.dataSource, { sellerId: 'A9USONLY00001', marketplaces: [US] });
    const s = await importPath(file('orders6.tsv', orders), { account: 'A9USONLY00001' });
    expect(s).toMatchObject({ status: 'FAILED', rejectedLines: [{ line: 2, reason: `marketplace ${IT} is not registered for seller account A9USONLY00001` }] });
  });

  test("an order id owned by another account is not taken over", async () => {
    const mine = await importPath(file('orders7.tsv', orders));
    expect(mine.status).toBe('SUCCEEDED');
    await registerAccount(db.dataSource, { sellerId: 'A9OTHER000001', marketplaces: [US, IT] });
    const theirs = await importPath(file('orders8.tsv', orders), { account: 'A9OTHER000001', maxErrors: 5 });
    expect(theirs.rejectedLines.map((r) => r.reason)).toEqual(['order already belongs to another seller account', 'its order is in neither this file nor the database (for this account)']);
    const [order] = await q("SELECT seller_account_id FROM amazon_order WHERE amazon_order_id = 'scrubbed'");
    expect(order.seller_account_id).toBe(SELLER);
  });
});

describe('idempotent and atomic', () => {
  const path = sample('GET_FLAT_FILE_OPEN_LISTINGS_DATA/mws-rs_report.tdff.tsv');

  test('the same file twice: the second run changes nothing; a changed row is the only update', async () => {
    await q('DELETE FROM listing WHERE marketplace_id = $1', [US]);
    const first = await importPath(path);
    expect(first).toMatchObject({ status: 'SUCCEEDED', rowsInserted: 243, rowsUpdated: 0, rowsUnchanged: 0 });
    const second = await importPath(path);
    expect(second).toMatchObject({ status: 'SUCCEEDED', rowsRead: 243, rowsInserted: 0, rowsUpdated: 0, rowsUnchanged: 243, sha256: first.sha256 });
    const runs = await q('SELECT DISTINCT import_run_id FROM listing WHERE marketplace_id = $1', [US]);
    expect(runs).toEqual([{ import_run_id: first.importRunId }]);
    const changed = await importPath(file('changed.tsv', readFileSync(path, 'utf8').replace('edifier-760d\tB00PMDYEHK\t1124.99', 'edifier-760d\tB00PMDYEHK\t1099.00')));
    expect(changed).toMatchObject({ rowsInserted: 0, rowsUpdated: 1, rowsUnchanged: 242 });
    const [row] = await q("SELECT price::text, import_run_id FROM listing WHERE seller_sku = 'edifier-760d' AND marketplace_id = $1", [US]);
    expect(row).toEqual({ price: '1099.00', import_run_id: changed.importRunId });
  });

  test('an import that dies half way (upload cut off after some batches) leaves the database as it was; a rerun completes it', async () => {
    const big = `sku\tasin\tprice\tquantity\n${Array.from({ length: 12000 }, (_, i) => `cut-${i}\tB0000${String(i).padStart(5, '0')}\t9.99\t${i % 50}\n`).join('')}`;
    const bytes = Buffer.from(big);
    expect(bytes.length).toBeGreaterThan(330_000);
    const before = await dumpAllTables(db.dataSource);
    let sent = false;
    const cut = new Readable({
      read() {
        if (!sent) {
          sent = true;
          // More than the decoder's sample, so several batches are written before the cut.
          for (let offset = 0; offset < 304_000; offset += 16_000) this.push(bytes.subarray(offset, offset + 16_000));
        } else this.destroy(new Error('connection reset by peer'));
      },
    });
    const progress: number[] = [];
    const failed = await importFile(db.dataSource, { stream: cut, fileName: 'upload.tsv', account: SELLER, marketplace: US, importedBy: 'test', scope: UNRESTRICTED_SCOPE, batchSize: 500, onProgress: (p) => progress.push(p.rowsRead) });
    expect(failed).toMatchObject({ status: 'FAILED', error: { code: 'ABORTED', message: expect.stringMatching(/could not be read to the end/) } });
    expect(progress.length).toBeGreaterThan(2);
    // Only the FAILED run record was added.
    const withoutRuns = (dump: string) => dump.split('## ').filter((t) => !t.startsWith('import_run')).join('## ');
    expect(withoutRuns(await dumpAllTables(db.dataSource))).toEqual(withoutRuns(before));
    const rerun = await importPath(file('big.tsv', bytes), { batchSize: 500 });
    expect(rerun).toMatchObject({ status: 'SUCCEEDED', rowsRead: 12000, rowsInserted: 12000 });
  });

  test('an error thrown in a later batch rolls back the earlier batches', async () => {
    await q('DELETE FROM listing WHERE marketplace_id = $1', [US]);
    const before = await dataCounts(db.dataSource);
    let calls = 0;
    const failed = await importPath(path, {
      batchSize: 25,
      onProgress: () => {
        if (++calls === 4) throw new Error('process killed');
      },
    });
    expect(failed).toMatchObject({ status: 'FAILED', error: { code: 'INTERNAL', message: 'The import failed (internal error): nothing was imported' } });
    expect(await dataCounts(db.dataSource)).toEqual(before);
    expect(await importPath(path)).toMatchObject({ status: 'SUCCEEDED', rowsInserted: 243 });
  });

  test('an All Orders file in small batches: every item under its own order, refused rows by line, the same file again changes nothing', async () => {
    // 30 orders of 1-3 items: orders span batches of 4, so items find their order in the batch
    // being written or in an earlier one; lines 20 and 41 carry a bad quantity.
    const header = ['amazon-order-id', 'merchant-order-id', 'purchase-date', 'order-status', 'fulfillment-channel', 'sales-channel', 'sku', 'quantity', 'item-price', 'ship-postal-code'];
    const lines = [header.join('\t')];
    for (let order = 1; order <= 30; order++) {
      for (let item = 0; item <= order % 3; item++) {
        const quantity = lines.length + 1 === 20 || lines.length + 1 === 41 ? 'two' : String(1 + item);
        lines.push([`902-${String(order).padStart(7, '0')}-0000001`, `PIPE${order}`, '2025-06-01T10:00:00+00:00', 'Shipped', 'Amazon', 'Amazon.com', `PIPE${order}-${item}`, quantity, '9.99', '10001'].join('\t'));
      }
    }
    const path = file('orders-batches.tsv', `${lines.join('\n')}\n`);
    const items = async () =>
      q(`SELECT count(*)::int AS n, count(*) FILTER (WHERE i.sku LIKE o.merchant_order_id || '-%')::int AS own
           FROM order_item i JOIN amazon_order o ON o.id = i.order_id WHERE o.amazon_order_id LIKE '902-%'`);
    const before = await dataCounts(db.dataSource);

    const refused = await importPath(path, { batchSize: 4, maxErrors: 1 });
    expect(refused).toMatchObject({ status: 'FAILED', error: { code: 'TOO_MANY_ERRORS' }, rowsRead: 40, rowsRejected: 2 });
    expect(refused.error!.message).toMatch(/line 20: quantity: .*; line 41: quantity: /);
    expect(await dataCounts(db.dataSource)).toEqual(before);

    const first = await importPath(path, { batchSize: 4, maxErrors: 2 });
    expect(first).toMatchObject({ status: 'SUCCEEDED', rowsRead: 60, rowsRejected: 2, tables: { amazon_order: { inserted: 30 }, order_item: { inserted: 58, updated: 0 } } });
    expect(first.rejectedLines.map((r) => r.line)).toEqual([20, 41]);
    expect(await items()).toEqual([{ n: 58, own: 58 }]);

    const again = await importPath(path, { batchSize: 4, maxErrors: 2 });
    expect(again).toMatchObject({ status: 'SUCCEEDED', rowsInserted: 0, rowsUpdated: 0, rowsRejected: 2, tables: { order_item: { inserted: 0, updated: 0, unchanged: 58 } } });
    expect(await items()).toEqual([{ n: 58, own: 58 }]);
  });

  test('--max-errors: bad rows skipped and listed up to N, above N nothing is written', async () => {
    const text = readFileSync(path, 'utf8').replace('edifier-b3\tB01CCBHNVS\t279.99', 'edifier-b3\tB01CCBHNVS\tcheap').replace('edifier-e10\tB009XGH2HG\t124.99\t211', 'edifier-e10\tB009XGH2HG\t124.99\t1.2E+3');
    const before = await dataCounts(db.dataSource);
    const refused = await importPath(file('two-bad.tsv', text), { maxErrors: 1 });
    expect(refused).toMatchObject({ status: 'FAILED', error: { code: 'TOO_MANY_ERRORS' }, rowsRejected: 2 });
    expect(refused.error!.message).toContain('line 4: price: not a number');
    expect(refused.error!.message).not.toContain('cheap');
    expect(await dataCounts(db.dataSource)).toEqual(before);
    const accepted = await importPath(file('two-bad-2.tsv', text), { maxErrors: 2 });
    expect(accepted).toMatchObject({ status: 'SUCCEEDED', rowsRejected: 2, rejectedLines: [{ line: 4, reason: 'price: not a number' }, { line: 6, reason: 'quantity: number in scientific notation (Excel-damaged)' }] });
  });
});
