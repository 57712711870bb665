import type { EntityManager } from 'typeorm';
import {
  AdDailyMetric,
  AdEntityType,
  AdGroup,
  AdState,
  Campaign,
  Keyword,
  KeywordMatchType,
  ProductAd,
  ProductTarget,
  TargetingType,
  type TargetExpressionClause,
} from '../../../entities/advertising';
import { DataSourceKind } from '../../../entities/common/provenance';
import { insertByColumns, insertInChunks, pickDistinct, uniqueCode } from './catalog.seed';
import type { DemoCatalog, DemoListing } from './demo-catalog';
import type { DemoRandom } from './demo-random';

const DAY_MS = 86_400_000;
const METRIC_DAYS = 90;
/** Campaigns per marketplace (about 40 in all). */
const CAMPAIGNS_PER_MARKETPLACE: Record<string, number> = {
  ATVPDKIKX0DER: 14,
  A2EUQ1WTGCTBG2: 6,
  A1F83G8C2ARO7P: 8,
  A1PA6795UKMFR9: 7,
  A1VC38T7YXB528: 5,
};
/** Money scale per currency relative to USD (budgets, bids). */
const MONEY_SCALE: Record<string, number> = { USD: 1, CAD: 1.35, GBP: 0.8, EUR: 0.92, JPY: 150 };
const AUTO_TARGETS: { type: string; text: string }[] = [
  { type: 'QUERY_HIGH_REL_MATCHES', text: 'close-match' },
  { type: 'QUERY_BROAD_REL_MATCHES', text: 'loose-match' },
  { type: 'ASIN_SUBSTITUTE_RELATED', text: 'substitutes' },
  { type: 'ASIN_ACCESSORY_RELATED', text: 'complements' },
];
const MATCH_TYPES = [KeywordMatchType.EXACT, KeywordMatchType.PHRASE, KeywordMatchType.BROAD];
const KEYWORD_MODIFIERS = ['best', 'cheap', 'premium', 'gift', 'eco', 'travel', 'large', 'small', 'set of 2', 'for men', 'for women'];
const KEYWORD_NOUNS = ['water bottle', 'yoga mat', 'chef knife', 'desk lamp', 'usb c cable', 'dog leash', 'throw blanket', 'power bank', 'cutting board', 'pet bed'];

interface Scope {
  sellerAccountId: string;
  marketplaceId: string;
}

/** One targeting clause (keyword or target) and how it performs on an average day. */
interface Targeting {
  entityType: AdEntityType.KEYWORD | AdEntityType.TARGET;
  entityId: string;
  impressions: number;
  ctr: number;
  cpcCents: number;
  cvr: number;
}

interface DemoAdGroup {
  adGroupId: string;
  targeting: Targeting[];
  adIds: string[];
  orderValueCents: number;
}

interface DemoCampaign extends Scope {
  campaignId: string;
  adGroups: DemoAdGroup[];
  firstDay: number;
  lastDay: number;
}

type MetricValues = Pick<AdDailyMetric, 'impressions' | 'clicks' | 'purchases' | 'units'> & { costCents: number; salesCents: number };

function isoDay(offset: number, today: Date): string {
  return new Date(today.getTime() - offset * DAY_MS).toISOString().slice(0, 10);
}

function money(cents: number): string {
  return (cents / 100).toFixed(2);
}

function scaled(rng: DemoRandom, usdMin: number, usdMax: number, currency: string): string {
  const value = rng.int(Math.round(usdMin * 100), Math.round(usdMax * 100)) * MONEY_SCALE[currency];
  return currency === 'JPY' ? `${Math.round(value / 100)}.00` : money(Math.round(value));
}

function addInto(target: MetricValues, value: MetricValues): void {
  target.impressions += value.impressions;
  target.clicks += value.clicks;
  target.costCents += value.costCents;
  target.salesCents += value.salesCents;
  target.purchases += value.purchases;
  target.units += value.units;
}

const emptyValues = (): MetricValues => ({ impressions: 0, clicks: 0, costCents: 0, salesCents: 0, purchases: 0, units: 0 });

/** Splits integer totals between `n` product ads by fixed shares; the parts add up exactly. */
function split(total: MetricValues, shares: number[]): MetricValues[] {
  const parts = shares.map(() => emptyValues());
  for (const key of Object.keys(total) as (keyof MetricValues)[]) {
    let rest = total[key];
    shares.forEach((share, i) => {
      const part = i === shares.length - 1 ? rest : Math.floor(total[key] * share);
      parts[i][key] = part;
      rest -= part;
    });
  }
  return parts;
}

/** Demo Sponsored Products campaigns with 90 days of daily metrics, referring to the demo catalog. */
export async function seedAdvertisingDemo(manager: EntityManager, rng: DemoRandom, catalog: DemoCatalog): Promise<void> {
  const ids = new Set<string>();
  // Ads ids reach 18 digits (above 2^53): generated and stored as strings.
  const adsId = () => uniqueCode(ids, () => `${rng.int(1, 9)}${rng.code(rng.chance(0.5) ? 17 : 14, '0123456789')}`);
  const campaigns: Partial<Campaign>[] = [];
  const adGroups: Partial<AdGroup>[] = [];
  const keywords: Partial<Keyword>[] = [];
  const targets: Partial<ProductTarget>[] = [];
  const productAds: Partial<ProductAd>[] = [];
  const plans: DemoCampaign[] = [];

  for (const account of catalog.accounts) {
    const portfolios = [adsId(), adsId()];
    for (const marketplaceId of account.marketplaceIds) {
      const scope: Scope = { sellerAccountId: account.sellerId, marketplaceId };
      const listings = catalog.listings.filter((l) => l.sellerAccountId === account.sellerId && l.marketplaceId === marketplaceId);
      if (listings.length === 0) continue;
      const currency = listings[0].currency;
      for (let c = 0; c < (CAMPAIGNS_PER_MARKETPLACE[marketplaceId] ?? 4); c += 1) {
        const plan = planCampaign(rng, scope, listings, currency, portfolios, adsId, catalog.today, {
          campaigns,
          adGroups,
          keywords,
          targets,
          productAds,
        });
        plans.push(plan);
      }
    }
  }

  await insertInChunks(manager, Campaign, campaigns);
  await insertInChunks(manager, AdGroup, adGroups);
  await insertInChunks(manager, Keyword, keywords);
  await insertInChunks(manager, ProductTarget, targets);
  await insertInChunks(manager, ProductAd, productAds);
  const metricRows = dailyMetrics(rng, plans, catalog.today);
  // About 50,000 rows: column arrays instead of a VALUES list keep the demo seed fast.
  await insertByColumns(manager, AdDailyMetric, metricRows, 5000);
}

function planCampaign(
  rng: DemoRandom,
  scope: Scope,
  listings: DemoListing[],
  currency: string,
  portfolios: string[],
  adsId: () => string,
  today: Date,
  out: {
    campaigns: Partial<Campaign>[];
    adGroups: Partial<AdGroup>[];
    keywords: Partial<Keyword>[];
    targets: Partial<ProductTarget>[];
    productAds: Partial<ProductAd>[];
  },
): DemoCampaign {
  const base = { ...scope, source: DataSourceKind.DEMO };
  const campaignId = adsId();
  const targetingType = rng.chance(0.6) ? TargetingType.MANUAL : TargetingType.AUTO;
  const roll = rng.next();
  const state = roll < 0.75 ? AdState.ENABLED : roll < 0.9 ? AdState.PAUSED : AdState.ARCHIVED;
  // Day offsets before today: metrics run from firstDay down to lastDay (1 = yesterday).
  const startOffset = rng.chance(0.7) ? rng.int(METRIC_DAYS + 1, 400) : rng.int(20, METRIC_DAYS);
  const firstDay = Math.min(startOffset, METRIC_DAYS);
  const lastDay = state === AdState.ENABLED ? 1 : rng.int(1, Math.max(1, firstDay - 10));
  const hero = rng.pick(listings);
  out.campaigns.push({
    ...base,
    campaignId,
    name: `SP ${targetingType === TargetingType.AUTO ? 'Auto' : 'Manual'} - ${hero.sku} - ${campaignId.slice(-4)}`,
    state,
    targetingType,
    dailyBudget: scaled(rng, 10, 150, currency),
    startDate: isoDay(startOffset, today),
    endDate: state === AdState.ARCHIVED ? isoDay(lastDay, today) : null,
    portfolioId: rng.chance(0.5) ? rng.pick(portfolios) : null,
  });

  const plan: DemoCampaign = { ...scope, campaignId, adGroups: [], firstDay, lastDay };
  const groupCount = rng.int(1, 4);
  for (let g = 0; g < groupCount; g += 1) {
    const adGroupId = adsId();
    const defaultBid = scaled(rng, 0.3, 2.5, currency);
    out.adGroups.push({ ...base, adGroupId, campaignId, name: `Ad group ${g + 1}`, state: g === 0 ? state : rng.pick([AdState.ENABLED, AdState.PAUSED]), defaultBid });
    const group: DemoAdGroup = { adGroupId, targeting: [], adIds: [], orderValueCents: Math.round(Number(hero.price) * 100) };
    const child = { ...base, adGroupId, campaignId, state: AdState.ENABLED };
    // Yen have no decimals: clicks cost whole yen.
    const centUnit = currency === 'JPY' ? 100 : 1;
    const performance = (bid: string) => ({
      impressions: rng.int(20, 900),
      ctr: rng.int(2, 15) / 1000,
      cpcCents: Math.max(centUnit, Math.round((Number(bid) * rng.int(50, 100)) / centUnit) * centUnit),
      cvr: rng.int(3, 18) / 100,
    });
    if (targetingType === TargetingType.AUTO) {
      for (const auto of AUTO_TARGETS) {
        const targetId = adsId();
        const expression: TargetExpressionClause[] = [{ type: auto.type }];
        out.targets.push({ ...child, targetId, expression, expressionText: auto.text, expressionType: TargetingType.AUTO, bid: null });
        group.targeting.push({ entityType: AdEntityType.TARGET, entityId: targetId, ...performance(defaultBid) });
      }
    } else {
      const noun = rng.pick(KEYWORD_NOUNS);
      const keywordCount = rng.int(2, 5);
      for (let k = 0; k < keywordCount; k += 1) {
        const keywordId = adsId();
        const bid = scaled(rng, 0.3, 3, currency);
        const keywordText = k === 0 ? noun : `${rng.pick(KEYWORD_MODIFIERS)} ${noun}`;
        out.keywords.push({ ...child, keywordId, keywordText, matchType: rng.pick(MATCH_TYPES), bid });
        group.targeting.push({ entityType: AdEntityType.KEYWORD, entityId: keywordId, ...performance(bid) });
      }
      if (rng.chance(0.4)) {
        const asin = rng.pick(listings).asin;
        const targetId = adsId();
        const bid = scaled(rng, 0.3, 3, currency);
        out.targets.push({
          ...child,
          targetId,
          expression: [{ type: 'ASIN_SAME_AS', value: asin }],
          expressionText: `asin="${asin}"`,
          expressionType: TargetingType.MANUAL,
          bid,
        });
        group.targeting.push({ entityType: AdEntityType.TARGET, entityId: targetId, ...performance(bid) });
      }
    }
    for (const listing of [hero, ...pickDistinct(rng, listings, rng.int(0, 1))].filter((l, i, all) => all.indexOf(l) === i)) {
      const adId = adsId();
      out.productAds.push({ ...child, adId, sku: listing.sku, asin: listing.asin });
      group.adIds.push(adId);
    }
    plan.adGroups.push(group);
  }
  return plan;
}

/**
 * Daily rows built bottom-up so the levels agree as in real reports: keyword and target rows,
 * ad group = sum of its targeting, campaign = sum of its ad groups, product ads split the ad group.
 * Days without impressions have no row (reports omit them).
 */
function dailyMetrics(rng: DemoRandom, plans: DemoCampaign[], today: Date): Partial<AdDailyMetric>[] {
  const rows: Partial<AdDailyMetric>[] = [];
  const row = (plan: DemoCampaign, date: string, entityType: AdEntityType, entityId: string, adGroupId: string | null, v: MetricValues) =>
    rows.push({
      sellerAccountId: plan.sellerAccountId,
      marketplaceId: plan.marketplaceId,
      source: DataSourceKind.DEMO,
      date,
      entityType,
      entityId,
      campaignId: plan.campaignId,
      adGroupId,
      impressions: v.impressions,
      clicks: v.clicks,
      cost: money(v.costCents),
      sales: money(v.salesCents),
      purchases: v.purchases,
      units: v.units,
    });

  for (const plan of plans) {
    for (let day = plan.firstDay; day >= plan.lastDay; day -= 1) {
      const date = isoDay(day, today);
      const campaignTotal = emptyValues();
      for (const group of plan.adGroups) {
        const groupTotal = emptyValues();
        for (const t of group.targeting) {
          if (rng.chance(0.15)) continue;
          const impressions = Math.round(t.impressions * (0.5 + rng.next()));
          const clicks = Math.round(impressions * t.ctr * (0.5 + rng.next()));
          const purchases = Math.round(clicks * t.cvr * (0.5 + rng.next()));
          const value: MetricValues = {
            impressions,
            clicks,
            costCents: clicks * t.cpcCents,
            purchases,
            units: purchases + (purchases > 0 && rng.chance(0.2) ? 1 : 0),
            salesCents: purchases * group.orderValueCents,
          };
          if (impressions === 0) continue;
          row(plan, date, t.entityType, t.entityId, group.adGroupId, value);
          addInto(groupTotal, value);
        }
        if (groupTotal.impressions === 0) continue;
        row(plan, date, AdEntityType.AD_GROUP, group.adGroupId, group.adGroupId, groupTotal);
        const shares = group.adIds.length === 1 ? [1] : group.adIds.map((_, i) => (i === 0 ? 0.6 : 0.4 / (group.adIds.length - 1)));
        split(groupTotal, shares).forEach((part, i) => row(plan, date, AdEntityType.PRODUCT_AD, group.adIds[i], group.adGroupId, part));
        addInto(campaignTotal, groupTotal);
      }
      if (campaignTotal.impressions > 0) row(plan, date, AdEntityType.CAMPAIGN, plan.campaignId, null, campaignTotal);
    }
  }
  return rows;
}
