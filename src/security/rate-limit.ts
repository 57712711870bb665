// Token-bucket rate limiting. With Redis, one Lua script takes tokens atomically (clock from the
// Redis server, so every gateway process shares one bucket per key); without it, buckets live
// in this process. A bucket holds `burst` tokens and refills `perMinute` tokens a minute.
import type Redis from 'ioredis';

export interface BucketSpec {
  /** Tokens refilled per minute (0 = unlimited). */
  perMinute: number;
  /** Bucket size: the burst allowed after a quiet period. */
  burst: number;
}

export interface TakeResult {
  allowed: boolean;
  /** Whole seconds to wait before a token is available (0 when allowed). */
  retryAfterSeconds: number;
  remaining: number;
}

export interface RateLimitStore {
  take(key: string, spec: BucketSpec, cost?: number): Promise<TakeResult>;
}

/** Keys and refill rates, as both stores compute them. */
function ratePerMs(spec: BucketSpec): number {
  return spec.perMinute / 60_000;
}

/** In-process buckets (one gateway process, or tests). Idle buckets are dropped when full again. */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly clock: () => number = () => Date.now()) {}

  async take(key: string, spec: BucketSpec, cost = 1): Promise<TakeResult> {
    const now = this.clock();
    const rate = ratePerMs(spec);
    const bucket = this.buckets.get(key) ?? { tokens: spec.burst, at: now };
    let tokens = Math.min(spec.burst, bucket.tokens + Math.max(0, now - bucket.at) * rate);
    let allowed = false;
    let retryAfterSeconds = 0;
    if (tokens >= cost) {
      tokens -= cost;
      allowed = true;
    } else {
      retryAfterSeconds = Math.max(1, Math.ceil((cost - tokens) / rate / 1000));
    }
    this.buckets.set(key, { tokens, at: now });
    if (this.buckets.size > 100_000) this.sweep(now, rate, spec.burst);
    return { allowed, retryAfterSeconds, remaining: Math.floor(tokens) };
  }

  private sweep(now: number, rate: number, burst: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * rate >= burst) this.buckets.delete(key);
    }
  }
}

// KEYS[1] bucket; ARGV: burst, refill per ms, cost. Returns {allowed, retry after ms, remaining}.
const TAKE_SCRIPT = `
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil then tokens = burst; at = now end
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local allowed = 0
local retry = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  retry = math.ceil((cost - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate) + 1000)
return {allowed, retry, math.floor(tokens)}
`;

/** Buckets in Redis, shared by every gateway process using the same Redis. */
export class RedisRateLimitStore implements RateLimitStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'sellergate:rl:',
  ) {
    redis.defineCommand('sellergateTakeToken', { numberOfKeys: 1, lua: TAKE_SCRIPT });
  }

  async take(key: string, spec: BucketSpec, cost = 1): Promise<TakeResult> {
    const take = (this.redis as unknown as { sellergateTakeToken(key: string, ...args: (string | number)[]): Promise<[number, number, number]> }).sellergateTakeToken;
    const [allowed, retryMs, remaining] = await take.call(this.redis, this.prefix + key, spec.burst, ratePerMs(spec), cost);
    return { allowed: allowed === 1, retryAfterSeconds: allowed === 1 ? 0 : Math.max(1, Math.ceil(retryMs / 1000)), remaining };
  }
}

/** What the gateway limits: principals (per operation) and source addresses (per HTTP request). */
export class RateLimiter {
  constructor(
    private readonly store: RateLimitStore,
    private readonly principalSpec: BucketSpec,
    private readonly ipSpec: BucketSpec,
    /** Told when the store fails; the request is then let through (availability over limits). */
    private readonly onStoreError: (error: unknown) => void = () => {},
    /** Principal kinds with their own limit (the `public` principal of the Data Deletion form). */
    private readonly kindSpecs: Partial<Record<string, BucketSpec>> = {},
  ) {}

  /** `cost`: the operations the request carries (a batched request pays for each). */
  takeForPrincipal(kind: string, id: string, cost = 1): Promise<TakeResult> {
    return this.take(`p:${kind}:${id}`, this.kindSpecs[kind] ?? this.principalSpec, cost);
  }

  takeForIp(ip: string): Promise<TakeResult> {
    return this.take(`ip:${ip}`, this.ipSpec);
  }

  private async take(key: string, spec: BucketSpec, cost = 1): Promise<TakeResult> {
    if (spec.perMinute <= 0 || spec.burst <= 0) return { allowed: true, retryAfterSeconds: 0, remaining: Infinity };
    try {
      return await this.store.take(key, spec, Math.min(cost, spec.burst));
    } catch (error) {
      this.onStoreError(error);
      return { allowed: true, retryAfterSeconds: 0, remaining: 0 };
    }
  }
}
