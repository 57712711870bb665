// A token made by a token holds no longer and from no more places than its creator: it expires no
// later (none asked: the creator's expiry; one beyond it is refused) and is held to the creator's
// IP allow-list (none asked: the creator's; one outside it is refused). Over HTTP (createApiToken),
// through the service, and from the CLI run under a token (SELLERGATE_TOKEN).
import { createToken, tokenPrincipal } from '../../src/auth/api-token.service';
import { registerTokenCommands } from '../../src/cli/token.command';
import { defaultPolicy } from '../../src/policy/default-policy';
import { runCli, testCliDeps } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestDemo } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';

jest.setTimeout(180_000);

const EU = 'A2SGDEMOEU0002';
const DAY_MS = 86_400_000;

type Body = { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
const CREATE = 'mutation ($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id expiresAt accounts } } }';

describe('lifetime and source addresses of tokens made by tokens', () => {
  let db: TestDatabase;
  let gateway: TestGateway;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestDemo(db.dataSource);
    gateway = await startTestGateway(db, { env: { RATE_LIMIT_PER_MINUTE: '0', IP_RATE_LIMIT_PER_MINUTE: '0' } });
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  const stored = async (id: string) =>
    (await db.dataSource.query('SELECT expires_at, ip_allow_list FROM api_token WHERE id = $1', [id]))[0] as { expires_at: Date | null; ip_allow_list: string[] | null };
  const parent = (options: { expiresInDays?: number; ipAllowList?: string[] } = {}) =>
    createToken(db.dataSource.manager, defaultPolicy(), { role: 'admin', accounts: [EU], name: 'eu admin', createdBy: 'test', ...options });

  it("gives a child asking for neither the creator's expiry and IP allow-list (the issue's case)", async () => {
    const eu = await parent({ expiresInDays: 1, ipAllowList: ['127.0.0.1'] });
    const body = (await gateway.post(CREATE, { token: eu.token, variables: { input: { role: 'admin', accounts: [EU], name: 'forever' } } })).body as Body;
    expect(body.errors).toBeUndefined();
    const child = (body.data!.createApiToken as { apiToken: { id: string; expiresAt: string } }).apiToken;
    expect(child.expiresAt).toBe(eu.record.expiresAt!.toISOString());
    expect(await stored(child.id)).toEqual({ expires_at: eu.record.expiresAt, ip_allow_list: ['127.0.0.1'] });
  });

  it('refuses a child asking to expire after its creator, and lets it ask for a shorter life', async () => {
    const eu = await parent({ expiresInDays: 2, ipAllowList: ['127.0.0.1'] });
    const longer = (await gateway.post(CREATE, { token: eu.token, variables: { input: { role: 'admin', accounts: [EU], expiresInDays: 30 } } })).body as Body;
    expect(longer.errors?.map((error) => [error.extensions?.code, error.extensions?.reason])).toEqual([['FORBIDDEN', 'WIDER_THAN_CREATOR']]);
    expect(longer.errors![0].message).toMatch(/expire after its creator, which expires at /);
    const shorter = (await gateway.post(CREATE, { token: eu.token, variables: { input: { role: 'admin', accounts: [EU], expiresInDays: 1 } } })).body as Body;
    expect(shorter.errors).toBeUndefined();
    const child = (shorter.data!.createApiToken as { apiToken: { id: string; expiresAt: string } }).apiToken;
    expect(new Date(child.expiresAt).getTime()).toBeLessThan(eu.record.expiresAt!.getTime());
    expect((await stored(child.id)).ip_allow_list).toEqual(['127.0.0.1']);
    // Nothing stored by the refusal.
    expect(Number((await db.dataSource.query('SELECT count(*)::int AS n FROM api_token WHERE created_by = $1', [`token:${eu.record.id}`]))[0].n)).toBe(1);
  });

  it("holds a child's own IP allow-list within the creator's", async () => {
    const eu = await parent({ expiresInDays: 1, ipAllowList: ['127.0.0.1', '10.0.0.1'] });
    const creator = tokenPrincipal(eu.record);
    const make = (ipAllowList: string[] | null) =>
      createToken(db.dataSource.manager, defaultPolicy(), { role: 'admin', accounts: [EU], ipAllowList, createdBy: `token:${eu.record.id}`, creator });
    await expect(make(['192.0.2.7'])).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN', reason: 'WIDER_THAN_CREATOR' } });
    await expect(make(['10.0.0.1', '192.0.2.7'])).rejects.toThrow(/IP allow-list must lie within the creator's \(192\.0\.2\.7 is not in it\)/);
    expect((await make(['10.0.0.1'])).record.ipAllowList).toEqual(['10.0.0.1']);
    expect((await make(null)).record.ipAllowList).toEqual(['127.0.0.1', '10.0.0.1']);
  });

  it('leaves a creator that never expires and has no allow-list, and the local operator, as before', async () => {
    const open = await parent();
    const creator = tokenPrincipal(open.record);
    const child = await createToken(db.dataSource.manager, defaultPolicy(), { role: 'admin', accounts: [EU], createdBy: 'test', creator });
    expect(child.record).toMatchObject({ expiresAt: null, ipAllowList: null });
    const asked = await createToken(db.dataSource.manager, defaultPolicy(), { role: 'admin', accounts: [EU], expiresInDays: 90, ipAllowList: ['192.0.2.7'], createdBy: 'test', creator });
    expect(asked.record.ipAllowList).toEqual(['192.0.2.7']);
    const byOperator = await runCli(testCliDeps(db), [registerTokenCommands], ['token', 'create', '--role', 'admin', '--json']);
    expect(JSON.parse(byOperator)).toMatchObject({ expiresAt: null });
  });

  it('caps the expiry of a token made from the CLI under a token (SELLERGATE_TOKEN)', async () => {
    const eu = await parent({ expiresInDays: 3 });
    const asToken = testCliDeps(db, {}, { token: eu.token });
    const made = JSON.parse(await runCli(asToken, [registerTokenCommands], ['token', 'create', '--role', 'admin', '--accounts', EU, '--json'])) as { id: string; expiresAt: string };
    expect(made.expiresAt).toBe(eu.record.expiresAt!.toISOString());
    await expect(runCli(asToken, [registerTokenCommands], ['token', 'create', '--role', 'admin', '--accounts', EU, '--expires-in', '30d'])).rejects.toThrow(/expire after its creator/);
    const shorter = JSON.parse(await runCli(asToken, [registerTokenCommands], ['token', 'create', '--role', 'admin', '--accounts', EU, '--expires-in', '12h', '--json'])) as { expiresAt: string };
    expect(new Date(shorter.expiresAt).getTime()).toBeLessThan(eu.record.expiresAt!.getTime() - 2 * DAY_MS);
  });
});
