// Amazon Ads: Sponsored Products v3 entities (campaigns, ad groups, keywords, targets, product
// ads, as `/sp/<entity>/list` returns them or as connector record streams) and daily
// performance (v3 report rows spCampaigns / spSearchTerm as JSON, and the console CSV export
// with its BOM and `="..."` ids). Ads ids exceed 2^53: kept as strings throughout.
import { AdDailyMetric } from '../../../entities/advertising/ad-daily-metric.entity';
import { AdGroup } from '../../../entities/advertising/ad-group.entity';
import { Campaign } from '../../../entities/advertising/campaign.entity';
import { Keyword } from '../../../entities/advertising/keyword.entity';
import { ProductAd } from '../../../entities/advertising/product-ad.entity';
import { ProductTarget } from '../../../entities/advertising/product-target.entity';
import { DataSourceKind } from '../../../entities/common/provenance';
import { Cells, RowError, json, type Emit, type FlatDefinition, type JsonDefinition, type MapContext } from '../report';
import type { TableTarget } from '../table-writer';
import { parseDate } from '../values';

const CAMPAIGN: TableTarget = { entity: Campaign, key: ['campaignId'], noun: 'campaign' };
const IN_CAMPAIGN = [{ property: 'campaignId', entity: Campaign, key: 'campaignId', noun: 'campaign' }];
const IN_AD_GROUP = [{ property: 'adGroupId', entity: AdGroup, key: 'adGroupId', noun: 'ad group' }];
const AD_GROUP: TableTarget = { entity: AdGroup, key: ['adGroupId'], noun: 'ad group', references: IN_CAMPAIGN };
const KEYWORD: TableTarget = { entity: Keyword, key: ['keywordId'], noun: 'keyword', references: IN_AD_GROUP };
const TARGET: TableTarget = { entity: ProductTarget, key: ['targetId'], noun: 'product target', references: IN_AD_GROUP };
const PRODUCT_AD: TableTarget = { entity: ProductAd, key: ['adId'], noun: 'product ad', references: IN_AD_GROUP };

type EntityKind = 'campaign' | 'adGroup' | 'keyword' | 'target' | 'productAd' | 'other';

// Envelope key of each `/sp/<entity>/list` response and connector stream name.
const ENVELOPES: Record<string, EntityKind> = {
  campaigns: 'campaign',
  adGroups: 'adGroup',
  keywords: 'keyword',
  targetingClauses: 'target',
  productAds: 'productAd',
  negativeKeywords: 'other',
  campaignNegativeKeywords: 'other',
  negativeTargetingClauses: 'other',
};
const STREAMS: Record<string, EntityKind> = {
  sponsored_product_campaigns: 'campaign',
  sponsored_product_ad_groups: 'adGroup',
  sponsored_product_keywords: 'keyword',
  sponsored_product_targetings: 'target',
  sponsored_product_ads: 'productAd',
};

/** Kind of a bare entity object, from the ids it carries. */
function kindOf(o: Record<string, unknown>): EntityKind {
  if ('targetId' in o) return 'target';
  if ('adId' in o) return 'productAd';
  if ('keywordId' in o) return /^NEGATIVE/.test(String(o.matchType ?? '')) ? 'other' : 'keyword';
  if ('adGroupId' in o && 'defaultBid' in o) return 'adGroup';
  if ('campaignId' in o && 'targetingType' in o) return 'campaign';
  return 'other';
}

function entityRecords(doc: unknown): { kind: EntityKind; data: Record<string, unknown>; label: string }[] {
  if (Array.isArray(doc)) return doc.map(json.object).map((data) => ({ kind: kindOf(data), data, label: 'entity' }));
  const o = json.object(doc);
  if (typeof o.stream === 'string') {
    const kind = STREAMS[o.stream] ?? 'other';
    return [{ kind, data: json.object(o.data), label: o.stream }];
  }
  const out: { kind: EntityKind; data: Record<string, unknown>; label: string }[] = [];
  for (const [key, kind] of Object.entries(ENVELOPES)) {
    for (const item of json.array(o[key])) out.push({ kind, data: json.object(item), label: key });
  }
  return out;
}

const STATES = new Set(['ENABLED', 'PAUSED', 'ARCHIVED']);
function state(value: unknown): string {
  const s = String(value ?? '').toUpperCase();
  if (!STATES.has(s)) throw new RowError('state: unknown state');
  return s;
}

// How the console and reports print auto-targeting groups.
const AUTO_TARGETS: Record<string, string> = {
  QUERY_HIGH_REL_MATCHES: 'close-match',
  QUERY_BROAD_REL_MATCHES: 'loose-match',
  ASIN_ACCESSORY_RELATED: 'complements',
  ASIN_SUBSTITUTE_RELATED: 'substitutes',
};

function expressionText(clauses: { type: string; value?: string }[]): string {
  return clauses
    .map((c) => AUTO_TARGETS[c.type] ?? `${c.type.toLowerCase().replace(/_/g, '-')}${c.value !== undefined ? `="${c.value}"` : ''}`)
    .join(' ');
}

function scoped(ctx: MapContext) {
  const mp = ctx.marketplaceFor();
  return { sellerAccountId: ctx.sellerAccountId, marketplaceId: mp.marketplaceId };
}

function mapEntity(kind: EntityKind, d: Record<string, unknown>, ctx: MapContext): Emit[] {
  const id = (path: string) => json.need(path, json.id(path, d[path]));
  switch (kind) {
    case 'campaign': {
      const budget = json.object(d.budget);
      return [
        {
          target: 0,
          values: {
            ...scoped(ctx),
            campaignId: id('campaignId'),
            name: json.need('name', json.text(d.name)),
            state: state(d.state),
            targetingType: json.need('targetingType', json.text(d.targetingType)),
            dailyBudget: json.need('budget.budget', json.decimal('budget.budget', budget.budget)),
            startDate: json.need('startDate', json.date('startDate', d.startDate)),
            endDate: json.date('endDate', d.endDate),
            portfolioId: json.id('portfolioId', d.portfolioId),
          },
        },
      ];
    }
    case 'adGroup':
      return [
        {
          target: 1,
          values: {
            ...scoped(ctx),
            adGroupId: id('adGroupId'),
            campaignId: id('campaignId'),
            name: json.need('name', json.text(d.name)),
            state: state(d.state),
            defaultBid: json.need('defaultBid', json.decimal('defaultBid', d.defaultBid)),
          },
        },
      ];
    case 'keyword':
      return [
        {
          target: 2,
          values: {
            ...scoped(ctx),
            keywordId: id('keywordId'),
            adGroupId: id('adGroupId'),
            campaignId: id('campaignId'),
            state: state(d.state),
            keywordText: json.need('keywordText', json.text(d.keywordText)),
            matchType: json.need('matchType', json.text(d.matchType)),
            bid: json.need('bid', json.decimal('bid', d.bid)),
          },
        },
      ];
    case 'target': {
      const clauses = json.array(d.expression).map((c) => {
        const o = json.object(c);
        return { type: json.need('expression.type', json.text(o.type)), ...(o.value !== undefined ? { value: String(o.value) } : {}) };
      });
      if (clauses.length === 0) throw new RowError('expression is empty');
      return [
        {
          target: 3,
          values: {
            ...scoped(ctx),
            targetId: id('targetId'),
            adGroupId: id('adGroupId'),
            campaignId: id('campaignId'),
            state: state(d.state),
            expression: clauses,
            expressionText: expressionText(clauses),
            expressionType: json.need('expressionType', json.text(d.expressionType)),
            bid: json.decimal('bid', d.bid),
          },
        },
      ];
    }
    case 'productAd':
      return [
        {
          target: 4,
          values: {
            ...scoped(ctx),
            adId: id('adId'),
            adGroupId: id('adGroupId'),
            campaignId: id('campaignId'),
            state: state(d.state),
            sku: json.id('sku', d.sku),
            asin: json.id('asin', d.asin),
          },
        },
      ];
    default:
      return [];
  }
}

export const sponsoredProductsEntities: JsonDefinition = {
  kind: 'json',
  type: 'ADS_SP_V3_ENTITIES',
  label: 'Sponsored Products v3 entities (campaigns, ad groups, keywords, targets, product ads)',
  source: DataSourceKind.ADS_API,
  targets: [CAMPAIGN, AD_GROUP, KEYWORD, TARGET, PRODUCT_AD],
  matches: (doc) => {
    const o = json.object(doc);
    if (typeof o.stream === 'string') return o.stream in STREAMS || /^sponsored_|^profiles$|^portfolios$/.test(o.stream);
    return entityRecords(doc).some((r) => r.kind !== 'other');
  },
  records: (doc) => entityRecords(doc).map((record, i) => ({ line: i + 1, record })),
  map(record, ctx) {
    const kind = record.kind as EntityKind;
    if (kind === 'other') {
      ctx.skip(`${String(record.label)} (not stored)`);
      return [];
    }
    return mapEntity(kind, json.object(record.data), ctx);
  },
};

// --- Daily performance ------------------------------------------------------------------------

const METRIC: TableTarget = { entity: AdDailyMetric, key: ['entityType', 'entityId', 'date'], noun: 'daily metric' };

function reportRows(doc: unknown): Record<string, unknown>[] {
  return Array.isArray(doc) ? doc.map(json.object) : [];
}

/** v3 report rows (GZIP_JSON unpacked): `spCampaigns` by campaign, `spSearchTerm`/`spTargeting` by keyword or target. */
export const sponsoredProductsDailyReport: JsonDefinition = {
  kind: 'json',
  type: 'ADS_SP_DAILY_REPORT',
  label: 'Sponsored Products daily report (v3 JSON: spCampaigns, spSearchTerm, spTargeting)',
  source: DataSourceKind.ADS_REPORT,
  targets: [METRIC],
  matches: (doc) => reportRows(doc).some((r) => 'campaignId' in r && 'impressions' in r && ('date' in r || 'startDate' in r)),
  records: (doc) => reportRows(doc).map((record, i) => ({ line: i + 1, record })),
  map(r, ctx) {
    const date = json.need('date', json.date('date', r.date ?? (r.startDate === r.endDate ? r.startDate : undefined)));
    const campaignId = json.need('campaignId', json.id('campaignId', r.campaignId));
    const keywordId = json.id('keywordId', r.keywordId);
    const targetingType = String(r.keywordType ?? '');
    const entity = keywordId
      ? { entityType: /^TARGETING_EXPRESSION/.test(targetingType) ? 'TARGET' : 'KEYWORD', entityId: keywordId }
      : r.adId !== undefined
        ? { entityType: 'PRODUCT_AD', entityId: json.need('adId', json.id('adId', r.adId)) }
        : r.adGroupId !== undefined
          ? { entityType: 'AD_GROUP', entityId: json.need('adGroupId', json.id('adGroupId', r.adGroupId)) }
          : { entityType: 'CAMPAIGN', entityId: campaignId };
    const n = (path: string) => json.integer(path, r[path]) ?? 0;
    return [
      {
        target: 0,
        values: {
          ...scoped(ctx),
          date,
          ...entity,
          campaignId,
          adGroupId: json.id('adGroupId', r.adGroupId),
          impressions: n('impressions'),
          clicks: n('clicks'),
          cost: json.decimal('cost', r.cost ?? r.spend) ?? '0',
          sales: json.decimal('sales7d', r.sales7d ?? r.sales14d ?? r.sales) ?? '0',
          purchases: json.integer('purchases7d', r.purchases7d ?? r.purchases14d ?? r.purchases) ?? 0,
          units: json.integer('unitsSoldClicks7d', r.unitsSoldClicks7d ?? r.unitsSoldClicks14d) ?? 0,
        },
      },
    ];
  },
};

/**
 * The console's search-term CSV export (2026 layout). Search terms are summed per ad group and
 * day; a row covering more than one day cannot be stored as daily data and is refused.
 */
export const consoleSearchTermCsv: FlatDefinition = {
  kind: 'flat',
  type: 'ADS_SP_CONSOLE_SEARCH_TERM_CSV',
  label: 'Sponsored Products search term export (Ads console CSV)',
  source: DataSourceKind.ADS_REPORT,
  targets: [METRIC],
  fields: {
    'budget-currency': ['currency'],
    'date-range': [],
    date: ['day'],
    'campaign-id': [],
    'ad-group-id': [],
    impressions: [],
    clicks: [],
    'total-cost': ['spend', 'cost'],
    purchases: ['7-day-total-orders-(#)'],
    sales: ['7-day-total-sales'],
    'units-sold': ['7-day-total-units-(#)'],
  },
  required: ['campaign-id', 'ad-group-id', 'impressions', 'clicks'],
  signature: ['budget-currency', 'date-range', 'advertiser-account-id', 'campaign-id', 'ad-group-id', 'search-term', 'impressions', 'total-cost'],
  map(row, ctx) {
    const mp = ctx.marketplaceFor();
    const c = new Cells(row, { dateOrder: mp.dateOrder, decimalComma: mp.decimalComma });
    const currency = c.text('budget-currency');
    if (currency && currency !== mp.currencyCode) throw new RowError(`budget-currency: the row is not in ${mp.currencyCode}, the marketplace's currency`);
    let date = c.date('date');
    if (!date) {
      const range = c.need('date-range', c.text('date-range'));
      const [from, to] = range.split(/\s+-\s+/).map((part) => parseDate(part, { dateOrder: mp.dateOrder }));
      if (!from || (to && to !== from)) throw new RowError('date-range: covers more than one day (export the report by day)');
      date = from;
    }
    const adGroupId = c.need('ad-group-id', c.id('ad-group-id'));
    const key = `${adGroupId}/${date}`;
    // Sum the search terms of one ad group and day within the file.
    const sums = (ctx.state.sums ??= new Map<string, Record<string, number>>()) as Map<string, Record<string, number>>;
    const previous = sums.get(key) ?? { impressions: 0, clicks: 0, cost: 0, sales: 0, purchases: 0, units: 0 };
    const total = {
      impressions: previous.impressions + (c.integer('impressions') ?? 0),
      clicks: previous.clicks + (c.integer('clicks') ?? 0),
      cost: previous.cost + Math.round(Number(c.decimal('total-cost') ?? 0) * 100),
      sales: previous.sales + Math.round(Number(c.decimal('sales') ?? 0) * 100),
      purchases: previous.purchases + (c.integer('purchases') ?? 0),
      units: previous.units + (c.integer('units-sold') ?? 0),
    };
    sums.set(key, total);
    return [
      {
        target: 0,
        values: {
          sellerAccountId: ctx.sellerAccountId,
          marketplaceId: mp.marketplaceId,
          date,
          entityType: 'AD_GROUP',
          entityId: adGroupId,
          campaignId: c.need('campaign-id', c.id('campaign-id')),
          adGroupId,
          impressions: total.impressions,
          clicks: total.clicks,
          cost: (total.cost / 100).toFixed(2),
          sales: (total.sales / 100).toFixed(2),
          purchases: total.purchases,
          units: total.units,
        },
      },
    ];
  },
};
