// Deadlines: with the audit chain's lock held for 15 s by another connection, every request is
// answered 503 UNAVAILABLE within the request deadline (not after the lock), no data goes out
// without its record, /readyz answers promptly with "not ready", and the gateway serves again once
// the lock is released. Needs a PostgreSQL server (the embedded database is one session).
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { AUDIT_CHAIN_LOCK } from '../../src/audit/audit-head';
import { connectAndMigrate } from '../../src/db/data-source';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestCatalog, testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { chainVerifies, dataWithoutRecord, loadRequest, runLoad, servesAgainWithin, sleep } from './fault-load';

const server = process.env.DATABASE_URL;
const describeOnServer = server ? describe : describe.skip;
const DEADLINE_MS = 3_000;
const HOLD_MS = 15_000;

describeOnServer('request deadline while the database stalls', () => {
  let db: TestDatabase;
  let gatewayData: DataSource;
  let gateway: TestGateway;
  let token: string;
  /** A token no request has used yet: not in the gateway's token cache, so its lookup reads the table. */
  let uncachedToken: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestCatalog(db.dataSource);
    token = await testTokenFor(db.dataSource, 'analyst');
    uncachedToken = await testTokenFor(db.dataSource, 'analyst');
    // A lock timeout longer than the deadline: the deadline is what answers.
    ({ dataSource: gatewayData } = await connectAndMigrate({ url: db.url, poolSize: 6, lockTimeoutMs: 10_000, statementTimeoutMs: 20_000, acquireTimeoutMs: 2_000 }));
    gateway = await startTestGateway(
      { ...db, dataSource: gatewayData },
      { env: { DATABASE_URL: db.url, REQUEST_DEADLINE_MS: String(DEADLINE_MS), READY_TIMEOUT_MS: '1000', RATE_LIMIT_PER_MINUTE: '0', IP_RATE_LIMIT_PER_MINUTE: '0' } },
    );
  });
  afterAll(async () => {
    await gateway?.stop();
    await gatewayData?.destroy();
    await db?.close();
  });

  it('answers 503 within the deadline while the audit chain lock is held for 15 s, reports not ready, and recovers', async () => {
    expect((await loadRequest(gateway.url, token)).status).toBe(200);
    expect((await gateway.get('/readyz')).status).toBe(200);
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
    const heldAt = performance.now();
    let stop = false;
    const load = runLoad(() => gateway.url, token, 5, () => stop, 30_000);
    await sleep(1_500);
    const readyStarted = performance.now();
    const ready = await gateway.get('/readyz');
    const readyMs = performance.now() - readyStarted;
    const readyBody = (await ready.json()) as { status: string; reason: string };
    while (performance.now() - heldAt < 8_000) await sleep(200);
    stop = true;
    const results = await load;
    const left = HOLD_MS - (performance.now() - heldAt);
    if (left > 0) await sleep(left);
    await holder.query('COMMIT');
    await holder.end();

    expect(ready.status).toBe(503);
    expect(readyBody.status).toBe('not ready');
    expect(readyBody.reason).toMatch(/audit/);
    expect(readyMs).toBeLessThan(HOLD_MS / 2);
    expect(results.length).toBeGreaterThan(0);
    // Every request of the stall answered 503 UNAVAILABLE without data, long before the lock ended.
    expect(results.map((result) => `${result.status} ${result.code} ${result.hasData}`)).toEqual(results.map(() => '503 UNAVAILABLE false'));
    for (const result of results) expect(result.ms).toBeLessThan(HOLD_MS / 2);

    await servesAgainWithin(gateway.url, token, 15_000);
    expect(await dataWithoutRecord(db.dataSource, results)).toEqual([]);
    // The records of the stalled requests that were written say they failed.
    const rows: { outcome: string }[] = await db.dataSource.query('SELECT outcome FROM audit_record WHERE request_id = ANY($1)', [results.map((result) => result.requestId)]);
    expect(rows.filter((row) => row.outcome === 'ok')).toEqual([]);
    expect(await chainVerifies(db.dataSource)).toBe(true);
    expect((await gateway.get('/readyz')).status).toBe(200);
  });

  it('answers 503 within the deadline while the token table is locked, and recovers', async () => {
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE api_token IN ACCESS EXCLUSIVE MODE');
    let stop = false;
    const load = runLoad(() => gateway.url, uncachedToken, 5, () => stop, 30_000);
    await sleep(7_000);
    stop = true;
    const results = await load;
    await holder.query('ROLLBACK');
    await holder.end();
    expect(results.length).toBeGreaterThan(0);
    expect(results.map((result) => `${result.status} ${result.code}`)).toEqual(results.map(() => '503 UNAVAILABLE'));
    for (const result of results) expect(result.ms).toBeLessThan(HOLD_MS / 2);
    await servesAgainWithin(gateway.url, uncachedToken, 15_000);
    expect(await chainVerifies(db.dataSource)).toBe(true);
  });
});
