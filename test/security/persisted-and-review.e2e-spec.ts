// Persisted operations for partner tokens (registered by document hash; anything else is
// PERSISTED_QUERY_REQUIRED; automatic persisted queries for everyone else) and the access review
// (GraphQL and CLI, unused grants flagged, sign-off recorded).
import { UNRESTRICTED_SCOPE } from '../../src/auth/principal';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessReview } from '../../entities/gateway/access-review.entity';
import { ApiToken } from '../../entities/gateway/api-token.entity';
import { AuditRecord } from '../../entities/gateway/audit-record.entity';
import { hashTokenSecret } from '../../src/auth/token-secret';
import { registerSecurityCommands } from '../../src/cli/security.command';
import { defaultPolicy } from '../../src/policy/default-policy';
import { buildAccessReview } from '../../src/security/access-review.service';
import { documentHash } from '../../src/security/persisted-operations';
import { runCli, testCliDeps } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestCatalog, testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';

jest.setTimeout(120_000);

const REGISTERED = 'query PartnerProducts { products(first: 2) { nodes { asin title } } }';

describe('persisted operations and access review', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let partner: string;
  let partnerId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestCatalog(db.dataSource);
    partner = await testTokenFor(db.dataSource, 'analyst', { partner: true, expiresInDays: 30, purposes: ['BUSINESS_ANALYSIS' as never] });
    partnerId = (await db.dataSource.getRepository(ApiToken).findOneByOrFail({ tokenHash: hashTokenSecret(partner) })).id;
    gateway = await startTestGateway(db);
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  const cli = (...args: string[]) => runCli(testCliDeps(db), [registerSecurityCommands], args);

  it('lets a partner token run only the operations registered for it', async () => {
    const before = await gateway.post(REGISTERED, { token: partner });
    expect(before.status).toBe(403);
    expect(before.body.errors?.[0].extensions).toMatchObject({ code: 'PERSISTED_QUERY_REQUIRED', documentHash: documentHash(REGISTERED) });

    const file = join(mkdtempSync(join(tmpdir(), 'sg-persisted-')), 'partner.graphql');
    writeFileSync(file, REGISTERED);
    const added = JSON.parse(await cli('persisted', 'add', file, '--token', partnerId, '--json'));
    expect(added).toMatchObject({ tokenId: partnerId, documentHash: documentHash(REGISTERED), operationName: 'PartnerProducts' });

    const allowed = await gateway.post(REGISTERED, { token: partner });
    expect(allowed.body.errors).toBeUndefined();
    expect((allowed.body.data?.products as { nodes: unknown[] }).nodes).toHaveLength(2);
    // By hash alone (Apollo's persisted-query extension), without sending the document.
    const byHash = await gateway.postRaw(JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: documentHash(REGISTERED) } } }), {
      'content-type': 'application/json',
      authorization: `Bearer ${partner}`,
    });
    expect((byHash.body as { data?: unknown }).data).toEqual(allowed.body.data);
    // Anything else, even a small variation, is refused and audited.
    const other = await gateway.post('query PartnerProducts { products(first: 3) { nodes { asin title } } }', { token: partner, headers: { 'x-request-id': 'unregistered' } });
    expect(other.body.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_REQUIRED');
    expect(await db.dataSource.getRepository(AuditRecord).findOneByOrFail({ requestId: 'unregistered' })).toMatchObject({ outcome: 'refused', errorCodes: ['PERSISTED_QUERY_REQUIRED'] });
    expect(JSON.parse(await cli('persisted', 'list', '--token', partnerId, '--json'))).toHaveLength(1);
  });

  it('offers automatic persisted queries to everyone else', async () => {
    const token = await testTokenFor(db.dataSource, 'analyst');
    const query = '{ products(first: 1) { totalCount } }';
    const hash = documentHash(query);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': 'BUSINESS_ANALYSIS' };
    const miss = await gateway.postRaw(JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }), headers);
    expect((miss.body as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    await gateway.postRaw(JSON.stringify({ query, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }), headers);
    const hit = await gateway.postRaw(JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }), headers);
    expect((hit.body as { data: unknown }).data).toEqual({ products: { totalCount: expect.any(Number) } });
  });

  it('reviews access: every principal with its grants, unused grants flagged; a sign-off is recorded', async () => {
    const admin = await testTokenFor(db.dataSource, 'admin');
    const compliance = await testTokenFor(db.dataSource, 'compliance');
    const user = await testTokenFor(db.dataSource, 'finance');
    const financeId = (await db.dataSource.getRepository(ApiToken).findOneByOrFail({ tokenHash: hashTokenSecret(user) })).id;
    await gateway.post('{ settlements(first: 1) { totalCount } }', { token: user, purpose: 'ACCOUNTING' });

    const review = await gateway.post('{ accessReview { unusedDays flagged entries { principalId kind role purposes status unusedPurposes flagged } lastSignOff { reviewer } } }', { token: compliance });
    expect(review.body.errors).toBeUndefined();
    const report = review.body.data!.accessReview as { unusedDays: number; entries: { principalId: string; kind: string; role: string; purposes: string[] }[] };
    expect(report.unusedDays).toBe(90);
    expect(report.entries.find((entry) => entry.principalId === financeId)).toMatchObject({ kind: 'TOKEN', status: 'ACTIVE', role: 'finance', purposes: ['ACCOUNTING', 'BUSINESS_ANALYSIS', 'OPERATIONAL_REPORTING'] });
    // Others may not see it.
    expect((await gateway.post('{ accessReview { flagged } }', { token: user, purpose: 'ACCOUNTING' })).body.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    // A token older than the window: the grants it never used are flagged, ACCOUNTING (used) is not.
    const fresh = await buildAccessReview(db.dataSource.manager, defaultPolicy(), { unusedDays: 90, scope: UNRESTRICTED_SCOPE });
    expect(fresh.entries.find((entry) => entry.principalId === financeId)).toMatchObject({ unusedPurposes: [], flagged: false });
    await db.dataSource.getRepository(ApiToken).update({ id: financeId }, { createdAt: new Date(Date.now() - 120 * 86_400_000) });
    const aged = await buildAccessReview(db.dataSource.manager, defaultPolicy(), { unusedDays: 90, scope: UNRESTRICTED_SCOPE });
    expect(aged.entries.find((entry) => entry.principalId === financeId)).toMatchObject({ unusedPurposes: ['BUSINESS_ANALYSIS', 'OPERATIONAL_REPORTING'], flagged: true });
    // 100 days on, the ACCOUNTING use has left the window too.
    const later = await buildAccessReview(db.dataSource.manager, defaultPolicy(), { unusedDays: 90, scope: UNRESTRICTED_SCOPE, now: new Date(Date.now() + 100 * 86_400_000) });
    expect(later.entries.find((entry) => entry.principalId === financeId)?.unusedPurposes).toEqual(['ACCOUNTING', 'BUSINESS_ANALYSIS', 'OPERATIONAL_REPORTING']);

    const signed = await gateway.post('mutation { signOffAccessReview(note: "Q4 review") { reviewer note principals } }', { token: admin });
    expect(signed.body.data?.signOffAccessReview).toMatchObject({ note: 'Q4 review', reviewer: expect.stringMatching(/^token:/) });
    expect(await db.dataSource.getRepository(AccessReview).count()).toBe(1);

    const csv = await cli('access-review', '--format', 'csv');
    const [header, ...rows] = csv.trim().split('\n');
    expect(header).toBe('principalId,kind,name,role,purposes,categories,accounts,marketplaces,partner,createdAt,lastUsedAt,expiresAt,status,unusedPurposes,flagged');
    expect(rows.some((row) => row.startsWith(`"${financeId}","token"`))).toBe(true);
    const json = JSON.parse(await cli('access-review', '--format', 'json', '--sign-off', '--note', 'CLI review'));
    expect(json.lastSignOff).toMatchObject({ note: 'CLI review' });
    expect(await db.dataSource.getRepository(AccessReview).count()).toBe(2);
  });
});
