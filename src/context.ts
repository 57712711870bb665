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

const MAX_MASKED_PATHS = 1000;

/** What the request's governance did: collected for the response extension and the audit record. */
export class GovernanceRecorder {
  readonly masked = new Set<string>();
  readonly denied = new Set<string>();
  readonly rowsByCategory: Partial<Record<Category, number>> = {};
  /**
   * Coordinates and categories read by work nested in this operation beyond its own selection
   * (the query of a restricted export), so its audit record names everything the operation read.
   */
  readonly nestedFields = new Set<string>();
  readonly nestedCategories = new Set<string>();

  /** Records what nested work selected (its fields and their categories). */
  readNested(fields: Iterable<string>, categories: Iterable<string>): void {
    for (const field of fields) this.nestedFields.add(field);
    for (const category of categories) this.nestedCategories.add(category);
  }
  /** Aggregate groups withheld because they covered fewer than k orders or entities. */
  suppressedGroups = 0;
  /** Response paths of masked values (the first MAX_MASKED_PATHS), for clients that mark them (GraphiQL). */
  readonly maskedPaths: { path: (string | number)[]; coordinate: string }[] = [];

  noteMaskedPath(path: (string | number)[], coordinate: string): void {
    if (this.maskedPaths.length < MAX_MASKED_PATHS) this.maskedPaths.push({ path, coordinate });
  }

  countRows(category: Category, rows: number): void {
    this.rowsByCategory[category] = (this.rowsByCategory[category] ?? 0) + rows;
  }
}

/** Where a request came in: every entry point passes the same admission steps (src/admission). */
export type EntryPoint = 'graphql' | 'imports' | 'exports' | 'metrics' | 'cli' | 'subgraph' | 'console' | 'deletion-form' | 'sync';

/**
 * The request context: built once per request by the admission pipeline (src/admission), passed
 * first to every service method and down to the query. Identity, purpose, row scope, loaders and
 * the database travel together; nothing rewrites it after admission.
 */
export interface RequestContext {
  requestId: string;
  /** The entry point the request came in through. */
  entry: EntryPoint;
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
  /**
   * What governance did in this operation: masked and denied coordinates, rows per category.
   * One per operation: each operation of a batched request (Apollo gives each a copy of the
   * context) gets its own, created on first use (see `newRequestContext`).
   */
  readonly governance: GovernanceRecorder;
  /** Current time; injected so retention and expiry can be tested. */
  now: () => Date;
  /** The access policy in force for this request (one version for its whole life). */
  policy: Policy;
  /**
   * The purpose of each root field (by response key) of an operation that declares per-root
   * purposes with `@purpose(name:)`: its own, or `purpose` for the root fields without one. Set by
   * admission (src/admission/root-purposes.ts) before execution; absent when the operation declares
   * none (every field is then decided under `purpose`). Read it through `purposeOf(ctx, path)`
   * (src/policy/root-purpose.ts).
   */
  rootPurposes?: ReadonlyMap<string, Purpose>;
  /** Raw `X-Purpose` header as declared (the admitted purpose is `purpose`). */
  declaredPurpose: string | null;
  /**
   * The first admission step that refused the request (authentication, suspension, rate limit,
   * purpose), or null. Kept rather than thrown so the operation is still parsed, refused and
   * audited; every entry point refuses with it before doing any work.
   */
  refusal: GraphQLError | null;
  /** Where the request came from (for the audit record; never personal data of buyers). */
  http: RequestOrigin;
  startedAt: number;
  /** Tells the other gateway processes of a state change made by this request (src/server/change-feed.ts). */
  changes?: import('./server/change-feed').ChangeFeed;
  /**
   * The whole API schema, when the request runs on a subgraph that answers about all of it
   * (the governance subgraph's `explainAccess`); absent elsewhere (the schema served is the whole one).
   */
  apiSchema?: import('graphql').GraphQLSchema;
}

export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
  clientName: string | null;
  clientVersion: string | null;
}

export type RequestContextInit = Omit<RequestContext, 'governance'> & { governance?: GovernanceRecorder };

const recorders = new WeakMap<object, GovernanceRecorder>();

/** Each context object (each operation's copy of it, too) has its own recorder, made on first use. */
const contextPrototype = Object.freeze(
  Object.create(Object.prototype, {
    governance: {
      get(this: object): GovernanceRecorder {
        let recorder = recorders.get(this);
        if (!recorder) recorders.set(this, (recorder = new GovernanceRecorder()));
        return recorder;
      },
      enumerable: false,
    },
  }),
) as object;

/** A request context; `governance`, when given, is this context's recorder from the start. */
export function newRequestContext(init: RequestContextInit): RequestContext {
  const { governance, ...fields } = init;
  const ctx = Object.assign(Object.create(contextPrototype) as object, fields) as RequestContext;
  if (governance) recorders.set(ctx, governance);
  return ctx;
}

/**
 * A context for work nested in a request (an export's pages): the same principal, purpose, scope
 * and policy, with its own loaders and recorder, so what it read can be merged into the request's.
 */
export function nestedRequestContext(ctx: RequestContext, overrides: Partial<Pick<RequestContext, 'purpose'>> = {}): RequestContext {
  const copy: Record<string, unknown> = { ...ctx };
  return newRequestContext({ ...(copy as unknown as RequestContextInit), rootPurposes: undefined, ...overrides, loaders: new LoaderRegistry() });
}

const underPurpose = new WeakMap<RequestContext, Map<Purpose, RequestContext>>();

/**
 * The context a root field declared `@purpose(name: purpose)` is resolved with: the request's
 * (same principal, scope, loaders, policy and governance recorder) with `purpose` as its purpose,
 * so the root field's resolver and services act under it. One per request and purpose.
 */
export function contextUnderPurpose(ctx: RequestContext, purpose: Purpose): RequestContext {
  if (ctx.purpose === purpose) return ctx;
  let byPurpose = underPurpose.get(ctx);
  if (!byPurpose) underPurpose.set(ctx, (byPurpose = new Map()));
  let derived = byPurpose.get(purpose);
  if (!derived) {
    const copy: Record<string, unknown> = { ...ctx };
    derived = newRequestContext({ ...(copy as unknown as RequestContextInit), purpose, governance: ctx.governance });
    byPurpose.set(purpose, derived);
  }
  return derived;
}
