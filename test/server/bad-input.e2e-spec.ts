// Bad input gets a clear GraphQL error with a code, never a crash or a stack trace.
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestCatalog, testTokenFor } from '../support/fixtures';
import { startTestGateway, type GraphQLResponseBody, type TestGateway } from '../support/gateway';

describe('bad input', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let token: string;
  const asCatalogManager = () => ({ token, purpose: 'LISTING_MAINTENANCE' });

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestCatalog(db.dataSource);
    token = await testTokenFor(db.dataSource, 'catalog_manager');
    gateway = await startTestGateway(db);
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  function expectNoStack(body: unknown) {
    expect(JSON.stringify(body)).not.toMatch(/stacktrace|\bat .+\.(ts|js):\d+/);
  }

  async function expectHealthy() {
    expect((await gateway.get('/healthz')).status).toBe(200);
  }

  it('names an unknown field', async () => {
    const { status, body } = await gateway.post('{ listings(first: 1) { nodes { sellerSku colour } } }', asCatalogManager());
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(body.errors?.[0].message).toContain('colour');
    expectNoStack(body);
    await expectHealthy();
  });

  it('names an argument of the wrong type', async () => {
    const { status, body } = await gateway.post('{ listings(first: "ten") { nodes { sellerSku } } }', asCatalogManager());
    expect(status).toBe(400);
    expect(body.errors?.[0].message).toMatch(/Int/);
    expectNoStack(body);
  });

  it('names a variable of the wrong type', async () => {
    const { status, body } = await gateway.post('query ($n: Int) { listings(first: $n) { nodes { sellerSku } } }', {
      ...asCatalogManager(),
      variables: { n: 'ten' },
    });
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expectNoStack(body);
  });

  it('says what the maximum page size is when `first` is above it', async () => {
    const { body } = await gateway.post('{ listings(first: 5000) { nodes { sellerSku } } }', asCatalogManager());
    const error = body.errors?.[0];
    expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error?.message).toContain('maximum page size is 100');
    expect(error?.extensions?.limit).toBe(100);
    expectNoStack(body);
  });

  it('refuses a malformed cursor', async () => {
    for (const after of ['not-a-cursor', 'e30', '!!!']) {
      const { body } = await gateway.post('query ($after: String) { listings(first: 2, after: $after) { nodes { sellerSku } } }', {
        ...asCatalogManager(),
        variables: { after },
      });
      expect(body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(body.errors?.[0].message).toMatch(/cursor/i);
      expectNoStack(body);
    }
    await expectHealthy();
  });

  it('refuses a well-formed cursor whose values do not fit the list (wrong types, out of range) as BAD_USER_INPUT', async () => {
    const cursor = (value: unknown, id: unknown) => Buffer.from(JSON.stringify([value, id])).toString('base64url');
    const operations = { token: await testTokenFor(db.dataSource, 'operations'), purpose: 'OPERATIONAL_REPORTING' };
    const badIds = [cursor('2025-01-01T00:00:00Z', 'x'), cursor('2025-01-01T00:00:00Z', 1e40), cursor('2025-01-01T00:00:00Z', { id: 1 }), cursor(true, false), cursor([1, 2], [3])];
    const badDates = [cursor('not-a-date', 1), cursor({ a: 1 }, 1), cursor('2025-13-45T99:00:00Z', 1)];
    const lists: [string, { token: string; purpose: string }, string[]][] = [
      // sorted by open date (query builder page)
      ['query ($after: String) { listings(first: 2, after: $after) { nodes { sellerSku } } }', asCatalogManager(), [...badDates, ...badIds]],
      // sorted by title: any text is a title, the id must still be one
      ['query ($after: String) { products(first: 2, after: $after) { nodes { asin } } }', asCatalogManager(), badIds],
      // sorted by purchase date (prebuilt statement page)
      ['query ($after: String) { orders(first: 2, after: $after) { nodes { amazonOrderId } } }', operations, [...badDates, ...badIds]],
    ];
    for (const [query, who, cursors] of lists) {
      for (const after of cursors) {
        const { body } = await gateway.post(query, { ...who, variables: { after } });
        expect({ query, after, code: body.errors?.[0].extensions?.code }).toEqual({ query, after, code: 'BAD_USER_INPUT' });
        expect(body.errors?.[0].message).toMatch(/cursor/i);
        expectNoStack(body);
      }
    }
    await expectHealthy();
  });

  it('pages with a real cursor', async () => {
    const first = await gateway.post('{ listings(first: 2) { pageInfo { endCursor hasNextPage } nodes { sellerSku } } }', asCatalogManager());
    const page = (first.body.data as { listings: { pageInfo: { endCursor: string }; nodes: { sellerSku: string }[] } }).listings;
    const second = await gateway.post('query ($after: String) { listings(first: 2, after: $after) { nodes { sellerSku } } }', {
      ...asCatalogManager(),
      variables: { after: page.pageInfo.endCursor },
    });
    const next = (second.body.data as { listings: { nodes: { sellerSku: string }[] } }).listings.nodes;
    expect(next).toHaveLength(2);
    expect(next.map((n) => n.sellerSku)).not.toContain(page.nodes[0].sellerSku);
  });

  it('refuses a malformed JSON body with a GraphQL error', async () => {
    const response = await gateway.postRaw('{"query": "{ __typename ', { 'content-type': 'application/json', authorization: `Bearer ${token}` });
    expect(response.status).toBe(400);
    const body = response.body as GraphQLResponseBody;
    expect(body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0].message).toMatch(/Malformed JSON/);
    expectNoStack(body);
    await expectHealthy();
  });

  it('refuses a body that is not a GraphQL request', async () => {
    const response = await gateway.postRaw('[1, 2, 3]', { 'content-type': 'application/json', authorization: `Bearer ${token}` });
    expect(response.status).toBe(400);
    expectNoStack(response.body);
    await expectHealthy();
  });

  it('refuses a syntax error with its location', async () => {
    const { status, body } = await gateway.post('{ listings(first: 1) { nodes { sellerSku } ', asCatalogManager());
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(body.errors?.[0].locations?.[0]).toBeDefined();
    expectNoStack(body);
  });
});
