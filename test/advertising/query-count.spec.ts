// The nested campaign query costs the same number of SQL statements for 10 and for 100
// campaigns: every relation and metrics level is one batched statement.
import type { GraphQLSchema } from 'graphql';
import { buildGatewaySchema } from '../../src/server/schema';
import { createDemoDatabase } from '../catalog/demo-database';
import { runQuery } from '../catalog/run-query';
import { testContext } from '../support/context';
import type { TestDatabase } from '../support/database';
import { countQueries } from '../support/query-counter';

const NESTED = `query($first: Int!) { campaigns(first: $first, direction: DESC) { nodes { name
  adGroups { name keywords { keywordText metrics(from: "2026-10-01", to: "2026-10-31") { clicks } } }
  metrics(from: "2026-10-01", to: "2026-10-31") { spend } } } }`;

/** Copies every campaign with its ad groups, keywords and their metrics, ids suffixed (in SQL: fast). */
async function copyCampaigns(db: TestDatabase, suffix: string): Promise<void> {
  const scope = 'source, seller_account_id, marketplace_id';
  await db.dataSource.query(
    `INSERT INTO campaign (${scope}, campaign_id, name, state, targeting_type, daily_budget, start_date, end_date, portfolio_id)
     SELECT ${scope}, campaign_id || $1, name || $1, state, targeting_type, daily_budget, start_date, end_date, portfolio_id FROM campaign WHERE campaign_id NOT LIKE '%-%'`,
    [suffix],
  );
  await db.dataSource.query(
    `INSERT INTO ad_group (${scope}, ad_group_id, campaign_id, name, state, default_bid)
     SELECT ${scope}, ad_group_id || $1, campaign_id || $1, name, state, default_bid FROM ad_group WHERE ad_group_id NOT LIKE '%-%'`,
    [suffix],
  );
  await db.dataSource.query(
    `INSERT INTO keyword (${scope}, keyword_id, ad_group_id, campaign_id, keyword_text, match_type, bid, state)
     SELECT ${scope}, keyword_id || $1, ad_group_id || $1, campaign_id || $1, keyword_text, match_type, bid, state FROM keyword WHERE keyword_id NOT LIKE '%-%'`,
    [suffix],
  );
  await db.dataSource.query(
    `INSERT INTO ad_daily_metric (${scope}, date, entity_type, entity_id, campaign_id, ad_group_id, impressions, clicks, cost, sales, purchases, units)
     SELECT ${scope}, date, entity_type, entity_id || $1, campaign_id || $1, ad_group_id || $1, impressions, clicks, cost, sales, purchases, units
       FROM ad_daily_metric WHERE entity_type IN ('CAMPAIGN', 'KEYWORD') AND date >= '2026-10-01' AND entity_id NOT LIKE '%-%'`,
    [suffix],
  );
}

describe('nested campaign query', () => {
  let db: TestDatabase;
  let schema: GraphQLSchema;

  beforeAll(async () => {
    schema = await buildGatewaySchema();
    db = await createDemoDatabase();
    // Two copies of the demo campaigns under new ids: 120 campaigns in all.
    for (const suffix of ['-2', '-3']) await copyCampaigns(db, suffix);
  });
  afterAll(async () => db.close());

  it('runs one statement per level for 10 and for 100 campaigns', async () => {
    const counter = countQueries(db.dataSource);
    try {
      const statements: number[] = [];
      const keywords: number[] = [];
      for (const first of [10, 100]) {
        counter.reset();
        const data = await runQuery(schema, testContext(db.dataSource), NESTED, { first });
        statements.push(counter.count);
        expect(data.campaigns.nodes).toHaveLength(first);
        keywords.push(data.campaigns.nodes.flatMap((c: any) => c.adGroups.flatMap((g: any) => g.keywords)).length);
      }
      // campaigns page, ad groups, keywords, keyword metrics, campaign metrics (manual campaigns
      // sort first by name descending, so both pages hold keywords)
      expect(statements).toEqual([5, 5]);
      expect(keywords[1]).toBeGreaterThan(keywords[0] * 5);
    } finally {
      counter.stop();
    }
  });
});
