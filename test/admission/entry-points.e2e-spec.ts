// Every entry point passes the same admission steps (DESIGN.md "Invariants"): a suspended
// principal is refused on the HTTP routes as on /graphql, the per-address limit holds on every
// route whatever the path's case, every request has its record in the audit hash chain, and CLI
// commands run as the token they are given.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiToken } from '../../entities/gateway/api-token.entity';
import { verifyChain } from '../../src/audit/audit-verify';
import { hashTokenSecret } from '../../src/auth/token-secret';
import { registerAuditCommands } from '../../src/cli/audit.command';
import { registerTokenCommands } from '../../src/cli/token.command';
import { registerAccount } from '../../src/ingest/seller-accounts';
import { Purpose } from '../../src/policy/taxonomy';
import { SuspensionService } from '../../src/security/suspension.service';
import { runCli, testCliDeps } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';

const LISTINGS = join(__dirname, '..', 'fixtures', 'amazon', 'GET_FLAT_FILE_OPEN_LISTINGS_DATA', 'mws-rs_report.tdff.tsv');
const ACCOUNT = 'A1ADMISSION001';
const MARKETPLACE = 'ATVPDKIKX0DER';

async function tokenIdOf(db: TestDatabase, secret: string): Promise<string> {
  return (await db.dataSource.getRepository(ApiToken).findOneByOrFail({ tokenHash: hashTokenSecret(secret) })).id;
}

describe('admission on every entry point', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let admin: string;
  let file: Buffer;

  beforeAll(async () => {
    db = await createTestDatabase();
    await registerAccount(db.dataSource, { sellerId: ACCOUNT, marketplaces: [MARKETPLACE], name: 'Admission test' });
    admin = await testTokenFor(db.dataSource, 'admin');
    gateway = await startTestGateway(db, { env: { SUSPICIOUS_FORBIDDEN_COUNT: '0', RATE_LIMIT_PER_MINUTE: '0' } });
    file = readFileSync(LISTINGS);
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  const upload = (token: string | null, body: Buffer | FormData = file, headers: Record<string, string> = { 'content-type': 'text/tab-separated-values' }) =>
    fetch(`${gateway.url}/imports?account=${ACCOUNT}&marketplace=${MARKETPLACE}`, {
      method: 'POST',
      headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body,
    });

  it('records every import in the audit hash chain, with the rows it wrote per category', async () => {
    const response = await upload(admin);
    expect(response.status).toBe(200);
    const summary = (await response.json()) as { importRunId: string; rowsInserted: number };
    const [record] = await db.dataSource.query(
      `SELECT principal_kind, operation_type, operation_name, outcome, categories, rows_by_category, variables FROM audit_record WHERE operation_name = 'POST /imports' ORDER BY id DESC LIMIT 1`,
    );
    expect(record).toMatchObject({ principal_kind: 'token', operation_type: 'http', outcome: 'ok', categories: ['CATALOG'], variables: { importRunId: summary.importRunId } });
    expect(record.rows_by_category.CATALOG).toBe(summary.rowsInserted);
    // Nothing that identifies the seller is kept in the record.
    expect(JSON.stringify(record)).not.toContain(ACCOUNT);
    expect((await verifyChain(db.dataSource.manager, {})).ok).toBe(true);
  });

  it('takes the report as the file part of a multipart form', async () => {
    const form = new FormData();
    form.append('file', new Blob([file]), 'open-listings.txt');
    const response = await upload(admin, form, {});
    expect(response.status).toBe(200);
    const summary = (await response.json()) as { status: string; fileName: string; reportType: string };
    expect(summary).toMatchObject({ status: 'SUCCEEDED', fileName: 'open-listings.txt', reportType: 'GET_FLAT_FILE_OPEN_LISTINGS_DATA' });
    const empty = new FormData();
    empty.append('note', 'no file here');
    const refused = await upload(admin, empty, {});
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string; message: string } }).error.message).toMatch(/no file/);
  });

  it('refuses a suspended principal on POST /imports and GET /exports/:id as on /graphql, and records it', async () => {
    const importer = await testTokenFor(db.dataSource, 'admin');
    const importerId = await tokenIdOf(db, importer);
    // Suspended in the database; the gateway's own service hears of it through the change feed or its poll.
    await new SuspensionService(db.dataSource, { cacheMs: 0 }).suspend({ principalId: importerId, principalKind: 'token', principalRole: 'admin', rule: 'REPEATED_DENIALS', reason: 'test' });
    let refused = await upload(importer);
    for (let tries = 0; refused.status !== 403 && tries < 40; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      refused = await upload(importer);
    }
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('SUSPENDED');
    const runs = async () => (await db.dataSource.query('SELECT count(*)::int AS n FROM import_run'))[0].n as number;
    const before = await runs();
    expect((await upload(importer)).status).toBe(403);
    expect(await runs()).toBe(before);
    const download = await fetch(`${gateway.url}/exports/00000000-0000-4000-8000-000000000000`, { headers: { authorization: `Bearer ${importer}` } });
    expect(download.status).toBe(403);
    const graphql = await gateway.post('query Tokens { apiTokens { id } }', { token: importer });
    expect(graphql.body.errors?.[0].extensions?.code).toBe('SUSPENDED');
    const records = await db.dataSource.query(`SELECT DISTINCT operation_name FROM audit_record WHERE principal_id = $1 AND error_codes = '{SUSPENDED}' AND outcome = 'refused'`, [importerId]);
    expect(records.map((record: { operation_name: string }) => record.operation_name).sort()).toEqual(['GET /exports/:id', 'POST /imports', 'Tokens']);
  });

  it('counts every request of an address against its limit, on every route and whatever the path case', async () => {
    // One token a minute after the burst of 4: however slow the machine, the fifth request finds none.
    const limited = await startTestGateway(db, { env: { IP_RATE_LIMIT_PER_MINUTE: '1', IP_RATE_LIMIT_BURST: '4', RATE_LIMIT_PER_MINUTE: '0' } });
    try {
      const statuses: number[] = [];
      statuses.push((await fetch(`${limited.url}/imports?account=${ACCOUNT}`, { method: 'POST', body: 'x' })).status);
      statuses.push((await fetch(`${limited.url}/exports/00000000-0000-4000-8000-000000000000`)).status);
      statuses.push((await fetch(`${limited.url}/GRAPHQL`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' })).status);
      statuses.push((await fetch(`${limited.url}/GraphQL`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' })).status);
      // The address has spent its burst: every route now answers 429, authenticated or not.
      statuses.push((await fetch(`${limited.url}/imports?account=${ACCOUNT}`, { method: 'POST', body: 'x' })).status);
      statuses.push((await fetch(`${limited.url}/exports/00000000-0000-4000-8000-000000000000`, { headers: { authorization: `Bearer ${admin}` } })).status);
      const last = await fetch(`${limited.url}/GraphQL`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` }, body: '{"query":"{ __typename }"}' });
      statuses.push(last.status);
      expect(statuses).toEqual([401, 401, 401, 401, 429, 429, 429]);
      expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.stop();
    }
  });

  it('runs CLI commands as the token in SELLERGATE_TOKEN, within its role, and records each', async () => {
    const analyst = await testTokenFor(db.dataSource, 'analyst');
    const asAnalyst = testCliDeps(db, {}, { token: analyst });
    await expect(runCli(asAnalyst, [registerTokenCommands], ['token', 'create', '--role', 'admin'])).rejects.toThrow(/refused \(FORBIDDEN\): Role analyst may not manage API tokens \(needs MANAGE_TOKENS\)/);
    // An analyst may read system logs under no purpose it holds: audit tail is refused before anything is read.
    await expect(runCli(asAnalyst, [registerAuditCommands], ['audit', 'tail'])).rejects.toThrow(/refused \(PURPOSE_REQUIRED\)/);
    const security = await testTokenFor(db.dataSource, 'security', { purposes: [Purpose.AUDIT] });
    // Security reads audit records under AUDIT with identifiers in full, but not every field of them.
    const asSecurity = testCliDeps(db, {}, { token: security, purpose: 'AUDIT' });
    await expect(runCli(asSecurity, [registerAuditCommands], ['audit', 'verify'])).resolves.toMatch(/^audit chain OK/);
    const bogus = testCliDeps(db, {}, { token: 'sg_not_a_real_token_value' });
    await expect(runCli(bogus, [registerTokenCommands], ['token', 'list'])).rejects.toThrow(/refused \(UNAUTHENTICATED\)/);
    const records = await db.dataSource.query(
      `SELECT operation_name, principal_role, outcome, error_codes FROM audit_record WHERE operation_type IN ('query', 'mutation') AND operation_name IN ('token create', 'audit tail', 'audit verify', 'token list') ORDER BY id`,
    );
    expect(records).toEqual([
      { operation_name: 'token create', principal_role: 'analyst', outcome: 'denied', error_codes: ['FORBIDDEN'] },
      { operation_name: 'audit tail', principal_role: 'analyst', outcome: 'refused', error_codes: ['PURPOSE_REQUIRED'] },
      { operation_name: 'audit verify', principal_role: 'security', outcome: 'ok', error_codes: [] },
      { operation_name: 'token list', principal_role: null, outcome: 'refused', error_codes: ['UNAUTHENTICATED'] },
    ]);
  });
});
