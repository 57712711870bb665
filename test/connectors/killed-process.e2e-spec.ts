// `sellergate sync` killed (SIGKILL) half way through, in its own process: the next run resumes and
// ends with the same rows as one uninterrupted sync. Needs a PostgreSQL server (DATABASE_URL): the
// embedded database is one session, which a killed process would leave inside its transaction.
import { spawn } from 'node:child_process';
import { Client } from 'pg';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { ensureBuilt } from '../support/processes';
import type { AmazonStandIn } from './stand-in/amazon-stand-in';
import { dataRows, registerDemoSeller, SELLER, standInEnv, startStandIn, sync } from './support';

const DATA_TABLES = 'listing, product, amazon_order, order_item, shipment, order_return, inventory_snapshot, replenishment_recommendation, fee_estimate, settlement, settlement_line, refund, campaign, ad_group, keyword, product_target, product_ad, ad_daily_metric';
const describeWithServer = process.env.DATABASE_URL ? describe : describe.skip;

describeWithServer('a sync process killed half way, and concurrent runs', () => {
  let db: TestDatabase;
  let standIn: AmazonStandIn;

  beforeAll(async () => {
    await ensureBuilt();
    db = await createTestDatabase();
    await registerDemoSeller(db.dataSource);
    standIn = await startStandIn();
  });
  afterAll(async () => {
    await standIn?.stop();
    await db?.close();
  });

  test('resumes on the next run and ends with the rows of an uninterrupted sync', async () => {
    const reference = await sync(db.dataSource, standIn);
    expect(reference.errors).toEqual([]);
    const expected = await dataRows(db.dataSource);
    await db.dataSource.query(`TRUNCATE ${DATA_TABLES} CASCADE`);
    await db.dataSource.query('DELETE FROM connector_cursor');

    const served = standIn.served.length;
    const child = spawn(process.execPath, [join(__dirname, '../../bin/sellergate.js'), 'sync', '--json'], {
      env: { ...process.env, ...standInEnv(standIn), DATABASE_URL: db.url, NODE_ENV: 'test', LOG_LEVEL: 'silent' },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    // Killed once it has fetched a handful of documents: mid-stream, mid-run.
    const watcher = setInterval(() => {
      if (standIn.served.length - served >= 6) child.kill('SIGKILL');
    }, 5);
    const signal = await exited;
    clearInterval(watcher);
    expect(signal).toBe('SIGKILL');
    const [{ n: done }] = await db.dataSource.query('SELECT count(*)::int AS n FROM connector_cursor WHERE last_success_at IS NOT NULL');
    expect(done).toBeLessThan(reference.streams.length);

    // The killed run is left RUNNING; the next run (here with a threshold shorter than the age of
    // its last heartbeat) closes it as FAILED, interrupted, and is not blocked by it.
    const [killed] = await db.dataSource.query("SELECT id FROM sync_run WHERE status = 'RUNNING'");
    expect(killed).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const resumed = await sync(db.dataSource, standIn, { staleAfterMs: 50 });
    expect(resumed.errors).toEqual([]);
    expect(await dataRows(db.dataSource)).toEqual(expected);
    const [closed] = await db.dataSource.query('SELECT status, errors FROM sync_run WHERE id = $1', [killed.id]);
    expect(closed).toEqual({ status: 'FAILED', errors: [expect.objectContaining({ account: SELLER, code: 'INTERRUPTED' })] });
  });

  test('a run of the same account in another process holds it: this one syncs nothing and says so', async () => {
    const other = new Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock(17017, hashtext($1))', [SELLER]);
      const before = standIn.requests.length;
      const report = await sync(db.dataSource, standIn, { streams: ['listings'] });
      expect(report.errors.map((e) => e.code)).toEqual(['ALREADY_RUNNING']);
      expect(standIn.requests.length).toBe(before);
      await other.query('SELECT pg_advisory_unlock(17017, hashtext($1))', [SELLER]);
      expect((await sync(db.dataSource, standIn, { streams: ['listings'] })).errors).toEqual([]);
    } finally {
      await other.end();
    }
  });
});
