// Advertising measures, summed in SQL over the daily metrics table. Row scope applies to the
// metric rows themselves, so a total never includes another account's or marketplace's day.
import { AdDailyMetric, AdEntityType, AdGroup, Campaign } from '../../entities/advertising';
import { Marketplace } from '../../entities/catalog';
import type { AdDailyMetricsType, AdMetricsType } from '../../schema/advertising/ad-metrics.type';
import {
  AdvertisingGroupBy,
  type AdvertisingPerformanceArgs,
  type AdvertisingPerformanceGroupType,
  type AdvertisingPerformanceType,
} from '../../schema/advertising/advertising-performance.type';
import type { RequestContext } from '../../src/context';
import { scopedRead } from '../../src/db/scoped';
import { badUserInput } from '../../src/errors';
import { accountFilter } from '../../src/policy/argument-access';
import { Category } from '../../src/policy/taxonomy';

/** Sums as PostgreSQL returns them: bigint and numeric arrive as strings. */
export interface RawTotals {
  impressions: string | null;
  clicks: string | null;
  cost: string | null;
  sales: string | null;
  purchases: string | null;
  units: string | null;
}

const ratio = (numerator: number, divisor: number, decimals: number): number | null =>
  divisor === 0 ? null : Number((numerator / divisor).toFixed(decimals));

/** Totals plus derived ratios; each ratio is null when its divisor is 0. */
export function toAdMetrics(raw: RawTotals | undefined): AdMetricsType {
  const impressions = Number(raw?.impressions ?? 0);
  const clicks = Number(raw?.clicks ?? 0);
  const spend = raw?.cost ?? '0.00';
  const sales = raw?.sales ?? '0.00';
  const cost = Number(spend);
  const revenue = Number(sales);
  return {
    impressions,
    clicks,
    spend,
    sales,
    orders: Number(raw?.purchases ?? 0),
    units: Number(raw?.units ?? 0),
    ctr: ratio(clicks, impressions, 6),
    cpc: ratio(cost, clicks, 4),
    acos: ratio(cost, revenue, 6),
    roas: ratio(revenue, cost, 6),
  };
}

export function checkRange(from: string, to: string): void {
  if (from > to) throw badUserInput('`from` must not be after `to`', { argumentName: 'from', from, to });
}

const SUMS = (alias: string, filter = ''): [string, string][] => [
  [`COALESCE(SUM(${alias}.impressions)${filter}, 0)`, 'impressions'],
  [`COALESCE(SUM(${alias}.clicks)${filter}, 0)`, 'clicks'],
  [`COALESCE(SUM(${alias}.cost)${filter}, 0)`, 'cost'],
  [`COALESCE(SUM(${alias}.sales)${filter}, 0)`, 'sales'],
  [`COALESCE(SUM(${alias}.purchases)${filter}, 0)`, 'purchases'],
  [`COALESCE(SUM(${alias}.units)${filter}, 0)`, 'units'],
];

/** Which rows measure a group, which rows count as its entities, and its key and label. */
const GROUPINGS: Record<AdvertisingGroupBy, { level: AdEntityType; key: string; label: string; counted: AdEntityType[]; countOf: string }> = {
  [AdvertisingGroupBy.CAMPAIGN]: { level: AdEntityType.CAMPAIGN, key: 'm.campaignId', label: 'COALESCE(c.name, m.campaignId)', counted: [AdEntityType.AD_GROUP], countOf: 'm.entityId' },
  [AdvertisingGroupBy.AD_GROUP]: {
    level: AdEntityType.AD_GROUP,
    key: 'm.adGroupId',
    label: 'COALESCE(g.name, m.adGroupId)',
    counted: [AdEntityType.KEYWORD, AdEntityType.TARGET],
    countOf: 'm.entityId',
  },
  [AdvertisingGroupBy.DAY]: { level: AdEntityType.CAMPAIGN, key: "to_char(m.date, 'YYYY-MM-DD')", label: "to_char(m.date, 'YYYY-MM-DD')", counted: [AdEntityType.CAMPAIGN], countOf: 'm.campaignId' },
};

export class AdMetricsService {
  /** Totals per entity over [from, to]: one statement for all the ids. */
  async totals(ctx: RequestContext, entityType: AdEntityType, entityIds: readonly string[], from: string, to: string): Promise<Map<string, RawTotals>> {
    const qb = scopedRead(ctx, AdDailyMetric, 'm')
      .select('m.entityId', 'entityId')
      .andWhere('m.entityType = :entityType AND m.entityId = ANY(:ids)', { entityType, ids: [...entityIds] })
      .andWhere('m.date BETWEEN :from AND :to', { from, to })
      .groupBy('m.entityId');
    for (const [expression, alias] of SUMS('m')) qb.addSelect(expression, alias);
    const rows = await qb.getRawMany<RawTotals & { entityId: string }>();
    return new Map(rows.map((row) => [row.entityId, row]));
  }

  /** Campaign-level rows per day over [from, to] for the given campaigns. */
  async dailyOfCampaigns(ctx: RequestContext, campaignIds: readonly string[], from: string, to: string): Promise<(AdDailyMetricsType & { campaignId: string })[]> {
    const qb = scopedRead(ctx, AdDailyMetric, 'm')
      .andWhere('m.entityType = :entityType AND m.entityId = ANY(:ids)', { entityType: AdEntityType.CAMPAIGN, ids: [...campaignIds] })
      .andWhere('m.date BETWEEN :from AND :to', { from, to })
      .orderBy('m.date', 'ASC');
    const rows = await qb.getMany();
    return rows.map((row) => ({
      campaignId: row.campaignId,
      date: row.date,
      ...toAdMetrics({ impressions: String(row.impressions), clicks: String(row.clicks), cost: row.cost, sales: row.sales, purchases: String(row.purchases), units: String(row.units) }),
    }));
  }

  /** Performance grouped in SQL; measures from the group's own level, entityCount from its children. */
  async performance(ctx: RequestContext, args: AdvertisingPerformanceArgs): Promise<AdvertisingPerformanceType> {
    checkRange(args.from, args.to);
    // The account as the caller sees the advertising entities' sellerAccountId (its pseudonym when masked).
    const account = await accountFilter(ctx, 'Campaign.sellerAccountId', args.account);
    const grouping = GROUPINGS[args.groupBy];
    const levelFilter = ' FILTER (WHERE m.entityType = :level)';
    const qb = scopedRead(ctx, AdDailyMetric, 'm')
      .innerJoin(Marketplace, 'mk', 'mk.marketplaceId = m.marketplaceId')
      .select(grouping.key, 'key')
      .addSelect(grouping.label, 'label')
      .addSelect('mk.currencyCode', 'currency')
      .addSelect(`COUNT(DISTINCT ${grouping.countOf}) FILTER (WHERE m.entityType = ANY(:counted))`, 'entityCount')
      .andWhere('m.entityType = ANY(:types)', { types: [grouping.level, ...grouping.counted], level: grouping.level, counted: grouping.counted })
      .andWhere('m.date BETWEEN :from AND :to', { from: args.from, to: args.to })
      .groupBy(grouping.key)
      .addGroupBy(grouping.label)
      .addGroupBy('mk.currencyCode')
      .having(`COUNT(*)${levelFilter} > 0`)
      .orderBy('key', 'ASC')
      .addOrderBy('currency', 'ASC');
    for (const [expression, alias] of SUMS('m', levelFilter)) qb.addSelect(expression, alias);
    if (args.groupBy === AdvertisingGroupBy.CAMPAIGN) qb.leftJoin(Campaign, 'c', 'c.campaignId = m.campaignId');
    if (args.groupBy === AdvertisingGroupBy.AD_GROUP) qb.leftJoin(AdGroup, 'g', 'g.adGroupId = m.adGroupId');
    if (account) qb.andWhere('m.sellerAccountId = :account', { account });
    if (args.marketplace) qb.andWhere('m.marketplaceId = :marketplace', { marketplace: args.marketplace });

    const rows = await qb.getRawMany<RawTotals & { key: string; label: string; currency: string; entityCount: string }>();
    const groups: AdvertisingPerformanceGroupType[] = rows.map((row) => {
      const { impressions, clicks, spend, sales, orders, units, acos, roas } = toAdMetrics(row);
      return { key: row.key, label: row.label, currency: row.currency, impressions, clicks, spend, sales, orders, units, acos, roas, entityCount: Number(row.entityCount) };
    });
    ctx.governance.countRows(Category.ADVERTISING, groups.length);
    // k-suppression of small groups is applied by the policy layer, which sets this count.
    return { groups, suppressedGroups: 0 };
  }
}

export const adMetricsService = new AdMetricsService();
