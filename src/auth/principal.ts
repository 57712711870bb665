import { Category, Purpose } from '../policy/taxonomy';

export type PrincipalKind = 'user' | 'token' | 'operator' | 'public';

/**
 * Who is calling: a user (JWT from single sign-on), an API token, or the local operator of the
 * command line (someone holding the database credentials; see src/admission/cli-admission.ts).
 */
export interface Principal {
  /** Stable id: the JWT subject for users, the token id for tokens, `cli:<os user>@<host>` for the operator. */
  id: string;
  kind: PrincipalKind;
  name: string;
  role: string;
  /** Purposes this principal may declare (a token's are a subset of its role's). */
  purposes: readonly Purpose[];
  /** Row and category scope; `null` means not limited. */
  categories: readonly Category[] | null;
  accounts: readonly string[] | null;
  marketplaces: readonly string[] | null;
  /** Partner (service provider) tokens: always expire, may be held to persisted queries. */
  partner: boolean;
  expiresAt: Date | null;
}

/**
 * The principal of a public route (the Data Deletion form and status page): anyone, known only by
 * source address, with no role, purpose or permission; rate-limited per address with its own
 * setting (PUBLIC_RATE_LIMIT_*).
 */
export function publicPrincipal(ip: string | null): Principal {
  return { id: `ip:${ip ?? 'unknown'}`, kind: 'public', name: 'public', role: 'public', purposes: [], categories: [], accounts: [], marketplaces: [], partner: false, expiresAt: null };
}

/** Rows a request may see, applied in SQL by every list, lookup, aggregate and loader. */
export interface RowScope {
  accounts: readonly string[] | null;
  marketplaces: readonly string[] | null;
}

export const UNRESTRICTED_SCOPE: RowScope = Object.freeze({ accounts: null, marketplaces: null });

export function rowScopeOf(principal: Principal | null): RowScope {
  if (!principal) return UNRESTRICTED_SCOPE;
  return { accounts: principal.accounts, marketplaces: principal.marketplaces };
}
