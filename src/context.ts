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

/**
 * State that belongs to one context object: kept on the object itself, as a non-enumerable
 * property (so a copy of the context, `{ ...ctx }` or Apollo's per-operation copy, starts without
 * it), and never in a WeakMap keyed by the context. V8's young-generation collector keeps a
 * WeakMap's values alive until the next full collection even when their key is gone, so every
 * request's state would be promoted to the old generation (measured on Node 20: the promoted
 * bytes of a loop that kept one value per short-lived key went from 9 MB to 474 MB; see
 * docs/benchmarks.md). The property is defined once and never changes.
 */
export function contextState<T>(ctx: object, key: symbol, create: () => T): T {
  if (Object.hasOwn(ctx, key)) return (ctx as Record<symbol, T>)[key];
  const value = create();
  Object.defineProperty(ctx, key, { value, enumerable: false, writable: false, configurable: false });
  return value;
}

const RECORDER = Symbol('governance recorder');

/** Each context object (each operation's copy of it, too) has its own recorder, made on first use. */
const contextPrototype = Object.freeze(
  Object.create(Object.prototype, {
    governance: {
      get(this: object): GovernanceRecorder {
        return contextState(this, RECORDER, () => new GovernanceRecorder());
      },
      enumerable: false,
    },
  }),
) as object;

/**
 * A copy of `base`'s own enumerable properties with `changes` applied in order: what
 * `{ ...base, ...changes }` gives, built with Object.assign. On Node 20 (V8 11.3) an object
 * made by spreading a non-empty object that then gains a property it did not have is promoted
 * to the old generation by the next young-generation collection, with everything it refers to
 * (measured: 1,000,000 such copies of a 12-property object promoted 258 MB, the same copies made
 * with Object.assign 0.1 MB; see docs/benchmarks.md). Request-scoped objects on the request path
 * are built this way or as literals.
 */
export function copyWith<T extends object>(base: T, ...changes: Partial<T>[]): T {
  return Object.assign({}, base, ...changes);
}

/** A request context; `governance`, when given, is this context's recorder from the start. */
export function newRequestContext(init: RequestContextInit): RequestContext {
  const { governance, ...fields } = init;
  const ctx = Object.assign(Object.create(contextPrototype) as object, fields) as RequestContext;
  if (governance) contextState(ctx, RECORDER, () => governance);
  return ctx;
}

/**
 * A context for work nested in a request (an export's pages): the same principal, purpose, scope
 * and policy, with its own loaders and recorder, so what it read can be merged into the request's.
 */
export function nestedRequestContext(ctx: RequestContext, overrides: Partial<Pick<RequestContext, 'purpose'>> = {}): RequestContext {
  // Object.assign, not `{ ...ctx, more }`: see `copyWith`.
  return newRequestContext(copyWith<RequestContextInit>(ctx as unknown as RequestContextInit, { rootPurposes: undefined }, overrides, { loaders: new LoaderRegistry() }));
}

const UNDER_PURPOSE = Symbol('contexts under a root purpose');

/**
 * The context a root field declared `@purpose(name: purpose)` is resolved with: the request's
 * (same principal, scope, loaders, policy and governance recorder) with `purpose` as its purpose,
 * so the root field's resolver and services act under it. One per request and purpose.
 */
export function contextUnderPurpose(ctx: RequestContext, purpose: Purpose): RequestContext {
  if (ctx.purpose === purpose) return ctx;
  const byPurpose = contextState(ctx, UNDER_PURPOSE, () => new Map<Purpose, RequestContext>());
  let derived = byPurpose.get(purpose);
  if (!derived) {
    derived = newRequestContext(copyWith<RequestContextInit>(ctx as unknown as RequestContextInit, { purpose, governance: ctx.governance }));
    byPurpose.set(purpose, derived);
  }
  return derived;
}
