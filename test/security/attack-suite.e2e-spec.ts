// The attack suite: abusive requests against a real gateway. Each gets a clear error (our code,
// naming the limit where one applies, never a stack trace or an internal error), is audited, and
// the server stays healthy (`/healthz` after each).
import { request as httpRequest } from 'node:http';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLInputType,
} from 'graphql';
import { AuditRecord } from '../../entities/gateway/audit-record.entity';
import { fieldRegistry } from '../../src/policy/field-registry';
import { Category, Purpose } from '../../src/policy/taxonomy';
import { buildGatewaySchema } from '../../src/server/schema';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestCatalog, testTokenFor } from '../support/fixtures';
import { startTestGateway, type GraphQLResponseBody, type TestGateway } from '../support/gateway';

jest.setTimeout(180_000);

/** Who may read each category (a role and one of its purposes), for the injection sweep. */
const READER: Record<Category, { role: string; purpose: Purpose }> = {
  [Category.CATALOG]: { role: 'catalog_manager', purpose: Purpose.LISTING_MAINTENANCE },
  [Category.ADVERTISING]: { role: 'ads_manager', purpose: Purpose.ADVERTISING_MANAGEMENT },
  [Category.ORDERS]: { role: 'operations', purpose: Purpose.OPERATIONAL_REPORTING },
  [Category.INVENTORY_FINANCE]: { role: 'finance', purpose: Purpose.ACCOUNTING },
  [Category.SYSTEM_LOGS]: { role: 'security', purpose: Purpose.SECURITY },
};

const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE api_token; --",
  "x' UNION SELECT token_hash FROM api_token --",
  '%_\\%',
  '\u0000',
];

describe('attack suite', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  const tokens: Record<string, string> = {};
  let partner: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestCatalog(db.dataSource);
    for (const role of ['analyst', 'catalog_manager', 'ads_manager', 'operations', 'finance', 'security', 'compliance', 'admin']) {
      tokens[role] = await testTokenFor(db.dataSource, role);
    }
    partner = await testTokenFor(db.dataSource, 'analyst', { partner: true, expiresInDays: 30, purposes: [Purpose.BUSINESS_ANALYSIS] });
    // The sweep sends a few hundred requests: rate limits are tested on their own.
    gateway = await startTestGateway(db, { env: { RATE_LIMIT_PER_MINUTE: '0', IP_RATE_LIMIT_PER_MINUTE: '0' } });
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  const analyst = () => ({ token: tokens.analyst, purpose: 'BUSINESS_ANALYSIS' });

  async function expectHealthy(): Promise<void> {
    const response = await gateway.get('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  }

  function expectClearError(body: GraphQLResponseBody | unknown, code: string): Record<string, unknown> {
    const errors = (body as GraphQLResponseBody).errors ?? [];
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0].extensions?.code).toBe(code);
    expect(JSON.stringify(body)).not.toMatch(/stacktrace|at \w+ \(|node_modules/);
    return errors[0].extensions ?? {};
  }

  async function lastAuditRecord(): Promise<AuditRecord> {
    return db.dataSource.getRepository(AuditRecord).findOneOrFail({ where: {}, order: { id: 'DESC' } });
  }

  it('refuses a depth bomb', async () => {
    // The data schema has no cycles (at most 7 levels); the bomb goes through introspection.
    let selection = 'name';
    for (let level = 0; level < 20; level += 1) selection = `name fields { type { ${selection} } }`;
    const { status, body } = await gateway.post(`{ __type(name: "Query") { ${selection} } }`, analyst());
    expect(status).toBe(400);
    expectClearError(body, 'GRAPHQL_VALIDATION_FAILED');
    expect(body.errors![0].message).toMatch(/Maximum introspection depth exceeded/);
    await expectHealthy();
  });

  it('refuses an operation deeper than MAX_QUERY_DEPTH, naming the limit and the depth found; the refusal is audited', async () => {
    const shallow = await startTestGateway(db, { env: { MAX_QUERY_DEPTH: '3' } });
    try {
      const catalogManager = { token: tokens.catalog_manager, purpose: 'LISTING_MAINTENANCE' };
      const { status, body } = await shallow.post('{ listings(first: 1) { nodes { product { asin } } } }', catalogManager);
      expect(status).toBe(400);
      expect(expectClearError(body, 'QUERY_TOO_COMPLEX')).toMatchObject({ limit: 'MAX_QUERY_DEPTH', max: 3, found: 4 });
      expect(body.errors![0].message).toBe('Operation refused: its depth is 4, above the limit of 3 (MAX_QUERY_DEPTH)');
      expect(await lastAuditRecord()).toMatchObject({ outcome: 'refused', errorCodes: ['QUERY_TOO_COMPLEX'] });
      expect((await shallow.post('{ listings(first: 1) { nodes { sellerSku } } }', catalogManager)).body.errors).toBeUndefined();
    } finally {
      await shallow.stop();
    }
    await expectHealthy();
  });

  it('refuses 1,000 aliases of an expensive field', async () => {
    const aliases = Array.from({ length: 1000 }, (_, i) => `a${i}: listings(first: 100) { nodes { sellerSku } }`).join(' ');
    const { status, body } = await gateway.post(`{ ${aliases} }`, analyst());
    expect(status).toBe(400);
    // The parser stops first: the document has far more tokens than allowed.
    const extensions = expectClearError(body, 'QUERY_TOO_COMPLEX');
    expect(extensions.limit).toBe('MAX_TOKENS');
    await expectHealthy();
  });

  it('refuses more aliases than allowed, and a cost above the limit (lists multiply)', async () => {
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: __typename`).join(' ');
    const tooMany = await gateway.post(`{ ${aliases} }`, analyst());
    expect(expectClearError(tooMany.body, 'QUERY_TOO_COMPLEX')).toMatchObject({ limit: 'MAX_ALIASES', max: 30, found: 31 });

    // 100 orders x 10 items (an unpaginated list counts 10) x 5 fields, five times: above 25,000.
    const page = 'orders(first: 100) { nodes { items { sku quantity asin itemPrice itemTax } } }';
    const expensive = await gateway.post(`{ ${Array.from({ length: 5 }, (_, i) => `o${i}: ${page}`).join(' ')} }`, analyst());
    const extensions = expectClearError(expensive.body, 'QUERY_TOO_COMPLEX');
    expect(extensions).toMatchObject({ limit: 'MAX_QUERY_COST', max: 25000 });
    expect(extensions.found).toBeGreaterThan(25000);
    await expectHealthy();
  });

  it('refuses circular fragments', async () => {
    const { status, body } = await gateway.post('query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }', analyst());
    expect(status).toBe(400);
    expectClearError(body, 'GRAPHQL_VALIDATION_FAILED');
    expect(body.errors![0].message).toMatch(/Cannot spread fragment "A" within itself/);
    await expectHealthy();
  });

  it('refuses a directive overload', async () => {
    const many = Array.from({ length: 25 }, () => '__typename @skip(if: false)').join(' ');
    const { body } = await gateway.post(`{ ${many} }`, analyst());
    expect(expectClearError(body, 'QUERY_TOO_COMPLEX')).toMatchObject({ limit: 'MAX_DIRECTIVES', max: 20, found: 25 });
    const repeated = await gateway.post(`{ __typename ${'@include(if: true) '.repeat(1000)} }`, analyst());
    expect(repeated.status).toBe(400);
    expect(JSON.stringify(repeated.body)).not.toMatch(/INTERNAL_SERVER_ERROR/);
    await expectHealthy();
  });

  it('refuses a 5 MB document (body limit) and a document above MAX_DOCUMENT_BYTES', async () => {
    const huge = await gateway.postRaw(JSON.stringify({ query: `{ __typename } # ${'x'.repeat(5 * 1024 * 1024)}` }));
    expect(huge.status).toBe(413);
    expect(expectClearError(huge.body, 'BAD_USER_INPUT')).toBeDefined();
    const large = await gateway.post(`{ __typename } # ${'x'.repeat(70_000)}`, analyst());
    expect(large.status).toBe(413);
    expect(expectClearError(large.body, 'QUERY_TOO_COMPLEX')).toMatchObject({ limit: 'MAX_DOCUMENT_BYTES', max: 65536 });
    expect(await lastAuditRecord()).toMatchObject({ outcome: 'refused', errorCodes: ['QUERY_TOO_COMPLEX'] });
    await expectHealthy();
  });

  it('refuses a batch of 100 operations', async () => {
    const batch = JSON.stringify(Array.from({ length: 100 }, () => ({ query: '{ __typename }' })));
    const { status, body } = await gateway.postRaw(batch, { 'content-type': 'application/json', authorization: `Bearer ${tokens.analyst}` });
    expect(status).toBe(400);
    expect(expectClearError(body, 'BAD_USER_INPUT')).toMatchObject({ limit: 'MAX_BATCH_OPERATIONS', max: 10, found: 100 });
    const allowed = await gateway.postRaw(JSON.stringify(Array.from({ length: 3 }, () => ({ query: '{ __typename }' }))), {
      'content-type': 'application/json',
      authorization: `Bearer ${tokens.analyst}`,
    });
    expect(allowed.status).toBe(200);
    await expectHealthy();
  });

  it('refuses invalid JSON and a wrong content type', async () => {
    const invalid = await gateway.postRaw('{"query": "{ __typename }"', { 'content-type': 'application/json' });
    expect(invalid.status).toBe(400);
    expectClearError(invalid.body, 'BAD_USER_INPUT');
    await expectHealthy();
    for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x']) {
      const wrong = await gateway.postRaw('{"query": "{ __typename }"}', { 'content-type': type });
      expect(wrong.status).toBe(400);
      expect(JSON.stringify(wrong.body)).not.toMatch(/INTERNAL_SERVER_ERROR|stack/);
      await expectHealthy();
    }
  });

  it('treats SQL-injection strings in every string argument of every root field as plain values', async () => {
    const schema = await buildGatewaySchema();
    const registry = fieldRegistry(schema);
    const sample = (type: GraphQLInputType): string | null => {
      const named = getNamedType(type);
      if (isListType(getNullableType(type))) return `[${sample(getNamedType(type) as GraphQLInputType)}]`;
      if (isEnumType(named)) return named.getValues()[0].name;
      if (isInputObjectType(named)) return '{}';
      if (!isScalarType(named)) return null;
      const values: Record<string, string> = { Int: '1', Float: '1', Boolean: 'true', LocalDate: '"2025-01-01"', DateTimeISO: '"2025-01-01T00:00:00Z"', Purpose: 'BUSINESS_ANALYSIS' };
      return values[named.name] ?? '"x"';
    };
    let sent = 0;
    for (const field of Object.values(schema.getQueryType()!.getFields())) {
      const stringArgs = field.args.filter((arg) => getNamedType(arg.type).name === 'String' || getNamedType(arg.type).name === 'ID');
      if (stringArgs.length === 0) continue;
      const info = registry.fields.get(`Query.${field.name}`);
      const reader = info ? READER[info.category] : { role: 'admin', purpose: undefined };
      const required = (except: GraphQLArgument) =>
        field.args.filter((arg) => arg !== except && isNonNullType(arg.type)).map((arg) => `${arg.name}: ${sample(arg.type)}`);
      for (const arg of stringArgs) {
        for (const payload of INJECTIONS) {
          const args = [`${arg.name}: $v`, ...required(arg)].join(', ');
          const list = isListType(getNullableType(arg.type));
          const query = `query ($v: ${String(arg.type)}) { ${field.name}(${args}) { __typename } }`;
          const { status, body } = await gateway.post(query, { token: tokens[reader.role], purpose: reader.purpose, variables: { v: list ? [payload] : payload } });
          sent += 1;
          const codes = (body.errors ?? []).map((error) => error.extensions?.code);
          expect({ field: field.name, arg: arg.name, payload, codes }).toEqual({ field: field.name, arg: arg.name, payload, codes: codes.filter((code) => code === 'BAD_USER_INPUT' || code === 'FORBIDDEN') });
          expect(status).toBeLessThan(500);
        }
      }
    }
    expect(sent).toBeGreaterThan(50);
    // Nothing was dropped or altered.
    expect(await db.dataSource.query('SELECT count(*)::int AS n FROM api_token')).toEqual([{ n: Object.keys(tokens).length + 1 }]);
    await expectHealthy();
  });

  it('handles very long and non-UTF-8 header values', async () => {
    const long = await gateway.post('{ __typename }', { token: tokens.analyst, headers: { 'x-purpose': 'A'.repeat(8000) } });
    expect(long.status).toBe(400);
    expect(expectClearError(long.body, 'BAD_USER_INPUT')).toBeDefined();
    const longToken = await gateway.post('{ __typename }', { headers: { authorization: `Bearer ${'x'.repeat(8000)}` } });
    expect(longToken.status).toBe(401);
    expectClearError(longToken.body, 'UNAUTHENTICATED');
    // Beyond Node's header size limit: refused by the HTTP parser (431), the server stays up.
    const tooLarge = await gateway.post('{ __typename }', { token: tokens.analyst, headers: { 'x-filler': 'x'.repeat(20_000) } }).catch(() => ({ status: 431 }));
    expect(tooLarge.status).toBe(431);
    await expectHealthy();

    const raw = (headers: Record<string, Buffer | string>) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const url = new URL(`${gateway.url}/graphql`);
        const req = httpRequest({ hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', ...headers } as never }, (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end(JSON.stringify({ query: '{ __typename }' }));
      });
    const latin1 = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0]).toString('latin1');
    const badPurpose = await raw({ authorization: `Bearer ${tokens.analyst}`, 'x-purpose': latin1 });
    expect(badPurpose.status).toBe(400);
    expect(JSON.parse(badPurpose.body).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const badToken = await raw({ authorization: `Bearer sg_${latin1}` });
    expect(badToken.status).toBe(401);
    expect(JSON.parse(badToken.body).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    await expectHealthy();
  });

  it('refuses introspection to a partner token and never suggests field names to it', async () => {
    for (const query of ['{ __schema { types { name } } }', '{ __type(name: "Order") { fields { name } } }', 'query { ...F } fragment F on Query { __schema { queryType { name } } }']) {
      const { status, body } = await gateway.post(query, { token: partner });
      expect(status).toBe(403);
      expect(expectClearError(body, 'FORBIDDEN').coordinate).toBe('Query.__schema');
    }
    const probes = ['{ ordrs { totalCount } }', '{ listings(frist: 1) { totalCount } }', '{ listings { nodes { sellerSk } } }', 'query ($f: ListingSortFeld) { __typename }'];
    for (const probe of probes) {
      const partnerAnswer = await gateway.post(probe, { token: partner });
      expect(partnerAnswer.status).toBe(400);
      expect(JSON.stringify(partnerAnswer.body)).not.toMatch(/Did you mean/);
      // The same typo from a user role that may introspect keeps the suggestion.
      const userAnswer = await gateway.post(probe, analyst());
      expect(JSON.stringify(userAnswer.body)).toMatch(/Did you mean/);
    }
    const anonymous = await gateway.post('{ ordrs { totalCount } }');
    expect(JSON.stringify(anonymous.body)).not.toMatch(/Did you mean/);
    const userIntrospection = await gateway.post('{ __schema { queryType { name } } }', analyst());
    expect(userIntrospection.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    await expectHealthy();
  });
});
