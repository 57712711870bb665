// The scoped data-access layer: every entity whose rows belong to seller accounts or marketplaces
// declares its scope columns once (src/db/scope-declarations.ts), and every query of such an entity starts from
// `scopedQuery(ctx, ...)`, which takes the principal's row scope from the request context. A
// query that forgets the scope cannot be written with it: there is no way in that does not add it.
//
// Two kinds of rows:
// - a data row of one account and marketplace (`account`/`marketplace` columns): in scope when
//   its account and marketplace are among the principal's;
// - an administrative object naming sets of accounts and marketplaces (`accounts`/`marketplaces`
//   array columns: a token's scope, the data a deletion request or legal hold reaches; NULL = every
//   account or marketplace): in scope only when each set is within the principal's.
import type { EntityManager, EntityTarget, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { RowScope } from '../auth/principal';
import { ErrorCode, gatewayError } from '../errors';
import type { RawTable, SqlConditions } from './raw-rows';
import { applyRowScope, rowScopeConditions, type ScopeColumns } from './row-scope';
import { SCOPE_DECLARATIONS, type ScopeDeclaration } from './scope-declarations';

/** The declaration of an entity, or of the nearest class it extends that has one. */
export function scopeDeclarationOf(entity: EntityTarget<ObjectLiteral>): ScopeDeclaration {
  let declaration: ScopeDeclaration | undefined;
  for (let target: unknown = entity; target && !declaration; target = Object.getPrototypeOf(target)) {
    declaration = SCOPE_DECLARATIONS.get(target as EntityTarget<ObjectLiteral>);
  }
  if (!declaration) throw new Error(`${String((entity as { name?: string }).name ?? entity)} declares no row scope (src/db/scope-declarations.ts)`);
  return declaration;
}

/** What the scoped layer needs of a request: its row scope. */
export interface ScopedContext {
  readonly scope: RowScope;
}

let sequence = 0;

/** The row-scope condition of `entity` under `alias`, added to `query`. */
export function scopeQuery<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, ctx: ScopedContext, entity: EntityTarget<ObjectLiteral>, alias: string): SelectQueryBuilder<T> {
  const declaration = scopeDeclarationOf(entity);
  const scope = ctx.scope;
  if (declaration.kind === 'row') {
    const columns: ScopeColumns = {};
    if (declaration.account) columns.account = `${alias}.${declaration.account}`;
    if (declaration.marketplace) columns.marketplace = `${alias}.${declaration.marketplace}`;
    return applyRowScope(query, scope, columns);
  }
  if (declaration.kind === 'sets') {
    const suffix = (sequence = (sequence + 1) % 1_000_000);
    if (scope.accounts) {
      query.andWhere(`(${alias}.${declaration.accounts} IS NOT NULL AND ${alias}.${declaration.accounts} <@ :scopeSetAccounts${suffix}::text[])`, {
        [`scopeSetAccounts${suffix}`]: [...scope.accounts],
      });
    }
    if (scope.marketplaces) {
      query.andWhere(`(${alias}.${declaration.marketplaces} IS NOT NULL AND ${alias}.${declaration.marketplaces} <@ :scopeSetMarketplaces${suffix}::text[])`, {
        [`scopeSetMarketplaces${suffix}`]: [...scope.marketplaces],
      });
    }
    return query;
  }
  const params: Record<string, unknown> = {};
  const condition = declaration.sql(alias, scope, (value) => {
    const name = `scopeThrough${(sequence = (sequence + 1) % 1_000_000)}`;
    params[name] = value;
    return `:${name}`;
  });
  if (condition) query.andWhere(condition, params);
  return query;
}

/**
 * A query of `entity` under `alias` on `manager` (the request's, or its transaction's), limited
 * to the request's row scope: how every list, lookup, loader and aggregate of a scoped entity starts.
 */
export function scopedQuery<T extends ObjectLiteral>(ctx: ScopedContext, manager: EntityManager, entity: EntityTarget<T>, alias: string): SelectQueryBuilder<T> {
  const query = scopeQuery(manager.getRepository(entity).createQueryBuilder(alias), ctx, entity as EntityTarget<ObjectLiteral>, alias);
  // The scope cannot be taken off: a later `where` adds its condition to it instead of replacing it.
  query.where = query.andWhere.bind(query) as typeof query.where;
  return query;
}

/** What reads of category data need: the row scope and the request's entity manager for reads. */
export interface ScopedReadContext extends ScopedContext {
  readonly reads: EntityManager;
}

/** `scopedQuery` on the request's manager for reads (the read replica when there is one). */
export function scopedRead<T extends ObjectLiteral>(ctx: ScopedReadContext, entity: EntityTarget<T>, alias: string): SelectQueryBuilder<T> {
  return scopedQuery(ctx, ctx.reads, entity, alias);
}

/**
 * The row scope of `entity` as conditions of a prebuilt statement over `table` (src/db/raw-rows.ts):
 * the same conditions as `scopeQuery`, as positional parameters.
 */
export function scopeConditions<T>(conditions: SqlConditions, ctx: ScopedContext, entity: EntityTarget<ObjectLiteral>, table: RawTable<T>): SqlConditions {
  const declaration = scopeDeclarationOf(entity);
  if (declaration.kind === 'row') {
    return rowScopeConditions(conditions, ctx.scope, {
      account: declaration.account ? table.column(declaration.account as keyof T & string) : undefined,
      marketplace: declaration.marketplace ? table.column(declaration.marketplace as keyof T & string) : undefined,
    });
  }
  if (declaration.kind === 'sets') {
    const column = (property: string) => table.column(property as keyof T & string);
    if (ctx.scope.accounts) conditions.and(`${column(declaration.accounts)} IS NOT NULL AND ${column(declaration.accounts)} <@ ${conditions.param([...ctx.scope.accounts])}::text[]`);
    if (ctx.scope.marketplaces) conditions.and(`${column(declaration.marketplaces)} IS NOT NULL AND ${column(declaration.marketplaces)} <@ ${conditions.param([...ctx.scope.marketplaces])}::text[]`);
    return conditions;
  }
  throw new Error('A scope held by another table is read through the query builder (scopedQuery)');
}

/** Whether `inner` (a set of accounts or marketplaces; null = all) lies within `outer`. */
function setWithin(outer: readonly string[] | null, inner: readonly string[] | null): boolean {
  if (outer === null) return true;
  if (inner === null) return false;
  return inner.every((value) => outer.includes(value));
}

/** Whether a scope lies within another (an unlimited outer scope holds every scope). */
export function scopeWithin(outer: RowScope, inner: RowScope): boolean {
  return setWithin(outer.accounts, inner.accounts) && setWithin(outer.marketplaces, inner.marketplaces);
}

/** Whether the request's scope is limited at all. */
export function isScoped(ctx: ScopedContext): boolean {
  return ctx.scope.accounts !== null || ctx.scope.marketplaces !== null;
}

/**
 * Refuses (FORBIDDEN) an action on rows of `target` outside the request's scope; `what` names the
 * action, never the rows.
 */
export function requireWithinScope(ctx: ScopedContext, target: RowScope, what: string): void {
  if (scopeWithin(ctx.scope, target)) return;
  throw gatewayError(ErrorCode.FORBIDDEN, `${what} reaches seller accounts or marketplaces outside your scope`, { reason: 'ROW_SCOPE' });
}
