import { graphql, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { ApiCallLog, ImportRun, SystemEvent, UserAction } from '../../entities/system-logs';
import { systemLogsResolvers } from '../../resolvers/system-logs';
import { AuditWriter } from '../../src/audit/audit.writer';
import { recordSystemEvent, recordUserAction } from '../../src/audit/system-logs';
import { seedSystemLogsDemo } from '../../src/db/demo/system-logs.seed';
import { DEMO_TODAY } from '../../src/db/demo/demo-catalog';
import { DemoRandom } from '../../src/db/demo/demo-random';
import { Category, Purpose } from '../../src/policy/taxonomy';
import { auditEntry } from '../audit/audit-fixtures';
import { testContext, testPrincipal } from '../support/context';
import { createTestDatabase, type TestDatabase } from '../support/database';

describe('SYSTEM_LOGS queries', () => {
  let db: TestDatabase;
  let schema: GraphQLSchema;

  beforeAll(async () => {
    db = await createTestDatabase();
    schema = await buildSchema({ resolvers: systemLogsResolvers as never, validate: false });
    const catalog = { accounts: [{ sellerId: 'A1DEMOSELLER', marketplaceIds: ['ATVPDKIKX0DER'] }], listings: [], today: DEMO_TODAY };
    await seedSystemLogsDemo(db.dataSource.manager, new DemoRandom(), catalog);
    const writer = new AuditWriter(db.dataSource, { flushIntervalMs: 1 });
    await Promise.all([
      writer.append(auditEntry({ requestId: 'req-a', principalId: 'user:ana', outcome: 'ok', fields: ['Query.orders', 'Order.id'] })),
      writer.append(auditEntry({ requestId: 'req-b', principalId: 'user:ben', outcome: 'partial', categories: ['INVENTORY_FINANCE'], denied: ['Settlement.totalAmount'], fields: ['Query.settlements'] })),
      writer.append(auditEntry({ requestId: 'req-c', principalId: 'user:ana', outcome: 'refused', purpose: 'AUDIT', categories: [], fields: [], errorCodes: ['PURPOSE_NOT_GRANTED'] })),
    ]);
    await writer.stop();
  });
  afterAll(async () => db.close());

  async function run(query: string, variables: Record<string, unknown> = {}, context = testContext(db.dataSource, { purpose: Purpose.AUDIT })) {
    const result = await graphql({ schema, source: query, variableValues: variables, contextValue: context });
    expect(result.errors).toBeUndefined();
    return { data: result.data as Record<string, any>, context };
  }

  it('lists API calls newest first, filtered by status, and counts the rows returned', async () => {
    const total = await db.dataSource.getRepository(ApiCallLog).count();
    const { data, context } = await run('{ apiCallLogs(first: 5) { totalCount nodes { requestId time httpStatus } pageInfo { hasNextPage endCursor } } }');
    expect(data.apiCallLogs.totalCount).toBe(total);
    const times = data.apiCallLogs.nodes.map((node: { time: Date }) => new Date(node.time).getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(context.governance.rowsByCategory[Category.SYSTEM_LOGS]).toBe(5);

    const unauthorized = await db.dataSource.getRepository(ApiCallLog).countBy({ httpStatus: 401 });
    const filtered = await run('{ apiCallLogs(status: 401, first: 100) { totalCount nodes { httpStatus errorCode } } }');
    expect(filtered.data.apiCallLogs.totalCount).toBe(unauthorized);
    expect(filtered.data.apiCallLogs.nodes.every((node: { errorCode: string }) => node.errorCode === 'UNAUTHENTICATED')).toBe(true);
  });

  it('joins an API call to its events by request id', async () => {
    const warning = await db.dataSource.getRepository(SystemEvent).findOneByOrFail({ component: 'rate-limit' });
    const { data } = await run(
      'query($id: String) { apiCallLogs(requestId: $id) { nodes { errorCode } } systemEvents(requestId: $id) { nodes { level message } } }',
      { id: warning.requestId },
    );
    expect(data.apiCallLogs.nodes).toEqual([{ errorCode: 'RATE_LIMITED' }]);
    expect(data.systemEvents.nodes).toEqual([{ level: 'WARN', message: warning.message }]);
  });

  it('lists administrative actions by action', async () => {
    const { data } = await run('{ userActions(action: "token.revoke") { nodes { actor action target } } }');
    expect(data.userActions.nodes).toEqual([{ actor: 'user:admin', action: 'token.revoke', target: 'token:old-reporting' }]);
    expect(await db.dataSource.getRepository(UserAction).count()).toBeGreaterThan(1);
  });

  it('records administrative actions and system events for the queries to read', async () => {
    await recordUserAction(db.dataSource.manager, { actor: 'user:root', action: 'token.create', target: 'token-42', requestId: 'req-admin' });
    await recordSystemEvent(db.dataSource.manager, { level: 'ERROR', component: 'audit', message: 'Audit write failed', requestId: 'req-admin' });
    const { data } = await run('{ userActions(actor: "user:root") { nodes { action target requestId } } systemEvents(requestId: "req-admin") { nodes { level component } } }');
    expect(data).toEqual({
      userActions: { nodes: [{ action: 'token.create', target: 'token-42', requestId: 'req-admin' }] },
      systemEvents: { nodes: [{ level: 'ERROR', component: 'audit' }] },
    });
  });

  it('lists import runs within the row scope, filtered by status', async () => {
    const run1 = { fileName: 'orders.txt', sha256: 'a'.repeat(64), reportType: 'GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL', source: 'SELLER_CENTRAL_REPORT', marketplaceId: 'ATVPDKIKX0DER', importedBy: 'cli:ops', startedAt: new Date('2026-10-01T00:00:00Z'), rejectedLines: [{ line: 7, reason: 'missing order id' }] };
    await db.dataSource.getRepository(ImportRun).insert([
      { ...run1, sellerAccountId: 'A1DEMOSELLER', status: 'SUCCEEDED' },
      { ...run1, sellerAccountId: 'A2OTHERSELLER', status: 'FAILED', startedAt: new Date('2026-10-02T00:00:00Z') },
    ]);
    const all = await run('{ importRuns { totalCount nodes { sellerAccountId status rejectedLines { line reason } } } }');
    expect(all.data.importRuns.nodes.map((n: { sellerAccountId: string }) => n.sellerAccountId)).toEqual(['A2OTHERSELLER', 'A1DEMOSELLER']);
    expect(all.data.importRuns.nodes[1].rejectedLines).toEqual([{ line: 7, reason: 'missing order id' }]);
    const failed = await run('{ importRuns(status: FAILED) { totalCount } }');
    expect(failed.data.importRuns.totalCount).toBe(1);
    const scoped = testContext(db.dataSource, { principal: testPrincipal({ accounts: ['A1DEMOSELLER'] }), purpose: Purpose.TROUBLESHOOTING });
    const own = await run('{ importRuns { nodes { sellerAccountId } } }', {}, scoped);
    expect(own.data.importRuns.nodes).toEqual([{ sellerAccountId: 'A1DEMOSELLER' }]);
  });

  it('filters audit records by principal, outcome, category and coordinate', async () => {
    const byPrincipal = await run('{ auditRecords(filter: { principal: "user:ana" }) { nodes { requestId outcome } } }');
    expect(byPrincipal.data.auditRecords.nodes).toEqual([
      { requestId: 'req-c', outcome: 'REFUSED' },
      { requestId: 'req-a', outcome: 'OK' },
    ]);
    const partial = await run('{ auditRecords(filter: { outcome: PARTIAL, category: INVENTORY_FINANCE }) { nodes { requestId denied rowsByCategory { category rows } } } }');
    expect(partial.data.auditRecords.nodes).toEqual([{ requestId: 'req-b', denied: ['Settlement.totalAmount'], rowsByCategory: [{ category: 'ORDERS', rows: 10 }] }]);
    const coordinate = await run('{ auditRecords(filter: { coordinate: "Settlement.totalAmount" }) { totalCount } }');
    expect(coordinate.data.auditRecords.totalCount).toBe(1);
    const purpose = await run('{ auditRecords(filter: { purpose: AUDIT }) { nodes { requestId errorCodes variables } } }');
    expect(purpose.data.auditRecords.nodes).toEqual([{ requestId: 'req-c', errorCodes: ['PURPOSE_NOT_GRANTED'], variables: expect.any(String) }]);
  });

  it('shows a principal scoped to accounts only its own API calls, and no global logs', async () => {
    const scoped = testPrincipal({ accounts: ['A1DEMOSELLER'] });
    const context = testContext(db.dataSource, { principal: scoped, purpose: Purpose.TROUBLESHOOTING });
    const own = await db.dataSource.getRepository(ApiCallLog).countBy({ accountId: 'A1DEMOSELLER' });
    const { data } = await run(
      '{ apiCallLogs(first: 100) { totalCount } systemEvents { totalCount } userActions { totalCount } auditRecords { totalCount } }',
      {},
      context,
    );
    expect(own).toBeGreaterThan(0);
    expect(data).toEqual({ apiCallLogs: { totalCount: own }, systemEvents: { totalCount: 0 }, userActions: { totalCount: 0 }, auditRecords: { totalCount: 0 } });
  });
});
