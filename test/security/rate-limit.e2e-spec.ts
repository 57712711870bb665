// Rate limits: a token bucket per principal (per operation) and per source address (per HTTP
// request), RATE_LIMITED with Retry-After, audited; shared by two gateways on one Redis.
import { AuditRecord } from '../../entities/gateway/audit-record.entity';
import { MemoryRateLimitStore } from '../../src/security/rate-limit';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';

describe('rate limits', () => {
  let db: TestDatabase;
  const gateways: TestGateway[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((gateway) => gateway.stop()));
  });
  afterAll(async () => {
    await db?.close();
  });

  it('refills a bucket over time and says how long to wait', async () => {
    let now = 0;
    const store = new MemoryRateLimitStore(() => now);
    const spec = { perMinute: 60, burst: 2 };
    expect((await store.take('k', spec)).allowed).toBe(true);
    expect((await store.take('k', spec)).allowed).toBe(true);
    expect(await store.take('k', spec)).toEqual({ allowed: false, retryAfterSeconds: 1, remaining: 0 });
    now += 1000;
    expect((await store.take('k', spec)).allowed).toBe(true);
  });

  it('refuses a principal above its bucket with RATE_LIMITED, Retry-After and an audit record; others are unaffected', async () => {
    const gateway = await startTestGateway(db, { env: { RATE_LIMIT_PER_MINUTE: '1', RATE_LIMIT_BURST: '3' } });
    gateways.push(gateway);
    const token = await testTokenFor(db.dataSource, 'analyst');
    const other = await testTokenFor(db.dataSource, 'analyst');
    for (let i = 0; i < 3; i += 1) expect((await gateway.post('{ __typename }', { token })).status).toBe(200);
    const refused = await gateway.post('{ __typename }', { token, headers: { 'x-request-id': 'rate-limited-1' } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(refused.body.errors?.[0].message).toMatch(/RATE_LIMIT_PER_MINUTE/);
    const record = await db.dataSource.getRepository(AuditRecord).findOneByOrFail({ requestId: 'rate-limited-1' });
    expect(record).toMatchObject({ outcome: 'refused', errorCodes: ['RATE_LIMITED'] });
    expect((await gateway.post('{ __typename }', { token: other })).status).toBe(200);
  });

  it('limits requests per source address before authentication', async () => {
    const gateway = await startTestGateway(db, { env: { IP_RATE_LIMIT_PER_MINUTE: '1', IP_RATE_LIMIT_BURST: '2' } });
    gateways.push(gateway);
    expect((await gateway.post('{ __typename }', { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await gateway.post('{ __typename }', { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    const refused = await gateway.post('{ __typename }', { headers: { authorization: 'Bearer nope', 'x-request-id': 'ip-limited-1' } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(refused.body.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    expect(await db.dataSource.getRepository(AuditRecord).findOneByOrFail({ requestId: 'ip-limited-1' })).toMatchObject({ outcome: 'refused', errorCodes: ['RATE_LIMITED'] });
    expect((await gateway.get('/healthz')).status).toBe(200);
  });

  it('shares one bucket between two gateways on one Redis', async () => {
    const env = { REDIS_URL, RATE_LIMIT_PER_MINUTE: '1', RATE_LIMIT_BURST: '4' };
    const first = await startTestGateway(db, { env });
    const second = await startTestGateway(db, { env });
    gateways.push(first, second);
    const breakers = [first, second].map((gateway) => gateway.components.redisBreaker!);
    // A process waits at most a second for its first Redis connection and then answers from its own
    // memory (breaker open) until Redis is confirmed; on a loaded machine that can be the case here.
    // The buckets are shared once both gateways use Redis, which is what this checks.
    const deadline = Date.now() + 15_000;
    while (!breakers.every((breaker) => breaker.available())) {
      if (Date.now() > deadline) throw new Error(`Redis not available to both gateways within 15 s: ${breakers.map((breaker) => breaker.state()).join(', ')}`);
      await first.post('{ __typename }', { token: await testTokenFor(db.dataSource, 'analyst') });
      await second.post('{ __typename }', { token: await testTokenFor(db.dataSource, 'analyst') });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const fallbacksBefore = breakers.map((breaker) => breaker.fallbacks);
    const token = await testTokenFor(db.dataSource, 'analyst');
    const statuses: number[] = [];
    for (const gateway of [first, second, first, second, first, second]) statuses.push((await gateway.post('{ __typename }', { token })).status);
    expect(breakers.map((breaker) => breaker.fallbacks)).toEqual(fallbacksBefore);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });
});
