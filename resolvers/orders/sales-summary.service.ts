// Sales aggregated in SQL over orders and their items (canceled orders excluded), one row per
// group and currency. Retention will roll old order detail into a summary table; its rows join
// this query here, so every caller keeps one source of sales figures.
import { Order, OrderItem, OrderStatus } from '../../entities/orders';
import { SalesGroupBy, type SalesGroupType, type SalesSummaryArgs, type SalesSummaryType } from '../../schema/orders/sales-summary.type';
import type { RequestContext } from '../../src/context';
import { scopeQuery } from '../../src/db/scoped';
import { badUserInput } from '../../src/errors';
import { aggregateMinGroupSize } from '../../src/policy/aggregate-access';
import { accountFilter } from '../../src/policy/argument-access';
import { Category } from '../../src/policy/taxonomy';
import { mergeSalesGroups, summarizedSales } from '../../src/retention/sales-rollup';
import { binnedSalesSummary } from './sales-bins';

const GROUP_KEY: Record<SalesGroupBy, string> = {
  [SalesGroupBy.DAY]: "to_char(o.purchaseDate AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
  [SalesGroupBy.WEEK]: "to_char(date_trunc('week', o.purchaseDate AT TIME ZONE 'UTC'), 'YYYY-MM-DD')",
  [SalesGroupBy.MONTH]: "to_char(o.purchaseDate AT TIME ZONE 'UTC', 'YYYY-MM')",
  [SalesGroupBy.ASIN]: "COALESCE(i.asin, '')",
  [SalesGroupBy.SKU]: 'i.sku',
  [SalesGroupBy.MARKETPLACE]: 'o.marketplaceId',
};

interface RawGroup {
  key: string;
  currency: string | null;
  orders: string;
  units: string;
  sales: string;
  average: string;
}

export class SalesSummaryService {
  async summarize(ctx: RequestContext, requested: SalesSummaryArgs): Promise<SalesSummaryType> {
    if (requested.from >= requested.to) throw badUserInput('`from` must be before `to`', { argumentName: 'from' });
    // The account as the caller sees the summed orders' Order.sellerAccountId (its pseudonym when
    // masked); every query below filters by the seller id it stands for.
    const args: SalesSummaryArgs = { ...requested, account: await accountFilter(ctx, 'Order.sellerAccountId', requested.account) };
    // A grant that sees sales only in groups of at least k orders gets figures summed from fixed,
    // k-anonymous day bins, so no difference of two answers isolates a small group (sales-bins.ts).
    const k = aggregateMinGroupSize(ctx, 'SalesGroup');
    if (k > 0) {
      const binned = await binnedSalesSummary(ctx.reads, ctx.scope, args, k);
      ctx.governance.countRows(Category.ORDERS, binned.groups.length);
      ctx.governance.suppressedGroups += binned.suppressedGroups;
      return { groups: binned.groups, suppressedGroups: binned.suppressedGroups, suppressedBins: binned.suppressedBins };
    }
    const key = GROUP_KEY[args.groupBy];
    const qb = ctx.reads
      .getRepository(OrderItem)
      .createQueryBuilder('i')
      .innerJoin(Order, 'o', 'o.id = i.orderId')
      .select(key, 'key')
      .addSelect('o.currency', 'currency')
      .addSelect('COUNT(DISTINCT o.id)', 'orders')
      .addSelect('COALESCE(SUM(i.quantity), 0)', 'units')
      .addSelect('ROUND(COALESCE(SUM(i.itemPrice), 0), 2)', 'sales')
      .addSelect('ROUND(COALESCE(SUM(i.itemPrice), 0) / COUNT(DISTINCT o.id), 2)', 'average')
      .where('o.status <> :canceled', { canceled: OrderStatus.CANCELED })
      .andWhere('o.purchaseDate >= :from AND o.purchaseDate < :to', { from: args.from, to: args.to })
      .groupBy(key)
      .addGroupBy('o.currency')
      .orderBy('key', 'ASC')
      .addOrderBy('currency', 'ASC', 'NULLS LAST');
    if (args.account) qb.andWhere('o.sellerAccountId = :account', { account: args.account });
    if (args.marketplace) qb.andWhere('o.marketplaceId = :marketplace', { marketplace: args.marketplace });
    scopeQuery(qb, ctx, Order, 'o');

    const rows = await qb.getRawMany<RawGroup>();
    const detail: SalesGroupType[] = rows.map((row) => ({
      key: row.key,
      currency: row.currency,
      orders: Number(row.orders),
      units: Number(row.units),
      sales: row.sales,
      averageOrderValue: row.average,
    }));
    // Detail past its retention period lives on as daily summary rows (src/retention): same totals.
    const groups = mergeSalesGroups(detail, await summarizedSales(ctx, args));
    ctx.governance.countRows(Category.ORDERS, groups.length);
    // Groups under the k threshold are withheld by the policy layer, which adds them to this count.
    return { groups, suppressedGroups: 0, suppressedBins: 0 };
  }
}

export const salesSummaryService = new SalesSummaryService();
