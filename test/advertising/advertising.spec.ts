import type { GraphQLSchema } from 'graphql';
import { graphql } from 'graphql';
import { AdDailyMetric, AdEntityType, AdGroup, AdState } from '../../entities/advertising';
import { DataSourceKind } from '../../entities/common/provenance';
import { toAdMetrics } from '../../resolvers/advertising/ad-metrics.service';
import { buildGatewaySchema } from '../../src/server/schema';
import { createDemoDatabase } from '../catalog/demo-database';
import { runQuery } from '../catalog/run-query';
import { testContext, testPrincipal } from '../support/context';
import type { TestDatabase } from '../support/database';

const US = 'ATVPDKIKX0DER';
const DE = 'A1PA6795UKMFR9';
const FROM = '2026-08-03';
const TO = '2026-10-31';
const cents = (value: string | number) => Math.round(Number(value) * 100);

describe('advertising queries', () => {
  let db: TestDatabase;
  let schema: GraphQLSchema;
  const all = () => testContext(db.dataSource);
  const onlyMarketplace = (marketplace: string) => testContext(db.dataSource, { principal: testPrincipal({ marketplaces: [marketplace] }) });
  const sql = (query: string, params: unknown[] = []) => db.dataSource.query(query, params);
  const performanceOf = (ctx: ReturnType<typeof all>, groupBy: string, extra = '') =>
    runQuery(schema, ctx, `{ advertisingPerformance(groupBy: ${groupBy}, from: "${FROM}", to: "${TO}"${extra}) { suppressedGroups groups { key label currency impressions clicks spend sales orders units acos roas entityCount } } }`);

  beforeAll(async () => {
    schema = await buildGatewaySchema();
    db = await createDemoDatabase();
  });
  afterAll(async () => db.close());

  describe('campaigns', () => {
    it('pages by daily budget with cursors, and counts the filter', async () => {
      const ids: string[] = [];
      let after: string | null = null;
      let totalCount = 0;
      do {
        const data: any = await runQuery(
          schema,
          all(),
          'query($after: String) { campaigns(first: 7, after: $after, sortBy: DAILY_BUDGET, direction: DESC, state: [ENABLED, PAUSED]) { totalCount nodes { campaignId dailyBudget state } pageInfo { hasNextPage endCursor } } }',
          { after },
        );
        totalCount = data.campaigns.totalCount;
        ids.push(...data.campaigns.nodes.map((n: { campaignId: string }) => n.campaignId));
        after = data.campaigns.pageInfo.hasNextPage ? data.campaigns.pageInfo.endCursor : null;
      } while (after);
      const expected = await sql("SELECT campaign_id FROM campaign WHERE state IN ('ENABLED', 'PAUSED') ORDER BY daily_budget DESC, id DESC");
      expect(totalCount).toBe(expected.length);
      expect(ids).toEqual(expected.map((row: { campaign_id: string }) => row.campaign_id));
    });

    it('filters by account, marketplace, name, targeting type, and sorts by start date', async () => {
      const data = await runQuery(schema, all(), `{ campaigns(first: 100, account: "A1SGDEMOUS0001", marketplace: "${US}", nameContains: "auto", targetingType: AUTO, sortBy: START_DATE) {
        totalCount nodes { name targetingType marketplaceId startDate } } }`);
      const expected = await sql("SELECT start_date FROM campaign WHERE marketplace_id = $1 AND targeting_type = 'AUTO' AND name ILIKE '%auto%' ORDER BY start_date, id", [US]);
      expect(data.campaigns.totalCount).toBe(expected.length);
      expect(expected.length).toBeGreaterThan(0);
      const dates = data.campaigns.nodes.map((n: { startDate: string }) => n.startDate);
      expect(dates).toEqual([...dates].sort());
      expect(data.campaigns.nodes.every((n: { targetingType: string; marketplaceId: string }) => n.targetingType === 'AUTO' && n.marketplaceId === US)).toBe(true);
    });

    it('keeps 18-digit campaign ids exact and looks a campaign up by id', async () => {
      const [row] = await sql('SELECT campaign_id, name FROM campaign WHERE length(campaign_id) = 18 LIMIT 1');
      expect(BigInt(row.campaign_id) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
      const data = await runQuery(schema, all(), `{ campaign(campaignId: "${row.campaign_id}") { campaignId name adGroups { campaignId } } }`);
      expect(data.campaign.campaignId).toBe(row.campaign_id);
      expect(data.campaign.name).toBe(row.name);
      expect(data.campaign.adGroups.every((g: { campaignId: string }) => g.campaignId === row.campaign_id)).toBe(true);
      expect((await runQuery(schema, all(), '{ campaign(campaignId: "1") { name } }')).campaign).toBeNull();
    });
  });

  describe('metrics', () => {
    it('totals the daily rows of each level and derives CTR, CPC, ACOS and ROAS', async () => {
      const data = await runQuery(schema, all(), `{ campaigns(first: 5, state: [ENABLED]) { nodes { campaignId
        metrics(from: "2026-10-01", to: "2026-10-31") { impressions clicks spend sales orders units ctr cpc acos roas }
        adGroups { adGroupId metrics(from: "2026-10-01", to: "2026-10-31") { spend } keywords { keywordId metrics(from: "2026-10-01", to: "2026-10-31") { clicks } } } } } }`);
      for (const campaign of data.campaigns.nodes) {
        const [sums] = await sql(
          `SELECT COALESCE(SUM(impressions), 0) AS impressions, COALESCE(SUM(clicks), 0) AS clicks, COALESCE(SUM(cost), 0) AS cost, COALESCE(SUM(sales), 0) AS sales,
                  COALESCE(SUM(purchases), 0) AS purchases, COALESCE(SUM(units), 0) AS units
             FROM ad_daily_metric WHERE entity_type = 'CAMPAIGN' AND entity_id = $1 AND date BETWEEN '2026-10-01' AND '2026-10-31'`,
          [campaign.campaignId],
        );
        const m = campaign.metrics;
        expect([m.impressions, m.clicks, cents(m.spend), cents(m.sales), m.orders, m.units]).toEqual([
          Number(sums.impressions),
          Number(sums.clicks),
          cents(sums.cost),
          cents(sums.sales),
          Number(sums.purchases),
          Number(sums.units),
        ]);
        expect(m.impressions).toBeGreaterThan(0);
        expect(m.ctr).toBeCloseTo(m.clicks / m.impressions, 5);
        expect(m.cpc).toBeCloseTo(Number(m.spend) / m.clicks, 3);
        expect(m.acos).toBeCloseTo(Number(m.spend) / Number(m.sales), 5);
        expect(m.roas).toBeCloseTo(Number(m.sales) / Number(m.spend), 5);
        // The demo data is consistent across levels, as Ads reports are.
        const groupSpend = campaign.adGroups.reduce((sum: number, g: { metrics: { spend: string } }) => sum + cents(g.metrics.spend), 0);
        expect(groupSpend).toBe(cents(m.spend));
      }
    });

    it('returns zero totals and null ratios when a divisor is 0', async () => {
      const [keyword] = await sql("SELECT keyword_id, ad_group_id, campaign_id, seller_account_id, marketplace_id FROM keyword LIMIT 1");
      await db.dataSource.getRepository(AdDailyMetric).insert({
        date: '2027-03-01',
        entityType: AdEntityType.KEYWORD,
        entityId: keyword.keyword_id,
        campaignId: keyword.campaign_id,
        adGroupId: keyword.ad_group_id,
        sellerAccountId: keyword.seller_account_id,
        marketplaceId: keyword.marketplace_id,
        impressions: 120,
        clicks: 0,
        cost: '0.00',
        sales: '0.00',
        source: DataSourceKind.DEMO,
      });
      const data = await runQuery(schema, all(), `{ campaign(campaignId: "${keyword.campaign_id}") {
        empty: metrics(from: "2027-01-01", to: "2027-01-31") { impressions clicks spend sales ctr cpc acos roas }
        adGroups { keywords { keywordId metrics(from: "2027-03-01", to: "2027-03-01") { impressions clicks ctr cpc acos roas } } } } }`);
      expect(data.campaign.empty).toEqual({ impressions: 0, clicks: 0, spend: '0.00', sales: '0.00', ctr: null, cpc: null, acos: null, roas: null });
      const row = data.campaign.adGroups.flatMap((g: { keywords: unknown[] }) => g.keywords).find((k: { keywordId: string }) => k.keywordId === keyword.keyword_id);
      expect(row.metrics).toEqual({ impressions: 120, clicks: 0, ctr: 0, cpc: null, acos: null, roas: null });
    });

    it('derives each ratio only from a non-zero divisor', () => {
      const raw = (cost: string, sales: string, impressions = '10', clicks = '2') => ({ impressions, clicks, cost, sales, purchases: '1', units: '1' });
      expect(toAdMetrics(raw('5.00', '0.00'))).toMatchObject({ acos: null, roas: 0, cpc: 2.5, ctr: 0.2 });
      expect(toAdMetrics(raw('0.00', '20.00'))).toMatchObject({ acos: 0, roas: null, cpc: 0 });
      expect(toAdMetrics(raw('4.00', '16.00'))).toMatchObject({ acos: 0.25, roas: 4 });
      expect(toAdMetrics(raw('0.00', '0.00', '0', '0'))).toMatchObject({ ctr: null, cpc: null, acos: null, roas: null });
    });

    it('lists a campaign day by day, and rejects a range that ends before it starts', async () => {
      const [row] = await sql("SELECT entity_id FROM ad_daily_metric WHERE entity_type = 'CAMPAIGN' AND date = '2026-10-31' LIMIT 1");
      const data = await runQuery(schema, all(), `{ campaign(campaignId: "${row.entity_id}") { dailyMetrics(from: "2026-10-25", to: "2026-10-31") { date impressions spend acos } } }`);
      const expected = await sql("SELECT date::text AS date, cost FROM ad_daily_metric WHERE entity_type = 'CAMPAIGN' AND entity_id = $1 AND date BETWEEN '2026-10-25' AND '2026-10-31' ORDER BY date", [row.entity_id]);
      expect(data.campaign.dailyMetrics.map((d: { date: string; spend: string }) => [d.date, cents(d.spend)])).toEqual(expected.map((e: { date: string; cost: string }) => [e.date, cents(e.cost)]));
      const bad = await graphql({ schema, contextValue: all(), source: `{ campaign(campaignId: "${row.entity_id}") { metrics(from: "2026-10-31", to: "2026-10-01") { clicks } } }` });
      expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    });
  });

  describe('advertisingPerformance', () => {
    it('by day: totals per currency equal the sum of every campaign\'s daily metrics', async () => {
      const data = await performanceOf(all(), 'DAY');
      const daily = await runQuery(schema, all(), `{ campaigns(first: 100) { nodes { marketplaceId dailyMetrics(from: "${FROM}", to: "${TO}") { date spend sales clicks } } } marketplaces { marketplaceId currencyCode } }`);
      const currencyOf = new Map(daily.marketplaces.map((m: { marketplaceId: string; currencyCode: string }) => [m.marketplaceId, m.currencyCode]));
      const expected = new Map<string, { spend: number; sales: number; clicks: number; campaigns: number }>();
      for (const campaign of daily.campaigns.nodes) {
        for (const day of campaign.dailyMetrics) {
          const key = `${day.date}|${currencyOf.get(campaign.marketplaceId)}`;
          const sum = expected.get(key) ?? { spend: 0, sales: 0, clicks: 0, campaigns: 0 };
          expected.set(key, { spend: sum.spend + cents(day.spend), sales: sum.sales + cents(day.sales), clicks: sum.clicks + day.clicks, campaigns: sum.campaigns + 1 });
        }
      }
      const actual = new Map<string, { spend: number; sales: number; clicks: number; campaigns: number }>(
        data.advertisingPerformance.groups.map((g: any) => [`${g.key}|${g.currency}`, { spend: cents(g.spend), sales: cents(g.sales), clicks: g.clicks, campaigns: g.entityCount }]),
      );
      expect(actual).toEqual(expected);
      expect(data.advertisingPerformance.suppressedGroups).toBe(0);
      expect(new Set(data.advertisingPerformance.groups.map((g: { key: string }) => g.key)).size).toBe(90);
    });

    it('by campaign and by ad group: the same grand totals, names as labels, child counts', async () => {
      const byCampaign = (await performanceOf(all(), 'CAMPAIGN')).advertisingPerformance.groups;
      const byAdGroup = (await performanceOf(all(), 'AD_GROUP')).advertisingPerformance.groups;
      const [totals] = await sql(`SELECT SUM(cost) AS cost, SUM(impressions) AS impressions FROM ad_daily_metric WHERE entity_type = 'CAMPAIGN' AND date BETWEEN $1 AND $2`, [FROM, TO]);
      const sum = (groups: { spend: string }[]) => groups.reduce((s, g) => s + cents(g.spend), 0);
      expect(sum(byCampaign)).toBe(cents(totals.cost));
      expect(sum(byAdGroup)).toBe(cents(totals.cost));
      expect(byCampaign.reduce((s: number, g: { impressions: number }) => s + g.impressions, 0)).toBe(Number(totals.impressions));
      const [campaign] = await sql('SELECT c.campaign_id, c.name, count(DISTINCT m.entity_id) AS groups FROM campaign c JOIN ad_daily_metric m ON m.campaign_id = c.campaign_id AND m.entity_type = \'AD_GROUP\' AND m.date BETWEEN $1 AND $2 GROUP BY 1, 2 LIMIT 1', [FROM, TO]);
      expect(byCampaign.find((g: { key: string }) => g.key === campaign.campaign_id)).toMatchObject({ label: campaign.name, entityCount: Number(campaign.groups) });
      const group = byAdGroup[0];
      const [children] = await sql("SELECT count(DISTINCT entity_id) AS count FROM ad_daily_metric WHERE ad_group_id = $1 AND entity_type IN ('KEYWORD', 'TARGET') AND date BETWEEN $2 AND $3", [group.key, FROM, TO]);
      expect(group.entityCount).toBe(Number(children.count));
      expect(group.acos).toBeCloseTo(Number(group.spend) / Number(group.sales), 5);
    });
  });

  describe('row scope', () => {
    it('a marketplace-scoped caller never sees or counts another marketplace in lists, lookups, relations and aggregates', async () => {
      const ctx = onlyMarketplace(US);
      const list = await runQuery(schema, ctx, `{ campaigns(first: 100) { totalCount nodes { marketplaceId adGroups { marketplaceId keywords { marketplaceId } } } } }`);
      const [usCampaigns] = await sql('SELECT count(*) AS count FROM campaign WHERE marketplace_id = $1', [US]);
      expect(list.campaigns.totalCount).toBe(Number(usCampaigns.count));
      const marketplaces = new Set<string>();
      for (const c of list.campaigns.nodes) {
        marketplaces.add(c.marketplaceId);
        for (const g of c.adGroups) [g, ...g.keywords].forEach((row: { marketplaceId: string }) => marketplaces.add(row.marketplaceId));
      }
      expect(marketplaces).toEqual(new Set([US]));
      const [deCampaign] = await sql('SELECT campaign_id FROM campaign WHERE marketplace_id = $1 LIMIT 1', [DE]);
      expect((await runQuery(schema, ctx, `{ campaign(campaignId: "${deCampaign.campaign_id}") { name } }`)).campaign).toBeNull();
      const other = await runQuery(schema, ctx, `{ campaigns(marketplace: "${DE}") { totalCount } }`);
      expect(other.campaigns.totalCount).toBe(0);

      const groups = (await performanceOf(ctx, 'CAMPAIGN')).advertisingPerformance.groups;
      expect(new Set(groups.map((g: { currency: string }) => g.currency))).toEqual(new Set(['USD']));
      const [usTotal] = await sql("SELECT SUM(cost) AS cost FROM ad_daily_metric WHERE entity_type = 'CAMPAIGN' AND marketplace_id = $1 AND date BETWEEN $2 AND $3", [US, FROM, TO]);
      expect(groups.reduce((s: number, g: { spend: string }) => s + cents(g.spend), 0)).toBe(cents(usTotal.cost));
      const days = (await performanceOf(ctx, 'DAY', `, marketplace: "${DE}"`)).advertisingPerformance.groups;
      expect(days).toEqual([]);
    });

    it('filters relation batches and metrics by each row\'s own account and marketplace', async () => {
      // A stray ad group and metric row filed under another marketplace (e.g. a bad import).
      const [campaign] = await sql("SELECT campaign_id, seller_account_id FROM campaign WHERE marketplace_id = $1 AND state = 'ENABLED' LIMIT 1", [US]);
      await db.dataSource.getRepository(AdGroup).insert({
        adGroupId: '999000000000000001',
        campaignId: campaign.campaign_id,
        name: 'Stray ad group',
        state: AdState.ENABLED,
        defaultBid: '1.00',
        sellerAccountId: 'A2SGDEMOEU0002',
        marketplaceId: DE,
        source: DataSourceKind.DEMO,
      });
      await db.dataSource.getRepository(AdDailyMetric).insert({
        date: '2026-10-15',
        entityType: AdEntityType.AD_GROUP,
        entityId: '999000000000000001',
        campaignId: campaign.campaign_id,
        adGroupId: '999000000000000001',
        impressions: 1000,
        clicks: 10,
        cost: '10.00',
        sales: '0.00',
        sellerAccountId: 'A2SGDEMOEU0002',
        marketplaceId: DE,
        source: DataSourceKind.DEMO,
      });
      const query = `{ campaign(campaignId: "${campaign.campaign_id}") { adGroups { name metrics(from: "2026-10-15", to: "2026-10-15") { impressions } } } }`;
      const scoped = await runQuery(schema, onlyMarketplace(US), query);
      expect(scoped.campaign.adGroups.map((g: { name: string }) => g.name)).not.toContain('Stray ad group');
      const unscoped = await runQuery(schema, all(), query);
      expect(unscoped.campaign.adGroups.find((g: { name: string }) => g.name === 'Stray ad group').metrics.impressions).toBe(1000);
      const byAdGroup = (await performanceOf(onlyMarketplace(US), 'AD_GROUP')).advertisingPerformance.groups;
      expect(byAdGroup.map((g: { key: string }) => g.key)).not.toContain('999000000000000001');
      const accountScoped = testContext(db.dataSource, { principal: testPrincipal({ accounts: [campaign.seller_account_id] }) });
      const byAccount = (await performanceOf(accountScoped, 'AD_GROUP')).advertisingPerformance.groups;
      expect(byAccount.map((g: { key: string }) => g.key)).not.toContain('999000000000000001');
    });
  });
});
