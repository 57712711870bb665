// Per-request DataLoaders of the advertising category: one SQL statement per relation level,
// however many parents are on the page. Metrics loaders are keyed by (entity, from, to) and batch
// per date range. They hold raw rows; masking happens at the field.
import DataLoader from 'dataloader';
import { AdEntityType, Keyword, ProductAd, ProductTarget, type AdGroup, type Campaign } from '../../entities/advertising';
import type { AdDailyMetricsType, AdMetricsType } from '../../schema/advertising/ad-metrics.type';
import type { RequestContext } from '../../src/context';
import { Category } from '../../src/policy/taxonomy';
import { adMetricsService, checkRange, toAdMetrics } from './ad-metrics.service';
import { campaignService } from './campaign.service';

export function groupRows<T>(keys: readonly string[], rows: T[], keyOf: (row: T) => string): T[][] {
  const groups = new Map<string, T[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}

function childrenLoader<T extends Keyword | ProductTarget | ProductAd>(ctx: RequestContext, name: string, entity: new () => T): DataLoader<string, T[]> {
  return ctx.loaders.get(`advertising.${name}ByAdGroup`, () => new DataLoader<string, T[]>(async (adGroupIds) => {
    const rows = await campaignService.childrenOfAdGroups(ctx, entity, adGroupIds);
    ctx.governance.countRows(Category.ADVERTISING, rows.length);
    return groupRows(adGroupIds, rows, (row) => row.adGroupId);
  }));
}

export const keywordsLoader = (ctx: RequestContext) => childrenLoader(ctx, 'keywords', Keyword);
export const productTargetsLoader = (ctx: RequestContext) => childrenLoader(ctx, 'productTargets', ProductTarget);
export const productAdsLoader = (ctx: RequestContext) => childrenLoader(ctx, 'productAds', ProductAd);

export function campaignLoader(ctx: RequestContext): DataLoader<string, Campaign | null> {
  return ctx.loaders.get('advertising.campaignById', () => new DataLoader<string, Campaign | null>(async (campaignIds) => {
    const rows = await campaignService.campaignsByIds(ctx, campaignIds);
    ctx.governance.countRows(Category.ADVERTISING, rows.length);
    const byId = new Map(rows.map((row) => [row.campaignId, row]));
    return campaignIds.map((id) => byId.get(id) ?? null);
  }));
}

export function adGroupsLoader(ctx: RequestContext): DataLoader<string, AdGroup[]> {
  return ctx.loaders.get('advertising.adGroupsByCampaign', () => new DataLoader<string, AdGroup[]>(async (campaignIds) => {
    const rows = await campaignService.adGroupsOfCampaigns(ctx, campaignIds);
    ctx.governance.countRows(Category.ADVERTISING, rows.length);
    return groupRows(campaignIds, rows, (row) => row.campaignId);
  }));
}

interface RangeKey {
  id: string;
  from: string;
  to: string;
}

const rangeKey = (key: RangeKey) => `${key.from}|${key.to}|${key.id}`;

/** Splits a batch by date range: one query per distinct range (usually one). */
async function byRange<V>(keys: readonly RangeKey[], load: (ids: string[], from: string, to: string) => Promise<Map<string, V>>): Promise<(V | undefined)[]> {
  const ranges = new Map<string, RangeKey[]>();
  for (const key of keys) {
    checkRange(key.from, key.to);
    const range = `${key.from}|${key.to}`;
    ranges.set(range, [...(ranges.get(range) ?? []), key]);
  }
  const results = new Map<string, V>();
  for (const group of ranges.values()) {
    const { from, to } = group[0];
    const loaded = await load([...new Set(group.map((key) => key.id))], from, to);
    for (const key of group) {
      const value = loaded.get(key.id);
      if (value !== undefined) results.set(rangeKey(key), value);
    }
  }
  return keys.map((key) => results.get(rangeKey(key)));
}

/** Totals over a date range for entities of one type (campaigns, ad groups, keywords...). */
export function metricsLoader(ctx: RequestContext, entityType: AdEntityType): DataLoader<RangeKey, AdMetricsType> {
  return ctx.loaders.get(`advertising.metrics.${entityType}`, () => new DataLoader<RangeKey, AdMetricsType, string>(
    async (keys) => {
      const totals = await byRange(keys, (ids, from, to) => adMetricsService.totals(ctx, entityType, ids, from, to));
      return totals.map((raw) => toAdMetrics(raw));
    },
    { cacheKeyFn: rangeKey },
  ));
}

/** Per-day rows of campaigns over a date range. */
export function campaignDailyLoader(ctx: RequestContext): DataLoader<RangeKey, AdDailyMetricsType[]> {
  return ctx.loaders.get('advertising.campaignDaily', () => new DataLoader<RangeKey, AdDailyMetricsType[], string>(
    async (keys) => {
      const days = await byRange(keys, async (ids, from, to) => {
        const rows = await adMetricsService.dailyOfCampaigns(ctx, ids, from, to);
        ctx.governance.countRows(Category.ADVERTISING, rows.length);
        return new Map(groupRows(ids, rows, (row) => row.campaignId).map((group, i) => [ids[i], group]));
      });
      return days.map((rows) => (rows ?? []).map(({ campaignId: _campaign, ...day }) => day));
    },
    { cacheKeyFn: rangeKey },
  ));
}

