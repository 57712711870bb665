// Authentication: `Authorization: Bearer sg_...` API tokens (looked up by hash; a gateway caches
// the record by hash, dropped on the change feed's `token-revoked`, see token-cache.ts, so
// revocation is effective on the next request) and user JWTs from single sign-on (jose).
// Every failure of the credential is the same neutral UNAUTHENTICATED error: nothing tells a
// caller why. A failure of ours (the JWKS endpoint cannot be reached, times out, answers an error
// or something that is not a key set) is 503 UNAVAILABLE, reason AUTHENTICATION_UNAVAILABLE:
// the credential may be perfectly good, so it is never answered 401.
import { GraphQLError } from 'graphql';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { DataSource } from 'typeorm';
import { ApiToken } from '../../entities/gateway/api-token.entity';
import type { Config } from '../config';
import { rawTable, selectEntities } from '../db/raw-rows';
import { logger } from '../logger';
import { isUnavailableError, unavailable } from '../unavailable';
import { ErrorCode } from '../errors';
import type { Policy } from '../policy/policy';
import { asPolicySource, type PolicySource } from '../policy/policy-holder';
import { isPurpose, type Purpose } from '../policy/taxonomy';
import { tokenPrincipal } from './api-token.service';
import type { Principal } from './principal';
import { TokenCache } from './token-cache';
import { hashTokenSecret, looksLikeTokenSecret, TOKEN_PREFIX } from './token-secret';
import type { ChangeFeed } from '../server/change-feed';

/** The message of every authentication failure: says nothing about data or the reason. */
export const UNAUTHENTICATED_MESSAGE = 'Authentication required: send a valid token as Authorization: Bearer <token>';

export function unauthenticated(): GraphQLError {
  return new GraphQLError(UNAUTHENTICATED_MESSAGE, { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } } });
}

/** Turns an `Authorization` header into a principal; `null` when there is none; throws when bad. */
export type Authenticate = (
  authorization: string | undefined,
  deps: { dataSource: DataSource; now: () => Date; ip: string | null },
) => Promise<Principal | null>;

export type AuthConfig = Pick<Config, 'JWT_SECRET' | 'JWKS_URL' | 'JWT_AUDIENCE' | 'JWT_ISSUER' | 'JWT_ROLE_CLAIM'> & Partial<Pick<Config, 'JWT_MAX_LIFETIME_SECONDS' | 'JWKS_TIMEOUT_MS'>>;

export interface AuthenticateDeps {
  dataSource: DataSource;
  config: AuthConfig;
  policy: Policy;
  now?: () => Date;
  /** Source address (checked against a token's IP allow-list). */
  ip?: string | null;
  /** Token records cached by hash (the gateway's; none in the CLI). */
  tokens?: TokenCache | null;
}

/** `lastUsedAt` is written at most this often per token (one write per request would be wasteful). */
const LAST_USED_RESOLUTION_MS = 60_000;

async function authenticateToken(secret: string, deps: AuthenticateDeps, now: Date): Promise<Principal> {
  if (!looksLikeTokenSecret(secret)) throw unauthenticated();
  const hash = hashTokenSecret(secret);
  let record = deps.tokens?.get(hash) ?? null;
  const cached = record !== null;
  const mark = deps.tokens?.mark() ?? 0;
  if (!record) {
    // Prebuilt statement on the primary (src/db/raw-rows.ts): the token row as `findOne` gives it.
    const tokens = rawTable(deps.dataSource, ApiToken, 't');
    [record = null] = await selectEntities(deps.dataSource.manager, tokens, `SELECT ${tokens.select} FROM ${tokens.from} WHERE ${tokens.column('tokenHash')} = $1 LIMIT 1`, [hash]);
  }
  // Checked on every request, cached or not: revocation, expiry, source address, role.
  if (!record || record.revokedAt || (record.expiresAt && record.expiresAt.getTime() <= now.getTime())) throw unauthenticated();
  if (record.ipAllowList && !(deps.ip && record.ipAllowList.includes(normalizeIp(deps.ip)))) throw unauthenticated();
  if (!deps.policy.roles[record.role]) throw unauthenticated();
  // Only a record that was just accepted is cached: a refused token is looked up every time.
  if (!cached) deps.tokens?.store(hash, record, mark);
  if (!record.lastUsedAt || now.getTime() - record.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    // Bookkeeping only: a database that cannot take the write (a lock, a timeout) does not turn
    // a valid token away; the next request writes it.
    try {
      await deps.dataSource.getRepository(ApiToken).update({ id: record.id }, { lastUsedAt: now });
      // The cached record (if any) remembers the write, so the next one waits a minute again.
      record.lastUsedAt = now;
    } catch (error) {
      if (!isUnavailableError(error)) throw error;
    }
  }
  return tokenPrincipal(record);
}

function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

// One remote key set (and its cache) per endpoint and fetch timeout.
const jwksByUrl = new Map<string, JWTVerifyGetKey>();

/** Default of JWKS_TIMEOUT_MS: jose's own. */
const DEFAULT_JWKS_TIMEOUT_MS = 5_000;

/** The message of a credential that could not be checked because the key set could not be fetched. */
export const AUTHENTICATION_UNAVAILABLE_MESSAGE = 'The service cannot check credentials now (the signing keys of single sign-on could not be fetched); nothing was served: try again later';

/** The JWKS endpoint could not give a key set: unreachable, too slow, an error status, not a key set. */
class JwksUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The JSON Web Key Set could not be fetched', { cause });
  }
}

/**
 * The remote key set, with what it throws sorted: a token whose header names no key of a key set
 * that was fetched (`JWKSNoMatchingKey`, `JWKSMultipleMatchingKeys`) is the token's fault;
 * anything else (a connection refused or reset, `JWKSTimeout`, a non-200 answer or a body that is
 * not JSON, `JWKSInvalid`, a key that cannot be imported) means the key could not be had.
 */
function remoteKeySet(url: string, timeoutMs: number): JWTVerifyGetKey {
  // A fetch slower than JWKS_TIMEOUT_MS fails (`JWKSTimeout`): the request is answered 503 then,
  // not held for a slow single sign-on.
  const remote = createRemoteJWKSet(new URL(url), { timeoutDuration: timeoutMs });
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      if (error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JWKSMultipleMatchingKeys) throw error;
      throw new JwksUnavailableError(error);
    }
  };
}

function stringList(value: unknown): string[] | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  throw unauthenticated();
}

async function verifyJwt(jwt: string, config: AuthConfig, now: Date): Promise<JWTPayload> {
  // A token without an expiry would be valid forever: `exp` is required.
  const options = { audience: config.JWT_AUDIENCE, issuer: config.JWT_ISSUER, currentDate: now, requiredClaims: ['exp'] };
  try {
    if (config.JWKS_URL) {
      const timeoutMs = config.JWKS_TIMEOUT_MS ?? DEFAULT_JWKS_TIMEOUT_MS;
      const key = `${timeoutMs} ${config.JWKS_URL}`;
      let jwks = jwksByUrl.get(key);
      if (!jwks) {
        jwks = remoteKeySet(config.JWKS_URL, timeoutMs);
        jwksByUrl.set(key, jwks);
      }
      return (await jwtVerify(jwt, jwks, { ...options, algorithms: ['RS256', 'ES256'] })).payload;
    }
    if (config.JWT_SECRET) {
      return (await jwtVerify(jwt, new TextEncoder().encode(config.JWT_SECRET), { ...options, algorithms: ['HS256'] })).payload;
    }
  } catch (error) {
    if (error instanceof JwksUnavailableError) {
      logger().warn({ err: error.cause, jwksUrl: config.JWKS_URL }, 'JWKS could not be fetched: user JWTs answered 503 UNAVAILABLE');
      throw unavailable('AUTHENTICATION_UNAVAILABLE', AUTHENTICATION_UNAVAILABLE_MESSAGE);
    }
    throw unauthenticated();
  }
  throw unauthenticated();
}

/** Longest JWT subject accepted: the width of `principal_id` in the audit log and exports. */
export const MAX_SUBJECT_LENGTH = 200;

/** Default of JWT_MAX_LIFETIME_SECONDS: a day. */
const DEFAULT_MAX_LIFETIME_SECONDS = 86_400;

async function authenticateJwt(jwt: string, deps: AuthenticateDeps, now: Date): Promise<Principal> {
  const payload = await verifyJwt(jwt, deps.config, now);
  // A token issued for longer than the configured lifetime is refused, however it was signed.
  const issuedAt = typeof payload.iat === 'number' ? payload.iat : Math.floor(now.getTime() / 1000);
  if (typeof payload.exp !== 'number' || payload.exp - issuedAt > (deps.config.JWT_MAX_LIFETIME_SECONDS ?? DEFAULT_MAX_LIFETIME_SECONDS)) throw unauthenticated();
  const roleClaim = payload[deps.config.JWT_ROLE_CLAIM];
  const role = Array.isArray(roleClaim) && roleClaim.length === 1 ? roleClaim[0] : roleClaim;
  const definition = typeof role === 'string' && Object.hasOwn(deps.policy.roles, role) ? deps.policy.roles[role] : undefined;
  // The subject is the principal's id in audit records and exports (200 characters at most there):
  // a longer one is refused rather than cut, so two users never share an id.
  if (!payload.sub || payload.sub.length > MAX_SUBJECT_LENGTH || typeof role !== 'string' || !definition) throw unauthenticated();
  // A `purposes` claim can only narrow the role's purposes.
  const claimed = stringList(payload.purposes);
  const purposes: Purpose[] = claimed ? definition.purposes.filter((purpose) => claimed.includes(purpose)) : [...definition.purposes];
  if (claimed && claimed.some((purpose) => !isPurpose(purpose))) throw unauthenticated();
  return {
    id: payload.sub,
    kind: 'user',
    name: typeof payload.name === 'string' ? payload.name : payload.sub,
    role,
    purposes,
    categories: null,
    accounts: stringList(payload.accounts),
    marketplaces: stringList(payload.marketplaces),
    partner: false,
    expiresAt: typeof payload.exp === 'number' ? new Date(payload.exp * 1000) : null,
  };
}

/**
 * The principal of an `Authorization` header: `null` without one; throws UNAUTHENTICATED
 * (HTTP 401, neutral message) for anything malformed, unknown, expired, revoked or badly signed,
 * and UNAVAILABLE (HTTP 503) when a JWT cannot be checked because the JWKS cannot be fetched.
 */
export async function authenticate(authorization: string | undefined | null, deps: AuthenticateDeps): Promise<Principal | null> {
  if (authorization === undefined || authorization === null || authorization.trim() === '') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) throw unauthenticated();
  const credential = match[1];
  const now = deps.now?.() ?? new Date();
  return credential.startsWith(TOKEN_PREFIX) ? authenticateToken(credential, deps, now) : authenticateJwt(credential, deps, now);
}

/** Settings of the token cache (PRINCIPAL_CACHE_MS, PRINCIPAL_CACHE_SIZE) and the feed that invalidates it. */
export interface TokenCacheSettings {
  changes: ChangeFeed;
  ttlMs: number;
  maxEntries: number;
}

/**
 * An authenticate function with the configuration and policy bound (the gateway's component); a
 * policy source (the process's policy holder) is asked on every call, so roles follow policy changes.
 * With `cache`, API token records are cached by hash (token-cache.ts); `stop` releases it.
 */
export function createAuthenticator(settings: { config: AuthConfig; policy: Policy | PolicySource; cache?: TokenCacheSettings | null }) {
  const policy = asPolicySource(settings.policy);
  const cache = settings.cache && settings.cache.ttlMs > 0 ? new TokenCache(settings.cache) : null;
  const authenticateWith = (authorization: string | undefined, deps: { dataSource: DataSource; now: () => Date; ip: string | null }): Promise<Principal | null> =>
    authenticate(authorization, { dataSource: deps.dataSource, now: deps.now, ip: deps.ip, config: settings.config, policy: policy.current(), tokens: cache });
  return Object.assign(authenticateWith, { tokenCache: cache, stop: () => cache?.stop() });
}
