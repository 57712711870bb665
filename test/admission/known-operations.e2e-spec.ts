// Planned answers of known documents, outside Apollo Server's pipeline
// (src/admission/known-operations.ts): a document's first request is served by Apollo Server, the
// ones after it by the known-operations path, and a client sees no difference (status, headers,
// body, audit record, API call log, metrics). A request admitted there and handed to Apollo Server
// is admitted once (one rate-limit token, one record); its refusal is Apollo's. A record that
// cannot be written withholds the answer as on Apollo's path.
import { ApiCallLog } from '../../entities/system-logs';
import { Purpose } from '../../src/policy/taxonomy';
import { AuditRecord } from '../../entities/gateway/audit-record.entity';
import { knownOperationCounts } from '../../src/admission/known-operations';
import { AUDIT_WRITE_FAILED_MESSAGE } from '../../src/admission/graphql-admission.plugin';
import { seedDemo } from '../../src/db/demo/seed-demo';
import type { AuditWriter } from '../../src/audit/audit.writer';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway, type TestResponse } from '../support/gateway';

const LIST = 'query Campaigns { campaigns(first: 5) { nodes { campaignId name state } } }';
const PURPOSE = 'ADVERTISING_MANAGEMENT';

/** What a client sees of an answer, but the headers that differ per request. */
function seen(response: TestResponse) {
  const headers = Object.fromEntries([...response.headers].filter(([name]) => !['date', 'x-request-id', 'content-length'].includes(name)));
  return { status: response.status, headers, body: response.body };
}

/** An audit record's facts, without what differs per request. */
async function recordOf(db: TestDatabase, requestId: string) {
  const { id: _id, requestId: _request, timestamp: _time, durationMs: _duration, hash: _hash, prevHash: _prev, sequence: _sequence, ...facts } = (await db.dataSource
    .getRepository(AuditRecord)
    .findOneByOrFail({ requestId })) as unknown as Record<string, unknown>;
  return facts;
}

describe('planned answers of known documents', () => {
  let db: TestDatabase;
  const gateways: TestGateway[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemo(db.dataSource);
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await Promise.all(gateways.splice(0).map((gateway) => gateway.stop()));
  });
  afterAll(async () => {
    await db?.close();
  });

  async function gateway(env: Record<string, string> = {}): Promise<TestGateway> {
    const started = await startTestGateway(db, { env });
    gateways.push(started);
    return started;
  }

  it('answers a document after its first request outside Apollo Server, as Apollo Server answered it', async () => {
    const server = await gateway();
    const token = await testTokenFor(db.dataSource, 'ads_manager');
    const ask = (requestId: string) => server.post(LIST, { token, purpose: PURPOSE, headers: { 'x-request-id': requestId } });
    const before = { ...knownOperationCounts };
    const first = await ask('known-first');
    expect(knownOperationCounts.answered).toBe(before.answered);
    const second = await ask('known-second');
    expect(knownOperationCounts.answered).toBe(before.answered + 1);

    expect(first.status).toBe(200);
    expect((first.body.data as { campaigns: { nodes: unknown[] } }).campaigns.nodes).toHaveLength(5);
    expect(seen(second)).toEqual(seen(first));
    expect(second.headers.get('content-length')).toBe(first.headers.get('content-length'));
    expect(await recordOf(db, 'known-second')).toEqual(await recordOf(db, 'known-first'));
    // The API call log is written in batches: read once both rows are there.
    const calls = async () => db.dataSource.getRepository(ApiCallLog).find({ where: [{ requestId: 'known-first' }, { requestId: 'known-second' }], order: { requestId: 'ASC' } });
    for (let waited = 0; (await calls()).length < 2 && waited < 10_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await calls()).map((call) => [call.requestId, call.operationName, call.httpStatus])).toEqual([
      ['known-first', 'Campaigns', 200],
      ['known-second', 'Campaigns', 200],
    ]);

    // Counted in the metrics like Apollo Server's answers (read by a principal allowed to).
    const monitoring = await testTokenFor(db.dataSource, 'security', { purposes: [Purpose.TROUBLESHOOTING] });
    const metrics = await server.get('/metrics', { authorization: `Bearer ${monitoring}` });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/sellergate_graphql_operations_total\{operation="Campaigns",outcome="ok"\} 2\n/);
  });

  it('leaves to Apollo Server what is not a planned query of a known document: another Accept, a new document, an operation without a plan', async () => {
    const server = await gateway();
    const token = await testTokenFor(db.dataSource, 'ads_manager');
    const document = `${LIST} query Other { me { kind } }`;
    await server.post(document, { token, purpose: PURPOSE, operationName: 'Campaigns' });
    await server.post(document, { token, purpose: PURPOSE, operationName: 'Other' });
    const before = { ...knownOperationCounts };
    // Not admitted on the known-operations path at all.
    const typed = await server.post(document, { token, purpose: PURPOSE, operationName: 'Campaigns', headers: { accept: 'application/graphql-response+json' } });
    expect(typed.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    const fresh = await server.post(`${LIST} `, { token, purpose: PURPOSE });
    expect(fresh.body.data).toEqual(typed.body.data);
    expect(knownOperationCounts).toEqual(before);
    // Admitted there, no plan: handed to Apollo Server, which answers it.
    const other = await server.post(document, { token, purpose: PURPOSE, operationName: 'Other' });
    expect(other.body.data).toEqual({ me: { kind: 'token' } });
    expect(knownOperationCounts).toEqual({ ...before, handedOff: before.handedOff + 1 });
    const known = await server.post(document, { token, purpose: PURPOSE, operationName: 'Campaigns' });
    expect(known.body.data).toEqual(typed.body.data);
    expect(knownOperationCounts).toEqual({ answered: before.answered + 1, handedOff: before.handedOff + 1 });
  });

  it('admits a request it hands to Apollo Server once: one rate-limit token and one record, with Apollo’s refusal', async () => {
    const server = await gateway({ RATE_LIMIT_PER_MINUTE: '1', RATE_LIMIT_BURST: '3' });
    const adsManager = await testTokenFor(db.dataSource, 'ads_manager');
    expect((await server.post(LIST, { token: adsManager, purpose: PURPOSE })).status).toBe(200);
    const before = { ...knownOperationCounts };
    // Refused by admission (a purpose the role is not granted): handed over with the refusal.
    const notGranted = await server.post(LIST, { token: adsManager, purpose: 'ACCOUNTING', headers: { 'x-request-id': 'known-handoff-0' } });
    expect(notGranted.status).toBe(403);
    expect(notGranted.body.errors?.[0].extensions?.code).toBe('PURPOSE_NOT_GRANTED');
    // A role with several purposes and none declared: admitted, refused by the operation checks.
    const operations = await testTokenFor(db.dataSource, 'operations');
    const refusals = [await server.post(LIST, { token: operations, headers: { 'x-request-id': 'known-handoff-1' } }), await server.post(LIST, { token: operations, headers: { 'x-request-id': 'known-handoff-2' } })];
    expect(knownOperationCounts.handedOff).toBe(before.handedOff + 3);
    expect(knownOperationCounts.answered).toBe(before.answered);
    for (const refusal of refusals) {
      expect(refusal.status).toBe(400);
      expect(refusal.body.errors?.[0].extensions?.code).toBe('PURPOSE_REQUIRED');
    }
    for (const [requestId, code] of [['known-handoff-0', 'PURPOSE_NOT_GRANTED'], ['known-handoff-1', 'PURPOSE_REQUIRED'], ['known-handoff-2', 'PURPOSE_REQUIRED']]) {
      expect(await db.dataSource.getRepository(AuditRecord).countBy({ requestId })).toBe(1);
      expect(await recordOf(db, requestId)).toMatchObject({ outcome: 'refused', errorCodes: [code] });
    }
    // Three tokens in the bucket: two taken by the refusals, one by this request, none left after it.
    expect((await server.post(LIST, { token: operations, purpose: 'OPERATIONAL_REPORTING' })).status).not.toBe(429);
    const limited = await server.post(LIST, { token: operations, purpose: 'OPERATIONAL_REPORTING' });
    expect(limited.status).toBe(429);
    expect(limited.body.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
  });

  it('withholds the answer when its audit record cannot be written', async () => {
    const server = await gateway();
    const token = await testTokenFor(db.dataSource, 'ads_manager');
    expect((await server.post(LIST, { token, purpose: PURPOSE })).status).toBe(200);
    const writer = server.components.auditWriter as AuditWriter;
    jest.spyOn(writer, 'append').mockRejectedValue(new Error('audit storage unavailable'));
    const before = { ...knownOperationCounts };
    const response = await server.post(LIST, { token, purpose: PURPOSE });
    expect(knownOperationCounts.answered).toBe(before.answered + 1);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.body).toEqual({ data: null, errors: [{ message: AUDIT_WRITE_FAILED_MESSAGE, extensions: { code: 'UNAVAILABLE', reason: 'AUDIT_WRITE_FAILED' } }] });
  });
});
