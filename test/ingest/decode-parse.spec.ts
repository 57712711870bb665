import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { openText } from '../../src/ingest/decode';
import { readCsv, readTsv } from '../../src/ingest/flat-file.parser';
import { FlatRow, HeaderMap, isPersonalHeader } from '../../src/ingest/headers';
import { ImportError } from '../../src/ingest/import-error';
import { knownMarketplace } from '../../src/ingest/marketplaces';
import { fulfilledShipmentsReport } from '../../src/ingest/importers/shipments-returns.importer';
import { sample } from './helpers';

const JP_SHIPMENTS = 'GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL/jp_balmuda_2017_REDACTED.tsv';

async function decode(bytes: Buffer, options: Parameters<typeof openText>[1] = {}) {
  const text = await openText(Readable.from([bytes]), options);
  let all = '';
  for await (const chunk of text.chunks) all += chunk;
  return { text, all };
}

async function rejection(promise: Promise<unknown>): Promise<ImportError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ImportError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('decoding', () => {
  const utf8 = readFileSync(sample(JP_SHIPMENTS));

  test('UTF-8 without BOM is recognized and hashed', async () => {
    const { text, all } = await decode(utf8);
    expect(text.choice.encoding).toBe('utf8');
    expect(all).toBe(utf8.toString('utf8'));
    expect(text.digest().sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(text.digest().bytes).toBe(utf8.length);
  });

  test('a UTF-8 BOM is removed', async () => {
    const { text, all } = await decode(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a\tb\n1\t2\n')]));
    expect(text.choice.reason).toMatch(/byte-order mark/);
    expect(all).toBe('a\tb\n1\t2\n');
  });

  test('Shift_JIS (cp932) is recognized for a Japanese file and decodes to the same text', async () => {
    const sjis = iconv.encode(utf8.toString('utf8'), 'cp932');
    const { text, all } = await decode(sjis);
    expect(text.choice.encoding).toBe('cp932');
    expect(all).toBe(utf8.toString('utf8'));
    const hinted = await decode(sjis, { marketplace: knownMarketplace('A1VC38T7YXB528') });
    expect(hinted.text.choice.reason).toMatch(/JP marketplace/);
  });

  test('cp1252 (EU) decodes German quotes and umlauts', async () => {
    const original = 'item-name\tprice\n„Kaffeemaschine“ für Büro\t95,00\n';
    const { text, all } = await decode(iconv.encode(original, 'cp1252'), { marketplace: knownMarketplace('A1PA6795UKMFR9') });
    expect(text.choice.encoding).toBe('cp1252');
    expect(all).toBe(original);
  });

  test('--encoding overrides detection', async () => {
    const { text } = await decode(Buffer.from('a\tb\n'), { encoding: 'Shift_JIS' });
    expect(text.choice.encoding).toBe('cp932');
    await expect(decode(Buffer.from('a'), { encoding: 'ebcdic' })).rejects.toThrow(/Unknown encoding/);
  });

  test('gzip downloads are unpacked; the hash is of the file as given', async () => {
    const gz = gzipSync(utf8);
    const { text, all } = await decode(gz);
    expect(text.compressed).toBe(true);
    expect(all).toBe(utf8.toString('utf8'));
    expect(text.digest().bytes).toBe(gz.length);
  });

  test('empty, binary and spreadsheet files are refused with a clear message', async () => {
    expect((await rejection(decode(Buffer.alloc(0)))).code).toBe('EMPTY_FILE');
    expect((await rejection(decode(Buffer.from([0x00, 0x01, 0x02, 0xff, 0x10, 0x00, 0x7f]))))).toMatchObject({ code: 'BINARY_FILE' });
    expect(await rejection(decode(Buffer.from('PK\u0003\u0004xlsx-content')))).toMatchObject({ code: 'UNSUPPORTED_FORMAT', message: expect.stringMatching(/XLSX/) });
  });

  test('a UTF-8 file that turns invalid later is refused (never stored as U+FFFD)', async () => {
    const valid = Buffer.concat([Buffer.from('a\tb\n'), Buffer.alloc(300 * 1024, 0x41)]);
    const later = Buffer.from([0x0a, 0xe4, 0x0a]);
    const error = await rejection(
      (async () => {
        const text = await openText(Readable.from([valid, later]));
        for await (const chunk of text.chunks) void chunk;
      })(),
    );
    expect(error.code).toBe('ENCODING');
    expect(error.message).toMatch(/--encoding/);
  });
});

async function* chunksOf(text: string, size = 7): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

describe('TAB flat files', () => {
  test('CRLF, blank lines, short rows and quotes as literal characters', async () => {
    const file = await readTsv(chunksOf('sku\tname\tqty\tnote\r\nA-1\t"Big" speaker\t3\r\n\r\nB-2\tmug\t\t \r\n'));
    const rows = [];
    for await (const row of file.rows) rows.push(row);
    expect(file.header).toEqual(['sku', 'name', 'qty', 'note']);
    expect(rows).toEqual([
      { line: 2, cells: ['A-1', '"Big" speaker', '3'] },
      { line: 4, cells: ['B-2', 'mug', '', ' '] },
    ]);
  });

  test('a last line cut short (no line break, too few columns) means the file is truncated', async () => {
    const file = await readTsv(chunksOf('a\tb\tc\n1\t2\t3\n4\t5'));
    await expect(async () => {
      for await (const row of file.rows) void row;
    }).rejects.toMatchObject({ code: 'TRUNCATED', message: expect.stringMatching(/line 3/) });
  });

  test('a last line without a line break but complete is accepted (real mws-rs file)', async () => {
    const raw = readFileSync(sample('GET_FLAT_FILE_OPEN_LISTINGS_DATA/mws-rs_report.tdff.tsv'), 'utf8');
    const file = await readTsv(chunksOf(raw, 1000));
    let n = 0;
    for await (const row of file.rows) n += row.cells.length === 4 ? 1 : 0;
    expect(n).toBe(243);
  });
});

describe('Ads console CSV', () => {
  test('quoted cells, ="..." ids and money with signs', async () => {
    const csv = 'Budget currency,Date range,Campaign ID,Ad group ID,Search term,Impressions,Clicks,Total cost,Sales\nUSD,"Aug 18, 2026 - Aug 18, 2026","=""171234567890123""","=""181234567890123456""","usb c cable",120,3,"$1,920.00",$ 16.22\n';
    const file = await readCsv(chunksOf(csv));
    const rows = [];
    for await (const row of file.rows) rows.push(row.cells);
    expect(file.header[0]).toBe('Budget currency');
    expect(rows[0]).toEqual(['USD', 'Aug 18, 2026 - Aug 18, 2026', '="171234567890123"', '="181234567890123456"', 'usb c cable', '120', '3', '$1,920.00', '$ 16.22']);
  });
});

describe('headers and minimization at the door', () => {
  test('the shipments header: personal columns dropped by name, the rest mapped or ignored', async () => {
    const header = readFileSync(sample(JP_SHIPMENTS), 'utf8').split('\n')[0].split('\t');
    const map = new HeaderMap(header, fulfilledShipmentsReport.fields, fulfilledShipmentsReport.keepPersonal);
    expect(map.dropped).toEqual(
      expect.arrayContaining(['buyer-email', 'buyer-name', 'buyer-phone-number', 'recipient-name', 'ship-address-1', 'ship-address-2', 'ship-address-3', 'ship-phone-number', 'bill-address-1', 'bill-city', 'bill-postal-code', 'bill-country']),
    );
    expect(map.ignored).toEqual(expect.arrayContaining(['ship-state', 'ship-country', 'points-granted']));
    expect(map.ignored).not.toContain('buyer-email');
    expect(map.has('tracking-number')).toBe(true);
    const row = new FlatRow(2, ['249-0814575-0394263'], map);
    expect(row.get('amazon-order-id')).toBe('249-0814575-0394263');
    expect(row.get('sku')).toBe('');
  });

  test('personal-looking columns of unknown reports are recognized too', () => {
    expect(isPersonalHeader('bill-anything')).toBe(true);
    expect(isPersonalHeader('customer-e-mail')).toBe(true);
    expect(isPersonalHeader('購入者電話番号')).toBe(true);
    expect(isPersonalHeader('seller-sku')).toBe(false);
  });
});
