// The read side of the orders AGGREGATE rule: `salesSummary` adds the daily summary rows of
// aggregated (deleted) order detail to what it sums from the remaining detail, so its totals do
// not change when detail is aggregated. Summary rows have day granularity: a range boundary
// inside a day includes the day when the day starts within [from, to).
import { OrderSalesSummary, SalesSummaryKind } from '../../entities/orders/order-sales-summary.entity';
import { SalesGroupBy, type SalesGroupType, type SalesSummaryArgs } from '../../schema/orders/sales-summary.type';
import type { RequestContext } from '../context';
import { scopedRead } from '../db/scoped';

const GROUPS: Record<SalesGroupBy, { kind: SalesSummaryKind; key: string }> = {
  [SalesGroupBy.DAY]: { kind: SalesSummaryKind.DAY, key: "to_char(s.day, 'YYYY-MM-DD')" },
  [SalesGroupBy.WEEK]: { kind: SalesSummaryKind.DAY, key: "to_char(date_trunc('week', s.day), 'YYYY-MM-DD')" },
  [SalesGroupBy.MONTH]: { kind: SalesSummaryKind.DAY, key: "to_char(s.day, 'YYYY-MM')" },
  [SalesGroupBy.ASIN]: { kind: SalesSummaryKind.ASIN, key: 's.groupKey' },
  [SalesGroupBy.SKU]: { kind: SalesSummaryKind.SKU, key: 's.groupKey' },
  [SalesGroupBy.MARKETPLACE]: { kind: SalesSummaryKind.DAY, key: 's.marketplaceId' },
};

/**
 * Sales groups from the summary table, filtered and row-scoped like the detail query (`args.account`
 * is the seller id `accountFilter` resolved, as for the detail query).
 */
export async function summarizedSales(ctx: RequestContext, args: SalesSummaryArgs): Promise<SalesGroupType[]> {
  const group = GROUPS[args.groupBy];
  const qb = scopedRead(ctx, OrderSalesSummary, 's')
    .select(group.key, 'key')
    .addSelect("NULLIF(s.currency, '')", 'currency')
    .addSelect('SUM(s.orders)', 'orders')
    .addSelect('SUM(s.units)', 'units')
    .addSelect('SUM(s.sales)', 'sales')
    .andWhere('s.kind = :kind', { kind: group.kind })
    .andWhere("(s.day::timestamp AT TIME ZONE 'UTC') >= :from AND (s.day::timestamp AT TIME ZONE 'UTC') < :to", { from: args.from, to: args.to })
    .groupBy(group.key)
    .addGroupBy('s.currency');
  if (args.account) qb.andWhere('s.sellerAccountId = :account', { account: args.account });
  if (args.marketplace) qb.andWhere('s.marketplaceId = :marketplace', { marketplace: args.marketplace });
  const rows = await qb.getRawMany<{ key: string; currency: string | null; orders: string; units: string; sales: string }>();
  return rows.map((row) => ({
    key: row.key,
    currency: row.currency,
    orders: Number(row.orders),
    units: Number(row.units),
    sales: formatCents(toCents(row.sales)),
    averageOrderValue: average(toCents(row.sales), Number(row.orders)),
  }));
}

export function toCents(value: string): bigint {
  const negative = value.trim().startsWith('-');
  const [whole, fraction = ''] = value.trim().replace('-', '').split('.');
  const cents = BigInt(whole || '0') * 100n + BigInt(`${fraction}00`.slice(0, 2));
  return negative ? -cents : cents;
}

export function formatCents(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  return `${negative ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** Sales / orders rounded half away from zero to cents, as PostgreSQL's ROUND does. */
export function average(cents: bigint, orders: number): string {
  if (orders === 0) return '0.00';
  const n = BigInt(orders);
  const abs = cents < 0n ? -cents : cents;
  const rounded = (2n * abs + n) / (2n * n);
  return formatCents(cents < 0n ? -rounded : rounded);
}

/** Detail groups plus summary groups of the same key and currency, in the detail query's order. */
export function mergeSalesGroups(detail: SalesGroupType[], summarized: SalesGroupType[]): SalesGroupType[] {
  if (summarized.length === 0) return detail;
  const merged = new Map<string, SalesGroupType>();
  for (const group of [...detail, ...summarized]) {
    const id = `${group.key}\u0000${group.currency ?? ''}`;
    const seen = merged.get(id);
    if (!seen) {
      merged.set(id, { ...group });
      continue;
    }
    const cents = toCents(seen.sales) + toCents(group.sales);
    seen.orders += group.orders;
    seen.units += group.units;
    seen.sales = formatCents(cents);
    seen.averageOrderValue = average(cents, seen.orders);
  }
  const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const byCurrency = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : byKey(a, b));
  return [...merged.values()].sort((a, b) => byKey(a.key, b.key) || byCurrency(a.currency, b.currency));
}
