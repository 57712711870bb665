// The console's own queries over HTTP: the audit chain's status, audit activity over time, rows
// per principal and the policy matrix, governed like every query (purpose for the audit log,
// EXPLAIN_ACCESS for the matrix) and refused with the API's message otherwise.
import { registerAccount } from '../../src/ingest/seller-accounts';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { testTokenFor } from '../support/fixtures';

describe('console queries', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let compliance: string;
  let analyst: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    gateway = await startTestGateway(db);
    compliance = await testTokenFor(db.dataSource, 'compliance');
    analyst = await testTokenFor(db.dataSource, 'analyst');
    // Some audited activity: a refused request and an allowed one.
    await gateway.post('{ auditRecords(first: 1) { totalCount } }', { token: analyst, purpose: 'BUSINESS_ANALYSIS' });
    await gateway.post('{ auditRecords(first: 1) { totalCount } }', { token: compliance, purpose: 'AUDIT' });
  });

  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  it('verifies the audit chain and counts activity by role, purpose and outcome', async () => {
    const response = await gateway.post(
      `{ auditChain { ok checked lastId problem { kind } }
         auditActivity(bucket: HOUR) { start role purpose outcome operations masked denied rows }
         rowsByPrincipal { principalId role operations rows } }`,
      { token: compliance, purpose: 'AUDIT' },
    );
    expect(response.body.errors).toBeUndefined();
    const data = response.body.data as { auditChain: { ok: boolean; checked: number }; auditActivity: { role: string; purpose: string; outcome: string; operations: number }[]; rowsByPrincipal: unknown[] };
    expect(data.auditChain.ok).toBe(true);
    expect(data.auditChain.checked).toBeGreaterThanOrEqual(2);
    expect(data.auditActivity).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ role: 'analyst', purpose: 'BUSINESS_ANALYSIS', operations: 1 }),
        expect.objectContaining({ role: 'compliance', purpose: 'AUDIT', outcome: 'ok', operations: 1 }),
      ]),
    );
    expect(data.rowsByPrincipal.length).toBeGreaterThanOrEqual(1);
  });

  it('gives the policy in force as a matrix, with explain coordinates', async () => {
    const response = await gateway.post('{ policyMatrix { version cells { role purpose category sensitivity effect mask rule coordinate } history { version } } }', { token: compliance });
    expect(response.body.errors).toBeUndefined();
    const matrix = (response.body.data as { policyMatrix: { version: string; cells: { role: string; purpose: string; category: string; sensitivity: string; effect: string; coordinate: string | null }[] } }).policyMatrix;
    expect(matrix.version).toBe(gateway.policy.version);
    // Each cell is what explainAccess says for a field of that category and sensitivity.
    const sample = matrix.cells.filter((c) => c.coordinate && ['analyst', 'compliance'].includes(c.role)).filter((_, index) => index % 7 === 0);
    expect(sample.length).toBeGreaterThan(3);
    for (const c of sample) {
      const explained = await gateway.post(`{ explainAccess(role: "${c.role}", purpose: ${c.purpose}, coordinate: "${c.coordinate}") { effect } }`, { token: compliance });
      expect({ ...c, effect: (explained.body.data as { explainAccess: { effect: string } }).explainAccess.effect }).toEqual(c);
    }
    expect(matrix.cells.some((c) => c.effect === 'mask')).toBe(true);
    expect(matrix.cells.every((c) => ['allow', 'mask', 'deny'].includes(c.effect))).toBe(true);
  });

  it('shows a principal limited to some accounts nothing of the audit log, as auditRecords does', async () => {
    await registerAccount(db.dataSource, { sellerId: 'A1SCOPEDONLY01', marketplaces: ['ATVPDKIKX0DER'], name: 'Scoped' });
    const scoped = await testTokenFor(db.dataSource, 'compliance', { accounts: ['A1SCOPEDONLY01'] });
    const response = await gateway.post('{ auditRecords(first: 5) { totalCount } auditActivity { operations } rowsByPrincipal { rows } }', { token: scoped, purpose: 'AUDIT' });
    expect(response.body.data).toEqual({ auditRecords: { totalCount: 0 }, auditActivity: [], rowsByPrincipal: [] });
    const chain = await gateway.post('{ auditChain { ok checked } }', { token: scoped, purpose: 'AUDIT' });
    expect(chain.body.data?.auditChain ?? null).toBeNull();
    expect(chain.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses a role without the grant with the API message, and shows it nothing', async () => {
    const audit = await gateway.post('{ auditChain { ok } }', { token: analyst, purpose: 'BUSINESS_ANALYSIS' });
    expect(audit.body.data?.auditChain ?? null).toBeNull();
    expect(audit.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const matrix = await gateway.post('{ policyMatrix { version } }', { token: analyst });
    expect(matrix.body.data).toBeNull();
    expect(matrix.body.errors?.[0].message).toContain('EXPLAIN_ACCESS');
  });
});
