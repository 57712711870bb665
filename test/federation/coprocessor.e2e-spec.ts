// Behind Apollo Router: sellergate as the router's coprocessor, tested against a stand-in that
// sends the coprocessor's JSON messages as the router documents them (the router binary cannot be
// installed here). The router stage authenticates and checks the client request (refusals break
// the request and are audited); the subgraph stage mints a hop token for that subgraph and body,
// which the subgraph accepts once; the response stage writes the client operation's record,
// linked to the subgraph's own by the request id. The coprocessor is served on its own listener
// (FEDERATION_COPROCESSOR_HOST:PORT), never on the gateway's public port.
import { randomUUID } from 'node:crypto';
import { AuditRecord } from '../../entities/gateway/audit-record.entity';
import { verifyChain } from '../../src/audit/audit-verify';
import { INTERNAL_CONTEXT_HEADER } from '../../src/federation/internal-context';
import { loadConfig } from '../../src/config';
import { assertCoprocessorHostAllowed, coprocessorExposure, startCoprocessorServer, type CoprocessorMessage } from '../../src/federation/coprocessor';
import { federationKeys } from '../../src/federation/internal-context';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestDemo, testTokenFor } from '../support/fixtures';
import { postGraphQL, startTestFederation, type TestFederation } from './support/federation';

jest.setTimeout(180_000);

describe('Apollo Router coprocessor (stand-in router)', () => {
  let db: TestDatabase;
  let federation: TestFederation;
  let token: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestDemo(db.dataSource);
    federation = await startTestFederation(db, { env: { FEDERATION_COPROCESSOR: '1' } });
    token = await testTokenFor(db.dataSource, 'operations');
  });
  afterAll(async () => {
    await federation?.stop();
    await db?.close();
  });

  const coprocess = async (message: CoprocessorMessage): Promise<CoprocessorMessage> => {
    const response = await fetch(federation.coprocessorUrl!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message) });
    expect(response.status).toBe(200);
    return (await response.json()) as CoprocessorMessage;
  };
  const routerRequest = (id: string, headers: Record<string, string[]>, body: unknown): CoprocessorMessage => ({
    version: 1,
    stage: 'RouterRequest',
    control: 'continue',
    id,
    headers: { 'content-type': ['application/json'], ...headers },
    body: JSON.stringify(body),
    context: { entries: { 'apollo::supergraph::operation_kind': 'query' } },
    method: 'POST',
    path: '/',
    sdl: '',
  });
  const auditOf = (requestId: string) => db.dataSource.getRepository(AuditRecord).find({ where: { requestId }, order: { id: 'ASC' } });

  it('admits the client request, mints a hop token per subgraph fetch, and records the operation', async () => {
    const id = randomUUID();
    const clientQuery = 'query Recent { orders(first: 2) { nodes { id status } } }';
    const admitted = await coprocess(routerRequest(id, { authorization: [`Bearer ${token}`], 'x-purpose': ['OPERATIONAL_REPORTING'] }, { query: clientQuery, operationName: 'Recent' }));
    expect(admitted.control).toBe('continue');
    expect(admitted.id).toBe(id);
    expect(admitted.context?.entries).toMatchObject({ 'apollo::supergraph::operation_kind': 'query', 'sellergate.session': expect.any(String) });

    // The subgraph fetch the router planned.
    const subgraphBody = { query: 'query Recent__orders__0 { orders(first: 2) { nodes { id status } } }', operationName: 'Recent__orders__0', variables: {} };
    const minted = await coprocess({ ...admitted, stage: 'SubgraphRequest', serviceName: 'orders', subgraphRequestId: randomUUID(), headers: { 'content-type': ['application/json'] }, body: subgraphBody, uri: 'http://orders/graphql', method: 'POST' });
    expect(minted.control).toBe('continue');
    const hop = minted.headers?.[INTERNAL_CONTEXT_HEADER]?.[0];
    expect(hop).toEqual(expect.any(String));
    const orders = federation.subgraphs.find((subgraph) => subgraph.name === 'orders')!;
    const served = await postGraphQL(orders.url, subgraphBody.query, { operationName: subgraphBody.operationName, variables: subgraphBody.variables, headers: { [INTERNAL_CONTEXT_HEADER]: hop! } });
    expect(served.status).toBe(200);
    expect((served.body.data as { orders: { nodes: unknown[] } }).orders.nodes).toHaveLength(2);
    // The same token again, or at another subgraph: refused.
    expect((await postGraphQL(orders.url, subgraphBody.query, { operationName: subgraphBody.operationName, variables: subgraphBody.variables, headers: { [INTERNAL_CONTEXT_HEADER]: hop! } })).status).toBe(401);

    // The router answers the client; the response stage records the operation.
    const answered = await coprocess({ ...admitted, stage: 'RouterResponse', headers: {}, body: JSON.stringify({ data: served.body.data }), statusCode: 200 });
    expect(answered.control).toBe('continue');
    const records = await auditOf(id);
    expect(records.map((record) => record.servedBy)).toEqual(['orders', null]);
    expect(records[1]).toMatchObject({ outcome: 'ok', purpose: 'OPERATIONAL_REPORTING', operationName: 'Recent', categories: ['ORDERS'] });
    expect(records[0].principalId).toBe(records[1].principalId);
    expect(await verifyChain(db.dataSource.manager, { from: records[0].id, unlinkedGraceMs: 0 })).toMatchObject({ ok: true });
  });

  it('breaks and records a client request without credentials, without a purpose for data, or over the limits', async () => {
    const cases: [string, Record<string, string[]>, string, number, string][] = [
      ['no token', {}, '{ orders(first: 1) { nodes { id } } }', 401, 'UNAUTHENTICATED'],
      ['no purpose', { authorization: [`Bearer ${token}`] }, '{ orders(first: 1) { nodes { id } } }', 400, 'PURPOSE_REQUIRED'],
      ['40 aliases', { authorization: [`Bearer ${token}`], 'x-purpose': ['OPERATIONAL_REPORTING'] }, `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: orders(first: 1) { nodes { id } }`).join(' ')} }`, 400, 'QUERY_TOO_COMPLEX'],
    ];
    for (const [label, headers, query, status, code] of cases) {
      const id = randomUUID();
      const answer = await coprocess(routerRequest(id, headers, { query }));
      expect({ label, control: answer.control, code: JSON.parse(String(answer.body)).errors[0].extensions.code }).toEqual({ label, control: { break: status }, code });
      expect(answer.context?.entries?.['sellergate.session']).toBeUndefined();
      expect((await auditOf(id)).map((record) => ({ outcome: record.outcome, errorCodes: record.errorCodes }))).toEqual([{ outcome: expect.stringMatching(/refused|invalid/), errorCodes: [code] }]);
    }
  });

  it('mints no hop token for a subgraph request without a valid session', async () => {
    const forged = await coprocess({
      version: 1,
      stage: 'SubgraphRequest',
      control: 'continue',
      id: randomUUID(),
      serviceName: 'orders',
      headers: {},
      body: { query: '{ orders(first: 100) { nodes { id } } }' },
      context: { entries: { 'sellergate.session': 'not-a-session' } },
    });
    expect(forged.control).toEqual({ break: 401 });
    expect(forged.headers?.[INTERNAL_CONTEXT_HEADER]).toBeUndefined();
  });

  it('serves the coprocessor on its own listener, never on the public port', async () => {
    const coprocessorUrl = new URL(federation.coprocessorUrl!);
    expect(coprocessorUrl.hostname).toBe('127.0.0.1');
    expect(coprocessorUrl.pathname).toBe('/coprocessor');
    expect(coprocessorUrl.port).not.toBe(new URL(federation.gatewayUrl).port);
    // A session from the coprocessor listener, then every stage posted to the public port: 404
    // like any unknown route, no session, no hop token, no audit record.
    const id = randomUUID();
    const harmless = routerRequest(id, { authorization: [`Bearer ${token}`], 'x-purpose': ['OPERATIONAL_REPORTING'] }, { query: '{ orders(first: 1) { nodes { id } } }' });
    const admitted = await coprocess(harmless);
    expect(admitted.context?.entries?.['sellergate.session']).toEqual(expect.any(String));
    const subgraphRequest = { ...admitted, stage: 'SubgraphRequest', serviceName: 'orders', headers: { 'content-type': ['application/json'] }, body: { query: '{ orders(first: 100) { nodes { id } } }' } };
    const publicId = randomUUID();
    for (const message of [routerRequest(publicId, harmless.headers!, { query: '{ orders(first: 1) { nodes { id } } }' }), subgraphRequest]) {
      const response = await fetch(`${federation.gatewayUrl}/coprocessor`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(message) });
      const text = await response.text();
      expect({ stage: message.stage, status: response.status }).toEqual({ stage: message.stage, status: 404 });
      expect(JSON.parse(text)).toMatchObject({ error: 'not found' });
      expect(text).not.toContain(INTERNAL_CONTEXT_HEADER);
      expect(text).not.toContain('sellergate.session');
    }
    expect(await auditOf(publicId)).toEqual([]);
    // The coprocessor listener serves nothing else.
    expect((await fetch(new URL('/graphql', coprocessorUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' })).status).toBe(404);
  });
});

describe('coprocessor listener', () => {
  it('is refused on a wildcard or public address in production unless allowed, warned about elsewhere', () => {
    expect(['127.0.0.1', '::1', '[::1]', 'localhost', '10.1.2.3', '172.20.0.4', '192.168.1.9', 'fd00::5', 'router-net.internal'].map(coprocessorExposure)).toEqual(Array(9).fill(null));
    expect(['0.0.0.0', '::', '[::]', '0:0:0:0:0:0:0:0'].map(coprocessorExposure)).toEqual(Array(4).fill('wildcard'));
    expect(['203.0.113.7', '::ffff:203.0.113.7', '2001:db8::1', '172.32.0.1'].map(coprocessorExposure)).toEqual(Array(4).fill('public'));
    const production = loadConfig({ NODE_ENV: 'production' });
    expect(production).toMatchObject({ FEDERATION_COPROCESSOR_HOST: '127.0.0.1', FEDERATION_COPROCESSOR_PORT: 4010, FEDERATION_COPROCESSOR_ALLOW_PUBLIC: '0' });
    expect(() => assertCoprocessorHostAllowed(production, '0.0.0.0')).toThrow(/Refusing to serve the coprocessor on 0\.0\.0\.0.*FEDERATION_COPROCESSOR_ALLOW_PUBLIC=1/);
    expect(() => assertCoprocessorHostAllowed(production, '203.0.113.7')).toThrow(/public address/);
    expect(() => assertCoprocessorHostAllowed(production, '10.0.0.8')).not.toThrow();
    expect(() => assertCoprocessorHostAllowed({ ...production, FEDERATION_COPROCESSOR_ALLOW_PUBLIC: '1' }, '0.0.0.0')).not.toThrow();
    expect(() => assertCoprocessorHostAllowed({ ...production, NODE_ENV: 'development' }, '::')).not.toThrow();
  });

  it('answers POST /coprocessor only, and is closed by stop()', async () => {
    const server = await startCoprocessorServer({
      host: '127.0.0.1',
      port: 0,
      keys: federationKeys({ NODE_ENV: 'test' }),
      dataSource: {} as never,
      admission: {} as never,
      schema: {} as never,
      checks: {} as never,
      hopTtlSeconds: 10,
    });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/coprocessor$/);
      expect((await fetch(new URL('/healthz', server.url))).status).toBe(404);
      expect((await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' })).status).toBe(400);
      // An unknown stage is returned as sent.
      const other = { version: 1, stage: 'ExecutionRequest', control: 'continue', id: 'x' };
      expect(await (await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(other) })).json()).toEqual(other);
    } finally {
      await server.stop();
    }
    await expect(fetch(server.url, { method: 'POST' })).rejects.toThrow();
  });
});
