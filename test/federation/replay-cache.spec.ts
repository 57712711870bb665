// A hop token is accepted once: by the process that saw it (in-process cache), and with Redis by
// every process of every subgraph (two caches on the same Redis stand for two processes).
import { randomUUID } from 'node:crypto';
import { MemoryReplayCache, RedisReplayCache } from '../../src/federation/replay-cache';

describe('hop token replay cache', () => {
  it('in-process: accepts a token id once until it expires, then forgets it', async () => {
    let now = 1_000_000;
    const cache = new MemoryReplayCache(() => now);
    const expiresAt = new Date(now + 10_000);
    expect(await cache.claim('a', expiresAt)).toBe(true);
    expect(await cache.claim('a', expiresAt)).toBe(false);
    expect(await cache.claim('b', expiresAt)).toBe(true);
    now += 20_000;
    // Expired ids are dropped (the token itself is refused as expired long before).
    expect(await cache.claim('a', new Date(now + 10_000))).toBe(true);
  });

  (process.env.REDIS_URL ? it : it.skip)('with Redis: a token used on one subgraph process is refused by another', async () => {
    const first = new RedisReplayCache(process.env.REDIS_URL!);
    const second = new RedisReplayCache(process.env.REDIS_URL!);
    try {
      const id = randomUUID();
      const expiresAt = new Date(Date.now() + 5_000);
      expect(await first.claim(id, expiresAt)).toBe(true);
      expect(await second.claim(id, expiresAt)).toBe(false);
      expect(await first.claim(id, expiresAt)).toBe(false);
      expect(await second.claim(randomUUID(), expiresAt)).toBe(true);
    } finally {
      await first.stop();
      await second.stop();
    }
  });
});
