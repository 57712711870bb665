// Retention over HTTP: archives readable only under their purposes, run evidence under
// SYSTEM_LOGS, legal holds and the deletion request process end to end (admin and compliance).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_POLICY_DOCUMENT } from '../../src/policy/default-policy';
import { Permission } from '../../src/policy/taxonomy';
import { certificateCovers } from '../../src/retention/deletion.service';
import { runRetention } from '../../src/retention/retention-runner';
import { resolvePseudonymKey } from '../../src/policy/masks';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { NOW, ORDERS, rowCounts, seedRetentionData } from './retention-fixture';
import { runOptions } from './retention-support';

jest.setTimeout(120_000);

describe('retention over HTTP', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let clock = NOW;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedRetentionData(db.dataSource);
    await runRetention(db.dataSource, runOptions());
    // The shipped policy gives deletion requests to admin; this operator grants them to compliance too.
    const dir = mkdtempSync(join(tmpdir(), 'sg-retention-'));
    const policy = JSON.parse(JSON.stringify(DEFAULT_POLICY_DOCUMENT));
    policy.roles.compliance.permissions = [Permission.EXPLAIN_ACCESS, Permission.MANAGE_DELETION_REQUESTS];
    writeFileSync(join(dir, 'policy.json'), JSON.stringify(policy));
    gateway = await startTestGateway(db, { now: () => clock, env: { POLICY_FILE: join(dir, 'policy.json') } });
    for (const role of ['admin', 'compliance', 'finance', 'operations', 'security']) tokens[role] = await testTokenFor(db.dataSource, role);
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  const post = (role: string, query: string, purpose?: string, variables?: Record<string, unknown>) => gateway.post(query, { token: tokens[role], purpose, variables });
  const codes = (body: { errors?: { extensions?: Record<string, unknown> }[] }) => (body.errors ?? []).map((error) => error.extensions?.code);

  const ARCHIVE = '{ archivedRecords(first: 10) { nodes { sourceTable naturalKey data } } }';
  const AUDIT_ARCHIVE = '{ archivedAuditRecords(first: 10) { nodes { id timestamp requestId hash } totalCount } }';

  it('archived finance records are readable under COMPLIANCE_REVIEW only', async () => {
    const ok = await post('compliance', ARCHIVE, 'COMPLIANCE_REVIEW');
    expect(ok.body.errors).toBeUndefined();
    const nodes = (ok.body.data!.archivedRecords as { nodes: { sourceTable: string; naturalKey: string; data: string }[] }).nodes;
    expect(nodes.map((node) => `${node.sourceTable} ${node.naturalKey}`).sort()).toEqual(['fee_estimate SKU-A', 'refund 111-9999999-0000001', 'settlement S-4Y']);
    expect(JSON.parse(nodes.find((node) => node.sourceTable === 'settlement')!.data).lines).toHaveLength(2);

    for (const [role, purpose] of [['operations', 'OPERATIONAL_REPORTING'], ['finance', 'ACCOUNTING'], ['compliance', 'AUDIT']]) {
      const refused = await post(role, ARCHIVE, purpose);
      expect({ role, purpose, data: refused.body.data?.archivedRecords ?? null, codes: codes(refused.body) }).toEqual({ role, purpose, data: null, codes: ['FORBIDDEN'] });
    }
  });

  it('archived audit records are readable under AUDIT only', async () => {
    for (const role of ['compliance', 'security']) {
      const ok = await post(role, AUDIT_ARCHIVE, 'AUDIT');
      expect(ok.body.errors).toBeUndefined();
      expect((ok.body.data!.archivedAuditRecords as { totalCount: number }).totalCount).toBe(4);
    }
    for (const [role, purpose] of [['security', 'SECURITY'], ['compliance', 'PLATFORM_COMPLIANCE'], ['compliance', 'COMPLIANCE_REVIEW']]) {
      const refused = await post(role, AUDIT_ARCHIVE, purpose);
      expect({ role, purpose, codes: codes(refused.body) }).toEqual({ role, purpose, codes: ['FORBIDDEN'] });
    }
  });

  it('archived audit records page by their cursors, edges and nodes alike', async () => {
    type Page = { edges: { cursor: string; node: { id: string; requestId: string } }[]; nodes: { id: string; requestId: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    const PAGE = 'query($after: String) { archivedAuditRecords(first: 3, after: $after) { edges { cursor node { id requestId } } nodes { id requestId } pageInfo { hasNextPage endCursor } } }';
    const read = async (after: string | null): Promise<Page> => {
      const result = await post('compliance', PAGE, 'AUDIT', { after });
      expect(result.body.errors).toBeUndefined();
      return result.body.data!.archivedAuditRecords as Page;
    };
    const first = await read(null);
    expect(first.edges.map((edge) => edge.node)).toEqual(first.nodes);
    expect(first.pageInfo).toEqual({ hasNextPage: true, endCursor: first.edges[2].cursor });
    const second = await read(first.pageInfo.endCursor);
    expect(second.edges.map((edge) => edge.node)).toEqual(second.nodes);
    expect(second.pageInfo.hasNextPage).toBe(false);
    // The four archived records, each once.
    const ids = [...first.nodes, ...second.nodes].map((node) => node.id);
    expect(new Set(ids).size).toBe(4);
  });

  it('retention runs are evidence under SYSTEM_LOGS', async () => {
    const result = await post('security', '{ retentionRuns(first: 5) { nodes { status rulesVersion actor rules { ruleId cutoff affected held counts { table rows } } } } }', 'AUDIT');
    expect(result.body.errors).toBeUndefined();
    const [run] = (result.body.data!.retentionRuns as { nodes: { status: string; rules: { ruleId: string; affected: number; counts: { table: string; rows: number }[] }[] }[] }).nodes;
    expect(run.status).toBe('SUCCEEDED');
    expect(run.rules.find((rule) => rule.ruleId === 'orders-aggregate')).toMatchObject({ affected: 3, counts: expect.arrayContaining([{ table: 'amazon_order', rows: 3 }]) });
    const refused = await post('finance', '{ retentionRuns(first: 5) { nodes { status } } }', 'ACCOUNTING');
    expect(codes(refused.body)).toContain('FORBIDDEN');
  });

  it('a deletion request for one order: blocked by a legal hold, then executed with a certificate', async () => {
    const hold = await post('admin', 'mutation($input: PlaceLegalHoldInput!) { placeLegalHold(input: $input) { id active } }', undefined, {
      input: { reason: 'Chargeback dispute', amazonOrderIds: [ORDERS.target] },
    });
    expect(hold.body.errors).toBeUndefined();
    const holdId = (hold.body.data!.placeLegalHold as { id: string }).id;
    const notAdmin = await post('finance', '{ legalHolds { id } }', 'ACCOUNTING');
    expect(codes(notAdmin.body)).toContain('FORBIDDEN');

    const received = await post('admin', 'mutation($input: RequestDeletionInput!) { requestDeletion(input: $input) { id state dueAt overdue } }', undefined, {
      input: { amazonOrderIds: [ORDERS.target], reason: 'Buyer asked for erasure', requester: 'privacy@company.example' },
    });
    const request = received.body.data!.requestDeletion as { id: string; state: string; dueAt: string; overdue: boolean };
    expect(request).toMatchObject({ state: 'RECEIVED', dueAt: new Date(NOW.getTime() + 30 * 86_400_000).toISOString(), overdue: false });

    const approved = await post('compliance', 'mutation($id: ID!) { decideDeletionRequest(id: $id, decision: APPROVED, reason: "Verified requester") { state decidedBy } }', 'COMPLIANCE_REVIEW', { id: request.id });
    expect(approved.body.data!.decideDeletionRequest).toMatchObject({ state: 'APPROVED', decidedBy: expect.stringMatching(/^token:/) });

    const before = await rowCounts(db.dataSource);
    const blocked = await post('admin', 'mutation($id: ID!) { executeDeletionRequest(id: $id) { id } }', undefined, { id: request.id });
    expect(codes(blocked.body)).toEqual(['BAD_USER_INPUT']);
    expect(blocked.body.errors![0].extensions!.holds).toEqual([holdId]);
    expect(await rowCounts(db.dataSource)).toMatchObject({ amazon_order: before.amazon_order, refund: before.refund, settlement_line: before.settlement_line });

    await post('admin', 'mutation($id: ID!) { releaseLegalHold(id: $id, reason: "Dispute closed") { active } }', undefined, { id: holdId });
    const executed = await post('admin', 'mutation($id: ID!) { executeDeletionRequest(id: $id) { requestId executedBy scopeKind scopeDigests totalRows counts { table rows } } }', undefined, { id: request.id });
    expect(executed.body.errors).toBeUndefined();
    const certificate = executed.body.data!.executeDeletionRequest as { counts: { table: string; rows: number }[]; totalRows: number; scopeDigests: string[] };
    const counts = Object.fromEntries(certificate.counts.map((c) => [c.table, c.rows]));
    expect(counts).toEqual({ amazon_order: 1, order_item: 2, shipment: 1, order_return: 1, settlement_line: 1, refund: 1 });
    expect(certificate.totalRows).toBe(7);
    expect(certificateCovers({ scopeDigests: certificate.scopeDigests } as never, resolvePseudonymKey(gateway.config), 'order', ORDERS.target)).toBe(true);

    // Gone from every table; the neighbour in the same settlement untouched.
    const mentions = async (id: string) => {
      const [row] = await db.dataSource.query(
        `SELECT (SELECT count(*) FROM amazon_order WHERE amazon_order_id = $1)::int + (SELECT count(*) FROM shipment WHERE amazon_order_id = $1)::int
              + (SELECT count(*) FROM order_return WHERE amazon_order_id = $1)::int + (SELECT count(*) FROM settlement_line WHERE order_id = $1)::int
              + (SELECT count(*) FROM refund WHERE order_id = $1)::int AS n`,
        [id],
      );
      return row.n;
    };
    expect(await mentions(ORDERS.target)).toBe(0);
    expect(await mentions(ORDERS.neighbour)).toBe(4);
    const after = await rowCounts(db.dataSource);
    expect(after).toMatchObject({ amazon_order: before.amazon_order - 1, order_item: before.order_item - 2, settlement: before.settlement, order_sales_summary: before.order_sales_summary });

    // The request keeps digests only; the audit log keeps that it happened, never the order id.
    const [stored] = await db.dataSource.query('SELECT state, scope_order_ids, scope_digests FROM deletion_request WHERE id = $1', [request.id]);
    expect(stored).toMatchObject({ state: 'EXECUTED', scope_order_ids: [], scope_digests: certificate.scopeDigests });
    const [audit] = await db.dataSource.query(
      `SELECT (SELECT count(*) FROM audit_record WHERE operation_name IS NULL AND 'Mutation.executeDeletionRequest' = ANY(fields))::int AS executed,
              (SELECT count(*) FROM audit_record r WHERE r::text LIKE '%' || $1 || '%')::int AS leaks,
              (SELECT count(*) FROM audit_document d WHERE d::text LIKE '%' || $1 || '%')::int AS doc_leaks`,
      [ORDERS.target],
    );
    expect(audit).toEqual({ executed: 2, leaks: 0, doc_leaks: 0 });
    const [actions] = await db.dataSource.query("SELECT array_agg(action ORDER BY id) AS a FROM user_action WHERE target = $1", [request.id]);
    expect(actions.a).toEqual(['deletion.request', 'deletion.approve', 'deletion.execute']);
  });

  it('Amazon-initiated requests are due in 72 hours and flagged when overdue', async () => {
    const received = await post('admin', 'mutation($input: RequestDeletionInput!) { requestDeletion(input: $input) { id dueAt } }', undefined, {
      input: { amazonOrderIds: [ORDERS.neighbour], reason: 'Amazon data deletion notice', requester: 'Amazon', source: 'AMAZON' },
    });
    const request = received.body.data!.requestDeletion as { id: string; dueAt: string };
    expect(request.dueAt).toBe(new Date(NOW.getTime() + 72 * 3_600_000).toISOString());
    clock = new Date(NOW.getTime() + 73 * 3_600_000);
    const overdue = await post('admin', '{ deletionRequests(overdue: true) { id overdue } }');
    expect(overdue.body.data!.deletionRequests).toEqual([{ id: request.id, overdue: true }]);
    const rejected = await post('admin', 'mutation($id: ID!) { decideDeletionRequest(id: $id, decision: REJECTED, reason: "Order under tax audit") { state overdue } }', undefined, { id: request.id });
    expect(rejected.body.data!.decideDeletionRequest).toEqual({ state: 'REJECTED', overdue: false });
    // Only the two decisions are accepted, by the schema itself.
    const executed = await post('admin', 'mutation($id: ID!) { decideDeletionRequest(id: $id, decision: EXECUTED, reason: "x") { state } }', undefined, { id: request.id });
    expect(executed.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(executed.body.errors?.[0]?.message).toMatch(/DeletionDecision/);
    clock = NOW;
  });
});
