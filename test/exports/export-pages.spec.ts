// Paging an export through a connection, on a small schema whose connection the test controls:
// an error on a later page refuses the whole export, the execution timeout covers all pages
// together, and every page runs on the request's own context and policy.
import { GraphQLBoolean, GraphQLError, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { DataExport } from '../../entities/gateway/data-export.entity';
import type { Principal } from '../../src/auth/principal';
import { LoaderRegistry, newRequestContext, type RequestContext } from '../../src/context';
import { ErrorCode } from '../../src/errors';
import { ExportFormat } from '../../src/exports/export-file';
import { createExport, type ExportSettings } from '../../src/exports/export.service';
import { GOVERNANCE_EXTENSION } from '../../src/policy/classification';
import { defaultPolicy } from '../../src/policy/default-policy';
import type { Policy } from '../../src/policy/policy';
import { Permission, Purpose } from '../../src/policy/taxonomy';
import { limitsFromConfig } from '../../src/security/limits';
import { loadConfig } from '../../src/config';
import { createTestDatabase, type TestDatabase } from '../support/database';

const ROWS = 20;

/** Items 0..ROWS-1, `first` per page; the cursor is the last item's number. `failOnPage` makes that page's rows fail. */
function itemsSchema(seen: { pages: number; policies: string[] }, options: { failOnPage?: number; delayMs?: number } = {}): GraphQLSchema {
  const item = new GraphQLObjectType({
    name: 'Item',
    fields: {
      n: { type: new GraphQLNonNull(GraphQLInt) },
      label: {
        type: GraphQLString,
        resolve: (row: { n: number; page: number }) => {
          if (row.page === options.failOnPage) throw new GraphQLError('label unavailable', { extensions: { code: ErrorCode.FORBIDDEN } });
          return `item ${row.n}`;
        },
      },
    },
  });
  const pageInfo = new GraphQLObjectType({
    name: 'PageInfo',
    fields: { hasNextPage: { type: new GraphQLNonNull(GraphQLBoolean) }, endCursor: { type: GraphQLString } },
  });
  const connection = new GraphQLObjectType({
    name: 'ItemConnection',
    fields: { nodes: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(item))) }, pageInfo: { type: new GraphQLNonNull(pageInfo) } },
  });
  const query = new GraphQLObjectType({
    name: 'Query',
    fields: {
      items: {
        type: new GraphQLNonNull(connection),
        args: { first: { type: GraphQLInt }, after: { type: GraphQLString } },
        extensions: { [GOVERNANCE_EXTENSION]: { permissions: [Permission.EXPORT_DATA] } },
        resolve: async (_root, args: { first?: number; after?: string | null }, ctx: RequestContext) => {
          seen.pages += 1;
          seen.policies.push(ctx.policy.version);
          if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
          const start = args.after ? Number(args.after) + 1 : 0;
          const first = args.first ?? 5;
          const nodes = Array.from({ length: Math.max(0, Math.min(first, ROWS - start)) }, (_, index) => ({ n: start + index, page: seen.pages }));
          return { nodes, pageInfo: { hasNextPage: start + first < ROWS, endCursor: nodes.length ? String(nodes[nodes.length - 1].n) : null } };
        },
      },
    },
  });
  return new GraphQLSchema({ query });
}

describe('export paging', () => {
  let db: TestDatabase;
  const policy: Policy = defaultPolicy();
  const principal: Principal = {
    id: 'token-pages',
    kind: 'token',
    name: 'pages',
    role: 'analyst',
    purposes: [Purpose.BUSINESS_ANALYSIS, Purpose.OPERATIONAL_REPORTING],
    categories: null,
    accounts: null,
    marketplaces: null,
    partner: false,
    expiresAt: null,
  };

  beforeAll(async () => {
    db = await createTestDatabase();
  }, 120_000);
  afterAll(async () => {
    await db?.close();
  });

  const contextFor = (): RequestContext =>
    newRequestContext({
      requestId: 'req-pages',
      entry: 'graphql',
      principal,
      purpose: null,
      scope: { accounts: null, marketplaces: null },
      db: db.dataSource.manager,
      reads: db.dataSource.manager,
      loaders: new LoaderRegistry(),
      now: () => new Date(),
      policy,
      declaredPurpose: null,
      refusal: null,
      http: { ip: null, userAgent: null, clientName: null, clientVersion: null },
      startedAt: Date.now(),
    });
  const settings = (executionTimeoutMs: number, maxRows = 1000): ExportSettings => ({
    ttlHours: 1,
    limits: { ...limitsFromConfig(loadConfig({ NODE_ENV: 'test' })), executionTimeoutMs },
    pseudonymKey: 'k'.repeat(32),
    maxRows,
  });
  const request = (first: number) => ({ document: `{ items(first: ${first}) { nodes { n label } } }`, variables: null, operationName: null, format: ExportFormat.JSONL });
  const stored = async () => db.dataSource.manager.count(DataExport);

  it('runs every page on the request context and its policy, and writes all rows', async () => {
    const seen = { pages: 0, policies: [] as string[] };
    const made = await createExport(contextFor(), itemsSchema(seen), request(3), settings(0));
    expect(seen.pages).toBe(7);
    expect(new Set(seen.policies)).toEqual(new Set([policy.version]));
    expect(made.rowCount).toBe(ROWS);
    const lines = made.content.toString('utf8').split('\n').slice(1, -1);
    expect(lines).toEqual(Array.from({ length: ROWS }, (_, n) => JSON.stringify({ n, label: `item ${n}` })));
  });

  it('refuses the whole export when a later page has an error, naming the page; nothing is stored', async () => {
    const before = await stored();
    const seen = { pages: 0, policies: [] as string[] };
    const refusal = await createExport(contextFor(), itemsSchema(seen, { failOnPage: 3 }), request(3), settings(0)).catch((error: GraphQLError) => error);
    expect(refusal).toBeInstanceOf(GraphQLError);
    expect((refusal as GraphQLError).message).toMatch(/^Export refused: page 3 of the query's result has 3 error\(s\).*FORBIDDEN at items\.nodes\.0\.label/);
    expect((refusal as GraphQLError).extensions).toMatchObject({ code: ErrorCode.FORBIDDEN, page: 3 });
    expect(seen.pages).toBe(3);
    expect(await stored()).toBe(before);
  });

  it('applies the execution timeout to all pages together, stopping the paging', async () => {
    const before = await stored();
    // 20 pages of 40 ms each: far beyond 200 ms in all, though one page takes less.
    const seen = { pages: 0, policies: [] as string[] };
    const refusal = await createExport(contextFor(), itemsSchema(seen, { delayMs: 40 }), request(1), settings(200)).catch((error: GraphQLError) => error);
    expect(refusal).toBeInstanceOf(GraphQLError);
    expect((refusal as GraphQLError).extensions).toMatchObject({ code: ErrorCode.QUERY_TOO_COMPLEX, limit: 'EXECUTION_TIMEOUT_MS', max: 200 });
    expect(seen.pages).toBeLessThan(ROWS);
    expect(await stored()).toBe(before);

    const unlimited = { pages: 0, policies: [] as string[] };
    expect((await createExport(contextFor(), itemsSchema(unlimited, { delayMs: 40 }), request(1), settings(0))).rowCount).toBe(ROWS);
    expect(unlimited.pages).toBe(ROWS);
  });

  it('refuses more rows than the cap once the next page would pass it, and takes exactly the cap', async () => {
    const seen = { pages: 0, policies: [] as string[] };
    const refusal = await createExport(contextFor(), itemsSchema(seen), request(3), settings(0, 10)).catch((error: GraphQLError) => error);
    expect((refusal as GraphQLError).extensions).toMatchObject({ code: ErrorCode.BAD_USER_INPUT, limit: 'EXPORT_MAX_ROWS', max: 10 });
    // Pages of 3: the fourth page would bring 12 rows; no page after it is read.
    expect(seen.pages).toBe(4);
    expect((await createExport(contextFor(), itemsSchema({ pages: 0, policies: [] }), request(5), settings(0, ROWS))).rowCount).toBe(ROWS);
  });
});
