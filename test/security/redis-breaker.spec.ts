// The first Redis connection, waited for before a process takes requests: ready beside a working
// Redis, and given up as soon as the connection fails when Redis is down (never the whole wait).
import { createHook } from 'node:async_hooks';
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

  it('stops while Redis is down without leaving a timer that would hold the process open', async () => {
    const breaker = new RedisBreaker(`redis://127.0.0.1:${await freePort()}`);
    expect(await breaker.whenReady(60_000)).toBe(false);
    // Redis away: the connection's socket has closed and a reconnect is pending.
    if (breaker.redis.status !== 'reconnecting') await new Promise((resolve) => breaker.redis.once('reconnecting', resolve));
    // The timers stop() arms (ioredis arms one on the already-closed socket), followed until they
    // fire or are cleared.
    const armed = new Set<number>();
    let watching = true;
    const hook = createHook({
      init(id, type) {
        if (watching && type === 'Timeout') armed.add(id);
      },
      destroy(id) {
        armed.delete(id);
      },
    }).enable();
    try {
      await breaker.stop();
      watching = false;
      // Ours is 100 ms (src/redis-options.ts), not ioredis's 2 s: it has fired before this one.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(armed.size).toBe(0);
    } finally {
      hook.disable();
    }
  });
});
