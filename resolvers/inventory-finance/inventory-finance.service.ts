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
import { paginate } from '../../src/db/paginate';
import { scopedRead, scopeQuery } from '../../src/db/scoped';
import { badUserInput } from '../../src/errors';
import { Category } from '../../src/policy/taxonomy';

type Scoped = { sellerAccountId: string; marketplaceId: string };

function scoped<T extends ObjectLiteral & Scoped>(ctx: RequestContext, entity: new () => T, alias: string): SelectQueryBuilder<T> {
  return scopedRead(ctx, entity, alias);
}

/** Account, marketplace, inclusive day range, SKU and ASIN filters of the daily lists. */
function applyDailyFilter<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, alias: string, dateProperty: string, args: DailySkuArgs): SelectQueryBuilder<T> {
  if (args.fromDate && args.toDate && args.fromDate > args.toDate) {
    throw badUserInput('`fromDate` must not be after `toDate`', { argumentName: 'fromDate' });
  }
  if (args.account) qb.andWhere(`${alias}.sellerAccountId = :filterAccount`, { filterAccount: args.account });
  if (args.marketplace) qb.andWhere(`${alias}.marketplaceId = :filterMarketplace`, { filterMarketplace: args.marketplace });
  if (args.fromDate) qb.andWhere(`${alias}.${dateProperty} >= :fromDate`, { fromDate: args.fromDate });
  if (args.toDate) qb.andWhere(`${alias}.${dateProperty} <= :toDate`, { toDate: args.toDate });
  if (args.sku) qb.andWhere(`${alias}.sku = :sku`, { sku: args.sku });
  if (args.asin) qb.andWhere(`${alias}.asin = :asin`, { asin: args.asin });
  return qb;
}

/** Account, marketplace and half-open instant range [from, to) of the settlement and refund lists. */
function applyRangeFilter<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  dateProperty: string,
  args: { account?: string; marketplace?: string; from?: Date; to?: Date },
): SelectQueryBuilder<T> {
  if (args.from && args.to && args.from >= args.to) throw badUserInput('`from` must be before `to`', { argumentName: 'from' });
  if (args.account) qb.andWhere(`${alias}.sellerAccountId = :filterAccount`, { filterAccount: args.account });
  if (args.marketplace) qb.andWhere(`${alias}.marketplaceId = :filterMarketplace`, { filterMarketplace: args.marketplace });
  if (args.from) qb.andWhere(`${alias}.${dateProperty} >= :filterFrom`, { filterFrom: args.from });
  if (args.to) qb.andWhere(`${alias}.${dateProperty} < :filterTo`, { filterTo: args.to });
  return qb;
}

const INVENTORY_FINANCE = Category.INVENTORY_FINANCE;

export class InventoryFinanceService {
  inventory(ctx: RequestContext, args: InventoryArgs): Promise<ConnectionShape<InventorySnapshot>> {
    const qb = applyDailyFilter(scoped(ctx, InventorySnapshot, 'inv'), 'inv', 'snapshotDate', args);
    const sortBy = args.sortBy ?? InventorySortField.SNAPSHOT_DATE;
    return paginate(ctx, qb, args, { category: INVENTORY_FINANCE, alias: 'inv', sortBy, direction: args.direction ?? 'DESC' });
  }

  replenishment(ctx: RequestContext, args: ReplenishmentArgs): Promise<ConnectionShape<ReplenishmentRecommendation>> {
    const qb = applyDailyFilter(scoped(ctx, ReplenishmentRecommendation, 'rr'), 'rr', 'recommendationDate', args);
    const sortBy = args.sortBy ?? ReplenishmentSortField.RECOMMENDATION_DATE;
    return paginate(ctx, qb, args, { category: INVENTORY_FINANCE, alias: 'rr', sortBy, direction: args.direction ?? 'DESC' });
  }

  feeEstimates(ctx: RequestContext, args: FeeEstimatesArgs): Promise<ConnectionShape<FeeEstimate>> {
    const qb = applyDailyFilter(scoped(ctx, FeeEstimate, 'fe'), 'fe', 'estimateDate', args);
    const sortBy = args.sortBy ?? FeeEstimateSortField.ESTIMATE_DATE;
    return paginate(ctx, qb, args, { category: INVENTORY_FINANCE, alias: 'fe', sortBy, direction: args.direction ?? 'DESC' });
  }

  settlements(ctx: RequestContext, args: SettlementsArgs): Promise<ConnectionShape<Settlement>> {
    const sortBy = args.sortBy ?? SettlementSortField.END_DATE;
    const qb = applyRangeFilter(scoped(ctx, Settlement, 'st'), 'st', sortBy, args);
    return paginate(ctx, qb, args, { category: INVENTORY_FINANCE, alias: 'st', sortBy, direction: args.direction ?? 'DESC' });
  }

  async settlement(ctx: RequestContext, settlementId: string): Promise<Settlement | null> {
    const row = await scoped(ctx, Settlement, 'st').andWhere('st.settlementId = :settlementId', { settlementId }).getOne();
    if (row) ctx.governance.countRows(INVENTORY_FINANCE, 1);
    return row;
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

  refunds(ctx: RequestContext, args: RefundsArgs): Promise<ConnectionShape<Refund>> {
    const sortBy = args.sortBy ?? RefundSortField.POSTED_DATE;
    const qb = applyRangeFilter(scoped(ctx, Refund, 'rf'), 'rf', sortBy, args);
    if (args.sku) qb.andWhere('rf.sku = :sku', { sku: args.sku });
    if (args.orderId) qb.andWhere('rf.orderId = :orderId', { orderId: args.orderId });
    return paginate(ctx, qb, args, { category: INVENTORY_FINANCE, alias: 'rf', sortBy, direction: args.direction ?? 'DESC' });
  }
}

export const inventoryFinanceService = new InventoryFinanceService();
