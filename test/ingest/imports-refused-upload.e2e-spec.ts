// A refused upload gets its answer: a 50 MB binary body to POST /imports (refused as not a report),
// one over IMPORT_MAX_BYTES (refused by size, with or without a declared length), and one without
// credentials are each answered with their status and JSON reason before the connection closes,
// never a connection reset.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { registerAccount } from '../../src/ingest/seller-accounts';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';

const MB = 1024 * 1024;
const LISTINGS = join(__dirname, '..', 'fixtures', 'amazon', 'GET_FLAT_FILE_OPEN_LISTINGS_DATA', 'mws-rs_report.tdff.tsv');

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** POSTs `size` bytes in 64 KiB chunks (as a client streaming a file would), with or without Content-Length. */
function postBytes(url: string, size: number, headers: Record<string, string>, declareLength = true, chunk: Buffer = randomBytes(64 * 1024)): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream', ...headers, ...(declareLength ? { 'content-length': String(size) } : {}), ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (data: string) => (body += data));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    let sent = 0;
    const write = () => {
      while (sent < size) {
        const piece = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += piece.length;
        if (!req.write(piece)) {
          req.once('drain', write);
          return;
        }
      }
      req.end();
    };
    write();
  });
}

describe('refused uploads to POST /imports', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let admin: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await registerAccount(db.dataSource, { sellerId: 'A1UPLOADTEST01', marketplaces: ['ATVPDKIKX0DER'], name: 'Upload test' });
    admin = await testTokenFor(db.dataSource, 'admin');
    gateway = await startTestGateway(db, { env: { IMPORT_MAX_BYTES: String(20 * MB) } });
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  const url = () => `${gateway.url}/imports?account=A1UPLOADTEST01&marketplace=ATVPDKIKX0DER`;

  it('answers a 50 MB binary body with its status and JSON reason, not a connection reset', async () => {
    const huge = await startTestGateway(db, { env: { IMPORT_MAX_BYTES: String(100 * MB) } });
    try {
      const answer = await postBytes(`${huge.url}/imports?account=A1UPLOADTEST01&marketplace=ATVPDKIKX0DER`, 50 * MB, { authorization: `Bearer ${admin}` });
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      const summary = JSON.parse(answer.body) as { status: string; error?: { code: string } };
      expect(summary.status).toBe('FAILED');
      expect(summary.error?.code).toEqual(expect.any(String));
    } finally {
      await huge.stop();
    }
  });

  it('refuses a body over IMPORT_MAX_BYTES with 413 and its reason, declared length or not', async () => {
    const declared = await postBytes(url(), 50 * MB, { authorization: `Bearer ${admin}` }, true);
    expect(declared.status).toBe(413);
    expect(declared.headers.connection).toBe('close');
    expect(JSON.parse(declared.body)).toMatchObject({ error: { code: 'BAD_USER_INPUT', limit: 'IMPORT_MAX_BYTES' } });
    // Streamed without a length: a well-formed report, cut at the limit while it is being imported.
    const small = await startTestGateway(db, { env: { IMPORT_MAX_BYTES: '4096' } });
    try {
      const report = readFileSync(LISTINGS);
      const streamed = await postBytes(`${small.url}/imports?account=A1UPLOADTEST01&marketplace=ATVPDKIKX0DER`, 50 * MB, { authorization: `Bearer ${admin}`, 'content-type': 'text/tab-separated-values' }, false, report);
      expect(streamed.status).toBe(413);
      expect(JSON.parse(streamed.body)).toMatchObject({ error: { code: 'BAD_USER_INPUT', limit: 'IMPORT_MAX_BYTES', maxBytes: 4096 } });
    } finally {
      await small.stop();
    }
  });

  it('answers an unauthenticated 50 MB upload with 401 and its reason', async () => {
    const answer = await postBytes(url(), 50 * MB, {});
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
  });
});
