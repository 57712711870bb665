// The typed client example (examples/typed-client): compiled with tsc and run with graphql-request
// against a gateway, as a partner token whose operations were registered from GraphQL Code
// Generator's persisted-documents manifest. graphql-request sends the document re-printed from
// the typed AST (not the manifest's text), so it matches by the normalized form.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createToken } from '../../src/auth/api-token.service';
import { registerSecurityCommands } from '../../src/cli/security.command';
import { defaultPolicy } from '../../src/policy/default-policy';
import { Purpose } from '../../src/policy/taxonomy';
import { documentHash } from '../../src/security/persisted-operations';
import { seedTestData } from '../orders/orders-fixture';
import { runCli, testCliDeps } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startTestGateway, type TestGateway } from '../support/gateway';

const ROOT = join(__dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'typed-client');
const run = promisify(execFile);

describe('typed client example and persisted-operation manifests', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let cli: (...args: string[]) => Promise<string>;

  const partner = async (purposes: Purpose[] = [Purpose.OPERATIONAL_REPORTING]) =>
    createToken(db.dataSource.manager, defaultPolicy(), { role: 'analyst', purposes, partner: true, expiresInDays: 30, createdBy: 'test' });

  const runClient = (token: string) =>
    run(process.execPath, [join(EXAMPLE, 'dist', 'client.js'), '2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'], {
      env: { ...process.env, SELLERGATE_URL: `${gateway.url}/graphql`, SELLERGATE_TOKEN: token },
      timeout: 60_000,
    });

  beforeAll(async () => {
    // Compile the example as a user would (its own tsconfig, strict), while the database starts.
    const compiled = run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(EXAMPLE, 'tsconfig.json')], { timeout: 240_000 });
    db = await createTestDatabase();
    await seedTestData(db.dataSource, { inventoryFinance: false });
    gateway = await startTestGateway(db);
    cli = (...args) => runCli(testCliDeps(db), [registerSecurityCommands], args);
    await compiled;
  }, 300_000);

  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  it('runs the typed client with a partner token whose operations come from the codegen manifest', async () => {
    const token = await partner();
    // Not registered yet: the data operation is refused (its `me` is always allowed).
    const refused = await runClient(token.token).then(
      () => null,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(refused?.code).toBe(2);
    expect(JSON.parse(refused!.stderr!.trim())).toMatchObject({ codes: ['PERSISTED_QUERY_REQUIRED'] });

    const registered = JSON.parse(await cli('persisted', 'add', join(EXAMPLE, 'generated', 'persisted-documents.json'), '--token', token.record.id, '--json')) as { operationName: string }[];
    expect(registered.map((row) => row.operationName).sort()).toEqual(['MonthlySales', 'WhoAmI']);

    const { stdout } = await runClient(token.token);
    const output = JSON.parse(stdout.trim()) as { role: string; purposes: string[]; months: { month: string; sales: string | null }[] };
    expect(output.role).toBe('analyst');
    expect(output.purposes).toEqual(['OPERATIONAL_REPORTING']);
    expect(output.months.length).toBeGreaterThan(0);
    for (const month of output.months) {
      expect(month.month).toMatch(/^2026-\d\d$/);
      if (month.sales !== null) expect(month.sales).toMatch(/^\d+(\.\d+)?$/);
    }
  });

  it('matches a registered document re-printed, reordered, commented or with __typename added, and nothing else', async () => {
    const token = await partner();
    const registered = 'query Totals { orders(first: 2) { totalCount nodes { status } } }';
    const file = join(mkdtempSync(join(tmpdir(), 'sg-manifest-')), 'apollo.json');
    writeFileSync(
      file,
      JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: documentHash(registered), name: 'Totals', type: 'query', body: registered }] }),
    );
    await cli('persisted', 'add', file, '--token', token.record.id);
    for (const variant of [
      registered,
      'query Totals {\n  orders(first: 2) {\n    totalCount\n    nodes {\n      status\n    }\n  }\n}\n',
      '# the dashboard\nquery Totals { orders(first: 2) { nodes { status __typename } totalCount __typename } }',
    ]) {
      const response = await gateway.post(variant, { token: token.token });
      expect(response.body.errors).toBeUndefined();
      expect((response.body.data as { orders: { totalCount: number } }).orders.totalCount).toBeGreaterThan(0);
    }
    for (const other of ['query Totals { orders(first: 3) { totalCount nodes { status } } }', 'query Totals { orders(first: 2) { totalCount nodes { status purchaseDate } } }']) {
      const response = await gateway.post(other, { token: token.token });
      expect(response.body.errors?.[0]?.extensions).toMatchObject({ code: 'PERSISTED_QUERY_REQUIRED', documentHash: documentHash(other), normalizedHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    }
  });

  it('lets a partner list its own registered operations, and no one else\'s', async () => {
    const mine = await partner();
    const theirs = await partner();
    await cli('persisted', 'add', join(EXAMPLE, 'generated', 'persisted-documents.json'), '--token', mine.record.id);
    const query = '{ myPersistedOperations { operationName documentHash normalizedHash document } }';
    const listed = await gateway.post(query, { token: mine.token });
    expect(listed.body.errors).toBeUndefined();
    const operations = (listed.body.data as { myPersistedOperations: { operationName: string; documentHash: string; document: string }[] }).myPersistedOperations;
    expect(operations.map((operation) => operation.operationName).sort()).toEqual(['MonthlySales', 'WhoAmI']);
    for (const operation of operations) expect(operation.documentHash).toBe(documentHash(operation.document));
    const other = await gateway.post(query, { token: theirs.token });
    expect(other.body).toMatchObject({ data: { myPersistedOperations: [] } });
  });

  it('refuses a manifest whose ids are not the SHA-256 of their documents, registering nothing', async () => {
    const token = await partner();
    const file = join(mkdtempSync(join(tmpdir(), 'sg-manifest-')), 'bad.json');
    writeFileSync(file, JSON.stringify({ [documentHash('query A { me { role } }')]: 'query A { me { role } }', ['0'.repeat(64)]: 'query B { me { role purposes } }' }));
    await expect(cli('persisted', 'add', file, '--token', token.record.id)).rejects.toThrow(/not the SHA-256 of its document/);
    expect(JSON.parse(await cli('persisted', 'list', '--token', token.record.id, '--json'))).toEqual([]);
  });

  it('reads a date given where an instant is expected as the start of that UTC day', async () => {
    const token = (await createToken(db.dataSource.manager, defaultPolicy(), { role: 'analyst', createdBy: 'test' })).token;
    const summary = async (from: string, to: string) => {
      const response = await gateway.post(`{ salesSummary(groupBy: MONTH, from: "${from}", to: "${to}") { groups { key currency orders sales } suppressedGroups } }`, {
        token,
        purpose: 'OPERATIONAL_REPORTING',
      });
      expect(response.body.errors).toBeUndefined();
      return response.body.data;
    };
    const byDate = await summary('2026-01-01', '2026-11-01');
    expect(byDate).toEqual(await summary('2026-01-01T00:00:00.000Z', '2026-11-01T00:00:00Z'));
    expect((byDate as { salesSummary: { groups: unknown[] } }).salesSummary.groups.length).toBeGreaterThan(0);
    const bad = await gateway.post('{ salesSummary(groupBy: MONTH, from: "2026-13-01", to: "2026-11-01") { suppressedGroups } }', { token, purpose: 'OPERATIONAL_REPORTING' });
    expect(bad.body.errors?.[0]?.extensions?.code).toMatch(/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/);
  });
});
