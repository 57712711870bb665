// Planned execution answers exactly as graphql-js does: for a corpus of operations (the benchmark's
// list and nested queries, every column and nested list of orders, campaigns and settlements,
// refunds and the daily inventory lists, cursors, filters, totalCount, aliases, fragments,
// variables, __typename, empty pages, absent and out-of-scope lookups, a bad cursor, shapes the
// planner does not take) x every role and purpose of the shipped policy x tokens limited in scope
// or not, a gateway with PLANNED_EXECUTION on and one with it off give the same status, data,
// errors and extensions, and write the same audit record facts. The plannable operations really
// ran on a plan: one SQL statement per root field (and the count for totalCount).
import { Order, OrderReturn, Shipment } from '../../entities/orders';
import { Campaign } from '../../entities/advertising';
import { Settlement } from '../../entities/inventory-finance';
import { createToken } from '../../src/auth/api-token.service';
import { AuditRecord } from '../../entities/gateway/audit-record.entity';
import { seedDemo } from '../../src/db/demo/seed-demo';
import { plannedExecutionCounts } from '../../src/execution/planned-executor';
import { knownOperationCounts } from '../../src/admission/known-operations';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { countQueries } from '../support/query-counter';
import { LIMITS_OFF_ENV } from '../policy/support/policy-gateway';

jest.setTimeout(900_000);

const ENV = LIMITS_OFF_ENV;

const NESTED = '{ orders(first: 20) { nodes { amazonOrderId purchaseDate status items { sku asin quantity itemPrice } shipments { carrier } } } }';
const LIST = '{ campaigns(first: 20) { nodes { campaignId name state } } }';
const SETTLEMENTS = '{ settlements(first: 3) { nodes { settlementId startDate endDate totalAmount currency lines { lineNumber transactionType amountType amountDescription amount sku } } } }';

const ORDER_COLUMNS =
  'id amazonOrderId merchantOrderId purchaseDate lastUpdateDate status fulfillmentChannel salesChannel orderChannel shipServiceLevel sellerAccountId marketplaceId orderTotal currency shipState shipCountry shipPostalCode isBusinessOrder deliveredAt';
const ITEM_COLUMNS = 'id orderItemId sku asin productName quantity itemPrice itemTax shippingPrice promotionDiscount itemStatus';
const SHIPMENT_COLUMNS = 'id shipmentId shipmentItemId amazonOrderId sku quantityShipped carrier trackingNumber shipDate estimatedArrival fulfillmentCenterId sellerAccountId marketplaceId';
const RETURN_COLUMNS = 'id sourceKind returnDate amazonOrderId sku asin fnsku quantity reason disposition status fulfillmentCenterId licensePlateNumber customerComments sellerAccountId marketplaceId';
const CAMPAIGN_COLUMNS = 'id campaignId sellerAccountId marketplaceId name state targetingType dailyBudget startDate endDate portfolioId';
const AD_GROUP_COLUMNS = 'id adGroupId campaignId sellerAccountId marketplaceId name state defaultBid';
const SETTLEMENT_COLUMNS = 'id settlementId startDate endDate depositDate totalAmount currency sellerAccountId marketplaceId';
const LINE_COLUMNS = 'id lineNumber transactionType orderId sku amountType amountDescription amount postedDate quantity';
const REFUND_COLUMNS = 'id orderId sku postedDate amount currency refundType sellerAccountId marketplaceId';
const INVENTORY_COLUMNS = 'id snapshotDate sku fnsku asin condition fulfillable inboundWorking inboundShipped inboundReceiving inbound reserved unfulfillable total sellerAccountId marketplaceId';
const REPLENISHMENT_COLUMNS = 'id recommendationDate sku asin fnsku recommendedQuantity daysOfSupply alert recommendedShipDate recommendedAction sellerAccountId marketplaceId';
const FEE_COLUMNS = 'id estimateDate sku asin estimatedFeeTotal referralFee fulfillmentFee currency sellerAccountId marketplaceId';
const KEYWORD_COLUMNS = 'id keywordId adGroupId campaignId sellerAccountId marketplaceId keywordText matchType bid state';

// Only columns an INTERNAL-only grant reads in full (plannable for more roles).
const INTERNAL_ORDER = 'id purchaseDate lastUpdateDate status fulfillmentChannel marketplaceId currency isBusinessOrder';

interface Case {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  /** Whether some principal's answer comes from a plan (else none does). */
  plannable?: boolean;
}

function corpus(ids: {
  amazonOrderId: string;
  campaignId: string;
  account: string;
  marketplace: string;
  after: string;
  settlementId: string;
  otherSettlementId: string;
  settlementAfter: string;
}): Case[] {
  return [
    { name: 'bench nested', plannable: true, query: NESTED },
    { name: 'bench list', plannable: true, query: LIST },
    {
      name: 'orders: every column and nested list',
      query: `{ orders(first: 15) { nodes { ${ORDER_COLUMNS} items { ${ITEM_COLUMNS} } shipments { ${SHIPMENT_COLUMNS} } returns { ${RETURN_COLUMNS} } } } }`,
    },
    {
      name: 'orders: every column and nested list but personal ones', plannable: true,
      query: `{ orders(first: 15) { nodes { ${ORDER_COLUMNS.replace(/ (shipState|shipPostalCode|deliveredAt|lastUpdateDate)/g, '')} items { ${ITEM_COLUMNS} } shipments { ${SHIPMENT_COLUMNS} } returns { ${RETURN_COLUMNS.replace(' customerComments', '')} } } } }`,
    },
    { name: 'orders: internal columns', plannable: true, query: `{ orders(first: 10) { nodes { ${INTERNAL_ORDER} items { id sku quantity itemStatus } shipments { id sku shipDate estimatedArrival } } } }` },
    {
      name: 'campaigns: nested lists without identifiers', plannable: true,
      query: `{ campaigns(first: 10, direction: DESC) { nodes { ${CAMPAIGN_COLUMNS.replace(' sellerAccountId', '')} adGroups { ${AD_GROUP_COLUMNS.replace(' sellerAccountId', '')} keywords { ${KEYWORD_COLUMNS.replace(' sellerAccountId', '')} } productAds { id adId sku asin state } productTargets { id targetId state bid expressionType } } } } }`,
    },
    {
      name: 'campaigns: nested lists',
      query: `{ campaigns(first: 10, direction: DESC) { nodes { ${CAMPAIGN_COLUMNS} adGroups { ${AD_GROUP_COLUMNS} keywords { ${KEYWORD_COLUMNS} } productAds { id adId sku asin state } productTargets { id targetId state } } } } }`,
    },
    {
      name: 'cursors and page info', plannable: true,
      query: `query Page($after: String) { orders(first: 3, after: $after) { edges { cursor node { id purchaseDate status } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`,
      variables: { after: ids.after },
    },
    { name: 'first page edges', plannable: true, query: '{ campaigns(first: 4) { edges { __typename cursor node { name } } pageInfo { __typename startCursor endCursor hasNextPage } } }' },
    {
      name: 'order filters', plannable: true,
      query: `query F($m: String, $a: String) { orders(first: 5, status: [SHIPPED, CANCELED], marketplace: $m, account: $a, from: "2020-01-01", direction: ASC, sortBy: LAST_UPDATE_DATE) { nodes { id lastUpdateDate items { sku } } } }`,
      variables: { m: ids.marketplace, a: ids.account },
    },
    { name: 'order filters (sku, channel)', plannable: true, query: `{ orders(first: 5, sku: "no-such-sku") { nodes { id } } more: orders(first: 3, fulfillmentChannel: AFN, to: "2100-01-01") { nodes { id status } } }` },
    {
      name: 'campaign filters', plannable: true,
      query: `query F($m: String) { campaigns(first: 5, state: [ENABLED, PAUSED], nameContains: "a", sortBy: NAME, marketplace: $m) { nodes { name state } } }`,
      variables: { m: ids.marketplace },
    },
    { name: 'orders and campaigns', query: '{ orders(first: 2) { nodes { id } } campaigns(first: 2) { nodes { id } } }' },
    {
      name: 'aliases, fragments, variables, __typename (orders)', plannable: true,
      operationName: 'Dash',
      query: `query Other { __typename } query Dash($n: Int!) { __typename recent: orders(first: $n) { __typename ...O } older: orders(first: 2, direction: ASC) { nodes { status } } }
        fragment O on OrderConnection { nodes { __typename id when: purchaseDate items { __typename sku } again: items { quantity } ... on Order { status shipments { sku } } } }`,
      variables: { n: 4 },
    },
    {
      name: 'aliases, fragments, variables, __typename (campaigns)', plannable: true,
      query: `query Ads($n: Int = 3) { c: campaigns(first: $n) { nodes { ...C } edges { node { id ...C } } } }
        fragment C on Campaign { __typename name groups: adGroups { ... on AdGroup { name } keywords { keywordText } } }`,
    },
    { name: 'empty page (first: 0)', plannable: true, query: '{ orders(first: 0) { nodes { id items { sku } } pageInfo { hasNextPage startCursor endCursor } } }' },
    { name: 'empty page (no rows)', plannable: true, query: '{ orders(first: 5, from: "2100-01-01") { nodes { id } edges { cursor } pageInfo { hasNextPage endCursor } } }' },
    { name: 'order lookup', plannable: true, query: `query L($id: String!) { order(amazonOrderId: $id) { id status items { sku } shipments { carrier } returns { id sku } } }`, variables: { id: ids.amazonOrderId } },
    { name: 'campaign lookup', plannable: true, query: `query L($c: String!) { campaign(campaignId: $c) { name adGroups { name productAds { sku } } } }`, variables: { c: ids.campaignId } },
    { name: 'order lookup absent', plannable: true, query: '{ order(amazonOrderId: "000-0000000-0000000") { id status } }' },
    { name: 'campaign lookup absent', plannable: true, query: '{ campaign(campaignId: "0") { name } again: campaign(campaignId: "0") { id } }' },
    { name: 'same lookup twice', plannable: true, query: `query L($c: String!) { a: campaign(campaignId: $c) { name adGroups { id } } b: campaign(campaignId: $c) { state adGroups { name } } }`, variables: { c: ids.campaignId } },
    { name: 'malformed cursor', query: '{ orders(first: 2, after: "not-a-cursor") { nodes { id } } }' },
    { name: 'page size over the maximum', query: '{ campaigns(first: 100000) { nodes { id } } }' },
    { name: 'totalCount', plannable: true, query: '{ orders(first: 2) { totalCount nodes { id } } all: orders(first: 0, status: [SHIPPED]) { totalCount } }' },
    { name: 'bench settlements', plannable: true, query: SETTLEMENTS },
    { name: 'settlements: every column and line', plannable: true, query: `{ settlements(first: 4) { totalCount nodes { ${SETTLEMENT_COLUMNS} lines { ${LINE_COLUMNS} } } } }` },
    {
      name: 'settlements: internal columns, cursors, filters', plannable: true,
      query: `query S($after: String, $a: String, $m: String) { settlements(first: 2, after: $after, account: $a, marketplace: $m, from: "2020-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z") {
        totalCount edges { cursor node { id startDate endDate depositDate currency marketplaceId lines { id lineNumber transactionType sku amountType postedDate quantity } } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`,
      variables: { after: ids.settlementAfter, a: ids.account, m: ids.marketplace },
    },
    {
      name: 'settlements: sort, direction, fragments, __typename', plannable: true,
      query: `{ settlements(first: 3, sortBy: START_DATE, direction: ASC) { __typename nodes { __typename ...S again: lines { __typename lineNumber } } } later: settlements(first: 2, from: "2100-01-01T00:00:00Z") { totalCount nodes { id } } }
        fragment S on Settlement { id startDate lines { lineNumber amountDescription } }`,
    },
    {
      name: 'settlement lookups', plannable: true,
      query: `query L($s: String!, $o: String!) { a: settlement(settlementId: $s) { id currency lines { lineNumber sku } } b: settlement(settlementId: $s) { endDate lines { id } } o: settlement(settlementId: $o) { id lines { id } } none: settlement(settlementId: "0") { id } }`,
      variables: { s: ids.settlementId, o: ids.otherSettlementId },
    },
    { name: 'settlements and lookup share lines', plannable: true, query: `{ settlements(first: 2) { nodes { id lines { lineNumber } } } settlement(settlementId: "${ids.settlementId}") { id lines { lineNumber } } }` },
    {
      name: 'refunds', plannable: true,
      query: `query R($m: String) { refunds(first: 6, marketplace: $m, direction: ASC) { totalCount nodes { id sku postedDate currency refundType marketplaceId } pageInfo { endCursor } } other: refunds(first: 2, sku: "no-such-sku", orderId: "0") { nodes { id } } }`,
      variables: { m: ids.marketplace },
    },
    { name: 'refunds: every column', plannable: true, query: `{ refunds(first: 5) { edges { cursor node { ${REFUND_COLUMNS} } } } }` },
    {
      name: 'inventory, replenishment and fees: every column', plannable: true,
      query: `{ inventory(first: 8) { totalCount nodes { ${INVENTORY_COLUMNS} } } replenishmentRecommendations(first: 8, direction: ASC) { nodes { ${REPLENISHMENT_COLUMNS} } } feeEstimates(first: 8) { edges { cursor node { ${FEE_COLUMNS} } } } }`,
    },
    {
      name: 'inventory, replenishment and fees: internal columns, sort, filters', plannable: true,
      query: `query D($m: String, $a: String) { inventory(first: 5, sortBy: FULFILLABLE, marketplace: $m, account: $a, fromDate: "2020-01-01", toDate: "2100-01-01") { nodes { id snapshotDate sku fulfillable inbound total } pageInfo { hasNextPage endCursor } }
        replenishmentRecommendations(first: 4, sortBy: RECOMMENDED_QUANTITY, direction: DESC) { nodes { id recommendationDate recommendedQuantity daysOfSupply recommendedShipDate } }
        feeEstimates(first: 4, sortBy: SKU, sku: "no-such-sku", asin: "B000000000") { totalCount nodes { id sku currency } } }`,
      variables: { m: ids.marketplace, a: ids.account },
    },
    { name: 'inventory: bad day range', query: '{ inventory(first: 2, fromDate: "2026-02-01", toDate: "2026-01-01") { nodes { id } } }' },
    { name: 'settlements: bad range', query: '{ settlements(first: 2, from: "2026-01-01T00:00:00Z", to: "2025-01-01T00:00:00Z") { nodes { id } } }' },
    { name: 'settlements: malformed cursor', query: '{ settlements(first: 2, after: "WyJ4IiwieSJd") { nodes { id lines { id } } } }' },
    { name: 'not plannable: directive', query: 'query($x: Boolean!) { orders(first: 2) { nodes { id status @include(if: $x) } } }', variables: { x: true } },
    { name: 'not plannable: metrics', query: '{ campaigns(first: 2) { nodes { name metrics(from: "2026-10-01", to: "2026-10-31") { clicks } } } }' },
    { name: 'bad variable', query: 'query($n: Int!) { orders(first: $n) { nodes { id } } }', variables: { n: 'many' } },
  ];
}

type AuditFacts = Pick<
  AuditRecord,
  'principalId' | 'principalRole' | 'purpose' | 'operationType' | 'operationName' | 'documentHash' | 'variables' | 'fields' | 'categories' | 'masked' | 'denied' | 'rowsByCategory' | 'outcome' | 'errorCodes' | 'policyVersion'
>;

describe('planned execution (PLANNED_EXECUTION on and off)', () => {
  let db: TestDatabase;
  let planned: TestGateway;
  let plain: TestGateway;
  const tokens: { label: string; token: string; purposes: (string | undefined)[] }[] = [];
  let cases: Case[];
  let sequence = 0;
  /** The account and marketplace the scoped tokens are limited to. */
  let scope: { account: string; marketplace: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemo(db.dataSource);
    planned = await startTestGateway(db, { env: { ...ENV, PLANNED_EXECUTION: '1' } });
    plain = await startTestGateway(db, { env: { ...ENV, PLANNED_EXECUTION: '0' } });
    const policy = planned.policy;
    // An order that has returns, so the lookup reads every nested list.
    const [withReturn] = await db.dataSource.query(
      'SELECT o.amazon_order_id, o.seller_account_id, o.marketplace_id FROM amazon_order o WHERE EXISTS (SELECT 1 FROM order_return r WHERE r.amazon_order_id = o.amazon_order_id) ORDER BY o.id LIMIT 1',
    );
    const order = withReturn ? { amazonOrderId: withReturn.amazon_order_id, sellerAccountId: withReturn.seller_account_id, marketplaceId: withReturn.marketplace_id } : await db.dataSource.getRepository(Order).findOneOrFail({ where: {}, order: { id: 'ASC' } });
    const campaign = await db.dataSource.getRepository(Campaign).findOneOrFail({ where: {}, order: { id: 'ASC' } });
    // A shipment and a return of the lookup order recorded under another marketplace: the
    // one-marketplace token must not see them in the order's nested lists (scoped by their own
    // columns), planned or not.
    const [other] = await db.dataSource.query('SELECT marketplace_id FROM marketplace WHERE marketplace_id <> $1 ORDER BY marketplace_id LIMIT 1', [order.marketplaceId]);
    const [lookupOrder] = await db.dataSource.query('SELECT id FROM amazon_order WHERE amazon_order_id = $1', [order.amazonOrderId]);
    const shipments = db.dataSource.getRepository(Shipment);
    const shipment = await shipments.findOneBy({ orderId: lookupOrder.id });
    if (shipment) {
      await shipments.insert({ ...shipment, id: undefined, shipmentItemId: `${shipment.shipmentItemId}X`, marketplaceId: other.marketplace_id } as never);
    }
    const returns = db.dataSource.getRepository(OrderReturn);
    const orderReturn = await returns.findOneBy({ amazonOrderId: order.amazonOrderId });
    if (orderReturn) await returns.insert({ ...orderReturn, id: undefined, sku: `${orderReturn.sku}X`, marketplaceId: other.marketplace_id } as never);
    expect([Boolean(shipment), Boolean(orderReturn)]).toEqual([true, true]);
    for (const role of Object.keys(policy.roles)) {
      const purposes = policy.roles[role].purposes.length ? [...policy.roles[role].purposes] : [undefined];
      tokens.push({ label: role, token: (await createToken(db.dataSource.manager, policy, { role, createdBy: 'test' })).token, purposes });
      // Limited to the lookup order's account and marketplace: the campaign looked up may be out of scope.
      const scoped = await createToken(db.dataSource.manager, policy, { role, accounts: [order.sellerAccountId], marketplaces: [order.marketplaceId], createdBy: 'test' });
      tokens.push({ label: `${role} (one account and marketplace)`, token: scoped.token, purposes });
    }
    scope = { account: order.sellerAccountId, marketplace: order.marketplaceId };
    const compliance = tokens.find((entry) => entry.label === 'compliance')!;
    const first = await plain.post('{ orders(first: 3) { pageInfo { endCursor } } }', { token: compliance.token, purpose: 'COMPLIANCE_REVIEW' });
    const after = (first.body.data as { orders: { pageInfo: { endCursor: string } } }).orders.pageInfo.endCursor;
    // Settlements: one in the scoped tokens' account and marketplace, one outside it, and a cursor
    // into that account and marketplace's list.
    const settlements = db.dataSource.getRepository(Settlement);
    const inScope = await settlements.findOneOrFail({ where: { sellerAccountId: order.sellerAccountId, marketplaceId: order.marketplaceId }, order: { id: 'ASC' } });
    const outside = (await settlements.find({ order: { id: 'ASC' } })).find((row) => row.sellerAccountId !== order.sellerAccountId || row.marketplaceId !== order.marketplaceId)!;
    expect(outside).toBeDefined();
    const finance = tokens.find((entry) => entry.label === 'finance')!;
    const firstSettlements = await plain.post('query($a: String, $m: String) { settlements(first: 1, account: $a, marketplace: $m) { pageInfo { endCursor } } }', {
      token: finance.token,
      purpose: 'ACCOUNTING',
      variables: { a: order.sellerAccountId, m: order.marketplaceId },
    });
    const settlementAfter = (firstSettlements.body.data as { settlements: { pageInfo: { endCursor: string } } }).settlements.pageInfo.endCursor;
    expect(settlementAfter).toEqual(expect.any(String));
    cases = corpus({
      amazonOrderId: order.amazonOrderId,
      campaignId: campaign.campaignId,
      account: order.sellerAccountId,
      marketplace: order.marketplaceId,
      after,
      settlementId: inScope.settlementId,
      otherSettlementId: outside.settlementId,
      settlementAfter,
    });
  });

  afterAll(async () => {
    await planned?.stop();
    await plain?.stop();
    await db?.close();
  });

  async function ask(gateway: TestGateway, entry: Case, token: string, purpose: string | undefined) {
    const requestId = `planned-eq-${(sequence += 1)}`;
    const response = await gateway.post(entry.query, { token, purpose, variables: entry.variables, operationName: entry.operationName, headers: { 'x-request-id': requestId } });
    const record = await db.dataSource.getRepository(AuditRecord).findOneByOrFail({ requestId });
    const facts: AuditFacts = {
      principalId: record.principalId,
      principalRole: record.principalRole,
      purpose: record.purpose,
      operationType: record.operationType,
      operationName: record.operationName,
      documentHash: record.documentHash,
      variables: record.variables,
      fields: record.fields,
      categories: record.categories,
      masked: record.masked,
      denied: record.denied,
      rowsByCategory: record.rowsByCategory,
      outcome: record.outcome,
      errorCodes: record.errorCodes,
      policyVersion: record.policyVersion,
    };
    return { status: response.status, body: response.body, facts };
  }

  it('answers and records every case of the corpus exactly as graphql-js, for every role, purpose and scope', async () => {
    const before = { ...plannedExecutionCounts };
    const knownBefore = { ...knownOperationCounts };
    let compared = 0;
    let withData = 0;
    const plannedCases = new Map<string, number>();
    for (const { label, token, purposes } of tokens) {
      for (const purpose of purposes) {
        for (const entry of cases) {
          const off = await ask(plain, entry, token, purpose);
          const plannedBefore = plannedExecutionCounts.planned;
          const on = await ask(planned, entry, token, purpose);
          plannedCases.set(entry.name, (plannedCases.get(entry.name) ?? 0) + plannedExecutionCounts.planned - plannedBefore);
          const where = `${entry.name} as ${label} under ${purpose ?? 'no purpose'}`;
          expect({ where, status: on.status, body: on.body, facts: on.facts }).toEqual({ where, status: off.status, body: off.body, facts: off.facts });
          compared += 1;
          if (off.body.data && Object.values(off.body.data).some((value) => value !== null)) withData += 1;
        }
      }
    }
    expect(compared).toBeGreaterThan(500);
    expect(withData).toBeGreaterThan(100);
    // Not vacuous: every plannable case ran on a plan for some principal (and only those), and the
    // bad cursor and page size fell back to graphql-js.
    expect(Object.fromEntries(cases.map((entry) => [entry.name, (plannedCases.get(entry.name) ?? 0) > 0]))).toEqual(Object.fromEntries(cases.map((entry) => [entry.name, entry.plannable === true])));
    expect(plannedExecutionCounts.planned - before.planned).toBeGreaterThan(100);
    expect(plannedExecutionCounts.fellBack - before.fellBack).toBeGreaterThan(0);
    // After a document's first request, its planned answers came without Apollo Server's pipeline
    // (src/admission/known-operations.ts), and what a plan did not answer was handed back to it.
    expect(knownOperationCounts.answered - knownBefore.answered).toBeGreaterThan(100);
    expect(knownOperationCounts.handedOff - knownBefore.handedOff).toBeGreaterThan(0);
  });

  it('runs a plannable operation as one SQL statement per root field', async () => {
    const compliance = tokens.find((entry) => entry.label === 'compliance')!;
    const adsManager = tokens.find((entry) => entry.label === 'ads_manager')!;
    const dataStatements = (statements: readonly string[]) =>
      statements.filter((sql) => /FROM "(amazon_order|order_item|shipment|order_return|campaign|ad_group|keyword|settlement|settlement_line|refund)" /.test(sql)).length;
    const counter = countQueries(db.dataSource);
    try {
      const measure = async (gateway: TestGateway, query: string, token: string, purpose: string) => {
        await gateway.post(query, { token, purpose });
        counter.reset();
        const before = plannedExecutionCounts.planned;
        const response = await gateway.post(query, { token, purpose });
        expect(response.body.errors).toBeUndefined();
        return { statements: dataStatements(counter.statements), planned: plannedExecutionCounts.planned - before };
      };
      expect(await measure(planned, NESTED, compliance.token, 'COMPLIANCE_REVIEW')).toEqual({ statements: 1, planned: 1 });
      expect(await measure(plain, NESTED, compliance.token, 'COMPLIANCE_REVIEW')).toEqual({ statements: 3, planned: 0 });
      expect(await measure(planned, LIST, adsManager.token, 'ADVERTISING_MANAGEMENT')).toEqual({ statements: 1, planned: 1 });
      const deep = '{ campaigns(first: 20) { nodes { name adGroups { name keywords { keywordText } productAds { sku } } } } again: campaigns(first: 2) { nodes { id } } }';
      expect(await measure(planned, deep, adsManager.token, 'ADVERTISING_MANAGEMENT')).toEqual({ statements: 2, planned: 1 });
      // A shape the policy masks for this principal is not planned: the masks answer it.
      expect(await measure(planned, NESTED, tokens.find((entry) => entry.label === 'operations')!.token, 'OPERATIONAL_REPORTING')).toEqual({ statements: 3, planned: 0 });
      // Settlements with their lines (the benchmark query): one statement, against the list and the lines loader.
      const finance = tokens.find((entry) => entry.label === 'finance')!;
      expect(await measure(planned, SETTLEMENTS, finance.token, 'ACCOUNTING')).toEqual({ statements: 1, planned: 1 });
      expect(await measure(plain, SETTLEMENTS, finance.token, 'ACCOUNTING')).toEqual({ statements: 2, planned: 0 });
      // totalCount is the connection's own count statement, planned or not.
      const counted = SETTLEMENTS.replace('{ nodes', '{ totalCount nodes');
      expect(await measure(planned, counted, finance.token, 'ACCOUNTING')).toEqual({ statements: 2, planned: 1 });
      expect(await measure(plain, counted, finance.token, 'ACCOUNTING')).toEqual({ statements: 3, planned: 0 });
      // Under BUSINESS_ANALYSIS the settlement id is masked for finance: graphql-js and the masks answer.
      expect(await measure(planned, SETTLEMENTS, finance.token, 'BUSINESS_ANALYSIS')).toEqual({ statements: 2, planned: 0 });
    } finally {
      counter.stop();
    }
  });

  it('joins the parent of a nested list scoped through it only for a principal limited in scope', async () => {
    const token = (label: string) => tokens.find((entry) => entry.label === label)!.token;
    const counter = countQueries(db.dataSource);
    try {
      // The planned statement of a query and its answer (it must have run on a plan).
      const run = async (query: string, label: string, purpose: string) => {
        counter.reset();
        const before = plannedExecutionCounts.planned;
        const response = await planned.post(query, { token: token(label), purpose });
        expect(response.body.errors).toBeUndefined();
        expect(plannedExecutionCounts.planned - before).toBe(1);
        const statements = counter.statements.filter((sql) => /json_agg/.test(sql));
        expect(statements).toHaveLength(1);
        return { sql: statements[0], data: response.body.data as Record<string, { nodes: Record<string, unknown>[] }> };
      };
      const orderJoin = /INNER JOIN "amazon_order" "p\d+" ON "p\d+"\."id" = "p\d+"\."order_id"/;
      const settlementJoin = /INNER JOIN "settlement" "p\d+" ON "p\d+"\."id" = "p\d+"\."settlement_row_id"/;
      const ORDERS = '{ orders(first: 20) { nodes { id sellerAccountId marketplaceId items { id sku } } } }';
      const SETTLEMENT_LINES = '{ settlements(first: 5) { nodes { id sellerAccountId marketplaceId lines { id lineNumber } } } }';

      // The items and lines of each parent, as the tables hold them.
      const childrenOf = async (table: string, key: string, parents: Record<string, unknown>[]) => {
        const rows: { parent: string; ids: string[] }[] = await db.dataSource.query(
          `SELECT ${key}::text AS parent, array_agg(id::text ORDER BY id) AS ids FROM ${table} WHERE ${key} = ANY($1::bigint[]) GROUP BY ${key}`,
          [parents.map((parent) => parent.id)],
        );
        return Object.fromEntries(parents.map((parent) => [parent.id, rows.find((row) => row.parent === String(parent.id))?.ids ?? []]));
      };
      const answered = (parents: Record<string, unknown>[], list: string) =>
        Object.fromEntries(parents.map((parent) => [parent.id, (parent[list] as { id: string }[]).map((child) => String(child.id)).sort((a, b) => Number(a) - Number(b))]));

      // Not limited in scope: no join, and every item and line of each parent.
      const allOrders = await run(ORDERS, 'compliance', 'COMPLIANCE_REVIEW');
      expect(allOrders.sql).not.toMatch(orderJoin);
      expect(allOrders.sql).not.toMatch(/JOIN "amazon_order"/);
      const orders = allOrders.data.orders.nodes;
      expect(new Set(orders.map((node) => `${node.sellerAccountId}/${node.marketplaceId}`)).size).toBeGreaterThan(1);
      expect(answered(orders, 'items')).toEqual(await childrenOf('order_item', 'order_id', orders));
      expect(orders.some((node) => (node.items as unknown[]).length > 0)).toBe(true);
      const allSettlements = await run(SETTLEMENT_LINES, 'finance', 'ACCOUNTING');
      expect(allSettlements.sql).not.toMatch(/JOIN "settlement"/);
      const settlements = allSettlements.data.settlements.nodes;
      expect(answered(settlements, 'lines')).toEqual(await childrenOf('settlement_line', 'settlement_row_id', settlements));
      expect(settlements.some((node) => (node.lines as unknown[]).length > 0)).toBe(true);

      // Limited to one account and marketplace: the join and its scope conditions stay, and the
      // nested rows are those of parents in scope only.
      const inScope = (node: Record<string, unknown>) => node.sellerAccountId === scope.account && node.marketplaceId === scope.marketplace;
      const scopedOrders = await run(ORDERS, 'compliance (one account and marketplace)', 'COMPLIANCE_REVIEW');
      expect(scopedOrders.sql).toMatch(new RegExp(`${orderJoin.source} WHERE \\("p\\d+"\\."seller_account_id" = ANY\\(\\$\\d+\\)\\) AND \\("p\\d+"\\."marketplace_id" = ANY\\(\\$\\d+\\)\\)`));
      const ordersInScope = scopedOrders.data.orders.nodes;
      expect(ordersInScope.length).toBeGreaterThan(0);
      expect(ordersInScope.every(inScope)).toBe(true);
      expect(answered(ordersInScope, 'items')).toEqual(await childrenOf('order_item', 'order_id', ordersInScope));
      const scopedSettlements = await run(SETTLEMENT_LINES, 'finance (one account and marketplace)', 'ACCOUNTING');
      expect(scopedSettlements.sql).toMatch(settlementJoin);
      const settlementsInScope = scopedSettlements.data.settlements.nodes;
      expect(settlementsInScope.length).toBeGreaterThan(0);
      expect(settlementsInScope.every(inScope)).toBe(true);
      expect(answered(settlementsInScope, 'lines')).toEqual(await childrenOf('settlement_line', 'settlement_row_id', settlementsInScope));
      // No item of an order out of scope is answered to the scoped principal.
      const outOfScopeItems: { id: string }[] = await db.dataSource.query(
        'SELECT i.id::text AS id FROM order_item i JOIN amazon_order o ON o.id = i.order_id WHERE NOT (o.seller_account_id = $1 AND o.marketplace_id = $2)',
        [scope.account, scope.marketplace],
      );
      expect(outOfScopeItems.length).toBeGreaterThan(0);
      const answeredItems = new Set(ordersInScope.flatMap((node) => (node.items as { id: string }[]).map((item) => String(item.id))));
      expect(outOfScopeItems.filter((item) => answeredItems.has(item.id))).toEqual([]);
    } finally {
      counter.stop();
    }
  });
});
