// Sync runs against the stand-in for Amazon: a full sync, the same rows as importing the same
// documents as files, nothing changed by a second run, a stopped run resumed, Amazon's rates kept,
// and every fault handled and reported without a half-written import.
import { UNRESTRICTED_SCOPE } from '../../src/auth/principal';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { importFile } from '../../src/ingest/import-file';
import { registerAccount } from '../../src/ingest/seller-accounts';
import { SP_API_RATES, rateOf } from '../../src/connectors/operation-rates';
import { closeInterruptedSyncRuns } from '../../src/connectors/sync';
import { createTestDatabase, type TestDatabase } from '../support/database';
import type { AmazonStandIn } from './stand-in/amazon-stand-in';
import { dataRows, registerDemoSeller, SELLER, DEMO_SELLER, startStandIn, sync, US, vault } from './support';

let db: TestDatabase;
let standIn: AmazonStandIn;
const q = (sql: string, params: unknown[] = []) => db.dataSource.query(sql, params);
const DATA_TABLES = 'listing, product, amazon_order, order_item, shipment, order_return, inventory_snapshot, replenishment_recommendation, fee_estimate, settlement, settlement_line, refund, campaign, ad_group, keyword, product_target, product_ad, ad_daily_metric';

async function resetData(): Promise<void> {
  await q(`TRUNCATE ${DATA_TABLES} CASCADE`);
  await q('DELETE FROM connector_cursor');
}

beforeAll(async () => {
  db = await createTestDatabase();
  await registerDemoSeller(db.dataSource);
  standIn = await startStandIn();
});
afterAll(async () => {
  await standIn?.stop();
  await db?.close();
});

let fullSync: Record<string, unknown[]>;

describe('a full sync of the demo seller', () => {
  let report: Awaited<ReturnType<typeof sync>>;
  beforeAll(async () => {
    report = await sync(db.dataSource, standIn);
    fullSync = await dataRows(db.dataSource);
  });

  test('pulls every stream of every marketplace and imports each document as its own import run', async () => {
    expect(report.errors).toEqual([]);
    expect(report).toMatchObject({ status: 'SUCCEEDED', accounts: [SELLER] });
    expect(report.documents).toBeGreaterThanOrEqual(20);
    expect(report.rowsInserted).toBeGreaterThan(1000);
    const cursors = await q('SELECT stream, marketplace_id, cursor, pending, last_success_at, last_error FROM connector_cursor ORDER BY stream');
    expect(cursors.map((c: { stream: string }) => c.stream)).toEqual([...report.streams].sort());
    for (const c of cursors) expect(c).toMatchObject({ marketplace_id: US, pending: null, last_error: null, last_success_at: expect.any(Date) });
    const runs = await q('SELECT report_type, source, status, imported_by, file_name FROM import_run WHERE id = ANY($1)', [report.importRunIds]);
    expect(runs.length).toBe(report.importRunIds.length);
    expect(new Set(runs.map((r: { source: string }) => r.source))).toEqual(new Set(['SP_API', 'ADS_API']));
    expect(new Set(runs.map((r: { report_type: string }) => r.report_type))).toEqual(
      new Set([
        'GET_MERCHANT_LISTINGS_ALL_DATA', 'GET_FLAT_FILE_OPEN_LISTINGS_DATA', 'GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL', 'GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA',
        'GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE', 'GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT', 'GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE', 'SPAPI_ORDERS_V0',
        'SPAPI_FBA_INVENTORY_SUMMARIES_V1', 'SPAPI_FINANCES', 'ADS_SP_V3_ENTITIES', 'ADS_SP_DAILY_REPORT',
        // Header-only reports (no rows that day) are empty, not failures: their attempt stays on record.
        'GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL', 'GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA', 'GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA',
      ]),
    );
    expect(runs.every((r: { imported_by: string }) => r.imported_by === 'test:connectors')).toBe(true);
    expect(runs.filter((r: { status: string }) => r.status === 'SUCCEEDED').length).toBe(report.documents);
  });

  test('asks for no restricted data: no Restricted Data Token, no buyer or address operation; personal fields dropped at the door', async () => {
    const operations = new Set(standIn.requests.map((r) => r.operation));
    for (const restricted of ['createRestrictedDataToken', 'getOrderBuyerInfo', 'getOrderAddress', 'getOrderItemsBuyerInfo', 'getOrders(restricted)']) expect(operations.has(restricted)).toBe(false);
    const [report] = await q("SELECT dropped_columns FROM import_run WHERE report_type = 'GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL' AND status = 'SUCCEEDED' LIMIT 1");
    expect(report.dropped_columns).toEqual(expect.arrayContaining(['purchase-order-number']));
  });

  test('logs every Amazon call under the run id, and raises no audit record of its own', async () => {
    const calls = await q('SELECT operation_name, http_status, account_id, principal_id, path FROM api_call_log WHERE request_id = $1', [report.runId]);
    expect(calls.length).toBe(report.apiCalls);
    expect(calls.length).toBe(standIn.requests.length);
    expect(new Set(calls.map((c: { operation_name: string }) => c.operation_name))).toEqual(expect.objectContaining({}));
    expect(calls.map((c: { operation_name: string }) => c.operation_name)).toEqual(expect.arrayContaining(['amazon.createReport', 'amazon.getOrders', 'amazon.lwaToken', 'amazon.downloadDocument', 'amazon.createAdsReport']));
    expect(calls.every((c: { account_id: string; principal_id: string }) => c.account_id === SELLER && c.principal_id === 'test:connectors')).toBe(true);
    // Pre-signed URLs carry credentials in their query: never logged.
    expect(calls.some((c: { path: string }) => /X-Amz|documents-bucket/.test(c.path))).toBe(false);
    const [{ n }] = await q('SELECT count(*)::int AS n FROM audit_record');
    expect(n).toBe(0);
    const [run] = await q('SELECT status, documents, api_calls, trigger FROM sync_run WHERE id = $1', [report.runId]);
    expect(run).toEqual({ status: 'SUCCEEDED', documents: report.documents, api_calls: report.apiCalls, trigger: 'cli' });
  });

  test('caches the LWA access token: one exchange for the whole run', () => {
    expect(standIn.count('lwaToken')).toBe(1);
  });

  test('keeps every SP-API operation within the rate and burst its model states', () => {
    for (const [operation, { rate, burst }] of Object.entries(SP_API_RATES)) {
      expect({ operation, peak: standIn.peakPerWindow(operation, 1000) }).toEqual({ operation, peak: expect.any(Number) });
      expect(standIn.peakPerWindow(operation, 1000)).toBeLessThanOrEqual(burst + Math.ceil(rate));
    }
  });
});

test('a second run changes nothing', async () => {
  const again = await sync(db.dataSource, standIn);
  expect(again.errors).toEqual([]);
  expect(again.rowsInserted).toBe(0);
  expect(again.rowsUpdated).toBe(0);
  expect(await dataRows(db.dataSource)).toEqual(fullSync);
});

test('the sync lands the same rows as importing the same documents as files', async () => {
  const documents = standIn.served.slice();
  await resetData();
  const dir = mkdtempSync(join(tmpdir(), 'sg-docs-'));
  for (const [i, doc] of documents.entries()) {
    const path = join(dir, `${i}-${doc.operation.replace(/\W+/g, '_')}`);
    writeFileSync(path, doc.body);
    const summary = await importFile(db.dataSource, { path, account: SELLER, marketplace: US, importedBy: 'test:files', scope: UNRESTRICTED_SCOPE });
    expect({ doc: doc.operation, status: summary.status === 'SUCCEEDED' || summary.error?.code === 'HEADER_ONLY' }).toEqual({ doc: doc.operation, status: true });
  }
  expect(await dataRows(db.dataSource)).toEqual(fullSync);
});

test('a run stopped half way resumes where it stopped and ends with the same rows', async () => {
  await resetData();
  const stop = new AbortController();
  // Stopped after the first page of orders was imported, with more pages to come.
  const first = await sync(db.dataSource, standIn, {
    signal: stop.signal,
    onDocument: (_summary, stream) => {
      if (stream === 'orders') stop.abort();
    },
  });
  expect(first.status).toBe('PARTIAL');
  expect(first.errors).toEqual([expect.objectContaining({ code: 'STOPPED' })]);
  const [orders] = await q("SELECT cursor, pending FROM connector_cursor WHERE stream = 'orders'");
  expect(orders).toEqual({ cursor: null, pending: expect.objectContaining({ nextToken: expect.any(String), page: '1' }) });
  const untouched = await q("SELECT count(*)::int AS n FROM connector_cursor WHERE stream LIKE 'ads-%'");
  expect(untouched).toEqual([{ n: 0 }]);
  const from = Date.now();
  const second = await sync(db.dataSource, standIn);
  expect(second.errors).toEqual([]);
  // It went on from the next page, not from the first one.
  const [resumed] = standIn.requests.filter((r) => r.operation === 'getOrders' && r.time >= from);
  expect(resumed.query).toContain('NextToken=');
  expect(await dataRows(db.dataSource)).toEqual(fullSync);
});

test('two runs of the same account at once: the second syncs nothing and says so', async () => {
  const [a, b] = await Promise.all([sync(db.dataSource, standIn, { streams: ['restock'] }), sync(db.dataSource, standIn, { streams: ['restock'] })]);
  expect([a, b].map((report) => report.errors.map((e) => e.code)).sort()).toEqual([[], ['ALREADY_RUNNING']]);
});

describe('faults', () => {
  beforeEach(() => {
    standIn.faults = {};
  });

  test('a FATAL report, an expired document URL and a truncated gzip are each reported; nothing half-written, the cursor stays', async () => {
    const before = await dataRows(db.dataSource);
    const cursorsBefore = await q("SELECT stream, cursor FROM connector_cursor WHERE stream IN ('listings', 'restock', 'open-listings') ORDER BY stream");
    standIn.faults = { fatalReports: ['GET_MERCHANT_LISTINGS_ALL_DATA'], expiredDocuments: ['GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT'], truncatedDocuments: ['GET_FLAT_FILE_OPEN_LISTINGS_DATA'] };
    const report = await sync(db.dataSource, standIn, { streams: ['listings', 'restock', 'open-listings', 'fba-returns'] });
    expect(report.status).toBe('PARTIAL');
    expect(report.errors.map((e) => [e.stream, e.code]).sort()).toEqual([
      ['listings', 'REPORT_FATAL'],
      ['open-listings', 'DOCUMENT_CORRUPT'],
      ['restock', 'DOCUMENT_URL_EXPIRED'],
    ]);
    expect(await dataRows(db.dataSource)).toEqual(before);
    expect(await q("SELECT stream, cursor FROM connector_cursor WHERE stream IN ('listings', 'restock', 'open-listings') ORDER BY stream")).toEqual(cursorsBefore);
    const status = await q("SELECT stream, last_error FROM connector_cursor WHERE last_error IS NOT NULL ORDER BY stream");
    expect(status.map((s: { stream: string }) => s.stream)).toEqual(['listings', 'open-listings', 'restock']);
    const [event] = await q("SELECT level, message FROM system_event WHERE component = 'connectors' AND request_id = $1", [report.runId]);
    expect(event.level).toBe('WARN');
    // Fixed at Amazon: the next run catches up.
    standIn.faults = {};
    const next = await sync(db.dataSource, standIn, { streams: ['listings', 'restock', 'open-listings'] });
    expect(next.errors).toEqual([]);
    expect(await q("SELECT count(*)::int AS n FROM connector_cursor WHERE last_error IS NOT NULL")).toEqual([{ n: 0 }]);
  });

  test('a CANCELLED report means no data for the window: the cursor moves on', async () => {
    standIn.faults = { cancelledReports: ['GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA'] };
    const [before] = await q("SELECT cursor FROM connector_cursor WHERE stream = 'fba-returns'");
    const report = await sync(db.dataSource, standIn, { streams: ['fba-returns'] });
    expect(report).toMatchObject({ status: 'SUCCEEDED', documents: 0 });
    const [after] = await q("SELECT cursor FROM connector_cursor WHERE stream = 'fba-returns'");
    expect(after.cursor.getTime()).toBeGreaterThan(before.cursor.getTime());
  });

  test('429 with Retry-After, 503 and a dropped connection are retried; the run succeeds', async () => {
    standIn.faults = {
      throttle: [{ operation: 'listTransactions', times: 2, retryAfter: 1 }],
      unavailable: [{ operation: 'getInventorySummaries', times: 2 }],
      dropConnection: [{ operation: 'getOrders', times: 1 }],
    };
    const from = Date.now();
    const report = await sync(db.dataSource, standIn, { streams: ['orders', 'finances', 'inventory'] });
    expect(report.errors).toEqual([]);
    const transactions = standIn.requests.filter((r) => r.operation === 'listTransactions' && r.time >= from);
    expect(transactions.slice(0, 3).map((r) => r.status)).toEqual([429, 429, 200]);
    // Retry-After: 1 second was honored between the throttled attempts.
    expect(transactions[1].time - transactions[0].time).toBeGreaterThanOrEqual(990);
    expect(standIn.requests.filter((r) => r.operation === 'getInventorySummaries' && r.time >= from).map((r) => r.status).slice(0, 3)).toEqual([503, 503, 200]);
    expect(standIn.requests.filter((r) => r.operation === 'getOrders' && r.time >= from).map((r) => r.status).slice(0, 2)).toEqual([-1, 200]);
    const calls = await q("SELECT http_status, error_code FROM api_call_log WHERE request_id = $1 AND operation_name = 'amazon.listTransactions' ORDER BY time", [report.runId]);
    expect(calls.slice(0, 2)).toEqual([{ http_status: 429, error_code: 'QuotaExceeded' }, { http_status: 429, error_code: 'QuotaExceeded' }]);
  });

  test('a throttled run slows down to the rate Amazon states in x-amzn-RateLimit-Limit', async () => {
    standIn.pollsBeforeDone = 6;
    standIn.faults = { throttle: [{ operation: 'getReport', times: 1, limit: 1, retryAfter: 0 }] };
    const from = Date.now();
    try {
      const report = await sync(db.dataSource, standIn, { streams: ['listings', 'restock'], pollMs: 1 });
      expect(report.errors).toEqual([]);
    } finally {
      standIn.pollsBeforeDone = 1;
    }
    const polls = standIn.requests.filter((r) => r.operation === 'getReport' && r.time >= from);
    expect(polls.length).toBeGreaterThanOrEqual(14);
    // Model: 2 per second, burst 15. After the 429 saying 1 per second, at most one a second.
    const throttledAt = polls.find((r) => r.status === 429)!.time;
    expect(standIn.peakPerWindow('getReport', 1000, throttledAt + 1)).toBeLessThanOrEqual(1 + 1);
    expect(rateOf('getReport')).toEqual({ rate: 2, burst: 15 });
  });

  test('the Ads API answering 425 for a duplicate report: the existing report is used', async () => {
    // A run that stopped after asking for the report, before recording it: the same request again.
    await q("DELETE FROM connector_cursor WHERE stream = 'ads-campaigns'");
    const report = await sync(db.dataSource, standIn, { streams: ['ads-campaigns'] });
    expect(report.errors).toEqual([]);
    const creates = standIn.requests.filter((r) => r.operation === 'ads POST /reporting/reports').slice(-4);
    expect(creates.every((r) => r.status === 425)).toBe(true);
    expect(report.rowsInserted).toBe(0);
    expect(report.documents).toBeGreaterThan(0);
  });

  test('a refused refresh token marks the credential stale and raises an alert in the system logs', async () => {
    standIn.faults = { refusedRefreshTokens: [DEMO_SELLER.refreshToken] };
    const report = await sync(db.dataSource, standIn, { streams: ['orders'] });
    expect(report.status).toBe('FAILED');
    expect(report.errors).toEqual([expect.objectContaining({ account: SELLER, code: 'REFRESH_TOKEN_REFUSED' })]);
    const credentials = await db.dataSource.transaction((manager) => vault.list(manager, { staleOnly: true }, UNRESTRICTED_SCOPE));
    expect(credentials.map((c) => c.kind)).toEqual(['REFRESH_TOKEN']);
    const [alert] = await q("SELECT level, message FROM system_event WHERE component = 'connectors' AND level = 'ERROR' AND message LIKE '%refused the refresh token%'");
    expect(alert.message).toContain(SELLER);
    expect(alert.message).not.toContain(DEMO_SELLER.refreshToken);
    // Stored again: no longer stale.
    await db.dataSource.transaction((manager) => vault.set(manager, { sellerAccountId: SELLER, kind: 'REFRESH_TOKEN' as never, secret: DEMO_SELLER.refreshToken, actor: 'test' }));
    standIn.faults = {};
    expect(await db.dataSource.transaction((manager) => vault.list(manager, { staleOnly: true }, UNRESTRICTED_SCOPE))).toEqual([]);
    expect((await sync(db.dataSource, standIn, { streams: ['orders'] })).errors).toEqual([]);
  });

  test('a marketplace the authorization does not cover is reported, not synced', async () => {
    await registerAccount(db.dataSource, { sellerId: SELLER, marketplaces: ['A2EUQ1WTGCTBG2'] });
    try {
      const report = await sync(db.dataSource, standIn, { streams: ['orders'] });
      expect(report.errors).toEqual([expect.objectContaining({ marketplace: 'A2EUQ1WTGCTBG2', code: 'MARKETPLACE_NOT_AUTHORIZED' })]);
      expect(standIn.requests.some((r) => r.path.includes('A2EUQ1WTGCTBG2'))).toBe(false);
    } finally {
      await q("DELETE FROM seller_account_marketplace WHERE seller_id = $1 AND marketplace_id = 'A2EUQ1WTGCTBG2'", [SELLER]);
    }
  });
});

describe('interrupted runs (a process killed mid-run leaves its run RUNNING)', () => {
  /** A RUNNING run as a killed process leaves it, its last heartbeat `minutesAgo` minutes ago. */
  async function runningRow(minutesAgo: number, account = SELLER): Promise<string> {
    const id = randomUUID();
    await q(
      `INSERT INTO sync_run (id, trigger, principal_id, status, accounts, streams, started_at, heartbeat_at)
       VALUES ($1, 'cli', 'test:killed', 'RUNNING', ARRAY[$2], ARRAY['listings'], now() - make_interval(mins => $3 + 1), now() - make_interval(mins => $3))`,
      [id, account, minutesAgo],
    );
    return id;
  }

  test('a principal limited to some accounts closes only interrupted runs of those accounts', async () => {
    const mine = await runningRow(30);
    const another = await runningRow(30, 'A-ANOTHER-SELLER');
    expect(await closeInterruptedSyncRuns(db.dataSource, new Date(), 5 * 60_000, [SELLER])).toEqual([mine]);
    expect((await q('SELECT status FROM sync_run WHERE id = $1', [another]))[0].status).toBe('RUNNING');
    expect(await closeInterruptedSyncRuns(db.dataSource, new Date(), 5 * 60_000)).toEqual([another]);
  });

  test('the next run closes a RUNNING run with a stale heartbeat as FAILED, interrupted, and is not blocked by it', async () => {
    const killed = await runningRow(30);
    // A run whose heartbeat is fresh is alive somewhere: left alone.
    const alive = await runningRow(0);
    const report = await sync(db.dataSource, standIn, { streams: ['listings'], staleAfterMs: 5 * 60_000 });
    expect(report.status).toBe('SUCCEEDED');
    expect(report.errors).toEqual([]);
    const [closed] = await q('SELECT status, finished_at, heartbeat_at, errors FROM sync_run WHERE id = $1', [killed]);
    expect(closed.status).toBe('FAILED');
    expect(closed.finished_at).toEqual(closed.heartbeat_at);
    expect(closed.errors).toEqual([{ account: SELLER, marketplace: '-', stream: '*', code: 'INTERRUPTED', message: expect.stringMatching(/^interrupted: no heartbeat since \d{4}-\d\d-\d\dT/) }]);
    expect((await q('SELECT status FROM sync_run WHERE id = $1', [alive]))[0].status).toBe('RUNNING');
    const [alert] = await q("SELECT level, message FROM system_event WHERE component = 'connectors' AND request_id = $1", [killed]);
    expect(alert).toMatchObject({ level: 'ERROR', message: expect.stringContaining('interrupted') });
    // Stale once its heartbeat is old enough: closed by whoever looks next.
    expect(await closeInterruptedSyncRuns(db.dataSource, new Date(Date.now() + 10 * 60_000), 5 * 60_000)).toEqual([alive]);
  });

  test('a live run keeps its heartbeat fresh, and is never closed as interrupted while it beats', async () => {
    const runId = randomUUID();
    const staleAfterMs = 500;
    const ages: number[] = [];
    const closed: string[] = [];
    let watching = true;
    // Another process looking at the runs meanwhile: it sees a fresh heartbeat and closes nothing.
    const watcher = (async () => {
      while (watching) {
        const [row] = await q('SELECT status, heartbeat_at FROM sync_run WHERE id = $1', [runId]);
        if (row?.status === 'RUNNING') {
          ages.push(Date.now() - new Date(row.heartbeat_at).getTime());
          closed.push(...(await closeInterruptedSyncRuns(db.dataSource, new Date(), staleAfterMs)));
        }
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
    })();
    const started = Date.now();
    // Reports stay in progress until the run has lasted several times its stale threshold and the
    // watcher has looked often enough, however slowly a loaded machine polls.
    standIn.holdReports = () => Date.now() - started < 3 * staleAfterMs || ages.length < 6;
    try {
      const report = await sync(db.dataSource, standIn, { runId, heartbeatMs: 25, staleAfterMs, pollMs: 100, streams: ['listings', 'restock'] });
      expect(report.errors).toEqual([]);
    } finally {
      standIn.holdReports = null;
      watching = false;
      await watcher;
    }
    expect(Date.now() - started).toBeGreaterThan(3 * staleAfterMs);
    expect(ages.length).toBeGreaterThanOrEqual(6);
    expect(Math.max(...ages)).toBeLessThan(staleAfterMs);
    expect(closed).toEqual([]);
    const [row] = await q('SELECT status, heartbeat_at, finished_at FROM sync_run WHERE id = $1', [runId]);
    expect(row.status).toBe('SUCCEEDED');
    expect(row.heartbeat_at).toEqual(row.finished_at);
  });
});
