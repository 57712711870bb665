// Sync runs through the entry points: the CLI (`sellergate sync`), GraphQL (startSync, syncRuns,
// connectorStatus) and the server's schedule, each admitted and recorded exactly once.
import { Command } from 'commander';
import { registerAccount } from '../../src/ingest/seller-accounts';
import { registerSyncCommands } from '../../src/cli/sync.command';
import { loadConfig } from '../../src/config';
import { scheduledSync, SYNC_SCHEDULE_PRINCIPAL_ID, parseSyncSchedule } from '../../src/connectors/sync-schedule';
import { Purpose } from '../../src/policy/taxonomy';
import { runCli, testCliDeps } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';
import type { AmazonStandIn } from './stand-in/amazon-stand-in';
import { registerDemoSeller, SELLER, standInEnv, startStandIn, US } from './support';

let db: TestDatabase;
let standIn: AmazonStandIn;
let gateway: TestGateway;
const q = (sql: string, params: unknown[] = []) => db.dataSource.query(sql, params);
const auditOf = (name: string) => q('SELECT principal_id, principal_kind, outcome, error_codes, operation_name, rows_by_category FROM audit_record WHERE operation_name = $1 ORDER BY timestamp', [name]);

beforeAll(async () => {
  db = await createTestDatabase();
  await registerDemoSeller(db.dataSource);
  await registerAccount(db.dataSource, { sellerId: 'A1OTHERSELLER9', marketplaces: [US] });
  standIn = await startStandIn();
  // Resolvers read the process configuration (config()): point it at the stand-in too.
  Object.assign(process.env, standInEnv(standIn));
  gateway = await startTestGateway(db, { env: standInEnv(standIn) });
});
afterAll(async () => {
  await gateway?.stop();
  await standIn?.stop();
  await db?.close();
});

describe('sellergate sync', () => {
  test('--help documents the options, the streams, credentials, hosts and the schedule', async () => {
    const program = new Command('sellergate');
    registerSyncCommands(program, testCliDeps(db, standInEnv(standIn)));
    let help = '';
    const sync = program.commands.find((c) => c.name() === 'sync')!;
    sync.configureOutput({ writeOut: (text) => (help += text) });
    sync.outputHelp();
    for (const text of ['--account <sellerId>', '--stream <name>', '--since <time>', '--json', 'orders-report', 'ads-targeting', 'settlements', 'IMPORT_DATA', 'credentials', 'SYNC_SCHEDULE', 'SPAPI_ENDPOINT', 'Restricted Data Token']) expect(help).toContain(text);
  });

  test('as the operator: one sync run, one audit record counting the rows written', async () => {
    const out = await runCli(testCliDeps(db, standInEnv(standIn)), [registerSyncCommands], ['sync', '--account', SELLER, '--stream', 'listings,orders', '--json']);
    const report = JSON.parse(out);
    expect(report).toMatchObject({ status: 'SUCCEEDED', accounts: [SELLER], streams: ['listings', 'orders'], errors: [] });
    const records = await auditOf('sync');
    expect(records).toEqual([expect.objectContaining({ principal_kind: 'operator', outcome: 'ok', rows_by_category: expect.objectContaining({ CATALOG: 1, ORDERS: expect.any(Number) }) })]);
    const [run] = await q('SELECT trigger, principal_id, status FROM sync_run WHERE id = $1', [report.runId]);
    expect(run).toEqual({ trigger: 'cli', principal_id: records[0].principal_id, status: 'SUCCEEDED' });
    const text = await runCli(testCliDeps(db, standInEnv(standIn)), [registerSyncCommands], ['sync', '--stream', 'listings']);
    expect(text).toMatch(/sync run [0-9a-f-]{36}: SUCCEEDED/);
    expect(await auditOf('sync')).toHaveLength(2);
  });

  test('a token without IMPORT_DATA, or scoped to another account, is refused before Amazon is asked', async () => {
    const before = standIn.requests.length;
    const analyst = await testTokenFor(db.dataSource, 'analyst', { purposes: [Purpose.BUSINESS_ANALYSIS] });
    await expect(runCli(testCliDeps(db, standInEnv(standIn), { token: analyst }), [registerSyncCommands], ['sync'])).rejects.toThrow(/refused \(FORBIDDEN\)/);
    const scoped = await testTokenFor(db.dataSource, 'admin', { accounts: ['A1OTHERSELLER9'] });
    await expect(runCli(testCliDeps(db, standInEnv(standIn), { token: scoped }), [registerSyncCommands], ['sync', '--account', SELLER])).rejects.toThrow(/refused \(FORBIDDEN\).*scope/);
    await expect(runCli(testCliDeps(db, standInEnv(standIn)), [registerSyncCommands], ['sync', '--stream', 'nope'])).rejects.toThrow(/BAD_USER_INPUT.*Unknown stream/);
    expect(standIn.requests.length).toBe(before);
    const refused = (await auditOf('sync')).filter((r: { outcome: string }) => r.outcome !== 'ok');
    expect(refused.map((r: { outcome: string }) => r.outcome)).toEqual(['denied', 'denied', 'invalid']);
  });
});

describe('GraphQL', () => {
  test('startSync (IMPORT_DATA) starts a run; syncRuns and connectorStatus show it under SYSTEM_LOGS', async () => {
    const admin = await testTokenFor(db.dataSource, 'admin');
    const started = await gateway.post('mutation { startSync(account: "A3TH9S8BH6GOGM", streams: ["restock"]) { id status trigger streams } }', { token: admin });
    expect(started.body.errors).toBeUndefined();
    const run = (started.body.data as { startSync: { id: string; status: string; trigger: string } }).startSync;
    expect(run).toMatchObject({ status: 'RUNNING', trigger: 'graphql' });
    const security = await testTokenFor(db.dataSource, 'security', { purposes: [Purpose.TROUBLESHOOTING] });
    let status = 'RUNNING';
    for (let i = 0; i < 200 && status === 'RUNNING'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const runs = await gateway.post('{ syncRuns(first: 10) { id status documents errors { code } } }', { token: security, purpose: 'TROUBLESHOOTING' });
      status = (runs.body.data as { syncRuns: { id: string; status: string }[] }).syncRuns.find((r) => r.id === run.id)!.status;
    }
    expect(status).toBe('SUCCEEDED');
    const answer = await gateway.post('{ connectorStatus(account: "A3TH9S8BH6GOGM") { sellerAccountId marketplaceId stream cursor inProgress lastSuccessAt lastError nextRunAt } }', { token: security, purpose: 'TROUBLESHOOTING' });
    expect(answer.body.errors).toBeUndefined();
    const rows = (answer.body.data as { connectorStatus: { stream: string; marketplaceId: string; lastSuccessAt: string | null; nextRunAt: string | null }[] }).connectorStatus;
    expect(rows.find((r) => r.stream === 'restock')).toMatchObject({ marketplaceId: US, lastSuccessAt: expect.any(String), nextRunAt: null });
    // One audit record for the mutation; the run wrote none of its own.
    const records = await q("SELECT outcome FROM audit_record WHERE operation_type = 'mutation' AND 'Mutation.startSync' = ANY(fields)");
    expect(records).toEqual([{ outcome: 'ok' }]);
  });

  test('startSync is refused without IMPORT_DATA and outside the scope; the status needs a SYSTEM_LOGS purpose', async () => {
    const analyst = await testTokenFor(db.dataSource, 'analyst', { purposes: [Purpose.BUSINESS_ANALYSIS] });
    const refused = await gateway.post('mutation { startSync { id } }', { token: analyst });
    expect(refused.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const scoped = await testTokenFor(db.dataSource, 'admin', { accounts: ['A1OTHERSELLER9'] });
    const outside = await gateway.post(`mutation { startSync(account: "${SELLER}") { id } }`, { token: scoped });
    expect(outside.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const catalog = await testTokenFor(db.dataSource, 'catalog_manager', { purposes: [Purpose.LISTING_MAINTENANCE] });
    const denied = await gateway.post('{ connectorStatus { stream } }', { token: catalog, purpose: 'LISTING_MAINTENANCE' });
    expect(denied.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  test('syncRuns reports a RUNNING run whose heartbeat is stale (its process was killed) as FAILED, interrupted', async () => {
    const [{ id }] = await q(
      `INSERT INTO sync_run (id, trigger, principal_id, status, accounts, streams, started_at, heartbeat_at)
       VALUES (gen_random_uuid(), 'schedule', 'test:killed', 'RUNNING', ARRAY[$1], ARRAY['orders'], now() - interval '31 minutes', now() - interval '30 minutes') RETURNING id`,
      [SELLER],
    );
    const security = await testTokenFor(db.dataSource, 'security', { purposes: [Purpose.TROUBLESHOOTING] });
    const runs = await gateway.post('{ syncRuns(first: 100) { id status finishedAt errors { code message } } }', { token: security, purpose: 'TROUBLESHOOTING' });
    expect(runs.body.errors).toBeUndefined();
    const run = (runs.body.data as { syncRuns: { id: string; status: string; finishedAt: string | null; errors: { code: string; message: string }[] }[] }).syncRuns.find((r) => r.id === id);
    expect(run).toEqual({ id, status: 'FAILED', finishedAt: expect.any(String), errors: [{ code: 'INTERRUPTED', message: expect.stringMatching(/^interrupted: no heartbeat since /) }] });
  });
});

describe('SYNC_SCHEDULE', () => {
  test('is off by default; a tick runs as the system principal through admission, one audit record', async () => {
    expect(loadConfig({ NODE_ENV: 'test' }).SYNC_SCHEDULE).toBe('off');
    expect(parseSyncSchedule('daily@06:30')).toEqual({ kind: 'daily', hour: 6, minute: 30 });
    expect(() => parseSyncSchedule('every so often')).toThrow(/SYNC_SCHEDULE/);
    const config = loadConfig({ ...process.env, NODE_ENV: 'test', ...standInEnv(standIn) });
    const report = await scheduledSync(db.dataSource, config);
    expect(report).toMatchObject({ status: 'SUCCEEDED', accounts: [SELLER] });
    const records = await auditOf('sync (schedule)');
    expect(records).toEqual([expect.objectContaining({ principal_id: SYNC_SCHEDULE_PRINCIPAL_ID, outcome: 'ok' })]);
    const [run] = await q('SELECT trigger, principal_id FROM sync_run WHERE id = $1', [report.runId]);
    expect(run).toEqual({ trigger: 'schedule', principal_id: SYNC_SCHEDULE_PRINCIPAL_ID });
  });
});
