// Hop token ids a subgraph has accepted, kept until the token expires, so each token is used once.
// With REDIS_URL every process of every subgraph shares one cache (SET NX with the token's
// remaining lifetime); without it the cache lives in the process. A cache that cannot answer
// refuses the request (fail-closed).
import Redis from 'ioredis';
import { REDIS_SHARED_OPTIONS } from '../redis-options';
import type { ReplayCache } from './internal-context';

export class MemoryReplayCache implements ReplayCache {
  private readonly seen = new Map<string, number>();
  private lastSweep = 0;

  constructor(private readonly clock: () => number = Date.now) {}

  async claim(tokenId: string, expiresAt: Date): Promise<boolean> {
    const now = this.clock();
    if (now - this.lastSweep > 1_000) {
      this.lastSweep = now;
      for (const [id, until] of this.seen) if (until <= now) this.seen.delete(id);
    }
    const until = this.seen.get(tokenId);
    if (until !== undefined && until > now) return false;
    this.seen.set(tokenId, expiresAt.getTime());
    return true;
  }
}

export class RedisReplayCache implements ReplayCache {
  private readonly redis: Redis;

  constructor(url: string, private readonly prefix = 'sellergate:hop:') {
    this.redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectionName: 'sellergate-hop-replay', ...REDIS_SHARED_OPTIONS });
    this.redis.on('error', () => undefined); // each claim reports its own failure
  }

  async claim(tokenId: string, expiresAt: Date): Promise<boolean> {
    const ttlMs = Math.max(1_000, expiresAt.getTime() - Date.now());
    const result = await this.redis.set(this.prefix + tokenId, '1', 'PX', ttlMs, 'NX');
    return result === 'OK';
  }

  async stop(): Promise<void> {
    this.redis.disconnect();
  }
}

/** The replay cache as configured: Redis with REDIS_URL, else in-process. */
export function createReplayCache(redisUrl: string | undefined): ReplayCache {
  return redisUrl ? new RedisReplayCache(redisUrl) : new MemoryReplayCache();
}
