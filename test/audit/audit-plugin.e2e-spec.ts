import { AuditDocument } from '../../entities/gateway/audit-document.entity';
import { AuditRecord } from '../../entities/gateway/audit-record.entity';
import { ApiCallLog } from '../../entities/system-logs';
import { AUDIT_WRITE_FAILED_MESSAGE } from '../../src/admission/graphql-admission.plugin';
import { verifyChain } from '../../src/audit/audit-verify';
import { createDataSource } from '../../src/db/data-source';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startAuditTestGateway, type AuditTestGateway } from './audit-gateway';
import { resetAudit } from './audit-fixtures';

const AUDIT_QUERY = '{ auditRecords(first: 1) { nodes { id requestId outcome } } }';

describe('audit plugin (over HTTP)', () => {
  let db: TestDatabase;
  let gateway: AuditTestGateway;

  beforeAll(async () => {
    db = await createTestDatabase();
    gateway = await startAuditTestGateway(db.dataSource);
  });
  afterAll(async () => {
    await gateway.stop();
    await db.close();
  });
  beforeEach(async () => resetAudit(db.dataSource));

  const as = (principal: string, purpose?: string, requestId?: string) => ({
    authorization: `Bearer ${principal}`,
    ...(purpose ? { 'x-purpose': purpose } : {}),
    ...(requestId ? { 'x-request-id': requestId } : {}),
  });
  const records = () => db.dataSource.getRepository(AuditRecord).find({ order: { id: 'ASC' } });

  it('records an allowed operation with who, why, what and how many rows', async () => {
    const response = await gateway.post({ query: AUDIT_QUERY }, as('compliance', 'AUDIT', 'req-ok-1'));
    expect(response.status).toBe(200);
    expect(response.body.data.auditRecords.nodes).toEqual([]);
    const [record] = await records();
    expect(record).toMatchObject({
      id: '1',
      requestId: 'req-ok-1',
      principalId: 'user:carla',
      principalKind: 'user',
      principalRole: 'compliance',
      purpose: 'AUDIT',
      operationType: 'query',
      outcome: 'ok',
      errorCodes: [],
      categories: ['SYSTEM_LOGS'],
      rowsByCategory: { SYSTEM_LOGS: 0 },
      policyVersion: expect.stringMatching(/^default-1/),
    });
    expect(record.fields).toEqual(['AuditRecord.id', 'AuditRecord.outcome', 'AuditRecord.requestId', 'AuditRecordConnection.nodes', 'Query.auditRecords']);
    // The auditor now reads that record, and this read is audited in turn.
    const next = await gateway.post({ query: AUDIT_QUERY }, as('compliance', 'AUDIT'));
    expect(next.body.data.auditRecords.nodes).toEqual([{ id: '1', requestId: 'req-ok-1', outcome: 'OK' }]);
    expect((await records()).map((r) => r.rowsByCategory)).toEqual([{ SYSTEM_LOGS: 0 }, { SYSTEM_LOGS: 1 }]);
    // Outcomes are upper case; the former lower-case names still filter (deprecated), answering upper case.
    for (const outcome of ['OK', 'ok']) {
      const filtered = await gateway.post({ query: `{ auditRecords(first: 1, filter: { outcome: ${outcome} }) { nodes { outcome } } }` }, as('compliance', 'AUDIT'));
      expect(filtered.body.data.auditRecords.nodes).toEqual([{ outcome: 'OK' }]);
    }
  });

  it('classifies partial, denied, invalid and refused operations, one record each', async () => {
    const sent = [
      // partial: the audit log is served, the (nullable) order lookup is denied under AUDIT
      gateway.post({ query: '{ auditRecords { totalCount } order(amazonOrderId: "112-8095165-5463447") { id } }' }, as('compliance', 'AUDIT', 'partial')),
      gateway.post({ query: AUDIT_QUERY }, as('compliance', 'COMPLIANCE_REVIEW', 'denied')),
      gateway.post({ query: '{ auditRecords(' }, as('compliance', 'AUDIT', 'parse')),
      gateway.post({ query: '{ noSuchField }' }, as('compliance', 'AUDIT', 'validation')),
      gateway.post({ query: AUDIT_QUERY }, { 'x-request-id': 'anonymous' }),
      gateway.post({ query: AUDIT_QUERY }, as('nobody', 'AUDIT', 'bad-token')),
      gateway.post({ query: AUDIT_QUERY }, as('compliance', undefined, 'no-purpose')),
      gateway.post({ query: AUDIT_QUERY }, as('analyst', 'AUDIT', 'not-granted')),
      gateway.post({ query: AUDIT_QUERY }, as('compliance', 'MARKETING', 'unknown-purpose')),
    ];
    const responses = await Promise.all(sent);
    // The other operations run concurrently, so how many records the partial one counts varies.
    expect(responses[0].body.data).toEqual({ auditRecords: { totalCount: expect.any(Number) }, order: null });
    const byRequest = new Map((await records()).map((r) => [r.requestId, r]));
    expect(byRequest.size).toBe(sent.length);
    const summary = (id: string) => ({ outcome: byRequest.get(id)?.outcome, errorCodes: byRequest.get(id)?.errorCodes });
    expect(summary('partial')).toEqual({ outcome: 'partial', errorCodes: ['FORBIDDEN'] });
    expect(byRequest.get('partial')?.denied).toEqual(['Query.order']);
    expect(byRequest.get('partial')?.categories).toEqual(['ORDERS', 'SYSTEM_LOGS']);
    expect(summary('denied')).toEqual({ outcome: 'denied', errorCodes: ['FORBIDDEN'] });
    expect(summary('parse')).toEqual({ outcome: 'invalid', errorCodes: ['GRAPHQL_PARSE_FAILED'] });
    expect(summary('validation')).toEqual({ outcome: 'invalid', errorCodes: ['GRAPHQL_VALIDATION_FAILED'] });
    expect(summary('anonymous')).toEqual({ outcome: 'refused', errorCodes: ['UNAUTHENTICATED'] });
    expect(summary('bad-token')).toEqual({ outcome: 'refused', errorCodes: ['UNAUTHENTICATED'] });
    expect(summary('no-purpose')).toEqual({ outcome: 'refused', errorCodes: ['PURPOSE_REQUIRED'] });
    expect(summary('not-granted')).toEqual({ outcome: 'refused', errorCodes: ['PURPOSE_NOT_GRANTED'] });
    expect(byRequest.get('not-granted')?.principalRole).toBe('analyst');
    expect(summary('unknown-purpose')).toEqual({ outcome: 'invalid', errorCodes: ['BAD_USER_INPUT'] });
    expect(byRequest.get('unknown-purpose')?.purpose).toBe('[unknown]');
    expect((await verifyChain(db.dataSource.manager)).ok).toBe(true);
  });

  it('gives each operation of a batch its own record, and records introspection', async () => {
    const response = await gateway.post(
      [
        { query: '{ __schema { queryType { name } } }' },
        { query: AUDIT_QUERY },
        { query: '{ orders(first: 1) { totalCount } }' },
      ],
      as('compliance', 'AUDIT', 'batch-1'),
    );
    expect(response.body).toHaveLength(3);
    const batch = await records();
    expect(batch.map((r) => r.requestId)).toEqual(['batch-1', 'batch-1', 'batch-1']);
    const outcomes = Object.fromEntries(batch.map((r) => [r.fields.find((f) => f.startsWith('Query.')), r.outcome]));
    expect(outcomes).toEqual({ 'Query.__schema': 'ok', 'Query.auditRecords': 'ok', 'Query.orders': 'denied' });
    const denied = batch.find((r) => r.outcome === 'denied')!;
    expect(denied.denied).toEqual(['Query.orders']);
    expect(batch.filter((r) => r.outcome === 'ok').every((r) => r.denied.length === 0)).toBe(true);
  });

  it('writes exactly one record per operation under concurrent mixed load, and the chain verifies', async () => {
    const kinds = [
      () => gateway.post({ query: AUDIT_QUERY }, as('compliance', 'AUDIT')),
      () => gateway.post({ query: AUDIT_QUERY }, as('compliance', 'COMPLIANCE_REVIEW')),
      () => gateway.post({ query: '{ nope' }, as('compliance', 'AUDIT')),
      () => gateway.post({ query: AUDIT_QUERY }),
      () => gateway.post([{ query: AUDIT_QUERY }, { query: '{ __typename }' }], as('security', 'SECURITY')),
      () => gateway.post('not json', as('security', 'SECURITY')),
    ];
    const operationsPerKind = [1, 1, 1, 1, 2, 1];
    const rounds = 40;
    await Promise.all(Array.from({ length: rounds * kinds.length }, (_, i) => kinds[i % kinds.length]()));
    const expected = rounds * operationsPerKind.reduce((a, b) => a + b, 0);
    expect(await db.dataSource.getRepository(AuditRecord).count()).toBe(expected);
    expect(await verifyChain(db.dataSource.manager)).toMatchObject({ ok: true, checked: expected });
  });

  it('records requests refused before GraphQL (malformed JSON)', async () => {
    const response = await gateway.post('{"query": ', as('compliance', 'AUDIT', 'malformed'));
    expect(response.status).toBe(400);
    expect(await records()).toMatchObject([{ requestId: 'malformed', outcome: 'invalid', errorCodes: ['BAD_USER_INPUT'], documentHash: null }]);
  });

  it('stores variables and documents with sensitive values redacted, never the token', async () => {
    const query = `query Find($id: String, $outcome: AuditOutcome, $first: Int, $from: DateTimeISO) {
      auditRecords(first: $first, filter: { requestId: $id, outcome: $outcome, from: $from, principal: "user:secret-person" }) { totalCount }
    }`;
    await gateway.post(
      { query, variables: { id: '112-8095165-5463447', outcome: 'ok', first: 5, from: '2026-01-01T00:00:00.000Z', extra: 'free text' } },
      as('compliance', 'AUDIT', 'redaction'),
    );
    const [record] = await records();
    expect(record.operationName).toBe('Find');
    expect(record.variables).toEqual({ id: '[redacted]', outcome: 'ok', first: 5, from: '2026-01-01T00:00:00.000Z', extra: '[redacted]' });
    const document = await db.dataSource.getRepository(AuditDocument).findOneByOrFail({ hash: record.documentHash! });
    expect(document.document).toContain('principal: "[redacted]"');
    expect(document.document).not.toContain('secret-person');
    const raw = JSON.stringify(await db.dataSource.query('SELECT * FROM audit_record'));
    expect(raw).not.toContain('5463447');
    expect(raw).not.toContain('Bearer');
  });

  it('writes one API call log row per HTTP request, joined to the audit records by request id', async () => {
    await gateway.post({ query: AUDIT_QUERY }, as('security', 'SECURITY', 'joined-1'));
    await gateway.post([{ query: AUDIT_QUERY }, { query: AUDIT_QUERY }], as('security', 'SECURITY', 'joined-2'));
    await gateway.apiCalls.flush();
    const calls = await db.dataSource.getRepository(ApiCallLog).find({ where: [{ requestId: 'joined-1' }, { requestId: 'joined-2' }], order: { requestId: 'ASC' } });
    expect(calls.map((c) => [c.requestId, c.httpStatus, c.principalId, c.path])).toEqual([
      ['joined-1', 200, 'user:sam', '/graphql'],
      ['joined-2', 200, 'user:sam', '/graphql'],
    ]);
    expect((await records()).map((r) => r.requestId)).toEqual(['joined-1', 'joined-2', 'joined-2']);
  });

  it('keeps the API call log and the audit record of a request whose X-Request-Id is longer than they store, and of the requests logged with it', async () => {
    const long = 'r'.repeat(120);
    const answers = await Promise.all([
      gateway.post({ query: AUDIT_QUERY }, as('security', 'SECURITY', long)),
      gateway.post({ query: AUDIT_QUERY }, as('security', 'SECURITY', 'beside-long')),
    ]);
    // Longer than the 100 characters the logs store: replaced by a generated id, echoed as such.
    const generated = answers[0].headers.get('x-request-id')!;
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    await gateway.apiCalls.flush();
    const calls = await db.dataSource.getRepository(ApiCallLog).find({ where: [{ requestId: generated }, { requestId: 'beside-long' }] });
    expect(calls.map((call) => call.requestId).sort()).toEqual([generated, 'beside-long'].sort());
    expect((await records()).map((r) => r.requestId).filter((id) => id === generated || id === 'beside-long').sort()).toEqual([generated, 'beside-long'].sort());
  });
});

describe('audit plugin fail-closed', () => {
  it('withholds the data when the audit record cannot be written', async () => {
    const db = await createTestDatabase();
    const broken = createDataSource({ url: db.url, embedded: db.embedded });
    await broken.initialize();
    const gateway = await startAuditTestGateway(db.dataSource, { writerDataSource: broken });
    try {
      const before = await gateway.post({ query: AUDIT_QUERY }, { authorization: 'Bearer compliance', 'x-purpose': 'AUDIT' });
      expect(before.body.data.auditRecords).toBeDefined();
      await broken.destroy();
      const response = await gateway.post({ query: AUDIT_QUERY }, { authorization: 'Bearer compliance', 'x-purpose': 'AUDIT' });
      expect(response.status).toBe(503);
      expect(response.body).toEqual({ data: null, errors: [{ message: AUDIT_WRITE_FAILED_MESSAGE, extensions: { code: 'UNAVAILABLE', reason: 'AUDIT_WRITE_FAILED' } }] });
    } finally {
      await gateway.stop();
      await db.close();
    }
  });
});
