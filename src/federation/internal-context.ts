// The per-hop context token a gateway mints for each subgraph request: who calls (the principal
// the gateway authenticated), under which purpose and row scope, under which policy version, for
// which client request and client document. A JWT signed with Ed25519 (jose, EdDSA): the gateway
// holds the private key, subgraphs only the public key, so a subgraph cannot mint tokens for
// another. Each token is good for one request only:
//   - audience = the subgraph's name (a token for `orders` is refused by `advertising`);
//   - bound to the SHA-256 of the exact document and variables sent (`bh`): another document, or
//     the same one with other variables, is refused;
//   - short-lived (FEDERATION_HOP_TTL_SECONDS, seconds);
//   - a unique id (`jti`) the subgraph accepts once (replay cache: Redis when REDIS_URL is set,
//     so every process of a subgraph shares it; in-process otherwise).
import { createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Principal } from '../auth/principal';
import { canonicalJson, sha256Hex } from '../audit/canonical';
import type { Config } from '../config';
import { isPurpose, type Category, type Purpose } from '../policy/taxonomy';

/** Header carrying the hop token from gateway to subgraph. */
export const INTERNAL_CONTEXT_HEADER = 'x-sellergate-hop';
const ISSUER = 'sellergate-gateway';
/** Default lifetime of one hop token (seconds): one subgraph fetch, plus clock skew. */
export const INTERNAL_CONTEXT_TTL_SECONDS = 10;
/** Clock skew tolerated between gateway and subgraph (seconds). */
const CLOCK_TOLERANCE_SECONDS = 2;

// Demo-only key pair (Ed25519), used outside production when FEDERATION_SIGNING_KEY and
// FEDERATION_PUBLIC_KEY are not set, as the credential vault's demo key is. It is public: anyone
// can mint hop tokens with it. Production refuses to start federated modes without real keys.
const DEMO_SIGNING_KEY = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIM+ZilHOPIJHEOTq0Y4QXjfc5p4awaFnrgA5B0oZSJvZ
-----END PRIVATE KEY-----`;
const DEMO_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEA75ZTBfmYMJKOh/2EfZJthiwdlf7ssyarkRt5eJg1pfg=
-----END PUBLIC KEY-----`;

/** The keys of a federated process: the gateway signs (private key), subgraphs verify (public key). */
export interface FederationKeys {
  /** Null on a subgraph given only the public key. */
  signingKey: KeyObject | null;
  publicKey: KeyObject;
  /** The public demo key pair (development and test only). */
  demo: boolean;
}

/** A PEM from an environment variable (literal `\n` allowed for one-line values). */
function pem(value: string): string {
  return value.includes('-----BEGIN') ? value.replace(/\\n/g, '\n') : Buffer.from(value, 'base64').toString('utf8');
}

/**
 * FEDERATION_SIGNING_KEY (gateway: PKCS#8 PEM, Ed25519; the public key is derived from it) and
 * FEDERATION_PUBLIC_KEY (subgraphs: SPKI PEM), else outside production the demo key pair.
 */
export function federationKeys(settings: Pick<Config, 'FEDERATION_SIGNING_KEY' | 'FEDERATION_PUBLIC_KEY' | 'NODE_ENV'>): FederationKeys {
  if (settings.FEDERATION_SIGNING_KEY || settings.FEDERATION_PUBLIC_KEY) {
    const signingKey = settings.FEDERATION_SIGNING_KEY ? createPrivateKey(pem(settings.FEDERATION_SIGNING_KEY)) : null;
    const publicKey = settings.FEDERATION_PUBLIC_KEY ? createPublicKey(pem(settings.FEDERATION_PUBLIC_KEY)) : createPublicKey(signingKey!);
    for (const key of [signingKey, publicKey]) {
      if (key && key.asymmetricKeyType !== 'ed25519') throw new Error('FEDERATION_SIGNING_KEY and FEDERATION_PUBLIC_KEY must be Ed25519 keys (PEM)');
    }
    return { signingKey, publicKey, demo: false };
  }
  if (settings.NODE_ENV === 'production') {
    throw new Error(
      'Federated modes need FEDERATION_SIGNING_KEY (gateway, Ed25519 private key, PEM) and FEDERATION_PUBLIC_KEY (subgraphs, its public key); see docs/deployment.md',
    );
  }
  return { signingKey: createPrivateKey(DEMO_SIGNING_KEY), publicKey: createPublicKey(DEMO_PUBLIC_KEY), demo: true };
}

/** What travels from gateway to subgraph. `principal` null: the gateway loading subgraph SDL. */
export interface InternalContext {
  requestId: string;
  principal: Principal | null;
  purpose: Purpose | null;
  policyVersion: string;
  /** SHA-256 of the client's document at the gateway (what persisted operations are registered by). */
  clientDocumentHash: string | null;
}

/** A verified hop token: the context, and what it was bound to. */
export interface VerifiedHop extends InternalContext {
  tokenId: string;
  audience: string;
  bodyHash: string;
  expiresAt: Date;
}

interface Claims {
  rid: string;
  pv: string;
  pur: string | null;
  /** SHA-256 of the canonical JSON of `{ query, variables }` sent to the subgraph. */
  bh: string;
  /** The client document's hash at the gateway. */
  cdh: string | null;
  p: {
    id: string;
    kind: Principal['kind'];
    name: string;
    role: string;
    purposes: string[];
    categories: string[] | null;
    accounts: string[] | null;
    marketplaces: string[] | null;
    partner: boolean;
    exp: string | null;
  } | null;
}

/** Why a hop token was refused (for the audit record and the error). */
export type InternalContextFailure = 'missing' | 'expired' | 'invalid' | 'audience' | 'document' | 'replayed' | 'policy-version';

export class InternalContextError extends Error {
  constructor(readonly reason: InternalContextFailure, message: string) {
    super(message);
  }
}

/** The hash a hop token binds: the exact document and variables of one subgraph request. */
export function hopBodyHash(query: string | null | undefined, variables: Record<string, unknown> | null | undefined): string {
  // As sent and received: the JSON form (what the subgraph parses back), whatever objects the caller held.
  const vars = variables && Object.keys(variables).length > 0 ? (JSON.parse(JSON.stringify(variables)) as Record<string, unknown>) : null;
  return sha256Hex(canonicalJson({ query: query ?? '', variables: vars }));
}

export interface HopBinding {
  /** The subgraph's name (the token's audience). */
  audience: string;
  /** `hopBodyHash` of the request sent. */
  bodyHash: string;
}

export async function signInternalContext(
  context: InternalContext,
  binding: HopBinding,
  key: KeyObject,
  now: Date = new Date(),
  ttlSeconds = INTERNAL_CONTEXT_TTL_SECONDS,
): Promise<string> {
  const principal = context.principal;
  const claims: Claims = {
    rid: context.requestId,
    pv: context.policyVersion,
    pur: context.purpose,
    bh: binding.bodyHash,
    cdh: context.clientDocumentHash,
    p: principal
      ? {
          id: principal.id,
          kind: principal.kind,
          name: principal.name,
          role: principal.role,
          purposes: [...principal.purposes],
          categories: principal.categories ? [...principal.categories] : null,
          accounts: principal.accounts ? [...principal.accounts] : null,
          marketplaces: principal.marketplaces ? [...principal.marketplaces] : null,
          partner: principal.partner,
          exp: principal.expiresAt ? principal.expiresAt.toISOString() : null,
        }
      : null,
  };
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(binding.audience)
    .setJti(randomUUID())
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
    .sign(key);
}

/** Remembers token ids until they expire; `claim` is true only the first time an id is seen. */
export interface ReplayCache {
  claim(tokenId: string, expiresAt: Date): Promise<boolean>;
  stop?(): Promise<void>;
}

/** Verifies a hop token for `audience` and the request body it came with; throws InternalContextError saying why not. */
export async function verifyInternalContext(
  token: string | null | undefined,
  expected: { audience: string; bodyHash: string },
  publicKey: KeyObject,
  replay: ReplayCache,
  now: Date = new Date(),
): Promise<VerifiedHop> {
  if (!token) throw new InternalContextError('missing', 'Subgraphs are served to the gateway only: the hop token is missing');
  let claims: Claims & { aud?: string | string[]; jti?: string; exp?: number };
  try {
    const verified = await jwtVerify(token, publicKey, { issuer: ISSUER, algorithms: ['EdDSA'], currentDate: now, clockTolerance: CLOCK_TOLERANCE_SECONDS });
    claims = verified.payload as unknown as typeof claims;
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new InternalContextError('expired', 'The hop token has expired');
    throw new InternalContextError('invalid', 'The hop token is not valid');
  }
  if (typeof claims.rid !== 'string' || typeof claims.pv !== 'string' || typeof claims.bh !== 'string' || typeof claims.jti !== 'string' || typeof claims.exp !== 'number') {
    throw new InternalContextError('invalid', 'The hop token is not valid');
  }
  if (claims.aud !== expected.audience) throw new InternalContextError('audience', `The hop token was issued for another subgraph, not ${expected.audience}`);
  if (claims.bh !== expected.bodyHash) throw new InternalContextError('document', 'The hop token was issued for another document or other variables');
  const expiresAt = new Date((claims.exp + CLOCK_TOLERANCE_SECONDS) * 1000);
  if (!(await replay.claim(claims.jti, expiresAt))) throw new InternalContextError('replayed', 'The hop token was already used');
  const p = claims.p;
  return {
    tokenId: claims.jti,
    audience: claims.aud,
    bodyHash: claims.bh,
    expiresAt,
    requestId: claims.rid,
    policyVersion: claims.pv,
    clientDocumentHash: typeof claims.cdh === 'string' ? claims.cdh : null,
    purpose: claims.pur !== null && isPurpose(claims.pur) ? claims.pur : null,
    principal: p
      ? {
          id: p.id,
          kind: p.kind,
          name: p.name,
          role: p.role,
          purposes: p.purposes.filter(isPurpose),
          categories: p.categories as Category[] | null,
          accounts: p.accounts,
          marketplaces: p.marketplaces,
          partner: p.partner,
          expiresAt: p.exp ? new Date(p.exp) : null,
        }
      : null,
  };
}
