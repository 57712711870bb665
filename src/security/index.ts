// Security operations, composed for the gateway (src/server/components.ts wires them): operation
// limits, schema exposure, rate limits, HTTP hardening, suspicious activity -> suspension,
// persisted operations for partner tokens. See docs/security.md.
import type { GraphQLFormattedError } from 'graphql';
import type { RequestListener, Server } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { NodeHandler } from '../server/node-handler';
import type { GraphqlRequestCheck } from '../server/graphql-entry';
import Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { ApiToken } from '../../entities/gateway/api-token.entity';
import type { Principal } from '../auth/principal';
import { hashTokenSecret, looksLikeTokenSecret } from '../auth/token-secret';
import type { Config } from '../config';
import { isUnavailableError } from '../unavailable';
import type { RequestContext } from '../context';
import type { Policy } from '../policy/policy';
import { asPolicySource, type PolicySource } from '../policy/policy-holder';
import type { ChangeFeed } from '../server/change-feed';
import type { Authenticate } from '../auth/authenticate';
import {
  assertTransportAllowed,
  createTlsServer,
  hardeningMiddleware,
  requestLimitsCheck,
  trustProxySetting,
} from './http-hardening';
import { limitsFromConfig, type OperationLimits } from './limits';
import { PersistedOperationRegistry, PersistedQueryCache } from './persisted-operations';
import { MemoryRateLimitStore, RateLimiter, RedisRateLimitStore, type BucketSpec, type RateLimitStore, type TakeResult } from './rate-limit';
import { RedisBreaker } from './redis-breaker';
import { observeOperationOutcome, securityPlugin } from './security.plugin';
import { MemoryCounterStore, RedisCounterStore, type CounterStore, SuspicionRule, SuspiciousActivityDetector, thresholdsFromConfig } from './suspicious-activity';
import { SuspensionService } from './suspension.service';

export interface SecurityOptions {
  dataSource: DataSource;
  config: Config;
  /** The policy in force (the process's holder); a request passes the policy it is bound to. */
  policy: Policy | PolicySource;
  now?: () => Date;
  onError?: (error: unknown, what: string) => void;
  /** State changes shared with the other gateway processes (suspensions published and followed). */
  changes?: ChangeFeed;
  /** Redis behind its circuit breaker (REDIS_URL), shared with the change feed; made here when absent. */
  redisBreaker?: RedisBreaker | null;
}

export interface Security {
  limits: OperationLimits;
  plugin: ApolloServerPlugin<RequestContext>;
  /** Feeds an operation answered outside Apollo Server's pipeline to the suspicious-activity rules (as `plugin` does). */
  observeOperation(ctx: RequestContext, errors: readonly GraphQLFormattedError[] | undefined): Promise<void>;
  /** Wraps authentication: a refused token feeds the revoked-token / IP allow-list rules. */
  wrapAuthenticate(authenticate: Authenticate): Authenticate;
  /** Whether a partner token registered a document (persisted operations); null when not enforced. */
  isPersisted: ((principal: Principal, documentHash: string | null, normalizedHash: string) => Promise<boolean>) | null;
  /** For every route, before anything else: security headers, CORS. */
  middleware: NodeHandler[];
  /** On /graphql after the body is parsed: batch size and document size. */
  graphqlChecks: GraphqlRequestCheck[];
  /** Apollo settings: the token limit at parse time, persisted-query cache. */
  apolloOptions: { parseOptions: { maxTokens?: number }; persistedQueries: { cache: PersistedQueryCache } };
  trustProxy: boolean | number | string | undefined;
  /** An HTTPS server when TLS is configured (else null: the gateway makes a plain one). */
  createServer(app: RequestListener): Server | null;
  /** Throws when production would serve plain HTTP on a public address. */
  assertTransportAllowed(host: string): void;
  mayIntrospect(principal: Principal | null, policy?: Policy): boolean;
  suspensions: SuspensionService;
  detector: SuspiciousActivityDetector;
  rateLimiter: RateLimiter;
  redis: Redis | null;
  stop(): Promise<void>;
}

function flag(value: string): boolean {
  return value === '1' || value === 'true';
}

/** A Redis store behind the breaker: the in-process store answers while Redis is not available. */
class GuardedRateLimitStore implements RateLimitStore {
  constructor(
    private readonly breaker: RedisBreaker,
    private readonly shared: RateLimitStore,
    private readonly local: RateLimitStore,
  ) {}

  take(key: string, spec: BucketSpec, cost?: number): Promise<TakeResult> {
    return this.breaker.run(
      () => this.shared.take(key, spec, cost),
      () => this.local.take(key, spec, cost),
    );
  }
}

class GuardedCounterStore implements CounterStore {
  constructor(
    private readonly breaker: RedisBreaker,
    private readonly shared: CounterStore,
    private readonly local: CounterStore,
  ) {}

  add(key: string, amount: number, windowSeconds: number): Promise<number> {
    return this.breaker.run(
      () => this.shared.add(key, amount, windowSeconds),
      () => this.local.add(key, amount, windowSeconds),
    );
  }

  reset(counters: { key: string; windowSeconds: number }[]): Promise<void> {
    return this.breaker.run(
      async () => {
        await this.local.reset(counters);
        await this.shared.reset(counters);
      },
      () => this.local.reset(counters),
    );
  }
}

function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

/**
 * The rate limiter of a process (gateway or CLI command): buckets in Redis behind its breaker,
 * shared with every process on the same Redis, or in this process without Redis (and while Redis
 * is away). The same keys everywhere, so a token pays into one bucket whatever entry it uses.
 */
export function createRateLimiter(
  config: Pick<Config, 'RATE_LIMIT_PER_MINUTE' | 'RATE_LIMIT_BURST' | 'IP_RATE_LIMIT_PER_MINUTE' | 'IP_RATE_LIMIT_BURST' | 'PUBLIC_RATE_LIMIT_PER_HOUR' | 'PUBLIC_RATE_LIMIT_BURST'>,
  breaker: RedisBreaker | null,
  options: {
    /** Told when the store fails (the request is then let through). */
    onStoreError?: (error: unknown) => void;
    /** False where requests have no source address (CLI commands): only principals pay. */
    perAddress?: boolean;
  } = {},
): RateLimiter {
  const { onStoreError, perAddress = true } = options;
  return new RateLimiter(
    breaker ? new GuardedRateLimitStore(breaker, new RedisRateLimitStore(breaker.redis), new MemoryRateLimitStore()) : new MemoryRateLimitStore(),
    { perMinute: config.RATE_LIMIT_PER_MINUTE, burst: config.RATE_LIMIT_BURST },
    perAddress ? { perMinute: config.IP_RATE_LIMIT_PER_MINUTE, burst: config.IP_RATE_LIMIT_BURST } : { perMinute: 0, burst: 0 },
    onStoreError,
    { public: { perMinute: config.PUBLIC_RATE_LIMIT_PER_HOUR / 60, burst: config.PUBLIC_RATE_LIMIT_BURST } },
  );
}

/** How long a starting process waits for its first Redis connection before it uses its fallbacks. */
export const REDIS_START_WAIT_MS = 1_000;

export async function createSecurity(options: SecurityOptions): Promise<Security> {
  const { dataSource, config } = options;
  const policySource = asPolicySource(options.policy);
  const onError = options.onError ?? (() => {});
  const limits = limitsFromConfig(config);
  // Redis (REDIS_URL) behind its circuit breaker. The gateway starts without it: its first
  // connection is waited for only until it is made or fails, at most REDIS_START_WAIT_MS.
  const ownBreaker = !options.redisBreaker && config.REDIS_URL ? new RedisBreaker(config.REDIS_URL) : null;
  const breaker = options.redisBreaker ?? ownBreaker;
  await breaker?.whenReady(REDIS_START_WAIT_MS);
  const redis = breaker?.redis ?? null;
  const rateLimiter = createRateLimiter(config, breaker, { onStoreError: (error) => onError(error, 'rate limit store') });
  const suspensions = new SuspensionService(dataSource, { cacheMs: config.SUSPENSION_CACHE_MS, now: options.now, changes: options.changes });
  const counters = breaker ? new GuardedCounterStore(breaker, new RedisCounterStore(breaker.redis), new MemoryCounterStore()) : new MemoryCounterStore();
  const detector = new SuspiciousActivityDetector(counters, thresholdsFromConfig(config), (input) =>
    suspensions.suspend(input),
  );
  await suspensions.start((error) => onError(error, 'suspension refresh'));
  const registry = new PersistedOperationRegistry(dataSource, config.SUSPENSION_CACHE_MS);
  const partnerIntrospection = flag(config.PARTNER_INTROSPECTION);

  const mayIntrospect = (principal: Principal | null, policy: Policy = policySource.current()): boolean => {
    if (!principal) return false;
    const role = policy.roles[principal.role];
    if (!role || !role.introspection) return false;
    return !principal.partner || partnerIntrospection;
  };

  /** A refused token secret: was it revoked, or used from outside its allow-list? */
  const noteRefusedToken = async (authorization: string | undefined, ip: string | null): Promise<void> => {
    const secret = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!secret || !looksLikeTokenSecret(secret)) return;
    const token = await dataSource.getRepository(ApiToken).findOne({ where: { tokenHash: hashTokenSecret(secret) } });
    if (!token) return;
    if (token.revokedAt) {
      await detector.observeTokenRefusal(SuspicionRule.REVOKED_TOKEN_USE, token, null);
    } else if (token.ipAllowList && !(ip && token.ipAllowList.includes(normalizeIp(ip)))) {
      await detector.observeTokenRefusal(SuspicionRule.IP_ALLOW_LIST_VIOLATION, token, null);
    }
  };

  const plugin = securityPlugin({ limits, mayIntrospect, detector, onError });

  return {
    limits,
    plugin,
    observeOperation: (ctx, errors) => observeOperationOutcome(detector, ctx, errors, onError),
    wrapAuthenticate(authenticate) {
      return async (authorization, deps) => {
        try {
          return await authenticate(authorization, deps);
        } catch (error) {
          // A credential refused because the database failed says nothing about the credential.
          if (!isUnavailableError(error)) await noteRefusedToken(authorization, deps.ip).catch((noteError: unknown) => onError(noteError, 'token refusal rules'));
          throw error;
        }
      };
    },
    isPersisted: flag(config.PARTNER_PERSISTED_ONLY) ? (principal, hash, normalized) => registry.isRegistered(principal.id, hash, normalized) : null,
    middleware: hardeningMiddleware(config),
    graphqlChecks: [requestLimitsCheck(limits)],
    apolloOptions: {
      parseOptions: limits.tokens > 0 ? { maxTokens: limits.tokens } : {},
      persistedQueries: { cache: new PersistedQueryCache(registry) },
    },
    trustProxy: trustProxySetting(config),
    createServer: (app) => createTlsServer(config, app),
    assertTransportAllowed: (host) => assertTransportAllowed(config, host),
    mayIntrospect,
    suspensions,
    detector,
    rateLimiter,
    redis,
    async stop() {
      suspensions.stop();
      await ownBreaker?.stop();
    },
  };
}

export { SECURITY_COMPONENT, SuspensionService } from './suspension.service';
export { SuspicionRule } from './suspicious-activity';
