// Redis as an optimization, never a dependency: one connection per process behind a circuit
// breaker (opossum). Commands never queue while Redis is away (`enableOfflineQueue: false`, no
// retries, a short command timeout), so a request never waits for it; while the breaker is open
// (Redis down, or failing), rate limits and suspicious-activity counters fall back to this
// process's memory and the change feed to PostgreSQL LISTEN/NOTIFY. The connection is made in
// the background (a gateway starts while Redis is down) and re-made with backoff; after
// `resetMs` one call tries Redis again and closes the breaker when it answers.
// Logged on each change of state, and in /metrics (`sellergate_redis_breaker_open`,
// `sellergate_redis_fallbacks_total`).
import CircuitBreaker from 'opossum';
import Redis from 'ioredis';
import { REDIS_SHARED_OPTIONS } from '../redis-options';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface RedisBreakerLog {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

export interface RedisBreakerOptions {
  log?: RedisBreakerLog;
  /** A command not answered within this fails (and counts against Redis). Default 500 ms. */
  commandTimeoutMs?: number;
  /** How long the breaker stays open before one call tries Redis again. Default 2 s. */
  resetMs?: number;
}

const silent: RedisBreakerLog = { warn: () => {}, info: () => {} };

export class RedisBreaker {
  readonly redis: Redis;
  /** Calls answered by the fallback (in-process) because Redis was not available. */
  fallbacks = 0;
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  private readonly log: RedisBreakerLog;
  private stopped = false;

  constructor(url: string, options: RedisBreakerOptions = {}) {
    this.log = options.log ?? silent;
    this.redis = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 500,
      enableAutoPipelining: true,
      connectionName: 'sellergate',
      retryStrategy: (attempt) => Math.min(2_000, 100 * 2 ** Math.min(attempt, 5)),
      ...REDIS_SHARED_OPTIONS,
    });
    this.breaker = new CircuitBreaker((operation: () => Promise<unknown>) => operation(), {
      timeout: false,
      errorThresholdPercentage: 50,
      volumeThreshold: 3,
      resetTimeout: options.resetMs ?? 2_000,
      rollingCountTimeout: 10_000,
    });
    let reported = false;
    this.redis.on('error', (error) => {
      if (!reported) this.log.warn({ err: error }, 'Redis connection failed; retrying in the background');
      reported = true;
    });
    this.redis.on('ready', () => {
      reported = false;
    });
    // A lost connection opens the breaker at once: no request tries a Redis that is known to be gone.
    this.redis.on('close', () => {
      if (!this.stopped) this.breaker.open();
    });
    // Logged once per outage (the breaker re-opens each time a half-open try finds Redis still away).
    let down = false;
    this.breaker.on('open', () => {
      if (this.stopped || down) return;
      down = true;
      this.log.warn({}, 'Redis unavailable: circuit breaker open; in-process rate limits and the PostgreSQL change feed until it is back');
    });
    this.breaker.on('close', () => {
      if (!down) return;
      down = false;
      this.log.info({}, 'Redis available again: circuit breaker closed');
    });
  }

  /**
   * Waits, at most `timeoutMs`, for the first connection: true once it is ready, false as soon as
   * it fails (Redis down: the gateway starts at once on its fallbacks) or the time is up. Called
   * before the gateway takes requests, so a process that starts beside a working Redis shares its
   * rate limits from its first request instead of opening the breaker while it connects.
   */
  whenReady(timeoutMs: number): Promise<boolean> {
    if (this.redis.status === 'ready') return Promise.resolve(true);
    if (this.stopped || timeoutMs <= 0) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const settle = (ready: boolean) => {
        clearTimeout(timer);
        this.redis.off('ready', onReady);
        this.redis.off('error', onFailure);
        this.redis.off('end', onFailure);
        resolve(ready);
      };
      const onReady = () => settle(true);
      const onFailure = () => settle(false);
      const timer = setTimeout(onFailure, timeoutMs);
      this.redis.once('ready', onReady);
      this.redis.once('error', onFailure);
      this.redis.once('end', onFailure);
    });
  }

  /** Whether a call would go to Redis now (breaker not open, connection ready). */
  available(): boolean {
    return !this.breaker.opened && this.redis.status === 'ready';
  }

  state(): BreakerState {
    if (this.breaker.halfOpen) return 'half-open';
    return this.breaker.opened || this.redis.status !== 'ready' ? 'open' : 'closed';
  }

  /** `operation` on Redis, or `fallback` (never waiting for Redis) while it is not available. */
  async run<T>(operation: () => Promise<T>, fallback: () => T | Promise<T>): Promise<T> {
    if (this.redis.status !== 'ready' && !this.breaker.opened) this.breaker.open();
    if (this.redis.status === 'ready' && !this.breaker.opened) {
      try {
        return (await this.breaker.fire(operation)) as T;
      } catch {
        // failed or refused by the open breaker: the fallback answers
      }
    }
    this.fallbacks += 1;
    return fallback();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.breaker.shutdown();
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect();
  }
}
