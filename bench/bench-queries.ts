// The queries the gateway benchmark measures, and the role and purpose each is asked under: one
// under which every selected field is served in full, so gateway and baseline answers compare.
export type BenchQueryName = 'list' | 'nested' | 'settlements';

export interface BenchQuery {
  name: BenchQueryName;
  description: string;
  query: string;
  role: string;
  purpose: string;
}

export const BENCH_QUERIES: readonly BenchQuery[] = [
  {
    name: 'list',
    description: 'campaigns(first: 20): one list query',
    query: '{ campaigns(first: 20) { nodes { campaignId name state } } }',
    role: 'ads_manager',
    purpose: 'ADVERTISING_MANAGEMENT',
  },
  {
    name: 'nested',
    description: 'orders(first: 20) with items and shipments: a dashboard query',
    query:
      '{ orders(first: 20) { nodes { amazonOrderId purchaseDate status items { sku asin quantity itemPrice } shipments { carrier } } } }',
    // Served in full: item prices derive the order total, so roles that see the total masked see
    // item prices masked too (derivations in the access policy); compliance review sees both.
    role: 'compliance',
    purpose: 'COMPLIANCE_REVIEW',
  },
  {
    name: 'settlements',
    description: 'settlements(first: 3) with all their lines (about 1,300 on the demo data): a heavier dashboard query',
    query:
      '{ settlements(first: 3) { nodes { settlementId startDate endDate totalAmount currency ' +
      'lines { lineNumber transactionType amountType amountDescription amount sku } } } }',
    // Finance under ACCOUNTING sees settlements and their lines in full.
    role: 'finance',
    purpose: 'ACCOUNTING',
  },
];

/** The request body both servers receive (identical bytes for every variant). */
export function requestBody(query: BenchQuery): string {
  return JSON.stringify({ query: query.query });
}

export type VariantName = 'full' | 'apollo-pipeline' | 'unplanned' | 'federated' | 'federated-hive' | 'governance-off' | 'audit-off' | 'both-off' | 'baseline' | 'postgraphile';

export interface Variant {
  name: VariantName;
  description: string;
  /** Gateway switches (`createComponents({ governance, audit })`); `null` for the baseline. */
  gateway: { governance: boolean; audit: boolean; planned?: boolean; knownOperations?: boolean } | null;
  /** The federated gateway (`serve --gateway`) over one process per category subgraph. */
  federated?: boolean;
  /** The federated gateway's engine (`serve --gateway --engine`): @apollo/gateway unless `hive`. */
  engine?: 'apollo' | 'hive';
  /** The ungoverned peer (bench/peers/postgraphile.ts), asked the same rows in its own schema. */
  peer?: boolean;
}

export const VARIANTS: readonly Variant[] = [
  { name: 'full', description: 'gateway, governance and audit on (production wiring)', gateway: { governance: true, audit: true } },
  {
    name: 'apollo-pipeline',
    description: "production wiring with every operation through Apollo Server's request pipeline: no planned answers of known documents outside it",
    gateway: { governance: true, audit: true, knownOperations: false },
  },
  {
    name: 'unplanned',
    description: 'production wiring with PLANNED_EXECUTION=0: every operation through graphql-js, shield, masks and resolvers',
    gateway: { governance: true, audit: true, planned: false },
  },
  {
    name: 'federated',
    description: 'federated gateway (audit, authentication, security) over the six category subgraphs (governance), each its own process',
    gateway: { governance: true, audit: true },
    federated: true,
  },
  {
    name: 'federated-hive',
    description: 'the federated gateway on Hive Gateway\'s runtime (--engine hive) over its own six category subgraph processes',
    gateway: { governance: true, audit: true },
    federated: true,
    engine: 'hive',
  },
  { name: 'governance-off', description: 'gateway, raw schema: no shield rules, masks or purpose check', gateway: { governance: false, audit: true } },
  { name: 'audit-off', description: 'gateway, no audit record per operation', gateway: { governance: true, audit: false } },
  { name: 'both-off', description: 'gateway, raw schema and no audit record: what governance and audit cost together', gateway: { governance: false, audit: false } },
  { name: 'baseline', description: 'bare node:http handler, same SQL with a pg.Pool, same JSON', gateway: null },
  { name: 'postgraphile', description: 'PostGraphile v5 (amber preset) on Node 22: no governance, no audit, no authentication', gateway: null, peer: true },
];
