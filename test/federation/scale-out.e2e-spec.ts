// Stateless gateways: two gateway processes' worth of servers on one database (the single-process
// gateway and the federated one here), each caching token records by hash: a token revoked
// through one of them is refused by it from its next request, and by the other as soon as the
// change feed tells it (at once in-process, within a second over PostgreSQL NOTIFY), with no restart.
import { createToken } from '../../src/auth/api-token.service';
import { defaultPolicy } from '../../src/policy/default-policy';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestCatalog } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { startTestFederation, type TestFederation } from './support/federation';
import { FEDERATION_ENGINES } from '../../src/federation/federated-gateway';

describe.each(FEDERATION_ENGINES)('scale-out: revocation reaches every gateway (engine %s)', (engine) => {
  let db: TestDatabase;
  let single: TestGateway;
  let federation: TestFederation;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestCatalog(db.dataSource);
    single = await startTestGateway(db, {});
    federation = await startTestFederation(db, { engine });
  });
  afterAll(async () => {
    await federation?.stop();
    await single?.stop();
    await db?.close();
  });

  it('a token revoked through one gateway is refused by it on its next request and by the other within a second', async () => {
    const created = await createToken(db.dataSource.manager, defaultPolicy(), { role: 'catalog_manager', createdBy: 'test' });
    const admin = await createToken(db.dataSource.manager, defaultPolicy(), { role: 'admin', createdBy: 'test' });
    const query = '{ listings(first: 1) { nodes { sellerSku } } }';
    const options = { token: created.token, purpose: 'LISTING_MAINTENANCE' };
    // Both have served (and cached) the token.
    for (const gateway of [single, federation]) expect((await gateway.post(query, options)).status).toBe(200);
    const revoked = await single.post('mutation ($id: ID!) { revokeApiToken(id: $id) { revokedAt } }', { token: admin.token, variables: { id: created.record.id } });
    expect(revoked.body.errors).toBeUndefined();
    const since = Date.now();
    const first = await single.post(query, options);
    expect(first.status).toBe(401);
    expect(first.body.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    for (;;) {
      const response = await federation.post(query, options);
      if (response.status === 401) {
        expect(response.body.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
        break;
      }
      if (Date.now() - since > 1_000) throw new Error(`the federated gateway still answers ${response.status} a second after the revocation`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
});
