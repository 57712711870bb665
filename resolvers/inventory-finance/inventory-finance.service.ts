// Stock, replenishment, fee previews, settlements and refunds: lists, lookups and the settlement
// line batches the loaders use. Row scope is applied in SQL by every query here.
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import {
  FeeEstimate,
  InventorySnapshot,
  Refund,
  ReplenishmentRecommendation,
  Settlement,
  SettlementLine,
} from '../../entities/inventory-finance';
import type { ConnectionShape } from '../../schema/common/connection.type';
import {
  FeeEstimateSortField,
  InventorySortField,
  RefundSortField,
  ReplenishmentSortField,
  SettlementSortField,
  type DailySkuArgs,
  type FeeEstimatesArgs,
  type InventoryArgs,
  type RefundsArgs,
  type ReplenishmentArgs,
  type SettlementsArgs,
} from '../../schema/inventory-finance/inventory-finance-args.type';
import type { RequestContext } from '../../src/context';
import { paginateRows, scopedRowBy, type RawPaginateOptions } from '../../src/db/paginate';
import { type RawTable, SqlConditions, rawTable } from '../../src/db/raw-rows';
import { scopeConditions, scopedRead, scopeQuery } from '../../src/db/scoped';
import { badUserInput } from '../../src/errors';
import { accountFilter, fullReadFilter, requireFullRead } from '../../src/policy/argument-access';
import { Category } from '../../src/policy/taxonomy';

type Scoped = { sellerAccountId: string; marketplaceId: string };

function scoped<T extends ObjectLiteral & Scoped>(ctx: RequestContext, entity: new () => T, alias: string): SelectQueryBuilder<T> {
  return scopedRead(ctx, entity, alias);
}

/**
 * Account, marketplace, inclusive day range, SKU and ASIN filters of the daily lists, as
 * conditions of a prebuilt statement on `table`'s own columns. `args.account` is the seller id
 * `accountFilter` resolved (here and in `rangeConditions`), never the raw argument.
 */
function dailyConditions<T extends Scoped & { sku: string; asin: string | null }>(
  where: SqlConditions,
  table: RawTable<T>,
  dateProperty: keyof T & string,
  args: DailySkuArgs,
): SqlConditions {
  if (args.fromDate && args.toDate && args.fromDate > args.toDate) {
    throw badUserInput('`fromDate` must not be after `toDate`', { argumentName: 'fromDate' });
  }
  if (args.account) where.and(`${table.column('sellerAccountId')} = ${where.param(args.account)}`);
  if (args.marketplace) where.and(`${table.column('marketplaceId')} = ${where.param(args.marketplace)}`);
  if (args.fromDate) where.and(`${table.column(dateProperty)} >= ${where.param(args.fromDate)}`);
  if (args.toDate) where.and(`${table.column(dateProperty)} <= ${where.param(args.toDate)}`);
  if (args.sku) where.and(`${table.column('sku')} = ${where.param(args.sku)}`);
  if (args.asin) where.and(`${table.column('asin')} = ${where.param(args.asin)}`);
  return where;
}

/**
 * Account, marketplace and half-open instant range [from, to) of the settlement and refund lists,
 * as conditions of a prebuilt statement on `table`'s own columns.
 */
function rangeConditions<T extends Scoped>(
  where: SqlConditions,
  table: RawTable<T>,
  dateProperty: keyof T & string,
  args: { account?: string; marketplace?: string; from?: Date; to?: Date },
): SqlConditions {
  if (args.from && args.to && args.from >= args.to) throw badUserInput('`from` must be before `to`', { argumentName: 'from' });
  if (args.account) where.and(`${table.column('sellerAccountId')} = ${where.param(args.account)}`);
  if (args.marketplace) where.and(`${table.column('marketplaceId')} = ${where.param(args.marketplace)}`);
  if (args.from) where.and(`${table.column(dateProperty)} >= ${where.param(args.from)}`);
  if (args.to) where.and(`${table.column(dateProperty)} < ${where.param(args.to)}`);
  return where;
}

const INVENTORY_FINANCE = Category.INVENTORY_FINANCE;

export class InventoryFinanceService {
  /** `columns`: more columns for each row (the planned executor's, when it reads nested lists); the same for the other daily lists. */
  async inventory(ctx: RequestContext, args: InventoryArgs, columns?: RawPaginateOptions<InventorySnapshot>['columns']): Promise<ConnectionShape<InventorySnapshot>> {
    // The account as the caller sees the list's sellerAccountId (its pseudonym when masked); the same in every list here.
    const account = await accountFilter(ctx, 'InventorySnapshot.sellerAccountId', args.account);
    const table = rawTable(ctx.reads.connection, InventorySnapshot, 'inv');
    const where = dailyConditions(scopeConditions(new SqlConditions(), ctx, InventorySnapshot, table), table, 'snapshotDate', { ...args, account });
    const sortBy = args.sortBy ?? InventorySortField.SNAPSHOT_DATE;
    return paginateRows(ctx, where, args, { category: INVENTORY_FINANCE, table, sortBy, direction: args.direction ?? 'DESC', columns });
  }

  async replenishment(ctx: RequestContext, args: ReplenishmentArgs, columns?: RawPaginateOptions<ReplenishmentRecommendation>['columns']): Promise<ConnectionShape<ReplenishmentRecommendation>> {
    const account = await accountFilter(ctx, 'ReplenishmentRecommendation.sellerAccountId', args.account);
    const table = rawTable(ctx.reads.connection, ReplenishmentRecommendation, 'rr');
    const where = dailyConditions(scopeConditions(new SqlConditions(), ctx, ReplenishmentRecommendation, table), table, 'recommendationDate', { ...args, account });
    const sortBy = args.sortBy ?? ReplenishmentSortField.RECOMMENDATION_DATE;
    return paginateRows(ctx, where, args, { category: INVENTORY_FINANCE, table, sortBy, direction: args.direction ?? 'DESC', columns });
  }

  async feeEstimates(ctx: RequestContext, args: FeeEstimatesArgs, columns?: RawPaginateOptions<FeeEstimate>['columns']): Promise<ConnectionShape<FeeEstimate>> {
    const account = await accountFilter(ctx, 'FeeEstimate.sellerAccountId', args.account);
    const table = rawTable(ctx.reads.connection, FeeEstimate, 'fe');
    const where = dailyConditions(scopeConditions(new SqlConditions(), ctx, FeeEstimate, table), table, 'estimateDate', { ...args, account });
    const sortBy = args.sortBy ?? FeeEstimateSortField.ESTIMATE_DATE;
    return paginateRows(ctx, where, args, { category: INVENTORY_FINANCE, table, sortBy, direction: args.direction ?? 'DESC', columns });
  }

  /** `columns`: more columns for each settlement row (the planned executor's nested lines). */
  async settlements(ctx: RequestContext, args: SettlementsArgs, columns?: RawPaginateOptions<Settlement>['columns']): Promise<ConnectionShape<Settlement>> {
    const sortBy = args.sortBy ?? SettlementSortField.END_DATE;
    const account = await accountFilter(ctx, 'Settlement.sellerAccountId', args.account);
    const table = rawTable(ctx.reads.connection, Settlement, 'st');
    const where = rangeConditions(scopeConditions(new SqlConditions(), ctx, Settlement, table), table, sortBy, { ...args, account });
    return paginateRows(ctx, where, args, { category: INVENTORY_FINANCE, table, sortBy, direction: args.direction ?? 'DESC', columns });
  }

  async settlement(ctx: RequestContext, settlementId: string): Promise<Settlement | null> {
    // A lookup by the settlement id confirms it: only for requests that read it in full.
    requireFullRead(ctx, 'Settlement.settlementId', 'settlementId');
    const row = await scoped(ctx, Settlement, 'st').andWhere('st.settlementId = :settlementId', { settlementId }).getOne();
    if (row) ctx.governance.countRows(INVENTORY_FINANCE, 1);
    return row;
  }

  /**
   * `settlement` as one prebuilt statement with more columns (the planned executor's nested
   * lines): the same row, scope and count, hydrated as `getOne` would.
   */
  async settlementRow(ctx: RequestContext, settlementId: string, columns: (where: SqlConditions) => string): Promise<Settlement | null> {
    requireFullRead(ctx, 'Settlement.settlementId', 'settlementId');
    return scopedRowBy(ctx, Settlement, 'st', 'settlementId', settlementId, { category: INVENTORY_FINANCE, columns });
  }

  /** Lines of many settlements in one query, scoped through their settlement. */
  linesOfSettlements(ctx: RequestContext, settlementRowIds: readonly string[]): Promise<SettlementLine[]> {
    const qb = ctx.reads
      .getRepository(SettlementLine)
      .createQueryBuilder('sl')
      .innerJoin(Settlement, 'st', 'st.id = sl.settlementRowId')
      .where('sl.settlementRowId = ANY(:settlementRowIds)', { settlementRowIds: [...settlementRowIds] })
      .orderBy('sl.settlementRowId')
      .addOrderBy('sl.lineNumber');
    return scopeQuery(qb, ctx, Settlement, 'st').getMany();
  }

  /** `columns`: more columns for each refund row (the planned executor's, when it reads nested lists). */
  async refunds(ctx: RequestContext, args: RefundsArgs, columns?: RawPaginateOptions<Refund>['columns']): Promise<ConnectionShape<Refund>> {
    const sortBy = args.sortBy ?? RefundSortField.POSTED_DATE;
    const account = await accountFilter(ctx, 'Refund.sellerAccountId', args.account);
    const table = rawTable(ctx.reads.connection, Refund, 'rf');
    const where = rangeConditions(scopeConditions(new SqlConditions(), ctx, Refund, table), table, sortBy, { ...args, account });
    if (args.sku) where.and(`${table.column('sku')} = ${where.param(args.sku)}`);
    const orderId = fullReadFilter(ctx, 'Refund.orderId', 'orderId', args.orderId);
    if (orderId) where.and(`${table.column('orderId')} = ${where.param(orderId)}`);
    return paginateRows(ctx, where, args, { category: INVENTORY_FINANCE, table, sortBy, direction: args.direction ?? 'DESC', columns });
  }
}

export const inventoryFinanceService = new InventoryFinanceService();
