// Row scope in SQL: every list, lookup, aggregate and loader of a scoped principal goes through
// here, so another account's or marketplace's row never leaves the database.
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { RowScope } from '../auth/principal';
import type { SqlConditions } from './raw-rows';

export interface ScopeColumns {
  /** Property path of the seller account id, e.g. `o.sellerAccountId`. */
  account?: string;
  /** Property path of the marketplace id, e.g. `o.marketplaceId`. */
  marketplace?: string;
}

let parameterSequence = 0;

export function applyRowScope<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  scope: RowScope,
  columns: ScopeColumns,
): SelectQueryBuilder<T> {
  const suffix = (parameterSequence = (parameterSequence + 1) % 1_000_000);
  if (scope.accounts) {
    if (!columns.account) return query.andWhere('1 = 0');
    query.andWhere(`${columns.account} = ANY(:scopeAccounts${suffix})`, { [`scopeAccounts${suffix}`]: [...scope.accounts] });
  }
  if (scope.marketplaces) {
    if (!columns.marketplace) return query.andWhere('1 = 0');
    query.andWhere(`${columns.marketplace} = ANY(:scopeMarketplaces${suffix})`, {
      [`scopeMarketplaces${suffix}`]: [...scope.marketplaces],
    });
  }
  return query;
}

/** Raw SQL columns of the seller account and marketplace, e.g. `"o"."seller_account_id"`. */
export interface ScopeSqlColumns {
  account?: string;
  marketplace?: string;
}

/** `applyRowScope` for a prebuilt statement (src/db/raw-rows.ts): the same conditions, as positional parameters. */
export function rowScopeConditions(conditions: SqlConditions, scope: RowScope, columns: ScopeSqlColumns): SqlConditions {
  if (scope.accounts) {
    if (!columns.account) return conditions.and('1 = 0');
    conditions.and(`${columns.account} = ANY(${conditions.param([...scope.accounts])})`);
  }
  if (scope.marketplaces) {
    if (!columns.marketplace) return conditions.and('1 = 0');
    conditions.and(`${columns.marketplace} = ANY(${conditions.param([...scope.marketplaces])})`);
  }
  return conditions;
}
