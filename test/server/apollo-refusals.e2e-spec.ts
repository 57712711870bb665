// What Apollo Server refuses before any operation (a possible CSRF, a wrong method, a body that is
// not a GraphQL request) is refused by the `/graphql` entry first, by Apollo's own rules: through
// admission (the per-address rate limit stops a flood of them with 429), with one audit record
// that names the request id, address, user agent and principal, and fail-closed (503 when that
// record cannot be written). Legitimate clients are unaffected.
import { ApolloServer, HeaderMap } from '@apollo/server';
import { AuditRecord } from '../../entities/gateway/audit-record.entity';
import { apolloRefusal, apolloRequestRules, mimeEssence } from '../../src/server/graphql-entry';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestCatalog, testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { auditRecordsOf, FLOODABLE_PER_ADDRESS_LIMIT, withAuditWritesRefused } from '../support/refusals';

const CSRF_HEADERS = ['x-purpose', 'x-apollo-operation-name', 'apollo-require-preflight'];

describe('requests Apollo Server would refuse, mirrored (no database)', () => {
  let apollo: ApolloServer;

  beforeAll(async () => {
    // Configured as the gateway configures its own (src/server/gateway.ts).
    apollo = new ApolloServer({ typeDefs: 'type Query { hello: String }', resolvers: { Query: { hello: () => 'hi' } }, allowBatchedHttpRequests: true, csrfPrevention: { requestHeaders: CSRF_HEADERS } });
    await apollo.start();
  });
  afterAll(async () => {
    await apollo.stop();
  });

  it('reads the rules from the server itself', () => {
    expect(apolloRequestRules(apollo as never)).toEqual({ csrfPreventionRequestHeaders: CSRF_HEADERS, allowBatchedHttpRequests: true });
    const defaults = new ApolloServer({ typeDefs: 'type Query { hello: String }' });
    expect(apolloRequestRules(defaults as never)).toEqual({ csrfPreventionRequestHeaders: ['x-apollo-operation-name', 'apollo-require-preflight'], allowBatchedHttpRequests: false });
    const off = new ApolloServer({ typeDefs: 'type Query { hello: String }', csrfPrevention: false });
    expect(apolloRequestRules(off as never)?.csrfPreventionRequestHeaders).toBeNull();
  });

  it('parses content types as the WHATWG MIME parser does', () => {
    expect(mimeEssence('Application/JSON; charset=utf-8')).toBe('application/json');
    expect(mimeEssence('  text/plain ;x=y')).toBe('text/plain');
    expect(mimeEssence('text/plain')).toBe('text/plain');
    for (const bad of ['', 'text', '/plain', 'text/', 'te xt/plain', 'text/pla in', 'text/plain\u00e9']) expect(mimeEssence(bad)).toBeNull();
  });

  const json = { 'content-type': 'application/json' };
  const cases: { name: string; method: string; headers: Record<string, string>; search?: string; body?: unknown }[] = [
    { name: 'POST application/json', method: 'POST', headers: json, body: { query: '{ hello }' } },
    { name: 'POST application/json, variables null', method: 'POST', headers: json, body: { query: '{ hello }', variables: null, extensions: null, operationName: null } },
    { name: 'POST text/plain', method: 'POST', headers: { 'content-type': 'text/plain' }, body: { query: '{ hello }' } },
    { name: 'POST text/plain with x-purpose', method: 'POST', headers: { 'content-type': 'text/plain', 'x-purpose': 'AUDIT' }, body: { query: '{ hello }' } },
    { name: 'POST text/plain with an empty x-purpose', method: 'POST', headers: { 'content-type': 'text/plain', 'x-purpose': '' }, body: { query: '{ hello }' } },
    { name: 'POST form', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: undefined },
    { name: 'POST multipart', method: 'POST', headers: { 'content-type': 'Multipart/Form-Data; boundary=x' }, body: undefined },
    { name: 'POST unparsable content type', method: 'POST', headers: { 'content-type': 'nonsense' }, body: undefined },
    { name: 'POST no content type', method: 'POST', headers: {}, body: undefined },
    { name: 'POST application/xml', method: 'POST', headers: { 'content-type': 'application/xml' }, body: undefined },
    { name: 'POST {}', method: 'POST', headers: json, body: {} },
    { name: 'POST a string', method: 'POST', headers: json, body: 'x' },
    { name: 'POST variables a string', method: 'POST', headers: json, body: { query: '{ hello }', variables: 'x' } },
    { name: 'POST variables a number', method: 'POST', headers: json, body: { query: '{ hello }', variables: 1 } },
    { name: 'POST variables an array', method: 'POST', headers: json, body: { query: '{ hello }', variables: [] } },
    { name: 'POST extensions a string', method: 'POST', headers: json, body: { query: '{ hello }', extensions: 'x' } },
    { name: 'POST extensions an array', method: 'POST', headers: json, body: { query: '{ hello }', extensions: [1] } },
    { name: 'POST operationName a number', method: 'POST', headers: json, body: { query: '{ hello }', operationName: 1 } },
    { name: 'POST query a number', method: 'POST', headers: json, body: { query: 1 } },
    { name: 'POST query a document', method: 'POST', headers: json, body: { query: { kind: 'Document', definitions: [] } } },
    { name: 'POST batch', method: 'POST', headers: json, body: [{ query: '{ hello }' }, { query: '{ hello }' }] },
    { name: 'POST empty batch', method: 'POST', headers: json, body: [] },
    { name: 'POST batch with a bad operation', method: 'POST', headers: json, body: [{ query: '{ hello }' }, 1] },
    { name: 'GET with apollo-require-preflight', method: 'GET', headers: { 'apollo-require-preflight': 'true' }, search: `?query=${encodeURIComponent('{ hello }')}` },
    { name: 'GET with x-purpose', method: 'GET', headers: { 'x-purpose': 'AUDIT' }, search: `?query=${encodeURIComponent('{ hello }')}` },
    { name: 'GET with application/json', method: 'GET', headers: json, search: `?query=${encodeURIComponent('{ hello }')}` },
    { name: 'GET simple', method: 'GET', headers: {}, search: `?query=${encodeURIComponent('{ hello }')}` },
    { name: 'GET text/plain', method: 'GET', headers: { 'content-type': 'text/plain', 'apollo-require-preflight': '1' }, search: `?query=${encodeURIComponent('{ hello }')}` },
    { name: 'GET application/xml', method: 'GET', headers: { 'content-type': 'application/xml' }, search: `?query=${encodeURIComponent('{ hello }')}` },
    { name: 'GET two queries', method: 'GET', headers: { 'x-purpose': 'AUDIT' }, search: '?query=a&query=b' },
    { name: 'GET variables not JSON', method: 'GET', headers: { 'x-purpose': 'AUDIT' }, search: `?query=${encodeURIComponent('{ hello }')}&variables=x` },
    { name: 'GET variables an array', method: 'GET', headers: { 'x-purpose': 'AUDIT' }, search: `?query=${encodeURIComponent('{ hello }')}&variables=[]` },
    { name: 'GET extensions a number', method: 'GET', headers: { 'x-purpose': 'AUDIT' }, search: `?query=${encodeURIComponent('{ hello }')}&extensions=1` },
    { name: 'PUT application/json', method: 'PUT', headers: json, body: { query: '{ hello }' } },
    { name: 'DELETE simple', method: 'DELETE', headers: {} },
    { name: 'HEAD with a preflight header', method: 'HEAD', headers: { 'apollo-require-preflight': '1' } },
    { name: 'OPTIONS application/json', method: 'OPTIONS', headers: json },
  ];

  it.each(cases)('refuses exactly what Apollo refuses, with its status and message: $name', async ({ method, headers, search = '', body }) => {
    const rules = apolloRequestRules(apollo as never)!;
    const mine = apolloRefusal(rules, { method, header: (name) => headers[name], search, body });
    const map = new HeaderMap();
    for (const [name, value] of Object.entries(headers)) map.set(name, value);
    const theirs = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest: { method, headers: map, search, body }, context: async () => ({}) });
    if (mine === null) {
      expect(theirs.status ?? 200).toBe(200);
      return;
    }
    expect(theirs.status).toBe(mine.status);
    const answered = JSON.parse((theirs.body as { string: string }).string) as { errors: { message: string; extensions: { code: string } }[] };
    expect({ message: mine.message, code: mine.code }).toEqual({ message: answered.errors[0].message, code: answered.errors[0].extensions.code });
    expect(mine.headers?.allow).toBe(theirs.headers.get('allow'));
  });
});

describe('requests Apollo Server would refuse, at the gateway', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let limited: TestGateway;
  let token: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestCatalog(db.dataSource);
    token = await testTokenFor(db.dataSource, 'catalog_manager');
    gateway = await startTestGateway(db);
    limited = await startTestGateway(db, { env: FLOODABLE_PER_ADDRESS_LIMIT });
  });
  afterAll(async () => {
    await gateway?.stop();
    await limited?.stop();
    await db?.close();
  });

  const recordOf = (requestId: string) => auditRecordsOf(db.dataSource, requestId);
  const send = (target: TestGateway, method: string, requestId: string, headers: Record<string, string>, body?: string, search = '') =>
    fetch(`${target.url}/graphql${search}`, { method, headers: { 'user-agent': 'probe/1.0', 'x-request-id': requestId, ...headers }, body });

  const withAuditRefused = <T>(work: () => Promise<T>) => withAuditWritesRefused(db.dataSource, work);

  it.each([
    ['a CSRF-suspect POST (text/plain)', 'POST', { 'content-type': 'text/plain' }, '{"query":"{ me { role } }"}', 400, /Cross-Site Request Forgery/],
    ['a CSRF-suspect GET', 'GET', {}, undefined, 400, /Cross-Site Request Forgery/],
    ['a PUT', 'PUT', { 'content-type': 'application/json' }, '{"query":"{ me { role } }"}', 405, /only GET\/POST/],
    ['a DELETE', 'DELETE', { 'content-type': 'application/json' }, undefined, 405, /only GET\/POST/],
    ['an empty body', 'POST', { 'content-type': 'application/json' }, '{}', 400, /POST body missing/],
    ['variables that are not an object', 'POST', { 'content-type': 'application/json' }, '{"query":"{ me { role } }","variables":"x"}', 400, /`variables` in a POST body/],
  ] as const)('records %s with its request id, address, user agent and principal', async (_name, method, headers, body, status, message) => {
    const requestId = `apollo-refusal-${Math.random().toString(36).slice(2, 10)}`;
    const search = method === 'GET' ? `?query=${encodeURIComponent('{ me { role } }')}` : '';
    const response = await send(gateway, method, requestId, { ...headers, authorization: `Bearer ${token}` }, body, search);
    expect(response.status).toBe(status);
    const answer = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(answer.errors[0].message).toMatch(message);
    expect(answer.errors[0].extensions.code).toBe('BAD_REQUEST');
    if (status === 405) expect(response.headers.get('allow')).toBe('GET, POST');
    const records = await recordOf(requestId);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ requestId, principalRole: 'catalog_manager', principalKind: 'token', userAgent: 'probe/1.0', outcome: 'invalid', errorCodes: ['BAD_REQUEST'] });
    expect(records[0].sourceIp).toMatch(/127\.0\.0\.1/);
    expect(await db.dataSource.getRepository(AuditRecord).countBy({ requestId: 'unknown' })).toBe(0);
  });

  it('records a refused credential beside the refusal, and no principal', async () => {
    const response = await send(gateway, 'POST', 'apollo-refusal-bad-token', { 'content-type': 'text/plain', authorization: 'Bearer nope' }, '{"query":"{ me { role } }"}');
    expect(response.status).toBe(400);
    expect(await recordOf('apollo-refusal-bad-token')).toEqual([expect.objectContaining({ principalId: null, outcome: 'invalid', errorCodes: ['BAD_REQUEST', 'UNAUTHENTICATED'] })]);
    const anonymous = await send(gateway, 'POST', 'apollo-refusal-anonymous', { 'content-type': 'text/plain' }, '{"query":"{ me { role } }"}');
    expect(anonymous.status).toBe(400);
    expect(await recordOf('apollo-refusal-anonymous')).toEqual([expect.objectContaining({ principalId: null, outcome: 'invalid', errorCodes: ['BAD_REQUEST'] })]);
  });

  it('serves legitimate clients as before', async () => {
    const query = '{ me { role } }';
    // GraphiQL: POST application/json.
    const graphiql = await send(gateway, 'POST', 'legit-graphiql', { 'content-type': 'application/json', accept: 'application/json, multipart/mixed', authorization: `Bearer ${token}` }, JSON.stringify({ query, variables: {}, extensions: { governancePaths: true } }));
    expect(graphiql.status).toBe(200);
    expect(((await graphiql.json()) as { data: { me: { role: string } } }).data.me.role).toBe('catalog_manager');
    const preflightHeaders: Record<string, string>[] = [{ 'apollo-require-preflight': 'true' }, { 'x-purpose': 'LISTING_MAINTENANCE' }, { 'x-apollo-operation-name': 'Me' }];
    for (const header of preflightHeaders) {
      const get = await send(gateway, 'GET', 'legit-get', { ...header, authorization: `Bearer ${token}` }, undefined, `?query=${encodeURIComponent(query)}`);
      expect(get.status).toBe(200);
    }
    const batch = await send(gateway, 'POST', 'legit-batch', { 'content-type': 'application/json', authorization: `Bearer ${token}` }, JSON.stringify([{ query }, { query, variables: null }]));
    expect(batch.status).toBe(200);
    expect((await recordOf('legit-graphiql'))[0]).toMatchObject({ outcome: 'ok' });
  });

  it('stops a flood of refused requests from one address with 429 (per-address limit), recorded', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await send(limited, 'POST', `flood-${i}`, { 'content-type': 'text/plain' }, '{"query":"{ __typename }"}')).status);
    expect(statuses).toEqual([400, 400, 400]);
    const refused = await send(limited, 'POST', 'flood-limited', { 'content-type': 'text/plain' }, '{"query":"{ __typename }"}');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(await recordOf('flood-limited')).toEqual([expect.objectContaining({ outcome: 'refused', errorCodes: ['BAD_REQUEST', 'RATE_LIMITED'], userAgent: 'probe/1.0' })]);
    // Malformed JSON and wrong methods count and are stopped the same way, and so is everything else from the address.
    expect((await send(limited, 'POST', 'flood-json', { 'content-type': 'application/json' }, '{"query":')).status).toBe(429);
    expect(await recordOf('flood-json')).toEqual([expect.objectContaining({ outcome: 'refused', errorCodes: ['BAD_USER_INPUT', 'RATE_LIMITED'] })]);
    expect((await send(limited, 'PUT', 'flood-put', { 'content-type': 'application/json' }, '{}')).status).toBe(429);
    expect((await send(limited, 'POST', 'flood-ok', { 'content-type': 'application/json', authorization: `Bearer ${token}` }, '{"query":"{ __typename }"}')).status).toBe(429);
  });

  it('withholds the answer (503) when the record of a refused request cannot be written', async () => {
    const responses = await withAuditRefused(async () => [
      await send(gateway, 'POST', 'unrecorded-csrf', { 'content-type': 'text/plain' }, '{"query":"{ __typename }"}'),
      await send(gateway, 'PUT', 'unrecorded-put', { 'content-type': 'application/json' }, '{}'),
      await send(gateway, 'POST', 'unrecorded-json', { 'content-type': 'application/json' }, '{"query":'),
    ]);
    for (const response of responses) {
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      const body = (await response.json()) as { errors: { extensions: { code: string; reason: string } }[] };
      expect(body.errors[0].extensions).toEqual({ code: 'UNAVAILABLE', reason: 'AUDIT_WRITE_FAILED' });
    }
    expect(await recordOf('unrecorded-csrf')).toHaveLength(0);
    // Back to normal once the audit log is.
    expect((await send(gateway, 'POST', 'recorded-again', { 'content-type': 'text/plain' }, '{"query":"{ __typename }"}')).status).toBe(400);
    expect(await recordOf('recorded-again')).toHaveLength(1);
  });
});
