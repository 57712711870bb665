// Administrative objects are row-scoped: a principal limited to some seller accounts names, sees
// and acts on deletion requests, legal holds, tokens and suspensions only within them, and creates
// no token wider than itself. Over HTTP with the demo data.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AmazonCredentialKind } from '../../entities/gateway/amazon-credential.entity';
import { createToken } from '../../src/auth/api-token.service';
import { loadConfig } from '../../src/config';
import { createCredentialVault } from '../../src/security/credentials/vault';
import { DEFAULT_POLICY_DOCUMENT, defaultPolicy } from '../../src/policy/default-policy';
import { Permission } from '../../src/policy/taxonomy';
import { SuspensionService } from '../../src/security/suspension.service';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestDemo, testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';

jest.setTimeout(180_000);

const US = 'A1SGDEMOUS0001';
const EU = 'A2SGDEMOEU0002';
const JP = 'A3SGDEMOJP0003';

type Body = { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
const codes = (body: Body) => (body.errors ?? []).map((error) => error.extensions?.code);

describe('administrative objects within the row scope', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  const tokens: Record<string, string> = {};
  let euOrder: string;
  let usOrder: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestDemo(db.dataSource);
    // As in the issue: compliance may handle deletion requests.
    const dir = mkdtempSync(join(tmpdir(), 'sg-admin-scope-'));
    const policy = JSON.parse(JSON.stringify(DEFAULT_POLICY_DOCUMENT));
    policy.roles.compliance.permissions = [Permission.EXPLAIN_ACCESS, Permission.MANAGE_DELETION_REQUESTS];
    // Row scope is what this file tests, so one principal takes every step of a deletion here
    // (separation of duties: test/retention/deletion-duties.e2e-spec.ts).
    policy.deletion = { separationOfDuties: false };
    writeFileSync(join(dir, 'policy.json'), JSON.stringify(policy));
    gateway = await startTestGateway(db, { env: { POLICY_FILE: join(dir, 'policy.json'), RATE_LIMIT_PER_MINUTE: '0', IP_RATE_LIMIT_PER_MINUTE: '0' } });
    tokens.complianceUS = await testTokenFor(db.dataSource, 'compliance', { accounts: [US] });
    tokens.adminJP = await testTokenFor(db.dataSource, 'admin', { accounts: [JP] });
    tokens.admin = await testTokenFor(db.dataSource, 'admin');
    const [eu] = await db.dataSource.query('SELECT amazon_order_id FROM amazon_order WHERE seller_account_id = $1 ORDER BY amazon_order_id LIMIT 1', [EU]);
    const [us] = await db.dataSource.query('SELECT amazon_order_id FROM amazon_order WHERE seller_account_id = $1 ORDER BY amazon_order_id LIMIT 1', [US]);
    euOrder = eu.amazon_order_id;
    usOrder = us.amazon_order_id;
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  const post = async (token: string, query: string, variables?: Record<string, unknown>, purpose?: string): Promise<Body> =>
    (await gateway.post(query, { token: tokens[token], variables, purpose })).body as Body;
  const rowsOf = async (orderId: string) => Number((await db.dataSource.query('SELECT count(*)::int AS n FROM amazon_order WHERE amazon_order_id = $1', [orderId]))[0].n);

  const REQUEST = 'mutation ($input: RequestDeletionInput!) { requestDeletion(input: $input) { id state } }';
  const DECIDE = 'mutation ($id: ID!) { decideDeletionRequest(id: $id, decision: APPROVED, reason: "verified") { state } }';
  const EXECUTE = 'mutation ($id: ID!) { executeDeletionRequest(id: $id) { totalRows } }';
  const LIST = '{ deletionRequests { id } }';

  it("refuses a scoped principal's deletion request for another account's order, and hides others' requests from it", async () => {
    expect(await rowsOf(euOrder)).toBe(1);
    const refused = await post('complianceUS', REQUEST, { input: { amazonOrderIds: [euOrder], reason: 'erasure', requester: 'buyer' } }, 'COMPLIANCE_REVIEW');
    expect(codes(refused)).toEqual(['FORBIDDEN']);
    // Naming the other account does not help; an order that does not exist is refused alike.
    const named = await post('complianceUS', REQUEST, { input: { amazonOrderIds: [euOrder], account: EU, reason: 'erasure', requester: 'buyer' } }, 'COMPLIANCE_REVIEW');
    expect(codes(named)).toEqual(['FORBIDDEN']);
    const missing = await post('complianceUS', REQUEST, { input: { amazonOrderIds: ['999-0000000-0000000'], reason: 'erasure', requester: 'buyer' } }, 'COMPLIANCE_REVIEW');
    expect(missing.errors?.[0].message.replace('999-0000000-0000000', 'X')).toBe(refused.errors?.[0].message.replace(euOrder, 'X'));
    const wholeAccount = await post('complianceUS', REQUEST, { input: { account: EU, reason: 'erasure', requester: 'buyer' } }, 'COMPLIANCE_REVIEW');
    expect(codes(wholeAccount)).toEqual(['FORBIDDEN']);

    // An unscoped administrator files one for the EU order: the US-scoped principal neither sees nor acts on it.
    const filed = await post('admin', REQUEST, { input: { amazonOrderIds: [euOrder], reason: 'erasure', requester: 'buyer' } });
    expect(filed.errors).toBeUndefined();
    const id = (filed.data!.requestDeletion as { id: string }).id;
    const listed = await post('complianceUS', LIST, undefined, 'COMPLIANCE_REVIEW');
    expect(listed.errors).toBeUndefined();
    expect((listed.data!.deletionRequests as { id: string }[]).map((r) => r.id)).not.toContain(id);
    const decided = await post('complianceUS', DECIDE, { id }, 'COMPLIANCE_REVIEW');
    expect(decided.errors?.[0].message).toBe(`No deletion request ${id}`);
    // Approved by someone in scope, the scoped principal still cannot execute it.
    expect((await post('admin', DECIDE, { id })).errors).toBeUndefined();
    const executed = await post('complianceUS', EXECUTE, { id }, 'COMPLIANCE_REVIEW');
    expect(executed.errors?.[0].message).toBe(`No deletion request ${id}`);
    const certificate = await post('complianceUS', `{ deletionCertificate(requestId: "${id}") { id } }`, undefined, 'COMPLIANCE_REVIEW');
    expect(certificate.data?.deletionCertificate ?? null).toBeNull();
    expect(await rowsOf(euOrder)).toBe(1);
    expect((await post('admin', LIST)).data!.deletionRequests).toEqual(expect.arrayContaining([{ id }]));
  });

  it('lets a scoped principal request, list and execute deletions of its own orders, limited to its account', async () => {
    const filed = await post('complianceUS', REQUEST, { input: { amazonOrderIds: [usOrder], reason: 'erasure', requester: 'buyer' } }, 'COMPLIANCE_REVIEW');
    expect(filed.errors).toBeUndefined();
    const id = (filed.data!.requestDeletion as { id: string }).id;
    const [stored] = await db.dataSource.query('SELECT scope_account_id, scope_accounts FROM deletion_request WHERE id = $1', [id]);
    expect(stored).toEqual({ scope_account_id: US, scope_accounts: [US] });
    const listed = await post('complianceUS', LIST, undefined, 'COMPLIANCE_REVIEW');
    expect((listed.data!.deletionRequests as { id: string }[]).map((r) => r.id)).toEqual([id]);
    expect((await post('complianceUS', DECIDE, { id }, 'COMPLIANCE_REVIEW')).errors).toBeUndefined();
    const executed = await post('complianceUS', EXECUTE, { id }, 'COMPLIANCE_REVIEW');
    expect(executed.errors).toBeUndefined();
    expect(await rowsOf(usOrder)).toBe(0);
    // After execution (scope erased) it is still listed to its scope.
    expect((await post('complianceUS', LIST, undefined, 'COMPLIANCE_REVIEW')).data!.deletionRequests).toEqual([{ id }]);
  });

  const CREATE = 'mutation ($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id role accounts } } }';

  it('creates no token wider than its creator', async () => {
    // The case: a JP-limited admin makes an unlimited finance token.
    const finance = await post('adminJP', CREATE, { input: { role: 'finance' } });
    expect(codes(finance)).toEqual(['FORBIDDEN']);
    expect(finance.errors![0].message).toMatch(/wider than its creator/);
    const financeJP = await post('adminJP', CREATE, { input: { role: 'finance', accounts: [JP] } });
    expect(codes(financeJP)).toEqual(['FORBIDDEN']);
    const unlimited = await post('adminJP', CREATE, { input: { role: 'admin' } });
    expect(codes(unlimited)).toEqual(['FORBIDDEN']);
    const otherAccount = await post('adminJP', CREATE, { input: { role: 'admin', accounts: [EU] } });
    expect(codes(otherAccount)).toEqual(['FORBIDDEN']);
    const own = await post('adminJP', CREATE, { input: { role: 'admin', accounts: [JP] } });
    expect(own.errors).toBeUndefined();
    expect((own.data!.createApiToken as { apiToken: { accounts: string[] } }).apiToken.accounts).toEqual([JP]);
    // Nothing was stored by the refusals.
    expect(Number((await db.dataSource.query("SELECT count(*)::int AS n FROM api_token WHERE role = 'finance' AND created_by LIKE 'token:%'"))[0].n)).toBe(0);
  });

  it('lists and revokes tokens only within scope', async () => {
    const euToken = await createToken(db.dataSource.manager, defaultPolicy(), { role: 'analyst', accounts: [EU], createdBy: 'test' });
    const jpToken = await createToken(db.dataSource.manager, defaultPolicy(), { role: 'analyst', accounts: [JP], createdBy: 'test' });
    const listed = await post('adminJP', '{ apiTokens { id accounts } }');
    const ids = (listed.data!.apiTokens as { id: string; accounts: string[] | null }[]);
    expect(ids.map((t) => t.id)).toContain(jpToken.record.id);
    expect(ids.every((t) => t.accounts !== null && t.accounts.every((a) => a === JP))).toBe(true);
    const revoke = 'mutation ($id: ID!) { revokeApiToken(id: $id) { id revokedAt } }';
    const refused = await post('adminJP', revoke, { id: euToken.record.id });
    expect(refused.errors?.[0].message).toBe(`No token with id ${euToken.record.id}`);
    expect((await gateway.post('{ salesSummary(groupBy: MARKETPLACE) { totalCount } }', { token: euToken.token, purpose: 'BUSINESS_ANALYSIS' })).status).not.toBe(401);
    expect((await post('adminJP', revoke, { id: jpToken.record.id })).errors).toBeUndefined();
  });

  it('places, lists and releases legal holds only within scope', async () => {
    const PLACE = 'mutation ($input: PlaceLegalHoldInput!) { placeLegalHold(input: $input) { id sellerAccountId } }';
    const other = await post('adminJP', PLACE, { input: { reason: 'dispute', sellerAccountId: EU } });
    expect(codes(other)).toEqual(['FORBIDDEN']);
    const orders = await post('adminJP', PLACE, { input: { reason: 'dispute', amazonOrderIds: [euOrder] } });
    // Naming no account, a JP-limited principal holds only JP records.
    expect(orders.errors).toBeUndefined();
    expect((orders.data!.placeLegalHold as { sellerAccountId: string }).sellerAccountId).toBe(JP);
    const euHold = await post('admin', PLACE, { input: { reason: 'dispute', sellerAccountId: EU } });
    const euHoldId = (euHold.data!.placeLegalHold as { id: string }).id;
    const listed = await post('adminJP', '{ legalHolds { id sellerAccountId } }');
    expect((listed.data!.legalHolds as { sellerAccountId: string }[]).map((h) => h.sellerAccountId)).toEqual([JP]);
    const release = await post('adminJP', 'mutation ($id: ID!) { releaseLegalHold(id: $id, reason: "done") { id } }', { id: euHoldId });
    expect(release.errors?.[0].message).toBe(`No legal hold ${euHoldId}`);
    expect(((await post('admin', '{ legalHolds { id } }')).data!.legalHolds as { id: string }[]).map((h) => h.id)).toContain(euHoldId);
  });

  it('lists and reinstates suspensions only of principals within scope', async () => {
    const eu = await createToken(db.dataSource.manager, defaultPolicy(), { role: 'analyst', accounts: [EU], createdBy: 'test' });
    const jp = await createToken(db.dataSource.manager, defaultPolicy(), { role: 'analyst', accounts: [JP], createdBy: 'test' });
    const service = new SuspensionService(db.dataSource, { cacheMs: 0 });
    for (const token of [eu, jp]) await service.suspend({ principalId: token.record.id, principalKind: 'token', principalRole: 'analyst', rule: 'MANUAL', reason: 'test' });
    const listed = await post('adminJP', '{ suspensions { principalId } }');
    expect(listed.errors).toBeUndefined();
    expect((listed.data!.suspensions as { principalId: string }[]).map((s) => s.principalId)).toEqual([jp.record.id]);
    const reinstate = 'mutation ($id: ID!) { reinstatePrincipal(principalId: $id, note: "ok") { principalId } }';
    expect(codes(await post('adminJP', reinstate, { id: eu.record.id }))).toEqual(['BAD_USER_INPUT']);
    expect((await post('adminJP', reinstate, { id: jp.record.id })).errors).toBeUndefined();
    expect(((await post('admin', '{ suspensions { principalId } }')).data!.suspensions as { principalId: string }[]).map((s) => s.principalId)).toEqual([eu.record.id]);
  });
  it('refuses a retention run to a principal limited in scope (it applies to every account)', async () => {
    const run = await post('adminJP', 'mutation { runRetention(dryRun: true) { dryRun } }');
    expect(codes(run)).toEqual(['FORBIDDEN']);
    expect((await post('admin', 'mutation { runRetention(dryRun: true) { dryRun } }')).errors).toBeUndefined();
  });

  it("executes a deletion only within the executor's scope, whatever changed since the request", async () => {
    const JP_MARKETPLACE = 'A1VC38T7YXB528';
    tokens.complianceJP = await testTokenFor(db.dataSource, 'compliance', { accounts: [JP], marketplaces: [JP_MARKETPLACE] });
    const filed = await post('complianceJP', REQUEST, { input: { account: JP, reason: 'account closed', requester: 'seller' } }, 'COMPLIANCE_REVIEW');
    expect(filed.errors).toBeUndefined();
    const id = (filed.data!.requestDeletion as { id: string }).id;
    expect((await post('complianceJP', DECIDE, { id }, 'COMPLIANCE_REVIEW')).errors).toBeUndefined();
    // Meanwhile the account is registered for the US marketplace and lists something there.
    await db.dataSource.query("INSERT INTO seller_account_marketplace (seller_id, marketplace_id) VALUES ($1, 'ATVPDKIKX0DER')", [JP]);
    const columns: { column_name: string }[] = await db.dataSource.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'listing' AND column_name <> 'id'");
    const names = columns.map((c) => c.column_name);
    const values = names.map((name) => (name === 'marketplace_id' ? "'ATVPDKIKX0DER'" : name === 'seller_sku' ? "'JP-IN-US-1'" : name));
    await db.dataSource.query(`INSERT INTO listing (${names.join(', ')}) SELECT ${values.join(', ')} FROM listing WHERE seller_account_id = $1 LIMIT 1`, [JP]);
    // (the holds placed above would block it)
    await db.dataSource.query("UPDATE legal_hold SET released_at = now(), released_by = 'test', release_reason = 'test' WHERE released_at IS NULL");
    const executed = await post('complianceJP', EXECUTE, { id }, 'COMPLIANCE_REVIEW');
    expect(executed.errors).toBeUndefined();
    const left: { marketplace_id: string; n: number }[] = await db.dataSource.query('SELECT marketplace_id, count(*)::int AS n FROM listing WHERE seller_account_id = $1 GROUP BY 1', [JP]);
    expect(left).toEqual([{ marketplace_id: 'ATVPDKIKX0DER', n: 1 }]);
  });
  it('lists, removes and reviews Amazon credentials and tokens only within scope', async () => {
    const vault = createCredentialVault(loadConfig({ ...process.env, NODE_ENV: 'test' }));
    const ids: Record<string, string> = {};
    await db.dataSource.transaction(async (manager) => {
      for (const account of [JP, US]) {
        const { credential } = await vault.set(manager, { sellerAccountId: account, kind: AmazonCredentialKind.REFRESH_TOKEN, secret: `refresh-token-of-${account}`, actor: 'test' });
        ids[account] = credential.id;
      }
    });
    type Credentials = { amazonCredentials: { id: string; sellerAccountId: string }[] };
    const scoped = await post('adminJP', '{ amazonCredentials { id sellerAccountId } }');
    expect(scoped.errors).toBeUndefined();
    expect((scoped.data as Credentials).amazonCredentials.map((credential) => credential.sellerAccountId)).toEqual([JP]);
    const all = await post('admin', '{ amazonCredentials { id sellerAccountId } }');
    expect((all.data as Credentials).amazonCredentials.map((credential) => credential.sellerAccountId).sort()).toEqual([US, JP].sort());
    // Another account's credential is absent for the JP administrator: not removed.
    const removal = await post('adminJP', 'mutation ($id: ID!) { removeAmazonCredential(id: $id) { id } }', { id: ids[US] });
    expect(codes(removal)).toEqual(['BAD_USER_INPUT']);
    expect((await db.dataSource.query('SELECT count(*)::int AS n FROM amazon_credential WHERE id = $1', [ids[US]]))[0].n).toBe(1);
    // The access review of a scoped reviewer: the tokens it may see, no users (their scope is not stored).
    const review = await post('adminJP', '{ accessReview { entries { principalId kind } } }');
    expect(review.errors).toBeUndefined();
    const visibleTokens = ((await post('adminJP', '{ apiTokens { id } }')).data as { apiTokens: { id: string }[] }).apiTokens.map((token) => token.id).sort();
    const entries = (review.data as { accessReview: { entries: { principalId: string; kind: string }[] } }).accessReview.entries;
    expect(entries.every((entry) => entry.kind === 'TOKEN')).toBe(true);
    expect(entries.map((entry) => entry.principalId).sort()).toEqual(visibleTokens);
  });
});
