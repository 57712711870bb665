// Introspection has its own limits: the standard introspection query (GraphiQL's, GraphQL Code
// Generator's) is served to a principal allowed to introspect under the default limits, a schema
// walk nested without end is still refused, and data operations keep the data cost limit.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getIntrospectionQuery } from 'graphql';
import { Purpose } from '../../src/policy/taxonomy';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';

describe('introspection limits', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let analyst: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    analyst = await testTokenFor(db.dataSource, 'analyst');
    // The shipped defaults (MAX_QUERY_COST 25000), whatever the test environment sets.
    gateway = await startTestGateway(db, { env: { MAX_QUERY_COST: '25000', MAX_QUERY_DEPTH: '12' } });
  });

  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  it.each([
    ['GraphiQL', getIntrospectionQuery()],
    ['GraphQL Code Generator', getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true })],
  ])('serves the standard introspection query of %s', async (_name, query) => {
    const response = await gateway.post(query, { token: analyst });
    expect(response.body.errors).toBeUndefined();
    expect(response.status).toBe(200);
    const schema = (response.body.data as { __schema: { types: { name: string }[] } }).__schema;
    expect(schema.types.map((type) => type.name)).toContain('Order');
  });

  it('still refuses an introspection walk nested without end (its own depth limit; graphql-js limits nested fields)', async () => {
    let selection = 'name';
    for (let level = 0; level < 30; level += 1) selection = `ofType { ${selection} }`;
    const response = await gateway.post(`{ __schema { types { ${selection} } } }`, { token: analyst });
    expect(response.body.errors?.[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'MAX_INTROSPECTION_DEPTH' } });
  });

  it('holds an operation that also selects data to the data limits', async () => {
    const response = await gateway.post(getIntrospectionQuery().replace('query IntrospectionQuery {', 'query IntrospectionQuery { products(first: 1) { totalCount }'), {
      token: analyst,
      purpose: 'BUSINESS_ANALYSIS',
    });
    expect(response.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'MAX_QUERY_COST' });
  });

  it('refuses introspection to a principal not allowed to introspect, whatever its cost', async () => {
    const partner = await testTokenFor(db.dataSource, 'analyst', { partner: true, purposes: [Purpose.BUSINESS_ANALYSIS], expiresInDays: 30 });
    const response = await gateway.post(getIntrospectionQuery(), { token: partner });
    expect(response.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('lets graphql-codegen generate types from the URL', async () => {
    // The codegen CLI as a user runs it (its ESM dependencies do not load inside jest's VM).
    const dir = await mkdtemp(join(tmpdir(), 'sellergate-codegen-'));
    try {
      const config = {
        schema: [{ [`${gateway.url}/graphql`]: { headers: { Authorization: `Bearer ${analyst}` } } }],
        generates: { [join(dir, 'types.ts')]: { plugins: ['typescript'], config: { scalars: { Decimal: 'string', LocalDate: 'string', DateTimeISO: 'string' } } } },
      };
      await writeFile(join(dir, 'codegen.json'), JSON.stringify(config));
      await promisify(execFile)(process.execPath, [join(process.cwd(), 'node_modules/@graphql-codegen/cli/esm/bin.js'), '--config', join(dir, 'codegen.json'), '--silent'], { cwd: process.cwd(), timeout: 120_000 }).catch((error: { stdout?: string; stderr?: string }) => {
        throw new Error(`graphql-codegen failed: ${error.stdout ?? ''} ${error.stderr ?? ''}`);
      });
      const output = await readFile(join(dir, 'types.ts'), 'utf8');
      expect(output).toContain('export type Order = {');
      expect(output).toMatch(/Decimal: \{ input: string; output: string; \}/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
