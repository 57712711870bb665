// A subgraph does not serve a principal it knows to be refused, whichever gateway minted the hop
// token: a token revoked since the gateway authenticated it (told by the change feed at once, or
// revoked before the subgraph started), or one whose expiry has passed, is refused with 401
// UNAUTHENTICATED under a valid hop token, and the refusal is in the subgraph's audit record under
// that principal. The subgraph's poll is set to a minute here: within a second only the feed can
// have told it. (Separate processes: propagation-processes.e2e-spec.ts.)
import { AuditRecord } from '../../entities/gateway/audit-record.entity';
import { ApiToken } from '../../entities/gateway/api-token.entity';
import { revokeToken, tokenPrincipal } from '../../src/auth/api-token.service';
import { UNRESTRICTED_SCOPE, type Principal } from '../../src/auth/principal';
import { hashTokenSecret } from '../../src/auth/token-secret';
import { loadConfig } from '../../src/config';
import { federationKeys, INTERNAL_CONTEXT_HEADER } from '../../src/federation/internal-context';
import { startSubgraphServer, type SubgraphServer } from '../../src/federation/subgraph-server';
import { Purpose } from '../../src/policy/taxonomy';
import { createChangeFeed, type ChangeFeed } from '../../src/server/change-feed';
import { loadGatewayPolicy } from '../../src/server/components';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestCatalog, testTokenFor } from '../support/fixtures';
import type { TestResponse } from '../support/gateway';
import { mintHop, postGraphQL } from './support/federation';

jest.setTimeout(120_000);

const QUERY = '{ orders(first: 1) { totalCount } }';

describe('a subgraph refuses principals refused since the gateway authenticated them', () => {
  let db: TestDatabase;
  let orders: SubgraphServer;
  let feed: ChangeFeed;
  let revokedBeforeStart: Principal;

  const principalOf = async (secret: string) => tokenPrincipal(await db.dataSource.getRepository(ApiToken).findOneByOrFail({ tokenHash: hashTokenSecret(secret) }));
  const newRequestId = (label: string) => `${label}-${Math.random().toString(36).slice(2, 10)}`;
  /** A request as a gateway sends it: a fresh, valid hop token for `principal`. */
  const hop = async (principal: Principal, requestId = newRequestId('hop')): Promise<TestResponse> => {
    const token = await mintHop({ audience: 'orders', query: QUERY, principal, purpose: Purpose.AFTER_SALES, policyVersion: orders.policies.current().version, requestId });
    return postGraphQL(orders.url, QUERY, { headers: { [INTERNAL_CONTEXT_HEADER]: token, 'x-request-id': requestId } });
  };
  const codes = (response: TestResponse) => `${response.status} ${(response.body.errors ?? []).map((error) => error.extensions?.code).join(',') || 'ok'}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestCatalog(db.dataSource);
    revokedBeforeStart = await principalOf(await testTokenFor(db.dataSource, 'operations'));
    await revokeToken(db.dataSource.manager, revokedBeforeStart.id, UNRESTRICTED_SCOPE);
    const config = loadConfig({ ...process.env, NODE_ENV: 'test', REDIS_URL: undefined, SUSPENSION_CACHE_MS: '60000', POLICY_POLL_MS: '60000' });
    orders = await startSubgraphServer({ name: 'orders', dataSource: db.dataSource, config, policy: loadGatewayPolicy(config), keys: federationKeys(config), port: 0, host: '127.0.0.1' });
    // Another process's feed (an administrator's gateway or CLI), on the same transport.
    feed = createChangeFeed({ config, dataSource: db.dataSource });
  });
  afterAll(async () => {
    await feed?.stop();
    await orders?.stop();
    await db?.close();
  });

  it('a token revoked and announced on the change feed is refused within one second, and the refusal is audited under it', async () => {
    const principal = await principalOf(await testTokenFor(db.dataSource, 'operations'));
    expect(codes(await hop(principal))).toBe('200 ok');

    await revokeToken(db.dataSource.manager, principal.id, UNRESTRICTED_SCOPE);
    await feed.publish({ kind: 'token-revoked', id: principal.id });
    const deadline = Date.now() + 1_000;
    let answer = await hop(principal);
    while (codes(answer) !== '401 UNAUTHENTICATED' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      answer = await hop(principal);
    }
    expect(codes(answer)).toBe('401 UNAUTHENTICATED');
    expect(answer.body.data ?? null).toBeNull();

    const requestId = newRequestId('revoked');
    expect(codes(await hop(principal, requestId))).toBe('401 UNAUTHENTICATED');
    expect(await db.dataSource.getRepository(AuditRecord).findBy({ requestId })).toEqual([
      expect.objectContaining({ servedBy: 'orders', principalId: principal.id, outcome: 'refused', errorCodes: ['UNAUTHENTICATED'], rowsByCategory: {} }),
    ]);
  });

  it('a token revoked before the subgraph started is refused from its first request', async () => {
    expect(codes(await hop(revokedBeforeStart))).toBe('401 UNAUTHENTICATED');
  });

  it('a token whose expiry has passed is refused, though the hop token itself is fresh', async () => {
    const principal = await principalOf(await testTokenFor(db.dataSource, 'operations'));
    expect(codes(await hop({ ...principal, expiresAt: new Date(Date.now() + 60_000) }))).toBe('200 ok');
    expect(codes(await hop({ ...principal, expiresAt: new Date(Date.now() - 1_000) }))).toBe('401 UNAUTHENTICATED');
  });
});
