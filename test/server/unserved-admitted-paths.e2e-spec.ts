// An unknown path or a wrong method under an admitted route (/metrics, /imports, /exports,
// /data-deletion) is refused 404 or 405 through admission, like the route it missed: one audit
// record with its request id, address, user agent and principal, the per-address rate limit
// (429), fail-closed (503). Other unknown paths get the plain 404, unrecorded.
import { Purpose } from '../../src/policy/taxonomy';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { auditRecordsOf, FLOODABLE_PER_ADDRESS_LIMIT, withAuditWritesRefused } from '../support/refusals';

describe('unserved paths under admitted routes', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let limited: TestGateway;
  let token: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    token = await testTokenFor(db.dataSource, 'security', { purposes: [Purpose.TROUBLESHOOTING] });
    gateway = await startTestGateway(db);
    limited = await startTestGateway(db, { env: FLOODABLE_PER_ADDRESS_LIMIT });
  });
  afterAll(async () => {
    await gateway?.stop();
    await limited?.stop();
    await db?.close();
  });

  const recordOf = (requestId: string) => auditRecordsOf(db.dataSource, requestId);
  const send = (target: TestGateway, method: string, path: string, requestId: string, headers: Record<string, string> = {}) =>
    fetch(`${target.url}${path}`, { method, headers: { 'user-agent': 'probe/2.0', 'x-request-id': requestId, ...headers }, redirect: 'manual' });

  it.each([
    ['POST', '/metrics', 405, 'GET, HEAD', 'POST /metrics'],
    ['GET', '/imports', 405, 'POST', 'GET /imports'],
    ['GET', '/exports/', 404, null, 'GET /exports'],
    ['POST', '/exports/abc', 405, 'GET, HEAD', 'POST /exports/*'],
    ['PUT', '/data-deletion', 405, 'GET, HEAD, POST', 'PUT /data-deletion'],
    ['GET', '/data-deletion/foo', 404, null, 'GET /data-deletion/*'],
    ['GET', '/EXPORTS/a/b', 404, null, 'GET /exports/*'],
  ] as const)('%s %s: %i, recorded', async (method, path, status, allow, operationName) => {
    const requestId = `unserved-${Math.random().toString(36).slice(2, 10)}`;
    const response = await send(gateway, method, path, requestId, { authorization: `Bearer ${token}` });
    expect(response.status).toBe(status);
    expect(response.headers.get('allow')).toBe(allow);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST');
    const records = await recordOf(requestId);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ requestId, userAgent: 'probe/2.0', operationType: 'http', operationName, outcome: 'invalid' });
    expect(records[0].sourceIp).toMatch(/127\.0\.0\.1/);
    // The public deletion pages admit anyone as the `public` principal of the address; the others name the token.
    expect(records[0].principalKind).toBe(path.toLowerCase().startsWith('/data-deletion') ? 'public' : 'token');
  });

  it('keeps the plain 404 (unrecorded) for other paths, and serves the admitted routes as before', async () => {
    for (const path of ['/nope', '/console/nope', '/metricsx', '/graphiql/nope']) {
      const response = await send(gateway, 'GET', path, 'plain-404');
      expect(response.status).toBe(404);
      expect(((await response.json()) as { endpoints: string[] }).endpoints).toContain('/graphql');
    }
    expect(await recordOf('plain-404')).toHaveLength(0);
    expect((await send(gateway, 'GET', '/metrics', 'metrics-ok', { authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await send(gateway, 'GET', '/data-deletion', 'deletion-page-ok')).status).toBe(200);
    expect((await send(gateway, 'GET', '/healthz', 'health-ok')).status).toBe(200);
  });

  it('stops a flood from one address with 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await send(limited, 'GET', '/imports', `unserved-flood-${i}`)).status);
    expect(statuses).toEqual([405, 405, 405]);
    const refused = await send(limited, 'GET', '/exports/', 'unserved-flood-limited', { authorization: `Bearer ${token}` });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    expect(await recordOf('unserved-flood-limited')).toEqual([expect.objectContaining({ outcome: 'refused', errorCodes: ['NOT_FOUND', 'RATE_LIMITED'] })]);
  });

  it('withholds the answer (503) when the record cannot be written', async () => {
    const response = await withAuditWritesRefused(db.dataSource, () => send(gateway, 'POST', '/metrics', 'unserved-unrecorded', { authorization: `Bearer ${token}` }));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('UNAVAILABLE');
    expect(await recordOf('unserved-unrecorded')).toHaveLength(0);
  });
});
