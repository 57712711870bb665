// The HTTP surface besides POST /graphql: GET queries, health, readiness, metrics, request ids,
// and the steps `/graphql`'s own entry shares with every route (src/server/graphql-entry.ts).
import { Purpose } from '../../src/policy/taxonomy';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestCatalog, testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';

describe('HTTP endpoints', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let token: string;

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

  it('answers GraphQL over HTTP GET when the purpose header is sent', async () => {
    const query = encodeURIComponent('{ products(first: 2) { nodes { asin title } } }');
    const response = await gateway.get(`/graphql?query=${query}`, { authorization: `Bearer ${token}`, 'x-purpose': 'LISTING_MAINTENANCE' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { products: { nodes: unknown[] } } };
    expect(body.data.products.nodes).toHaveLength(2);
    // Answers with data are never kept by browsers or proxies, nor are refusals.
    expect(response.headers.get('cache-control')).toBe('no-store');
    const refused = await gateway.post('{ products(first: 2) { nodes { asin } } }');
    expect(refused.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a GET without a preflight-forcing header (CSRF prevention)', async () => {
    const query = encodeURIComponent('{ __typename }');
    const response = await gateway.get(`/graphql?query=${query}`);
    expect(response.status).toBe(400);
  });

  it('reports health and readiness', async () => {
    const health = await gateway.get('/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await gateway.get('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('echoes a sane X-Request-Id and generates one otherwise', async () => {
    const mine = await gateway.post('{ __typename }', { token, headers: { 'x-request-id': 'dash-42.abc' } });
    expect(mine.headers.get('x-request-id')).toBe('dash-42.abc');
    const hostile = await gateway.post('{ __typename }', { token, headers: { 'x-request-id': 'x'.repeat(500) } });
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('generates request ids that begin with the time (UUIDv7), so they sort in the order the requests came', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await gateway.post('{ __typename }', { token })).headers.get('x-request-id')!);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // The first 48 bits are the time in milliseconds.
    const millis = parseInt(ids[0].replace(/-/g, '').slice(0, 12), 16);
    expect(Math.abs(millis - Date.now())).toBeLessThan(60_000);
  });

  it('counts operations by name and outcome in /metrics, served to principals allowed system logs only', async () => {
    await gateway.post('query ListProducts { products(first: 1) { nodes { asin } } }', { token, purpose: 'LISTING_MAINTENANCE' });
    const monitoring = await testTokenFor(db.dataSource, 'security', { purposes: [Purpose.TROUBLESHOOTING] });
    const metrics = await (await gateway.get('/metrics', { authorization: `Bearer ${monitoring}` })).text();
    expect(metrics).toMatch(/sellergate_graphql_operations_total\{operation="ListProducts",outcome="ok"\} [1-9]/);
    expect(metrics).toContain('sellergate_graphql_operation_duration_seconds_bucket');
    // The audit writer: the records it committed (the ListProducts operation's at least, all of
    // them in the log), in batches that each took some time.
    const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
    const [{ records: inLog }] = (await db.dataSource.query('SELECT count(*)::int AS records FROM audit_record')) as { records: number }[];
    expect(gauge('sellergate_audit_records_committed')).toBeGreaterThanOrEqual(1);
    expect(gauge('sellergate_audit_records_committed')).toBeLessThanOrEqual(inLog);
    expect(gauge('sellergate_audit_batches_committed')).toBeGreaterThanOrEqual(1);
    expect(gauge('sellergate_audit_batches_committed')).toBeLessThanOrEqual(gauge('sellergate_audit_records_committed'));
    expect(gauge('sellergate_audit_batch_seconds')).toBeGreaterThan(0);
    expect(gauge('sellergate_audit_batches_failed')).toBe(0);
    expect(gauge('sellergate_audit_stalled_seconds')).toBeGreaterThanOrEqual(0);

    const anonymous = await gateway.get('/metrics');
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toContain('sellergate_');
    // A catalog manager reads listings, not system logs.
    const outsider = await gateway.get('/metrics', { authorization: `Bearer ${token}`, 'x-purpose': 'LISTING_MAINTENANCE' });
    expect(outsider.status).toBe(403);
    const records = await db.dataSource.query(`SELECT outcome, error_codes FROM audit_record WHERE operation_name = 'GET /metrics' ORDER BY id`);
    expect(records).toEqual([
      { outcome: 'ok', error_codes: [] },
      { outcome: 'refused', error_codes: ['UNAUTHENTICATED'] },
      { outcome: 'refused', error_codes: ['FORBIDDEN'] },
    ]);
  });

  it('keeps the metric series bounded whatever names callers send', async () => {
    for (let n = 0; n < 5; n += 1) await gateway.post(`query Probe${n} { __typename }`);
    for (let n = 0; n < 5; n += 1) await gateway.post(`query Probe${n}x { __typename }`, { token: 'sg_not_a_token' });
    const monitoring = await testTokenFor(db.dataSource, 'security', { purposes: [Purpose.TROUBLESHOOTING] });
    const metrics = await (await gateway.get('/metrics', { authorization: `Bearer ${monitoring}` })).text();
    expect(metrics).not.toContain('Probe');
    expect(metrics).toMatch(/sellergate_graphql_operations_total\{operation="unadmitted",outcome="unauthenticated"\} (1[0-9]|[2-9][0-9])/);
  });

  it('pre-fills GraphiQL with the demo token for a browser on this machine only', async () => {
    const demo = await startTestGateway(db, { graphiqlHeaders: () => ({ Authorization: 'Bearer sg_demo_secret_value', 'X-Purpose': 'BUSINESS_ANALYSIS' }) });
    const behindProxy = await startTestGateway(db, { env: { TRUST_PROXY: '1' }, graphiqlHeaders: () => ({ Authorization: 'Bearer sg_demo_secret_value' }) });
    try {
      expect(await (await demo.get('/graphiql/init.js')).text()).toContain('sg_demo_secret_value');
      // A proxy on this machine forwarding a remote visitor: not local.
      const forwarded = await (await demo.get('/graphiql/init.js', { 'x-forwarded-for': '203.0.113.9' })).text();
      expect(forwarded).not.toContain('sg_demo_secret_value');
      expect(forwarded).toContain('Bearer <token>');
      const remote = await (await behindProxy.get('/graphiql/init.js', { 'x-forwarded-for': '203.0.113.9' })).text();
      expect(remote).not.toContain('sg_demo_secret_value');
      // Behind a trusted proxy, a remote visitor claiming a loopback address is not local either.
      const spoofed = await (await behindProxy.get('/graphiql/init.js', { 'x-forwarded-for': '127.0.0.1' })).text();
      expect(spoofed).not.toContain('sg_demo_secret_value');
    } finally {
      await demo.stop();
      await behindProxy.stop();
    }
  });

  it('serves /graphql in any case with the steps of every route: client address, security headers, CORS, API call log', async () => {
    const behindProxy = await startTestGateway(db, { env: { TRUST_PROXY: '1', CORS_ORIGINS: 'https://dash.example' } });
    const ask = (base: string, path: string, requestId: string) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': 'LISTING_MAINTENANCE', 'x-request-id': requestId, 'x-forwarded-for': '203.0.113.9', origin: 'https://dash.example' },
        body: JSON.stringify({ query: '{ products(first: 1) { nodes { asin } } }' }),
      });
    try {
      const forwarded = await ask(behindProxy.url, '/GraphQL', 'entry-proxied');
      expect(forwarded.status).toBe(200);
      expect(((await forwarded.json()) as { data: { products: { nodes: unknown[] } } }).data.products.nodes).toHaveLength(1);
      expect(forwarded.headers.get('x-request-id')).toBe('entry-proxied');
      expect(forwarded.headers.get('access-control-allow-origin')).toBe('https://dash.example');
      expect(forwarded.headers.get('x-content-type-options')).toBe('nosniff');
      expect(forwarded.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(forwarded.headers.get('content-type')).toBe('application/json; charset=utf-8');
      // Without a trusted proxy, the forwarded address is the caller's claim only: not recorded.
      const direct = await ask(gateway.url, '/graphql', 'entry-direct');
      expect(direct.status).toBe(200);
      expect(direct.headers.get('access-control-allow-origin')).toBeNull();
      const records = (await db.dataSource.query(`SELECT request_id, source_ip FROM audit_record WHERE request_id IN ('entry-proxied', 'entry-direct') ORDER BY request_id`)) as { request_id: string; source_ip: string }[];
      expect(records).toEqual([
        { request_id: 'entry-direct', source_ip: expect.stringMatching(/^(::ffff:)?127\.0\.0\.1$|^::1$/) },
        { request_id: 'entry-proxied', source_ip: '203.0.113.9' },
      ]);
      let calls: { path: string; http_status: number; operation_name: string | null }[] = [];
      // The API call log is written in batches, off the request path.
      for (let attempt = 0; attempt < 100 && calls.length === 0; attempt += 1) {
        calls = (await db.dataSource.query(`SELECT path, http_status, operation_name FROM api_call_log WHERE request_id = 'entry-proxied'`)) as typeof calls;
        if (calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(calls).toEqual([{ path: '/GraphQL', http_status: 200, operation_name: null }]);
    } finally {
      await behindProxy.stop();
    }
  });

  it('answers unknown paths with 404 and the list of endpoints', async () => {
    const response = await gateway.get('/nope');
    expect(response.status).toBe(404);
    expect(((await response.json()) as { endpoints: string[] }).endpoints).toContain('/graphql');
  });
});
