// No subgraph is an unguarded door. Each subgraph request carries a per-hop token the gateway
// minted for that subgraph, that document and those variables, valid for seconds and once: a
// direct call without one, with an expired, altered or foreign-key one, a captured one replayed
// with another document, sent to another subgraph or used a second time, is refused (401
// UNAUTHENTICATED with the reason) and audited by the subgraph. With a valid one, the subgraph
// still applies limits, the persisted-only rule, the field decisions and row scope itself, and
// records what it served, linked to the gateway's record by the request id.
import { generateKeyPairSync } from 'node:crypto';
import { AuditRecord } from '../../entities/gateway/audit-record.entity';
import { ApiToken } from '../../entities/gateway/api-token.entity';
import { AuditWriter } from '../../src/audit/audit.writer';
import { verifyChain } from '../../src/audit/audit-verify';
import { hashTokenSecret } from '../../src/auth/token-secret';
import { INTERNAL_CONTEXT_HEADER } from '../../src/federation/internal-context';
import type { SubgraphServer } from '../../src/federation/subgraph-server';
import type { Principal } from '../../src/auth/principal';
import { Purpose } from '../../src/policy/taxonomy';
import { documentHash, registerPersistedOperation } from '../../src/security/persisted-operations';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestDemo, testTokenFor } from '../support/fixtures';
import { mintHop, postGraphQL, startTestFederation, type TestFederation } from './support/federation';
import { FEDERATION_ENGINES } from '../../src/federation/federated-gateway';

jest.setTimeout(180_000);
const ANALYST: Principal = {
  id: 'analyst-token',
  kind: 'token',
  name: 'analyst',
  role: 'analyst',
  purposes: [Purpose.BUSINESS_ANALYSIS],
  categories: null,
  accounts: null,
  marketplaces: null,
  partner: false,
  expiresAt: null,
};

describe.each(FEDERATION_ENGINES)('subgraph guard (engine %s)', (engine) => {
  let db: TestDatabase;
  let federation: TestFederation;
  let orders: SubgraphServer;
  let advertising: SubgraphServer;

  const QUERY = '{ orders(first: 2) { nodes { id } } }';
  const signed = (
    options: { now?: Date; key?: import('node:crypto').KeyObject; principal?: Principal | null; requestId?: string; purpose?: Purpose; query?: string; variables?: Record<string, unknown>; audience?: string; clientDocumentHash?: string } = {},
  ) =>
    mintHop({
      audience: options.audience ?? 'orders',
      query: options.query ?? QUERY,
      variables: options.variables,
      requestId: options.requestId,
      principal: options.principal === undefined ? ANALYST : options.principal,
      purpose: options.purpose ?? Purpose.BUSINESS_ANALYSIS,
      policyVersion: federation.policy.version,
      clientDocumentHash: options.clientDocumentHash,
      now: options.now,
      key: options.key,
    });
  const newRequestId = (label: string) => `${label}-${Math.random().toString(36).slice(2, 10)}`;
  const auditOf = (requestId: string) => db.dataSource.getRepository(AuditRecord).findBy({ requestId });

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestDemo(db.dataSource);
    federation = await startTestFederation(db, { engine });
    orders = federation.subgraphs.find((subgraph) => subgraph.name === 'orders')!;
    advertising = federation.subgraphs.find((subgraph) => subgraph.name === 'advertising')!;
  });
  afterAll(async () => {
    await federation?.stop();
    await db?.close();
  });

  it.each([
    ['without a hop token', async () => ({}), 'missing'],
    ['with an expired hop token', async () => ({ [INTERNAL_CONTEXT_HEADER]: await signed({ now: new Date(Date.now() - 10 * 60_000) }) }), 'expired'],
    ['with a hop token signed by another key', async () => ({ [INTERNAL_CONTEXT_HEADER]: await signed({ key: generateKeyPairSync('ed25519').privateKey }) }), 'invalid'],
    [
      'with an altered hop token (role changed, signature kept)',
      async () => {
        const [header, payload, signature] = (await signed()).split('.');
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
        claims.p.role = 'admin';
        return { [INTERNAL_CONTEXT_HEADER]: `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}` };
      },
      'invalid',
    ],
  ])('refuses and audits a direct call %s', async (_label, headers, reason) => {
    const requestId = `direct-${reason}-${Math.random().toString(36).slice(2, 10)}`;
    const response = await postGraphQL(orders.url, QUERY, { headers: { ...(await headers()), 'x-request-id': requestId } });
    expect(response.status).toBe(401);
    expect(response.body.data).toBeUndefined();
    expect(response.body.errors).toEqual([expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED', reason } })]);
    const records = await auditOf(requestId);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ outcome: 'refused', errorCodes: [`HOP_TOKEN_${reason.toUpperCase()}`, 'UNAUTHENTICATED'], fields: [], servedBy: 'orders' });
  });

  describe('a hop token captured from a partner operation through the gateway', () => {
    const REGISTERED = 'query PartnerOrders { orders(first: 2) { nodes { id status } } }';
    let partner: string;
    let captured: { token: string; body: string }[];

    beforeAll(async () => {
      partner = await testTokenFor(db.dataSource, 'operations', { partner: true, expiresInDays: 30, purposes: [Purpose.OPERATIONAL_REPORTING] });
      const tokenId = (await db.dataSource.getRepository(ApiToken).findOneByOrFail({ tokenHash: hashTokenSecret(partner) })).id;
      await registerPersistedOperation(db.dataSource.manager, { tokenId, document: REGISTERED, createdBy: 'test' });
      captured = [];
      // What an attacker on the network between gateway and subgraph sees: the hop token and the body.
      orders.httpServer.prependListener('request', (req) => {
        const token = req.headers[INTERNAL_CONTEXT_HEADER];
        if (typeof token !== 'string') return;
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => captured.push({ token, body: Buffer.concat(chunks).toString('utf8') }));
      });
      const response = await federation.post(REGISTERED, { token: partner });
      expect(response.body.errors).toBeUndefined();
      expect((response.body.data as { orders: { nodes: unknown[] } }).orders.nodes).toHaveLength(2);
      expect(captured).toHaveLength(1);
    });

    const aliased = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: orders(first: 100) { nodes { id status } }`).join(' ')} }`;

    it.each([
      ['replayed with another document (40 aliases, unregistered)', () => ({ url: orders.url, query: aliased, variables: undefined }), 'document'],
      ['replayed with the same document and other variables', () => ({ url: orders.url, ...JSON.parse(captured[0].body), variables: { unexpected: 1 } }), 'document'],
      ['sent to another subgraph (another audience)', () => ({ url: advertising.url, ...JSON.parse(captured[0].body) }), 'audience'],
      ['used a second time with its own document', () => ({ url: orders.url, ...JSON.parse(captured[0].body) }), 'replayed'],
    ])('is refused and audited when %s', async (_label, request, reason) => {
      const { url, query, variables } = request() as { url: string; query: string; variables?: Record<string, unknown> };
      const requestId = newRequestId(`replay-${reason}`);
      const response = await postGraphQL(url, query, { variables, headers: { [INTERNAL_CONTEXT_HEADER]: captured[0].token, 'x-request-id': requestId } });
      expect({ status: response.status, data: response.body.data, errors: response.body.errors }).toEqual({
        status: 401,
        data: undefined,
        errors: [expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED', reason } })],
      });
      const records = await auditOf(requestId);
      expect(records).toEqual([expect.objectContaining({ outcome: 'refused', errorCodes: [`HOP_TOKEN_${reason.toUpperCase()}`, 'UNAUTHENTICATED'], fields: [] })]);
    });

    it('is refused and audited after it expires', async () => {
      const body = JSON.parse(captured[0].body) as { query: string; variables?: Record<string, unknown> };
      const token = await signed({ query: body.query, variables: body.variables, now: new Date(Date.now() - 60_000) });
      const requestId = newRequestId('expired');
      const response = await postGraphQL(orders.url, body.query, { variables: body.variables, headers: { [INTERNAL_CONTEXT_HEADER]: token, 'x-request-id': requestId } });
      expect(response.status).toBe(401);
      expect(response.body.errors?.[0].extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'expired' });
      expect(await auditOf(requestId)).toEqual([expect.objectContaining({ outcome: 'refused', errorCodes: ['HOP_TOKEN_EXPIRED', 'UNAUTHENTICATED'] })]);
    });

    it('the subgraph itself enforces persisted-only and the operation limits, even under a valid token', async () => {
      const principal = (await db.dataSource.getRepository(ApiToken).findOneByOrFail({ tokenHash: hashTokenSecret(partner) })).id;
      const partnerPrincipal: Principal = { ...ANALYST, id: principal, role: 'operations', purposes: [Purpose.OPERATIONAL_REPORTING], partner: true };
      const unregistered = '{ orders(first: 100) { nodes { id status } } }';
      const requestId = newRequestId('persisted');
      const token = await signed({ query: unregistered, principal: partnerPrincipal, purpose: Purpose.OPERATIONAL_REPORTING, requestId, clientDocumentHash: documentHash(unregistered) });
      const refused = await postGraphQL(orders.url, unregistered, { headers: { [INTERNAL_CONTEXT_HEADER]: token } });
      expect(refused.body.errors?.map((error) => error.extensions?.code)).toEqual(['PERSISTED_QUERY_REQUIRED']);
      expect(refused.body.data ?? null).toBeNull();
      expect(await auditOf(requestId)).toEqual([expect.objectContaining({ servedBy: 'orders', outcome: 'refused', errorCodes: ['PERSISTED_QUERY_REQUIRED'], principalId: principal })]);

      const limitsId = newRequestId('limits');
      const limited = await postGraphQL(orders.url, aliased, { headers: { [INTERNAL_CONTEXT_HEADER]: await signed({ query: aliased, requestId: limitsId, principal: { ...ANALYST, role: 'operations', purposes: [Purpose.OPERATIONAL_REPORTING] }, purpose: Purpose.OPERATIONAL_REPORTING }) } });
      expect(limited.body.errors?.map((error) => error.extensions?.limit)).toEqual(['MAX_ALIASES']);
      expect(limited.body.data ?? null).toBeNull();
      expect(await auditOf(limitsId)).toEqual([expect.objectContaining({ servedBy: 'orders', errorCodes: [limited.body.errors![0].extensions!.code] })]);
    });
  });

  it('answers a body that is not JSON like a bad token (401, audited), with or without a token, never with a parser error page', async () => {
    for (const headers of [{}, { [INTERNAL_CONTEXT_HEADER]: await signed() }] as Record<string, string>[]) {
      const requestId = newRequestId('not-json');
      const response = await fetch(orders.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...headers }, body: '{"query": ' });
      expect(response.status).toBe(401);
      const body = (await response.json()) as { errors: { extensions: { code: string; reason: string } }[] };
      expect(body.errors[0].extensions).toEqual({ code: 'UNAUTHENTICATED', reason: INTERNAL_CONTEXT_HEADER in headers ? 'document' : 'missing' });
      expect(await auditOf(requestId)).toEqual([expect.objectContaining({ outcome: 'refused', servedBy: 'orders' })]);
    }
  });

  it('each subgraph answers /readyz (database reachable and migrated) without any context', async () => {
    for (const subgraph of federation.subgraphs) {
      const response = await fetch(subgraph.url.replace(/\/graphql$/, '/readyz'));
      expect({ name: subgraph.name, status: response.status, body: await response.json() }).toEqual({ name: subgraph.name, status: 200, body: { status: 'ready', subgraph: subgraph.name } });
    }
  });

  it('refuses data to the schema-loading context (no principal)', async () => {
    const response = await postGraphQL(orders.url, QUERY, { headers: { [INTERNAL_CONTEXT_HEADER]: await signed({ principal: null }) } });
    expect(response.body.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(response.body.data ?? null).toBeNull();
    const sdl = await postGraphQL(orders.url, '{ _service { sdl } }', { headers: { [INTERNAL_CONTEXT_HEADER]: await signed({ principal: null, query: '{ _service { sdl } }' }) } });
    expect((sdl.body.data as { _service: { sdl: string } })._service.sdl).toContain('@key(fields: "id")');
  });

  it('with a valid context the subgraph itself denies what the policy denies', async () => {
    const query = '{ campaigns(first: 2) { nodes { campaignId } } }';
    const response = await postGraphQL(advertising.url, query, { headers: { [INTERNAL_CONTEXT_HEADER]: await signed({ audience: 'advertising', query }) } });
    expect(response.body.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(response.body.data).toBeNull();
  });

  it('resolves entity references in the row scope of the context, under the field decisions', async () => {
    const rows = await db.dataSource.query<{ id: string; seller_account_id: string }[]>(
      'SELECT DISTINCT ON (seller_account_id) id::text AS id, seller_account_id FROM amazon_order ORDER BY seller_account_id, id LIMIT 2',
    );
    expect(rows).toHaveLength(2);
    const scoped: Principal = { ...ANALYST, role: 'operations', purposes: [Purpose.AFTER_SALES], accounts: [rows[0].seller_account_id] };
    const query = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id sellerAccountId } } }';
    const representations = rows.map((row) => ({ __typename: 'Order', id: row.id }));
    const headers = { [INTERNAL_CONTEXT_HEADER]: await signed({ principal: scoped, purpose: Purpose.AFTER_SALES, query, variables: { r: representations } }) };
    const response = await postGraphQL(orders.url, query, { headers, variables: { r: representations } });
    expect(response.body.errors).toBeUndefined();
    const entities = (response.body.data as { _entities: ({ id: string } | null)[] })._entities;
    expect(entities.map((entity) => entity?.id ?? null)).toEqual([rows[0].id, null]);
    // The same reference under a purpose that may not read orders: denied by the subgraph.
    const analyst = await postGraphQL(orders.url, query, {
      headers: { [INTERNAL_CONTEXT_HEADER]: await signed({ query, variables: { r: representations.slice(0, 1) } }) },
      variables: { r: representations.slice(0, 1) },
    });
    expect(new Set(analyst.body.errors?.map((error) => error.extensions?.code))).toEqual(new Set(['FORBIDDEN']));
  });

  it('one audit record per client operation at the gateway, one per subgraph that served it, linked by request id; the chain verifies', async () => {
    const token = await testTokenFor(db.dataSource, 'operations');
    const requestId = `client-${Math.random().toString(36).slice(2, 10)}`;
    const response = await federation.post('{ orders(first: 2) { nodes { id } } listings(first: 1) { nodes { sellerSku } } }', {
      token,
      purpose: 'AFTER_SALES',
      headers: { 'x-request-id': requestId },
    });
    expect(response.status).toBe(200);
    // Each subgraph commits its record before it answers; read them once the three are there (at most 5 s).
    let records = await auditOf(requestId);
    for (let wait = 0; records.length < 3 && wait < 50; wait += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      records = await auditOf(requestId);
    }
    const gatewayRecords = records.filter((record) => record.servedBy === null);
    expect(gatewayRecords).toHaveLength(1);
    expect(gatewayRecords[0]).toMatchObject({ outcome: expect.any(String), purpose: 'AFTER_SALES' });
    expect(gatewayRecords[0].categories).toEqual(expect.arrayContaining(['ORDERS']));
    const bySubgraph = records.filter((record) => record.servedBy !== null);
    expect(bySubgraph.map((record) => record.servedBy).sort()).toEqual(['catalog', 'orders']);
    for (const record of bySubgraph) expect(record).toMatchObject({ purpose: 'AFTER_SALES', principalId: gatewayRecords[0].principalId });
    expect(bySubgraph.find((record) => record.servedBy === 'orders')?.outcome).toBe('ok');
    expect(bySubgraph.find((record) => record.servedBy === 'orders')?.rowsByCategory).toEqual({ ORDERS: 2 });
    // (Direct calls of the tests above, with tokens minted here, have no gateway record: from this request on.)
    const from = Math.min(...records.map((record) => Number(record.id)));
    expect(await verifyChain(db.dataSource.manager, { from, unlinkedGraceMs: 0 })).toMatchObject({ ok: true, problem: null });
  });

  it('audit verify names a subgraph record that has no gateway record', async () => {
    const writer = new AuditWriter(db.dataSource, {});
    const orphan = newRequestId('orphan');
    await writer.append({
      timestamp: new Date(),
      requestId: orphan,
      principalId: 'someone',
      principalKind: 'token',
      principalRole: 'analyst',
      purpose: 'BUSINESS_ANALYSIS',
      clientName: null,
      clientVersion: null,
      sourceIp: null,
      userAgent: null,
      operationType: 'query',
      operationName: null,
      documentHash: null,
      variables: null,
      fields: [],
      categories: ['ORDERS'],
      masked: [],
      denied: [],
      rowsByCategory: { ORDERS: 1 },
      outcome: 'ok',
      errorCodes: [],
      durationMs: 1,
      policyVersion: federation.policy.version,
      servedBy: 'orders',
    });
    await writer.stop();
    const [record] = await auditOf(orphan);
    const result = await verifyChain(db.dataSource.manager, { from: record.id, unlinkedGraceMs: 0 });
    expect(result.ok).toBe(false);
    expect(result.problem).toMatchObject({ kind: 'unlinked' });
    expect(result.problem?.message).toContain(orphan);
  });
});
