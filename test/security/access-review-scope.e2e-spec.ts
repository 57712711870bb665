// The access review sign-off is an administrative object within the row scope: a principal
// limited in scope signs off for its scope only (recorded with it) and sees only sign-offs within
// its scope; the company-wide sign-off is made, and seen, only by principals not limited in scope.
// The reviewer is the admitted principal; the CLI's --reviewer is a label beside it.
import { AccessReview } from '../../entities/gateway/access-review.entity';
import { ApiToken } from '../../entities/gateway/api-token.entity';
import { hashTokenSecret } from '../../src/auth/token-secret';
import { registerSecurityCommands } from '../../src/cli/security.command';
import { runCli, testCliDeps } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestDemo, testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';

jest.setTimeout(180_000);

const EU = 'A2SGDEMOEU0002';
const JP = 'A3SGDEMOJP0003';
const UK = 'A1F83G8C2ARO7P';

type Body = { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
type SignOff = { reviewer: string; note: string | null; principals: number; flagged: number } | null;

describe('access review sign-off within the row scope', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestDemo(db.dataSource);
    gateway = await startTestGateway(db, { env: { RATE_LIMIT_PER_MINUTE: '0', IP_RATE_LIMIT_PER_MINUTE: '0' } });
    tokens.admin = await testTokenFor(db.dataSource, 'admin');
    tokens.adminEUUK = await testTokenFor(db.dataSource, 'admin', { accounts: [EU], marketplaces: [UK] });
    tokens.adminEU = await testTokenFor(db.dataSource, 'admin', { accounts: [EU] });
    tokens.adminJP = await testTokenFor(db.dataSource, 'admin', { accounts: [JP] });
    for (const [name, token] of Object.entries(tokens)) ids[name] = (await db.dataSource.getRepository(ApiToken).findOneByOrFail({ tokenHash: hashTokenSecret(token) })).id;
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  const post = async (token: string, query: string): Promise<Body> => (await gateway.post(query, { token: tokens[token] })).body as Body;
  const last = async (token: string): Promise<SignOff> => {
    const body = await post(token, '{ accessReview { lastSignOff { reviewer note principals flagged } } }');
    expect(body.errors).toBeUndefined();
    return (body.data as { accessReview: { lastSignOff: SignOff } }).accessReview.lastSignOff;
  };
  const signOff = async (token: string, note: string): Promise<SignOff> => {
    const body = await post(token, `mutation { signOffAccessReview(note: ${JSON.stringify(note)}) { reviewer note principals flagged } }`);
    expect(body.errors).toBeUndefined();
    return (body.data as { signOffAccessReview: SignOff }).signOffAccessReview;
  };

  it("a scoped administrator neither reads nor replaces the company-wide sign-off; the company's never shows a scoped one", async () => {
    const company = await signOff('admin', 'company-wide');
    expect(company).toMatchObject({ reviewer: `token:${ids.admin}`, note: 'company-wide' });
    expect(await last('admin')).toEqual(company);
    // (a) The EU/UK administrator does not read the unscoped reviewer's id, note or count.
    expect(await last('adminEUUK')).toBeNull();
    expect(await last('adminEU')).toBeNull();

    // (b) Its sign-off covers its scope: recorded with it, never the company-wide one.
    const scoped = await signOff('adminEUUK', 'all good');
    expect(scoped).toMatchObject({ reviewer: `token:${ids.adminEUUK}`, note: 'all good' });
    expect(scoped!.principals).toBeLessThan(company!.principals);
    const row = await db.dataSource.getRepository(AccessReview).findOneByOrFail({ note: 'all good' });
    expect(row).toMatchObject({ scopeAccounts: [EU], scopeMarketplaces: [UK], reviewerLabel: null });
    expect(await db.dataSource.getRepository(AccessReview).findOneByOrFail({ note: 'company-wide' })).toMatchObject({ scopeAccounts: null, scopeMarketplaces: null });
    expect(await last('admin')).toEqual(company);

    // Within a scope: its own, and those of scopes inside it (EU/UK lies within EU); never a wider one.
    expect(await last('adminEUUK')).toEqual(scoped);
    expect(await last('adminEU')).toEqual(scoped);
    expect(await last('adminJP')).toBeNull();
    const eu = await signOff('adminEU', 'EU reviewed');
    expect(await last('adminEU')).toEqual(eu);
    expect(await last('adminEUUK')).toEqual(scoped);
    expect(await last('admin')).toEqual(company);

    // A new company-wide sign-off is the one the unscoped administrator sees.
    const again = await signOff('admin', 'company-wide again');
    expect(await last('admin')).toEqual(again);
    expect(await last('adminEUUK')).toEqual(scoped);
  });

  it('CLI: the reviewer is the admitted principal, --reviewer a label; the sign-off covers its scope', async () => {
    const scopedDeps = testCliDeps(db, {}, { token: tokens.adminEUUK });
    const signed = JSON.parse(await runCli(scopedDeps, [registerSecurityCommands], ['access-review', '--format', 'json', '--sign-off', '--note', 'CLI scoped', '--reviewer', 'The CISO']));
    expect(signed.lastSignOff).toMatchObject({ reviewer: `token:${ids.adminEUUK}`, reviewerLabel: 'The CISO', accounts: [EU], marketplaces: [UK], note: 'CLI scoped' });
    expect(await db.dataSource.getRepository(AccessReview).findOneByOrFail({ note: 'CLI scoped' })).toMatchObject({ reviewer: `token:${ids.adminEUUK}`, reviewerLabel: 'The CISO' });
    // The operator (not limited in scope) sees the company-wide sign-off, not the scoped one.
    const operator = JSON.parse(await runCli(testCliDeps(db), [registerSecurityCommands], ['access-review', '--format', 'json']));
    expect(operator.lastSignOff).toMatchObject({ note: 'company-wide again', accounts: null, marketplaces: null });
    // A JP administrator sees none of them.
    const jp = JSON.parse(await runCli(testCliDeps(db, {}, { token: tokens.adminJP }), [registerSecurityCommands], ['access-review', '--format', 'json']));
    expect(jp.lastSignOff).toBeNull();
    // The operator's own sign-off, with a label, is company-wide under its own name.
    const own = JSON.parse(await runCli(testCliDeps(db), [registerSecurityCommands], ['access-review', '--format', 'json', '--sign-off', '--note', 'operator', '--reviewer', 'someone else']));
    expect(own.lastSignOff).toMatchObject({ reviewer: expect.stringMatching(/^operator:/), reviewerLabel: 'someone else', accounts: null, marketplaces: null });
    expect(await last('admin')).toMatchObject({ note: 'operator', reviewer: expect.stringMatching(/^operator:/) });
  });
});
