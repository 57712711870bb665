// Redis as an optimization: a gateway with REDIS_URL starts while Redis is down, answers without
// waiting for it (in-process rate limits, still enforced), shows the open breaker in /metrics,
// uses Redis again by itself once it is back, and keeps serving when it goes away again. The
// Redis is the test's own (a redis-server on a free port, stopped and started here).
import Redis from 'ioredis';
import { Purpose } from '../../src/policy/taxonomy';
import { createChangeFeed, type ChangeEvent } from '../../src/server/change-feed';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestCatalog, testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { chainVerifies, loadRequest, percentile, sleep } from './fault-load';
import { freePort, OwnRedis } from './redis-server';

const server = process.env.DATABASE_URL;
const describeOnServer = server ? describe : describe.skip;

describeOnServer('Redis down and back', () => {
  let db: TestDatabase;
  let redis: OwnRedis;
  let gateway: TestGateway | undefined;
  let token: string;
  let monitoring: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestCatalog(db.dataSource);
    token = await testTokenFor(db.dataSource, 'analyst');
    monitoring = await testTokenFor(db.dataSource, 'security', { purposes: [Purpose.TROUBLESHOOTING] });
    redis = new OwnRedis(await freePort());
  });
  afterAll(async () => {
    await gateway?.stop();
    await redis?.stop();
    await db?.close();
  });

  const breakerOpen = async (): Promise<number> => {
    const text = await (await gateway!.get('/metrics', { authorization: `Bearer ${monitoring}` })).text();
    const match = /^sellergate_redis_breaker_open (\d)/m.exec(text);
    if (!match) throw new Error(`no breaker gauge in /metrics:\n${text.slice(0, 500)}`);
    return Number(match[1]);
  };

  it('starts without Redis, serves without waiting for it, enforces in-process limits, and recovers when Redis is back', async () => {
    gateway = await startTestGateway(db, { env: { DATABASE_URL: db.url, REDIS_URL: redis.url, RATE_LIMIT_PER_MINUTE: '1', RATE_LIMIT_BURST: '40', IP_RATE_LIMIT_PER_MINUTE: '0' } });
    const down: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const result = await loadRequest(gateway.url, token);
      expect(result.status).toBe(200);
      down.push(result.ms);
    }
    // Each request used to wait about 2 s for Redis's retries; now none waits for it.
    expect(percentile(down, 50)).toBeLessThan(1_500);
    expect(await breakerOpen()).toBe(1);
    // The per-principal limit holds in-process meanwhile.
    const limited = await testTokenFor(db.dataSource, 'analyst');
    const statuses: number[] = [];
    for (let i = 0; i < 41; i += 1) statuses.push((await gateway.post('{ __typename }', { token: limited })).status);
    expect(statuses.slice(0, 40).every((status) => status === 200)).toBe(true);
    expect(statuses[40]).toBe(429);

    // Redis comes back: the breaker closes by itself and the buckets are shared in Redis again.
    await redis.start();
    const deadline = Date.now() + 20_000;
    while ((await breakerOpen()) !== 0) {
      if (Date.now() > deadline) throw new Error('the breaker did not close within 20 s of Redis being back');
      expect((await loadRequest(gateway.url, token)).status).toBe(200);
      await sleep(200);
    }
    expect((await loadRequest(gateway.url, token)).status).toBe(200);
    const client = new Redis(redis.url);
    try {
      expect((await client.keys('sellergate:rl:*')).length).toBeGreaterThan(0);
    } finally {
      client.disconnect();
    }

    // And goes away again: still serving, breaker open.
    await redis.stop();
    const again: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const result = await loadRequest(gateway.url, token);
      expect(result.status).toBe(200);
      again.push(result.ms);
    }
    expect(percentile(again, 50)).toBeLessThan(1_500);
    expect(await breakerOpen()).toBe(1);
    expect(await chainVerifies(db.dataSource)).toBe(true);
  });

  it('carries change events over PostgreSQL while Redis is away, between two processes configured for Redis', async () => {
    await redis.stop();
    const config = { REDIS_URL: redis.url, DATABASE_URL: db.url };
    const first = createChangeFeed({ config, dataSource: db.dataSource, redisAvailable: () => false });
    const second = createChangeFeed({ config, dataSource: db.dataSource, redisAvailable: () => false });
    try {
      const received: ChangeEvent[] = [];
      second.subscribe('token-revoked', (event) => {
        received.push(event);
      });
      first.subscribe('token-revoked', () => {});
      const deadline = Date.now() + 15_000;
      // LISTEN is set up in the background: publish until the other process has it.
      while (!received.some((event) => event.id === 'revoked-while-redis-down')) {
        if (Date.now() > deadline) throw new Error('the event did not arrive over PostgreSQL within 15 s');
        await first.publish({ kind: 'token-revoked', id: 'revoked-while-redis-down' });
        await sleep(200);
      }
      expect(received.find((event) => event.id === 'revoked-while-redis-down')?.origin).toBe(first.origin);
    } finally {
      await first.stop();
      await second.stop();
    }
  });
});
