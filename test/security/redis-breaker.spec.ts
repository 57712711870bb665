// The first Redis connection, waited for before a process takes requests: ready beside a working
// Redis, and given up as soon as the connection fails when Redis is down (never the whole wait).
import { RedisBreaker } from '../../src/security/redis-breaker';
import { freePort } from '../faults/redis-server';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';

describe('RedisBreaker.whenReady', () => {
  const breakers: RedisBreaker[] = [];
  afterEach(async () => {
    await Promise.all(breakers.splice(0).map((breaker) => breaker.stop()));
  });

  it('resolves true once the connection is ready, and calls then go to Redis', async () => {
    const breaker = new RedisBreaker(REDIS_URL);
    breakers.push(breaker);
    expect(await breaker.whenReady(60_000)).toBe(true);
    expect(breaker.state()).toBe('closed');
    expect(await breaker.run(() => breaker.redis.ping(), () => 'fallback')).toBe('PONG');
    expect(breaker.fallbacks).toBe(0);
  });

  it('resolves false when nothing listens, without waiting out the (here longer than the test) time allowed', async () => {
    const breaker = new RedisBreaker(`redis://127.0.0.1:${await freePort()}`);
    breakers.push(breaker);
    expect(await breaker.whenReady(60_000)).toBe(false);
    expect(await breaker.run(() => breaker.redis.ping(), () => 'fallback')).toBe('fallback');
    expect(breaker.state()).toBe('open');
  });
});
