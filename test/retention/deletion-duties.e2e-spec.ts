// Deletion requests with separation of duties: the approver differs from the requester, the
// executor from the approver (a token counts as its creator too); a request naming nothing that
// exists is refused when filed; certificates are checked by `deletion verify` and by GraphQL.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createToken } from '../../src/auth/api-token.service';
import type { CliDeps } from '../../src/cli/cli-deps';
import { registerRetentionCommands } from '../../src/cli/retention.command';
import { DEFAULT_POLICY_DOCUMENT, defaultPolicy } from '../../src/policy/default-policy';
import { Permission } from '../../src/policy/taxonomy';
import { runCli, testCliDeps } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { ACCOUNT, NOW, ORDERS, seedRetentionData } from './retention-fixture';

jest.setTimeout(180_000);

describe('deletion requests: separation of duties, existing data, verifiable certificates', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let policyDir: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedRetentionData(db.dataSource);
    policyDir = mkdtempSync(join(tmpdir(), 'sg-duties-'));
    const policy = JSON.parse(JSON.stringify(DEFAULT_POLICY_DOCUMENT));
    policy.roles.compliance.permissions = [Permission.EXPLAIN_ACCESS, Permission.MANAGE_DELETION_REQUESTS];
    writeFileSync(join(policyDir, 'policy.json'), JSON.stringify(policy));
    // The resolvers sign and verify with the process configuration's key, as the CLI here does.
    gateway = await startTestGateway(db, { now: () => NOW, env: { POLICY_FILE: join(policyDir, 'policy.json') } });
    for (const role of ['admin', 'compliance']) tokens[role] = await testTokenFor(db.dataSource, role);
    // Two admin tokens one person made: one party.
    tokens.aliceOne = (await createToken(db.dataSource.manager, defaultPolicy(), { role: 'admin', createdBy: 'user:alice' })).token;
    tokens.aliceTwo = (await createToken(db.dataSource.manager, defaultPolicy(), { role: 'admin', createdBy: 'user:alice' })).token;
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  const post = (who: string, query: string, variables?: Record<string, unknown>, purpose?: string) => gateway.post(query, { token: tokens[who], purpose, variables });
  const codes = (body: { errors?: { extensions?: Record<string, unknown> }[] }) => (body.errors ?? []).map((error) => error.extensions?.code);
  const REQUEST = 'mutation($input: RequestDeletionInput!) { requestDeletion(input: $input) { id state } }';
  const APPROVE = 'mutation($id: ID!) { decideDeletionRequest(id: $id, decision: APPROVED, reason: "Verified") { state decidedBy } }';
  const EXECUTE = 'mutation($id: ID!) { executeDeletionRequest(id: $id) { id requestId issuedAt executedBy scopeKind scopeDigests totalRows signature counts { table rows } } }';
  const VERIFY = 'query($c: String!) { verifyDeletionCertificate(certificate: $c) { valid problems requestId totalRows } }';

  const fileRequest = async (who: string, amazonOrderIds: string[]) => {
    const response = await post(who, REQUEST, { input: { amazonOrderIds, reason: 'Buyer asked for erasure', requester: 'privacy@company.example' } });
    expect(response.body.errors).toBeUndefined();
    return (response.body.data!.requestDeletion as { id: string }).id;
  };

  it('the requester cannot approve, the approver cannot execute; another principal can', async () => {
    const id = await fileRequest('admin', [ORDERS.target]);
    const selfApproved = await post('admin', APPROVE, { id });
    expect(codes(selfApproved.body)).toEqual(['FORBIDDEN']);
    expect(selfApproved.body.errors![0].message).toMatch(/another principal approves it.*separationOfDuties/);
    const [state] = await db.dataSource.query('SELECT state FROM deletion_request WHERE id = $1', [id]);
    expect(state.state).toBe('RECEIVED');

    const approved = await post('compliance', APPROVE, { id }, 'COMPLIANCE_REVIEW');
    expect(approved.body.data!.decideDeletionRequest).toMatchObject({ state: 'APPROVED' });
    const selfExecuted = await post('compliance', EXECUTE, { id }, 'COMPLIANCE_REVIEW');
    expect(codes(selfExecuted.body)).toEqual(['FORBIDDEN']);
    expect(await db.dataSource.query('SELECT count(*)::int AS n FROM amazon_order WHERE amazon_order_id = $1', [ORDERS.target])).toEqual([{ n: 1 }]);

    const executed = await post('admin', EXECUTE, { id });
    expect(executed.body.errors).toBeUndefined();
    expect((executed.body.data!.executeDeletionRequest as { totalRows: number }).totalRows).toBeGreaterThan(0);
  });

  it('two tokens of one creator are one party', async () => {
    const id = await fileRequest('aliceOne', [ORDERS.neighbour]);
    const approved = await post('aliceTwo', APPROVE, { id });
    expect(codes(approved.body)).toEqual(['FORBIDDEN']);
    await post('admin', 'mutation($id: ID!) { decideDeletionRequest(id: $id, decision: REJECTED, reason: "Test over") { state } }', { id });
  });

  it('a request naming data that does not exist is refused when filed', async () => {
    const before = await db.dataSource.query('SELECT count(*)::int AS n FROM deletion_request');
    const unknown = await post('admin', REQUEST, { input: { amazonOrderIds: ['999-0000000-0000000'], reason: 'Erasure', requester: 'someone' } });
    expect(codes(unknown.body)).toEqual(['BAD_USER_INPUT']);
    expect(unknown.body.errors![0].message).toMatch(/1 of 1 order id\(s\) match no data \(position 1 of the list/);
    expect(unknown.body.errors![0].message).not.toContain('999-0000000-0000000');
    const mixed = await post('admin', REQUEST, { input: { amazonOrderIds: [ORDERS.recentDelivered, '999-0000000-0000000'], reason: 'Erasure', requester: 'someone' } });
    expect(codes(mixed.body)).toEqual(['BAD_USER_INPUT']);
    const otherAccount = await post('admin', REQUEST, { input: { amazonOrderIds: [ORDERS.recentDelivered], account: 'A9NOSUCHACCOUNT', reason: 'Erasure', requester: 'someone' } });
    expect(codes(otherAccount.body)).toEqual(['BAD_USER_INPUT']);
    const noAccount = await post('admin', REQUEST, { input: { account: 'A9NOSUCHACCOUNT', reason: 'Erasure', requester: 'someone' } });
    expect(codes(noAccount.body)).toEqual(['BAD_USER_INPUT']);
    expect(await db.dataSource.query('SELECT count(*)::int AS n FROM deletion_request')).toEqual(before);
    // An order of the account, named with it, is accepted.
    const ok = await post('admin', REQUEST, { input: { amazonOrderIds: [ORDERS.recentDelivered], account: ACCOUNT, reason: 'Erasure', requester: 'someone' } });
    expect(ok.body.errors).toBeUndefined();
    // So is an account with data.
    const wholeAccount = await post('admin', REQUEST, { input: { account: ACCOUNT, reason: 'Account closed', requester: 'someone' } });
    expect(wholeAccount.body.errors).toBeUndefined();
  });

  it('certificates verify over GraphQL and with `deletion verify`; a changed one is invalid, with the reason', async () => {
    const id = await fileRequest('admin', [ORDERS.oldDelivered]);
    await post('compliance', APPROVE, { id }, 'COMPLIANCE_REVIEW');
    const executed = await post('admin', EXECUTE, { id });
    const certificate = executed.body.data!.executeDeletionRequest as Record<string, unknown> & { counts: { table: string; rows: number }[]; totalRows: number };

    const verify = async (value: unknown) => (await post('admin', VERIFY, { c: typeof value === 'string' ? value : JSON.stringify(value) })).body.data!.verifyDeletionCertificate as { valid: boolean; problems: string[] };
    expect(await verify(certificate)).toEqual({ valid: true, problems: [], requestId: id, totalRows: certificate.totalRows });

    const moreRows = { ...certificate, totalRows: certificate.totalRows + 5, counts: [...certificate.counts, { table: 'refund', rows: 5 }].filter((c, i, all) => all.findIndex((o) => o.table === c.table) === i) };
    const tampered = await verify(moreRows);
    expect(tampered.valid).toBe(false);
    expect(tampered.problems.join(' | ')).toMatch(/signature does not match the contents/);
    const otherExecutor = await verify({ ...certificate, executedBy: 'token:someone-else' });
    expect(otherExecutor).toMatchObject({ valid: false, problems: [expect.stringMatching(/signature does not match/)] });
    expect(await verify('not json')).toMatchObject({ valid: false, problems: ['not a certificate: the text is not JSON'] });
    const forged = await verify({ ...certificate, requestId: '00000000-0000-4000-8000-000000000000' });
    expect(forged.valid).toBe(false);
    expect(forged.problems.join(' | ')).toMatch(/no certificate was issued/);

    // The command line: the JSON the CLI prints, a file, and an id; a changed file exits 1.
    const cliToken = await testTokenFor(db.dataSource, 'admin');
    const deps: CliDeps = testCliDeps(db, { POLICY_FILE: join(policyDir, 'policy.json') }, { token: cliToken });
    const run = (...args: string[]) => runCli(deps, [registerRetentionCommands], args);
    const printed = await run('deletion', 'certificate', id, '--json');
    const file = join(policyDir, 'certificate.json');
    writeFileSync(file, printed);
    process.exitCode = undefined;
    expect(await run('deletion', 'verify', file)).toBe(`certificate VALID for deletion request ${id} (${certificate.totalRows} row(s) deleted)\n`);
    expect(await run('deletion', 'verify', id)).toContain('certificate VALID');
    expect(process.exitCode).toBeUndefined();
    const changed = JSON.parse(printed);
    changed.counts.amazon_order = 0;
    writeFileSync(file, JSON.stringify(changed));
    const invalid = await run('deletion', 'verify', file);
    expect(invalid).toMatch(/^certificate INVALID \(deletion request [0-9a-f-]{36}\):\n {2}- the signature does not match the contents/);
    expect(invalid).toContain('totalRows');
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
  });

  it('a policy with separationOfDuties: false lets one principal do every step', async () => {
    const policy = JSON.parse(JSON.stringify(DEFAULT_POLICY_DOCUMENT));
    policy.deletion = { separationOfDuties: false };
    writeFileSync(join(policyDir, 'one-person.json'), JSON.stringify(policy));
    const deps = testCliDeps(db, { POLICY_FILE: join(policyDir, 'one-person.json') });
    const strict = testCliDeps(db);
    const request = JSON.parse(await runCli(deps, [registerRetentionCommands], ['deletion', 'request', '--orders', ORDERS.ancientOther, '--reason', 'Erasure', '--requester', 'buyer', '--json']));
    await expect(runCli(strict, [registerRetentionCommands], ['deletion', 'approve', request.id, '--reason', 'ok'])).rejects.toThrow(/separation of duties/);
    await runCli(deps, [registerRetentionCommands], ['deletion', 'approve', request.id, '--reason', 'ok']);
    expect(await runCli(deps, [registerRetentionCommands], ['deletion', 'execute', request.id])).toMatch(/^certificate /);
  });
});
