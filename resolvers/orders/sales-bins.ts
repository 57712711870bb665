// k-anonymous sales that differencing cannot undo (docs/access-policy.md "Aggregates and
// differencing"). When the request's grant sees sales only in groups of at least k orders:
// - ranges are whole UTC days, so every figure is a sum of fixed bins: one per UTC purchase day,
//   seller account, marketplace and currency ("day bins"), and within a day bin one per ASIN
//   (grouping ASIN) or per ASIN and SKU (grouping SKU) ("item bins");
// - a day bin under k orders is left out of every figure (days, weeks, months, marketplaces);
// - item bins are released per day bin all or nothing: if one item bin of a day bin covers fewer
//   than k orders, none of that day bin's item bins count (complementary suppression: otherwise
//   the day bin's total minus the released item bins would give the small one);
// so every figure, and every sum or difference of figures, is a sum of bins of at least k orders.
import type { EntityManager } from 'typeorm';
import type { RowScope } from '../../src/auth/principal';
import { Order, OrderItem, OrderStatus } from '../../entities/orders';
import { OrderSalesSummary, SalesSummaryKind } from '../../entities/orders/order-sales-summary.entity';
import { SalesGroupBy, type SalesGroupType, type SalesSummaryArgs } from '../../schema/orders/sales-summary.type';
import { scopedQuery, scopeQuery } from '../../src/db/scoped';
import { badUserInput } from '../../src/errors';
import { average, formatCents, toCents } from '../../src/retention/sales-rollup';

const DAY_MS = 86_400_000;
const DAY_KEY = "to_char(o.purchaseDate AT TIME ZONE 'UTC', 'YYYY-MM-DD')";

/** One bin: a day bin (key '') or an item bin of it. */
export interface SalesBin {
  day: string;
  account: string;
  marketplace: string;
  currency: string | null;
  /** '' for a day bin; the ASIN, or ASIN + SKU, of an item bin (prefixed for rolled-up rows). */
  key: string;
  /** What the bin adds to: the ASIN or SKU of an item bin. */
  groupKey: string;
  orders: number;
  /** Order ids (detail), to count distinct orders across bins; null for rolled-up summary rows. */
  orderIds: string[] | null;
  units: number;
  cents: bigint;
}

export interface BinnedSales {
  groups: SalesGroupType[];
  /** Groups with no released bin (left out of the response entirely). */
  suppressedGroups: number;
  bins: number;
  suppressedBins: number;
}

const ITEM_GROUPINGS = new Set<SalesGroupBy>([SalesGroupBy.ASIN, SalesGroupBy.SKU]);

/** Refuses a range that does not start and end at midnight UTC (a bin boundary). */
export function assertWholeDays(args: Pick<SalesSummaryArgs, 'from' | 'to'>): void {
  for (const name of ['from', 'to'] as const) {
    if (args[name].getTime() % DAY_MS !== 0) {
      throw badUserInput(
        `Sales aggregates for a k-anonymous grant are computed from whole UTC days: \`${name}\` must be midnight UTC (e.g. ${new Date(Math.floor(args[name].getTime() / DAY_MS) * DAY_MS).toISOString()})`,
        { argumentName: name, rule: 'WHOLE_UTC_DAYS' },
      );
    }
  }
}

function dayBinId(bin: Pick<SalesBin, 'day' | 'account' | 'marketplace' | 'currency'>): string {
  return `${bin.day}\u0000${bin.account}\u0000${bin.marketplace}\u0000${bin.currency ?? ''}`;
}

/** Reads the bins of a request: detail rows plus rolled-up summary rows, filtered and row-scoped. */
export async function readSalesBins(reads: EntityManager, scope: RowScope, args: SalesSummaryArgs): Promise<SalesBin[]> {
  const item = ITEM_GROUPINGS.has(args.groupBy);
  const qb = reads
    .getRepository(OrderItem)
    .createQueryBuilder('i')
    .innerJoin(Order, 'o', 'o.id = i.orderId')
    .select(DAY_KEY, 'day')
    .addSelect('o.sellerAccountId', 'account')
    .addSelect('o.marketplaceId', 'marketplace')
    .addSelect('o.currency', 'currency')
    .addSelect('COUNT(DISTINCT o.id)', 'orders')
    .addSelect('COALESCE(SUM(i.quantity), 0)', 'units')
    .addSelect('ROUND(COALESCE(SUM(i.itemPrice), 0), 2)::text', 'sales')
    .where('o.status <> :canceled', { canceled: OrderStatus.CANCELED })
    .andWhere('o.purchaseDate >= :from AND o.purchaseDate < :to', { from: args.from, to: args.to })
    .groupBy(DAY_KEY)
    .addGroupBy('o.sellerAccountId')
    .addGroupBy('o.marketplaceId')
    .addGroupBy('o.currency');
  if (item) {
    qb.addSelect("COALESCE(i.asin, '')", 'asin').addGroupBy("COALESCE(i.asin, '')");
    qb.addSelect('array_agg(DISTINCT o.id::text)', 'orderIds');
    if (args.groupBy === SalesGroupBy.SKU) qb.addSelect('i.sku', 'sku').addGroupBy('i.sku');
  }
  if (args.account) qb.andWhere('o.sellerAccountId = :account', { account: args.account });
  if (args.marketplace) qb.andWhere('o.marketplaceId = :marketplace', { marketplace: args.marketplace });
  scopeQuery(qb, { scope }, Order, 'o');
  type Row = { day: string; account: string; marketplace: string; currency: string | null; orders: string; units: string; sales: string; asin?: string; sku?: string; orderIds?: string[] };
  const rows = await qb.getRawMany<Row>();
  const bins: SalesBin[] = rows.map((row) => ({
    day: row.day,
    account: row.account,
    marketplace: row.marketplace,
    currency: row.currency,
    key: item ? `${row.asin}\u0000${row.sku ?? ''}` : '',
    groupKey: args.groupBy === SalesGroupBy.SKU ? row.sku! : args.groupBy === SalesGroupBy.ASIN ? row.asin! : '',
    orders: Number(row.orders),
    orderIds: row.orderIds ?? null,
    units: Number(row.units),
    cents: toCents(row.sales),
  }));

  const kind = args.groupBy === SalesGroupBy.SKU ? SalesSummaryKind.SKU : args.groupBy === SalesGroupBy.ASIN ? SalesSummaryKind.ASIN : SalesSummaryKind.DAY;
  const summary = scopedQuery({ scope }, reads, OrderSalesSummary, 's')
    .select("to_char(s.day, 'YYYY-MM-DD')", 'day')
    .addSelect('s.sellerAccountId', 'account')
    .addSelect('s.marketplaceId', 'marketplace')
    .addSelect("NULLIF(s.currency, '')", 'currency')
    .addSelect('s.groupKey', 'groupKey')
    .addSelect('s.orders', 'orders')
    .addSelect('s.units', 'units')
    .addSelect('s.sales::text', 'sales')
    .where('s.kind = :kind', { kind })
    .andWhere("(s.day::timestamp AT TIME ZONE 'UTC') >= :from AND (s.day::timestamp AT TIME ZONE 'UTC') < :to", { from: args.from, to: args.to });
  if (args.account) summary.andWhere('s.sellerAccountId = :account', { account: args.account });
  if (args.marketplace) summary.andWhere('s.marketplaceId = :marketplace', { marketplace: args.marketplace });
  const rolled = await summary.getRawMany<{ day: string; account: string; marketplace: string; currency: string | null; groupKey: string; orders: string; units: string; sales: string }>();
  for (const row of rolled) {
    bins.push({
      day: row.day,
      account: row.account,
      marketplace: row.marketplace,
      currency: row.currency,
      key: item ? `rollup\u0000${row.groupKey}` : '',
      groupKey: item ? row.groupKey : '',
      orders: Number(row.orders),
      orderIds: null,
      units: Number(row.units),
      cents: toCents(row.sales),
    });
  }
  if (item) return bins;
  // Day bins: detail and rolled-up rows of the same day bin are one bin.
  const merged = new Map<string, SalesBin>();
  for (const bin of bins) {
    const id = dayBinId(bin);
    const seen = merged.get(id);
    if (!seen) merged.set(id, { ...bin });
    else {
      seen.orders += bin.orders;
      seen.units += bin.units;
      seen.cents += bin.cents;
    }
  }
  return [...merged.values()];
}

/**
 * Which bins count: a day bin with at least k orders; item bins of a day bin only when every
 * item bin of that day bin has at least k orders (all or nothing, so no small one is the
 * difference between the day bin and the others).
 */
export function releasedBins(bins: readonly SalesBin[], k: number): Set<SalesBin> {
  const released = new Set<SalesBin>();
  const byDayBin = new Map<string, SalesBin[]>();
  for (const bin of bins) {
    if (bin.key === '') {
      if (bin.orders >= k) released.add(bin);
      continue;
    }
    const id = dayBinId(bin);
    byDayBin.set(id, [...(byDayBin.get(id) ?? []), bin]);
  }
  for (const items of byDayBin.values()) {
    if (items.every((bin) => bin.orders >= k)) items.forEach((bin) => released.add(bin));
  }
  return released;
}

function mondayOf(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  const back = (date.getUTCDay() + 6) % 7;
  return new Date(date.getTime() - back * DAY_MS).toISOString().slice(0, 10);
}

function groupKeyOf(bin: SalesBin, groupBy: SalesGroupBy): string {
  switch (groupBy) {
    case SalesGroupBy.DAY:
      return bin.day;
    case SalesGroupBy.WEEK:
      return mondayOf(bin.day);
    case SalesGroupBy.MONTH:
      return bin.day.slice(0, 7);
    case SalesGroupBy.MARKETPLACE:
      return bin.marketplace;
    default:
      return bin.groupKey;
  }
}

/** Groups summed from released bins only; groups with none are counted, not returned. */
export function binnedGroups(bins: readonly SalesBin[], groupBy: SalesGroupBy, k: number): BinnedSales {
  const released = releasedBins(bins, k);
  type Acc = { key: string; currency: string | null; orderIds: Set<string>; counted: number; units: number; cents: bigint; released: number };
  const groups = new Map<string, Acc>();
  for (const bin of bins) {
    const key = groupKeyOf(bin, groupBy);
    const id = `${key}\u0000${bin.currency ?? ''}`;
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { key, currency: bin.currency, orderIds: new Set(), counted: 0, units: 0, cents: 0n, released: 0 }));
    if (!released.has(bin)) continue;
    group.released += 1;
    if (bin.orderIds) bin.orderIds.forEach((orderId) => group.orderIds.add(orderId));
    else group.counted += bin.orders;
    group.units += bin.units;
    group.cents += bin.cents;
  }
  const kept: SalesGroupType[] = [];
  let suppressedGroups = 0;
  for (const group of groups.values()) {
    if (group.released === 0) {
      suppressedGroups += 1;
      continue;
    }
    const orders = group.orderIds.size + group.counted;
    kept.push({ key: group.key, currency: group.currency, orders, units: group.units, sales: formatCents(group.cents), averageOrderValue: average(group.cents, orders) });
  }
  const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const byCurrency = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : byKey(a, b));
  kept.sort((a, b) => byKey(a.key, b.key) || byCurrency(a.currency, b.currency));
  return { groups: kept, suppressedGroups, bins: bins.length, suppressedBins: bins.length - released.size };
}

/**
 * The k-anonymous sales summary: whole-day ranges, totals from released bins only. `args.account`
 * is the seller id `accountFilter` resolved (sales-summary.service.ts), never the raw argument.
 */
export async function binnedSalesSummary(reads: EntityManager, scope: RowScope, args: SalesSummaryArgs, k: number): Promise<BinnedSales> {
  assertWholeDays(args);
  return binnedGroups(await readSalesBins(reads, scope, args), args.groupBy, k);
}
