// The signed internal context a gateway sends to its subgraphs: who calls (the principal the
// gateway authenticated), under which purpose and row scope, under which policy version, for
// which client request. HS256 JWT (jose) with FEDERATION_SECRET, valid for a minute: a subgraph
// trusts nothing else, so a direct call without it (or with an expired or altered one) is refused.
import { createHash } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Principal } from '../auth/principal';
import { isPurpose, type Category, type Purpose } from '../policy/taxonomy';

/** Header carrying the internal context from gateway to subgraph. */
export const INTERNAL_CONTEXT_HEADER = 'x-sellergate-context';
const ISSUER = 'sellergate-gateway';
const AUDIENCE = 'sellergate-subgraph';
/** Lifetime of one internal context (seconds): long enough for one operation's fetches. */
export const INTERNAL_CONTEXT_TTL_SECONDS = 60;

/** What travels from gateway to subgraph. `principal` null: the gateway loading subgraph SDL. */
export interface InternalContext {
  requestId: string;
  principal: Principal | null;
  purpose: Purpose | null;
  policyVersion: string;
}

interface Claims {
  rid: string;
  pv: string;
  pur: string | null;
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

/** Why an internal context was refused (for the audit record and the error). */
export type InternalContextFailure = 'missing' | 'expired' | 'invalid' | 'policy-version';

export class InternalContextError extends Error {
  constructor(readonly reason: InternalContextFailure, message: string) {
    super(message);
  }
}

function keyOf(secret: string): Uint8Array {
  // Any length of secret -> a 256-bit HMAC key.
  return createHash('sha256').update(`sellergate-federation:${secret}`).digest();
}

export async function signInternalContext(context: InternalContext, secret: string, now: Date = new Date(), ttlSeconds = INTERNAL_CONTEXT_TTL_SECONDS): Promise<string> {
  const principal = context.principal;
  const claims: Claims = {
    rid: context.requestId,
    pv: context.policyVersion,
    pur: context.purpose,
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
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
    .sign(keyOf(secret));
}

/** Verifies and decodes the header value; throws InternalContextError saying why not. */
export async function verifyInternalContext(token: string | null | undefined, secret: string, now: Date = new Date()): Promise<InternalContext> {
  if (!token) throw new InternalContextError('missing', 'Subgraphs are served to the gateway only: the signed internal context is missing');
  let claims: Claims;
  try {
    const verified = await jwtVerify(token, keyOf(secret), { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], currentDate: now, clockTolerance: 5 });
    claims = verified.payload as unknown as Claims;
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new InternalContextError('expired', 'The internal context has expired');
    throw new InternalContextError('invalid', 'The internal context is not valid');
  }
  if (typeof claims.rid !== 'string' || typeof claims.pv !== 'string') throw new InternalContextError('invalid', 'The internal context is not valid');
  const p = claims.p;
  return {
    requestId: claims.rid,
    policyVersion: claims.pv,
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
