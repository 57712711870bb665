import type { GraphQLError } from 'graphql';
import type { EntityManager } from 'typeorm';
import type { Principal, RowScope } from './auth/principal';
import type { Policy } from './policy/policy';
import type { Category, Purpose } from './policy/taxonomy';

/**
 * Per-request loaders, created lazily by key so each category registers its own without a
 * central list. Loaders hold raw rows; masking happens at the field, so a cached value is
 * never pre-masked for another purpose.
 */
export class LoaderRegistry {
  private readonly loaders = new Map<string, unknown>();
  get<T>(key: string, create: () => T): T {
    let loader = this.loaders.get(key) as T | undefined;
    if (loader === undefined) {
      loader = create();
      this.loaders.set(key, loader);
    }
    return loader;
  }
}

/** What the request's governance did: collected for the response extension and the audit record. */
export class GovernanceRecorder {
  readonly masked = new Set<string>();
  readonly denied = new Set<string>();
  readonly rowsByCategory: Partial<Record<Category, number>> = {};
  /** Aggregate groups withheld because they covered fewer than k orders or entities. */
  suppressedGroups = 0;

  countRows(category: Category, rows: number): void {
    this.rowsByCategory[category] = (this.rowsByCategory[category] ?? 0) + rows;
  }
}

/**
 * The request context: built once per request, passed first to every service method and down
 * to the query. Identity, purpose, row scope, loaders and the database travel together.
 */
export interface RequestContext {
  requestId: string;
  principal: Principal | null;
  purpose: Purpose | null;
  scope: RowScope;
  /**
   * Entity manager on the primary: writes, transactions, and every read that must not lag
   * (tokens, suspensions, audit, retention, administration).
   */
  db: EntityManager;
  /**
   * Entity manager for the data categories' reads (lists, loaders, entity references): the read
   * replica when DATABASE_READ_URL is set (src/db/read-replica.ts), else the same as `db`.
   */
  reads: EntityManager;
  loaders: LoaderRegistry;
  governance: GovernanceRecorder;
  /** Current time; injected so retention and expiry can be tested. */
  now: () => Date;
  /** The access policy in force for this request. */
  policy: Policy;
  /** Raw `X-Purpose` header (validated by the governance plugin, which then sets `purpose`). */
  declaredPurpose: string | null;
  /** Why authentication failed, if it did; the governance plugin refuses the operation with it. */
  authError: GraphQLError | null;
  /** Where the request came from (for the audit record; never personal data of buyers). */
  http: RequestOrigin;
  startedAt: number;
  /** Tells the other gateway processes of a state change made by this request (src/server/change-feed.ts). */
  changes?: import('./server/change-feed').ChangeFeed;
}

export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
  clientName: string | null;
  clientVersion: string | null;
}
