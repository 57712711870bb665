// Suspicious activity -> suspension: a principal crossing a rule's threshold is refused with
// SUSPENDED from the next request on, the alert is queryable in SYSTEM_LOGS, an administrator's
// reinstatement restores access, and every step is in the audit log.
import { UNRESTRICTED_SCOPE } from '../../src/auth/principal';
import { ApiToken } from '../../entities/gateway/api-token.entity';
import { AuditRecord } from '../../entities/gateway/audit-record.entity';
import { PrincipalSuspension } from '../../entities/gateway/principal-suspension.entity';
import { UserAction } from '../../entities/system-logs/user-action.entity';
import { revokeToken } from '../../src/auth/api-token.service';
import { hashTokenSecret } from '../../src/auth/token-secret';
import { registerSecurityCommands } from '../../src/cli/security.command';
import { runCli, testCliDeps } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';

jest.setTimeout(120_000);

const FORBIDDEN_QUERY = '{ orders(first: 1) { totalCount } }'; // ORDERS is not a category of BUSINESS_ANALYSIS

describe('suspicious activity and suspension', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let admin: string;
  let security: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    admin = await testTokenFor(db.dataSource, 'admin');
    security = await testTokenFor(db.dataSource, 'security');
    gateway = await startTestGateway(db, { env: { SUSPICIOUS_FORBIDDEN_COUNT: '3', SUSPICIOUS_ROWS_COUNT: '0' } });
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  async function tokenId(secret: string): Promise<string> {
    return (await db.dataSource.getRepository(ApiToken).findOneByOrFail({ tokenHash: hashTokenSecret(secret) })).id;
  }

  async function alerts(): Promise<string[]> {
    const { body } = await gateway.post('{ systemEvents(component: "security", first: 50) { nodes { level message } } }', { token: security, purpose: 'SECURITY' });
    expect(body.errors).toBeUndefined();
    return (body.data!.systemEvents as { nodes: { message: string }[] }).nodes.map((node) => node.message);
  }

  const cli = (...args: string[]) => runCli(testCliDeps(db), [registerSecurityCommands], args);

  it('suspends a principal after too many FORBIDDEN decisions, alerts, and reinstates it after review', async () => {
    const token = await testTokenFor(db.dataSource, 'analyst');
    const id = await tokenId(token);
    const as = (requestId: string) => ({ token, purpose: 'BUSINESS_ANALYSIS', headers: { 'x-request-id': requestId } });

    for (const n of [1, 2, 3]) {
      const { body } = await gateway.post(FORBIDDEN_QUERY, as(`probe-${n}`));
      expect(body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    // Refused from the next request on, whatever it asks (here: a harmless one).
    const refused = await gateway.post('{ __typename }', as('after-suspension'));
    expect(refused.status).toBe(403);
    expect(refused.body.errors?.[0].extensions).toMatchObject({ code: 'SUSPENDED', rule: 'FORBIDDEN_BURST' });
    expect((await gateway.post('{ products(first: 1) { totalCount } }', as('still-suspended'))).body.errors?.[0].extensions?.code).toBe('SUSPENDED');

    // The alert is in SYSTEM_LOGS, and the suspension in the admin API.
    expect((await alerts()).find((message) => message.includes(id))).toMatch(/^ALERT FORBIDDEN_BURST: token .* \(role analyst\) suspended pending review: 3 operations/);
    const listed = await gateway.post('{ suspensions { principalId rule requestId reinstatedAt } }', { token: admin });
    expect(listed.body.data?.suspensions).toEqual([{ principalId: id, rule: 'FORBIDDEN_BURST', requestId: 'probe-3', reinstatedAt: null }]);
    // Only administrators manage suspensions.
    expect((await gateway.post('{ suspensions { principalId } }', { token: security })).body.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    const reinstated = await gateway.post('mutation ($id: ID!) { reinstatePrincipal(principalId: $id, note: "dashboard misconfigured") { reinstatedBy reviewNote } }', {
      token: admin,
      variables: { id },
      headers: { 'x-request-id': 'reinstate-1' },
    });
    expect(reinstated.body.data?.reinstatePrincipal).toMatchObject({ reviewNote: 'dashboard misconfigured', reinstatedBy: expect.stringMatching(/^token:/) });
    expect((await gateway.post('{ __typename }', as('after-reinstatement'))).status).toBe(200);

    // The whole story is in the audit log.
    const records = await db.dataSource.getRepository(AuditRecord).find({ order: { id: 'ASC' } });
    const byRequest = (requestId: string) => records.find((record) => record.requestId === requestId);
    expect(['probe-1', 'probe-2', 'probe-3'].map((r) => byRequest(r)?.outcome)).toEqual(['denied', 'denied', 'denied']);
    expect(byRequest('after-suspension')).toMatchObject({ principalId: id, outcome: 'refused', errorCodes: ['SUSPENDED'] });
    expect(byRequest('reinstate-1')).toMatchObject({ operationName: null, outcome: 'ok', fields: expect.arrayContaining(['Mutation.reinstatePrincipal']) });
    expect(byRequest('after-reinstatement')).toMatchObject({ principalId: id, outcome: 'ok' });
    expect(await db.dataSource.getRepository(UserAction).findOneBy({ action: 'suspension.reinstate', target: id })).not.toBeNull();
  });

  it('suspends a revoked token tried again, and a token used from outside its IP allow-list', async () => {
    const revoked = await testTokenFor(db.dataSource, 'analyst');
    const revokedId = await tokenId(revoked);
    await revokeToken(db.dataSource.manager, revokedId, UNRESTRICTED_SCOPE);
    expect((await gateway.post('{ __typename }', { token: revoked })).status).toBe(401);
    expect(await db.dataSource.getRepository(PrincipalSuspension).findOneBy({ principalId: revokedId })).toMatchObject({ rule: 'REVOKED_TOKEN_USE' });

    const pinned = await testTokenFor(db.dataSource, 'analyst');
    const pinnedId = await tokenId(pinned);
    await db.dataSource.getRepository(ApiToken).update({ id: pinnedId }, { ipAllowList: ['10.20.30.40'] });
    expect((await gateway.post('{ __typename }', { token: pinned })).status).toBe(401);
    // Even from an allowed address, the token stays suspended until reviewed.
    await db.dataSource.getRepository(ApiToken).update({ id: pinnedId }, { ipAllowList: ['10.20.30.40', '127.0.0.1'] });
    const after = await gateway.post('{ __typename }', { token: pinned });
    expect(after.body.errors?.[0].extensions).toMatchObject({ code: 'SUSPENDED', rule: 'IP_ALLOW_LIST_VIOLATION' });
    const messages = await alerts();
    expect(messages.some((m) => m.startsWith('ALERT REVOKED_TOKEN_USE') && m.includes(revokedId))).toBe(true);
    expect(messages.some((m) => m.startsWith('ALERT IP_ALLOW_LIST_VIOLATION') && m.includes(pinnedId))).toBe(true);

    // Reinstated from the command line (audited), then served again.
    const listed = JSON.parse(await cli('suspension', 'list', '--json')) as { principalId: string }[];
    expect(listed.map((row) => row.principalId)).toEqual(expect.arrayContaining([revokedId, pinnedId]));
    await cli('suspension', 'reinstate', pinnedId, '--note', 'office address added to the allow-list');
    await waitFor(async () => (await gateway.post('{ __typename }', { token: pinned })).status === 200);
    const cliRecord = await db.dataSource.getRepository(AuditRecord).findOneOrFail({ where: { operationName: 'suspension reinstate' }, order: { id: 'DESC' } });
    expect(cliRecord).toMatchObject({ principalKind: 'operator', operationType: 'mutation', outcome: 'ok' });
    expect(cliRecord.principalId).toMatch(/^cli:/);
  });

  it('shares suspensions between two gateways on one database within a second', async () => {
    const other = await startTestGateway(db, { env: { SUSPICIOUS_FORBIDDEN_COUNT: '3' } });
    try {
      const token = await testTokenFor(db.dataSource, 'analyst');
      expect((await other.post('{ __typename }', { token })).status).toBe(200);
      for (let n = 0; n < 3; n += 1) await gateway.post(FORBIDDEN_QUERY, { token, purpose: 'BUSINESS_ANALYSIS' });
      const started = Date.now();
      await waitFor(async () => (await other.post('{ __typename }', { token })).body.errors?.[0].extensions?.code === 'SUSPENDED');
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await other.stop();
    }
  });

  it('suspends bulk reading above the rows threshold', async () => {
    const bulk = await startTestGateway(db, { env: { SUSPICIOUS_ROWS_COUNT: '2' } });
    try {
      const token = await testTokenFor(db.dataSource, 'security');
      const id = await tokenId(token);
      const read = () => bulk.post('{ userActions(first: 5) { nodes { action } } }', { token, purpose: 'AUDIT' });
      expect((await read()).body.errors).toBeUndefined();
      await read();
      expect((await read()).body.errors?.[0].extensions).toMatchObject({ code: 'SUSPENDED', rule: 'BULK_READ' });
      expect(await db.dataSource.getRepository(PrincipalSuspension).findOneBy({ principalId: id })).toMatchObject({ rule: 'BULK_READ' });
    } finally {
      await bulk.stop();
    }
  });
});

/** Polls until `check` holds (at most ~5 s): for changes other processes see within a second. */
async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('condition not met within 5 s');
}
