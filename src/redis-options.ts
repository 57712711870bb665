// Options every Redis connection of the gateway shares (ioredis).
import type { RedisOptions } from 'ioredis';

/**
 * How long `disconnect()` keeps a socket that has not closed before destroying it (ioredis
 * `disconnectTimeout`, 2 s by default). ioredis arms that timer on the connection's socket even
 * when the socket closed already (Redis away, a reconnect pending) and nothing then clears it, so
 * a process stopping during a Redis outage would stay alive that long doing nothing. Nothing is
 * pending when the gateway disconnects, so a short wait loses nothing.
 */
export const REDIS_SHARED_OPTIONS = { disconnectTimeout: 100 } as const satisfies RedisOptions;
