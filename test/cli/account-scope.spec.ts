// `sellergate account add|list` as a token limited in scope: it acts only on accounts (and
// marketplaces) within its scope, registers no new account, re-authorizes none; a refusal is a
// `refused (FORBIDDEN)` error (exit status 1) recorded in the audit chain like other refused
// commands. Registering an account again never re-authorizes it silently.
import { CliRefusal } from '../../src/admission/cli-admission';
import { registerAccountCommands } from '../../src/cli/account.command';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestCatalog, testTokenFor } from '../support/fixtures';
import { runCli, testCliDeps } from '../support/cli';

jest.setTimeout(60_000);

const US_ACCOUNT = 'A1SGDEMOUS0001';
const EU_ACCOUNT = 'A2SGDEMOEU0002';
const UK = 'A1F83G8C2ARO7P';
const DE = 'A1PA6795UKMFR9';
const JP = 'A1VC38T7YXB528';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await seedTestCatalog(db.dataSource);
});
afterAll(() => db?.close());

const account = async (sellerId: string) =>
  (await db.dataSource.query(
    `SELECT a.name, a.authorized, array_agg(sm.marketplace_id ORDER BY sm.marketplace_id) AS marketplaces
       FROM seller_account a LEFT JOIN seller_account_marketplace sm ON sm.seller_id = a.seller_id WHERE a.seller_id = $1 GROUP BY a.seller_id`,
    [sellerId],
  ))[0] as { name: string; authorized: boolean; marketplaces: string[] } | undefined;

const asToken = (token: string) => (args: string[]) => runCli(testCliDeps(db, {}, { token }), [registerAccountCommands], ['account', ...args]);
const asOperator = (args: string[]) => runCli(testCliDeps(db), [registerAccountCommands], ['account', ...args]);

const lastRecord = async () =>
  (await db.dataSource.query(`SELECT operation_name, principal_role, outcome, error_codes FROM audit_record WHERE operation_name LIKE 'account %' ORDER BY id DESC LIMIT 1`))[0];

describe('account add within the row scope', () => {
  let ukAdmin: string;
  beforeAll(async () => {
    ukAdmin = await testTokenFor(db.dataSource, 'admin', { accounts: [EU_ACCOUNT], marketplaces: [UK] });
    await db.dataSource.query('UPDATE seller_account SET authorized = false WHERE seller_id = $1', [US_ACCOUNT]);
  });

  it('refuses an account outside the scope: no rename, no re-authorization, no marketplace linked; the refusal is recorded', async () => {
    const before = await account(US_ACCOUNT);
    const attempt = asToken(ukAdmin)(['add', US_ACCOUNT, '--marketplaces', JP, '--name', 'x']);
    await expect(attempt).rejects.toThrow(CliRefusal);
    await expect(asToken(ukAdmin)(['add', US_ACCOUNT, '--marketplaces', JP, '--name', 'x'])).rejects.toThrow(
      /^refused \(FORBIDDEN\): Registering the seller account reaches seller accounts or marketplaces outside your scope$/,
    );
    expect(await account(US_ACCOUNT)).toEqual(before);
    expect(before).toMatchObject({ authorized: false });
    expect(await lastRecord()).toEqual({ operation_name: 'account add', principal_role: 'admin', outcome: 'denied', error_codes: ['FORBIDDEN'] });
  });

  it('refuses linking a marketplace outside the scope to an account within it', async () => {
    const before = await account(EU_ACCOUNT);
    await expect(asToken(ukAdmin)(['add', EU_ACCOUNT, '--marketplaces', JP])).rejects.toThrow(/refused \(FORBIDDEN\).*outside your scope/);
    expect(await account(EU_ACCOUNT)).toEqual(before);
  });

  it('refuses an account the principal holds only in part (another of its marketplaces lies outside the scope)', async () => {
    // The EU account is registered for the UK and Germany: a UK-only principal may not rename it.
    const before = await account(EU_ACCOUNT);
    expect(before?.marketplaces).toEqual([UK, DE]);
    await expect(asToken(ukAdmin)(['add', EU_ACCOUNT, '--marketplaces', UK, '--name', 'renamed'])).rejects.toThrow(/refused \(FORBIDDEN\).*outside your scope/);
    expect(await account(EU_ACCOUNT)).toEqual(before);
  });

  it('lets a principal holding the whole account update it, but not register a new account nor re-authorize one', async () => {
    const euAdmin = await testTokenFor(db.dataSource, 'admin', { accounts: [EU_ACCOUNT], marketplaces: [UK, DE] });
    const updated = JSON.parse(await asToken(euAdmin)(['add', EU_ACCOUNT, '--marketplaces', UK, '--name', 'Europe (renamed)', '--json']));
    expect(updated).toMatchObject({ sellerId: EU_ACCOUNT, name: 'Europe (renamed)', authorized: true, marketplaces: [UK, DE] });
    expect(await lastRecord()).toMatchObject({ operation_name: 'account add', outcome: 'ok' });

    // A token names only registered accounts: one limited to marketplaces alone tries a new account.
    const newcomer = await testTokenFor(db.dataSource, 'admin', { marketplaces: [UK] });
    await expect(asToken(newcomer)(['add', 'A9NEWACCOUNT01', '--marketplaces', UK])).rejects.toThrow(/^refused \(FORBIDDEN\): A principal limited in scope may not register a new seller account$/);
    expect(await account('A9NEWACCOUNT01')).toBeUndefined();

    await db.dataSource.query('UPDATE seller_account SET authorized = false WHERE seller_id = $1', [EU_ACCOUNT]);
    await expect(asToken(euAdmin)(['add', EU_ACCOUNT, '--marketplaces', UK, '--reauthorize'])).rejects.toThrow(/refused \(FORBIDDEN\): Only a principal not limited in scope may re-authorize/);
    expect(await account(EU_ACCOUNT)).toMatchObject({ authorized: false });
    await db.dataSource.query('UPDATE seller_account SET authorized = true WHERE seller_id = $1', [EU_ACCOUNT]);
  });

  it('keeps a de-authorized account de-authorized when it is registered again, and says so; --reauthorize authorizes it again', async () => {
    const again = await asOperator(['add', US_ACCOUNT, '--marketplaces', 'ATVPDKIKX0DER']);
    expect(again).toMatch(/registered for .*\nnote: the account stays NOT authorized \(it was de-authorized\).*--reauthorize/);
    expect(await account(US_ACCOUNT)).toMatchObject({ authorized: false });
    const json = JSON.parse(await asOperator(['add', US_ACCOUNT, '--marketplaces', 'ATVPDKIKX0DER', '--reauthorize', '--json']));
    expect(json).toMatchObject({ sellerId: US_ACCOUNT, authorized: true });
    expect(await account(US_ACCOUNT)).toMatchObject({ authorized: true });
  });
});

describe('account list within the row scope', () => {
  it('shows a marketplace-scoped principal only the accounts and marketplaces of its scope', async () => {
    const ukOnly = await testTokenFor(db.dataSource, 'admin', { marketplaces: [UK] });
    const listed = JSON.parse(await asToken(ukOnly)(['list', '--json'])) as { sellerId: string; marketplaces: string[] }[];
    expect(listed.length).toBeGreaterThan(0);
    for (const entry of listed) expect(entry.marketplaces).toEqual([UK]);
    expect(listed.map((entry) => entry.sellerId)).toContain(EU_ACCOUNT);
    expect(listed.map((entry) => entry.sellerId)).not.toContain(US_ACCOUNT);

    const euUk = await testTokenFor(db.dataSource, 'admin', { accounts: [EU_ACCOUNT], marketplaces: [UK] });
    expect(JSON.parse(await asToken(euUk)(['list', '--json']))).toEqual([expect.objectContaining({ sellerId: EU_ACCOUNT, marketplaces: [UK] })]);
  });
});
