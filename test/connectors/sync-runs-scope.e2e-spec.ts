// Sync runs and connector cursors within the row scope (the scoped data-access layer): a run is
// seen by a principal limited in scope only when every account it covers (synced, or named by its
// errors) is in scope and, limited in marketplaces, when it synced no marketplace outside them; a
// run that names no account only by principals not limited. Cursors of the whole account (`-`)
// only by principals not limited in marketplaces.
import { randomUUID } from 'node:crypto';
import { ConnectorCursor } from '../../entities/gateway/connector-cursor.entity';
import { SyncRun } from '../../entities/gateway/sync-run.entity';
import { Purpose } from '../../src/policy/taxonomy';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestDemo, testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';

jest.setTimeout(180_000);

const US = 'A1SGDEMOUS0001';
const EU = 'A2SGDEMOEU0002';
const JP = 'A3SGDEMOJP0003';
const UK = 'A1F83G8C2ARO7P';

type Body = { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
type Run = { id: string; accounts: string[]; errors: { account: string; marketplace: string; code: string; message: string }[] };

describe('sync runs and connector status within the row scope', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  const tokens: Record<string, string> = {};
  let euMarketplaces: string[];

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestDemo(db.dataSource);
    gateway = await startTestGateway(db, { env: { RATE_LIMIT_PER_MINUTE: '0', IP_RATE_LIMIT_PER_MINUTE: '0' } });
    // Starts syncs (IMPORT_DATA, reads no data); the readers are security principals (account ids pseudonymized).
    tokens.admin = await testTokenFor(db.dataSource, 'admin');
    const reader = (scope: { accounts?: string[]; marketplaces?: string[] }) => testTokenFor(db.dataSource, 'security', { ...scope, purposes: [Purpose.SECURITY] });
    tokens.security = await reader({});
    tokens.securityJP = await reader({ accounts: [JP] });
    tokens.securityUS = await reader({ accounts: [US] });
    tokens.securityEU = await reader({ accounts: [EU] });
    tokens.securityEUUK = await reader({ accounts: [EU], marketplaces: [UK] });
    tokens.securityUK = await reader({ marketplaces: [UK] });
    euMarketplaces = (await db.dataSource.query('SELECT marketplace_id FROM seller_account_marketplace WHERE seller_id = $1 ORDER BY marketplace_id', [EU])).map((row: { marketplace_id: string }) => row.marketplace_id);
    expect(euMarketplaces).toContain(UK);
    expect(euMarketplaces.length).toBeGreaterThan(1);
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  const post = async (token: string, query: string, purpose?: string): Promise<Body> => (await gateway.post(query, { token: tokens[token], purpose })).body as Body;
  const runs = async (token: string): Promise<Run[]> => {
    const body = await post(token, '{ syncRuns(first: 100) { id accounts errors { account marketplace code message } } }', 'SECURITY');
    expect(body.errors).toBeUndefined();
    return (body.data as { syncRuns: Run[] }).syncRuns;
  };
  const ids = async (token: string) => (await runs(token)).map((run) => run.id).sort();
  const insertRun = async (accounts: string[], errors: Run['errors']): Promise<string> => {
    const id = randomUUID();
    const now = new Date();
    await db.dataSource.getRepository(SyncRun).insert({
      id, trigger: 'cli', principalId: 'test', status: errors.length ? 'PARTIAL' : 'SUCCEEDED', accounts, streams: ['orders'], since: null,
      startedAt: now, heartbeatAt: now, finishedAt: now, errors: errors.map((error) => ({ ...error, stream: '*' })),
    });
    return id;
  };

  it("a failed run of another account (stored with no accounts) is not shown, nor its error naming the account", async () => {
    const started = await post('admin', `mutation { startSync(account: "${US}") { id } }`);
    expect(started.errors).toBeUndefined();
    const id = (started.data as { startSync: { id: string } }).startSync.id;
    for (let i = 0; i < 100; i++) {
      const [row] = await db.dataSource.query('SELECT status FROM sync_run WHERE id = $1', [id]);
      if (row?.status !== 'RUNNING') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const [stored] = await db.dataSource.query('SELECT status, accounts, errors FROM sync_run WHERE id = $1', [id]);
    expect(stored).toMatchObject({ status: 'FAILED', accounts: [], errors: [expect.objectContaining({ account: US, code: 'NO_CREDENTIALS' })] });

    const jp = await runs('securityJP');
    expect(jp.map((run) => run.id)).not.toContain(id);
    expect(JSON.stringify(jp)).not.toContain(US);
    // Within scope: a US principal follows its account's failed run; an unscoped one sees it.
    const us = (await runs('securityUS')).find((run) => run.id === id);
    expect(us?.errors).toEqual([expect.objectContaining({ code: 'NO_CREDENTIALS', message: expect.stringContaining(US) })]);
    expect(await ids('security')).toContain(id);
    // Limited in marketplaces (UK): the US account has no marketplace in its scope.
    expect(await ids('securityUK')).not.toContain(id);
  });

  it('accounts and marketplaces: only runs within the scope; a run naming no account only unscoped', async () => {
    const empty = await insertRun([], []);
    const interrupted = await insertRun([], [{ account: '-', marketplace: '-', code: 'INTERRUPTED', message: 'interrupted' }]);
    const euAll = await insertRun([EU], []);
    const notSynced = euMarketplaces.filter((marketplace) => marketplace !== UK).map((marketplace) => ({ account: EU, marketplace, code: 'OUT_OF_SCOPE', message: `Marketplace ${marketplace} of ${EU} is outside this principal's scope: not synced` }));
    const euUkOnly = await insertRun([EU], notSynced);
    const euAndJp = await insertRun([EU], [{ account: JP, marketplace: '-', code: 'NO_CREDENTIALS', message: `Seller account ${JP} has no stored Amazon credentials` }]);
    const jpOnly = await insertRun([JP], []);

    const all = await ids('security');
    for (const id of [empty, interrupted, euAll, euUkOnly, euAndJp, jpOnly]) expect(all).toContain(id);
    const eu = await ids('securityEU');
    expect(eu).toEqual(expect.arrayContaining([euAll, euUkOnly]));
    for (const id of [empty, interrupted, euAndJp, jpOnly]) expect(eu).not.toContain(id);
    // EU limited to UK: only the run that synced no other EU marketplace; the notes of those left out.
    expect(await ids('securityEUUK')).toEqual([euUkOnly]);
    expect((await runs('securityEUUK'))[0].errors).toEqual([]);
    expect(await ids('securityUK')).toEqual([euUkOnly]);
    const jp = await ids('securityJP');
    expect(jp).toContain(jpOnly);
    for (const id of [empty, interrupted, euAll, euUkOnly, euAndJp]) expect(jp).not.toContain(id);
  });

  it('connectorStatus: cursors of the scope only; the whole account only to principals not limited in marketplaces', async () => {
    const other = euMarketplaces.find((marketplace) => marketplace !== UK)!;
    const now = new Date();
    const cursor = (sellerAccountId: string, marketplaceId: string, stream: string) => ({ sellerAccountId, marketplaceId, stream, cursor: now, pending: null, lastSuccessAt: now, lastErrorAt: null, lastError: null, lastRunId: null, updatedAt: now });
    // Distinct stream names, since account ids are pseudonymized for the readers.
    await db.dataSource.getRepository(ConnectorCursor).insert([cursor(EU, UK, 'eu-uk'), cursor(EU, other, 'eu-other'), cursor(EU, '-', 'eu-account'), cursor(US, 'ATVPDKIKX0DER', 'us'), cursor(JP, '-', 'jp-account')]);
    const status = async (token: string, account?: string) => {
      const body = await post(token, `{ connectorStatus${account ? `(account: "${account}")` : ''} { marketplaceId stream } }`, 'SECURITY');
      expect(body.errors).toBeUndefined();
      return (body.data as { connectorStatus: { marketplaceId: string; stream: string }[] }).connectorStatus.map((row) => row.stream).sort();
    };
    expect(await status('security')).toEqual(['eu-account', 'eu-other', 'eu-uk', 'jp-account', 'us']);
    expect(await status('security', EU)).toEqual(['eu-account', 'eu-other', 'eu-uk']);
    expect(await status('securityEU')).toEqual(['eu-account', 'eu-other', 'eu-uk']);
    expect(await status('securityEUUK')).toEqual(['eu-uk']);
    expect(await status('securityUK')).toEqual(['eu-uk']);
    expect(await status('securityJP')).toEqual(['jp-account']);
    expect(await status('securityEU', US)).toEqual([]);
  });
});
