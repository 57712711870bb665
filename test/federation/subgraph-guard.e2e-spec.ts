// No subgraph is an unguarded door: a direct call without the signed internal context, with an
// expired one or with an altered one is refused (401 UNAUTHENTICATED) and audited with its
// request id; with a valid one, the subgraph still applies the field decisions itself.
import { AuditRecord } from '../../entities/gateway/audit-record.entity';
import { verifyChain } from '../../src/audit/audit-verify';
import { INTERNAL_CONTEXT_HEADER, signInternalContext } from '../../src/federation/internal-context';
import type { SubgraphServer } from '../../src/federation/subgraph-server';
import type { Principal } from '../../src/auth/principal';
import { Purpose } from '../../src/policy/taxonomy';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestDemo, testTokenFor } from '../support/fixtures';
import { postGraphQL, startTestFederation, TEST_FEDERATION_SECRET, type TestFederation } from './support/federation';

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

describe('subgraph guard', () => {
  let db: TestDatabase;
  let federation: TestFederation;
  let orders: SubgraphServer;
  let advertising: SubgraphServer;

  const signed = (options: { now?: Date; secret?: string; principal?: Principal | null; requestId?: string; purpose?: Purpose } = {}) =>
    signInternalContext(
      { requestId: options.requestId ?? 'req-direct', principal: options.principal === undefined ? ANALYST : options.principal, purpose: options.purpose ?? Purpose.BUSINESS_ANALYSIS, policyVersion: federation.policy.version },
      options.secret ?? TEST_FEDERATION_SECRET,
      options.now ?? new Date(),
    );
  const auditOf = (requestId: string) => db.dataSource.getRepository(AuditRecord).findBy({ requestId });

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestDemo(db.dataSource);
    federation = await startTestFederation(db);
    orders = federation.subgraphs.find((subgraph) => subgraph.name === 'orders')!;
    advertising = federation.subgraphs.find((subgraph) => subgraph.name === 'advertising')!;
  });
  afterAll(async () => {
    await federation?.stop();
    await db?.close();
  });

  const QUERY = '{ orders(first: 2) { nodes { id } } }';

  it.each([
    ['without the internal context', async () => ({}), 'missing'],
    ['with an expired internal context', async () => ({ [INTERNAL_CONTEXT_HEADER]: await signed({ now: new Date(Date.now() - 10 * 60_000) }) }), 'expired'],
    ['with an internal context signed by another key', async () => ({ [INTERNAL_CONTEXT_HEADER]: await signed({ secret: 'another-secret-of-sufficient-length-000' }) }), 'invalid'],
    [
      'with an altered internal context (role changed, signature kept)',
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
    expect(records[0]).toMatchObject({ outcome: 'refused', errorCodes: ['UNAUTHENTICATED'], fields: [] });
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
    const sdl = await postGraphQL(orders.url, '{ _service { sdl } }', { headers: { [INTERNAL_CONTEXT_HEADER]: await signed({ principal: null }) } });
    expect((sdl.body.data as { _service: { sdl: string } })._service.sdl).toContain('@key(fields: "id")');
  });

  it('with a valid context the subgraph itself denies what the policy denies', async () => {
    const query = '{ campaigns(first: 2) { nodes { campaignId } } }';
    const response = await postGraphQL(advertising.url, query, { headers: { [INTERNAL_CONTEXT_HEADER]: await signed() } });
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
    const headers = { [INTERNAL_CONTEXT_HEADER]: await signed({ principal: scoped, purpose: Purpose.AFTER_SALES }) };
    const response = await postGraphQL(orders.url, query, { headers, variables: { r: representations } });
    expect(response.body.errors).toBeUndefined();
    const entities = (response.body.data as { _entities: ({ id: string } | null)[] })._entities;
    expect(entities.map((entity) => entity?.id ?? null)).toEqual([rows[0].id, null]);
    // The same reference under a purpose that may not read orders: denied by the subgraph.
    const analyst = await postGraphQL(orders.url, query, { headers: { [INTERNAL_CONTEXT_HEADER]: await signed() }, variables: { r: representations.slice(0, 1) } });
    expect(new Set(analyst.body.errors?.map((error) => error.extensions?.code))).toEqual(new Set(['FORBIDDEN']));
  });

  it('one audit record per client operation at the gateway, and the chain verifies', async () => {
    const token = await testTokenFor(db.dataSource, 'operations');
    const requestId = `client-${Math.random().toString(36).slice(2, 10)}`;
    const response = await federation.post('{ orders(first: 2) { nodes { id } } listings(first: 1) { nodes { sellerSku } } }', {
      token,
      purpose: 'AFTER_SALES',
      headers: { 'x-request-id': requestId },
    });
    expect(response.status).toBe(200);
    const records = await auditOf(requestId);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ outcome: expect.any(String), purpose: 'AFTER_SALES' });
    expect(records[0].categories).toEqual(expect.arrayContaining(['ORDERS']));
    expect((await verifyChain(db.dataSource.manager)).ok).toBe(true);
  });
});
