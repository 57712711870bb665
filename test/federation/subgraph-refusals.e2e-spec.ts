// A subgraph port refuses requests without a valid hop token (401, recorded once each). Those
// pay the per-address rate limit (IP_RATE_LIMIT_*: 429, recorded once), and their record is
// fail-closed (503 when it cannot be written). A request with a valid hop token is not limited
// here (the gateway admitted it under its limits).
import type { Principal } from '../../src/auth/principal';
import { loadConfig } from '../../src/config';
import { federationKeys, INTERNAL_CONTEXT_HEADER } from '../../src/federation/internal-context';
import { startSubgraphServer, type SubgraphServer } from '../../src/federation/subgraph-server';
import { Purpose } from '../../src/policy/taxonomy';
import { loadGatewayPolicy } from '../../src/server/components';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { mintHop } from './support/federation';
import { auditRecordsOf, FLOODABLE_PER_ADDRESS_LIMIT, withAuditWritesRefused } from '../support/refusals';

jest.setTimeout(120_000);

const ANALYST: Principal = { id: 'analyst-token', kind: 'token', name: 'analyst', role: 'analyst', purposes: [Purpose.BUSINESS_ANALYSIS], categories: null, accounts: null, marketplaces: null, partner: false, expiresAt: null };
const QUERY = '{ orders(first: 1) { nodes { id } } }';

describe('subgraph refusals', () => {
  let db: TestDatabase;
  let orders: SubgraphServer;
  let policyVersion: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = loadConfig({ ...process.env, NODE_ENV: 'test', REDIS_URL: undefined, ...FLOODABLE_PER_ADDRESS_LIMIT });
    const policy = loadGatewayPolicy(config);
    policyVersion = policy.version;
    orders = await startSubgraphServer({ name: 'orders', dataSource: db.dataSource, config, policy, keys: federationKeys(config), port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await orders?.stop();
    await db?.close();
  });

  const recordsOf = (requestId: string) => auditRecordsOf(db.dataSource, requestId);
  const post = (requestId: string, headers: Record<string, string> = {}) =>
    fetch(orders.url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'probe/3.0', 'x-request-id': requestId, ...headers }, body: JSON.stringify({ query: QUERY }) });
  const validHop = () => mintHop({ audience: 'orders', query: QUERY, principal: ANALYST, purpose: Purpose.BUSINESS_ANALYSIS, policyVersion });

  it('fails closed: 503 when the record of a refusal cannot be written', async () => {
    const response = await withAuditWritesRefused(db.dataSource, () => post('subgraph-unrecorded'));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(((await response.json()) as { errors: { extensions: unknown }[] }).errors[0].extensions).toEqual({ code: 'UNAVAILABLE', reason: 'AUDIT_WRITE_FAILED' });
    expect(await recordsOf('subgraph-unrecorded')).toHaveLength(0);
  });

  it('refuses requests without a valid hop token 401 until the address limit, then 429, each recorded once; valid hops still served', async () => {
    // The 503 above took the first token of this address's bucket (burst 3).
    const first = await post('subgraph-refused-1');
    expect(first.status).toBe(401);
    expect(await recordsOf('subgraph-refused-1')).toEqual([
      expect.objectContaining({ outcome: 'refused', errorCodes: ['HOP_TOKEN_MISSING', 'UNAUTHENTICATED'], servedBy: 'orders', userAgent: 'probe/3.0', sourceIp: expect.stringMatching(/127\.0\.0\.1/) }),
    ]);
    expect((await post('subgraph-refused-2', { [INTERNAL_CONTEXT_HEADER]: 'not-a-token' })).status).toBe(401);
    const limited = await post('subgraph-limited');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await limited.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('RATE_LIMITED');
    const records = await recordsOf('subgraph-limited');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ outcome: 'refused', errorCodes: ['HOP_TOKEN_MISSING', 'RATE_LIMITED'], servedBy: 'orders' });
    expect((await post('subgraph-limited-bad', { [INTERNAL_CONTEXT_HEADER]: 'not-a-token' })).status).toBe(429);
    // A request the gateway sends (a valid hop token) is not limited here.
    const served = await post('subgraph-served', { [INTERNAL_CONTEXT_HEADER]: await validHop() });
    expect(served.status).toBe(200);
  });
});
