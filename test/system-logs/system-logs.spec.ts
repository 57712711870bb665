import { graphql, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { ApiCallLog, SystemEvent, UserAction } from '../../entities/system-logs';
import { systemLogsResolvers } from '../../resolvers/system-logs';
import { AuditWriter } from '../../src/audit/audit.writer';
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

  it('filters audit records by principal, outcome, category and coordinate', async () => {
    const byPrincipal = await run('{ auditRecords(filter: { principal: "user:ana" }) { nodes { requestId outcome } } }');
    expect(byPrincipal.data.auditRecords.nodes).toEqual([
      { requestId: 'req-c', outcome: 'refused' },
      { requestId: 'req-a', outcome: 'ok' },
    ]);
    const partial = await run('{ auditRecords(filter: { outcome: partial, category: INVENTORY_FINANCE }) { nodes { requestId denied rowsByCategory { category rows } } } }');
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
