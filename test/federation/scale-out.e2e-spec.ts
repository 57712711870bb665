// Stateless gateways: two gateway processes' worth of servers on one database (the single-process
// gateway and the federated one here): a token revoked through the database is refused by both
// from their next request, with no restart and no cache to wait for.
import { UNRESTRICTED_SCOPE } from '../../src/auth/principal';
import { createToken, revokeToken } from '../../src/auth/api-token.service';
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

  it('a revoked token is refused by every gateway on its next request', async () => {
    const created = await createToken(db.dataSource.manager, defaultPolicy(), { role: 'catalog_manager', createdBy: 'test' });
    const query = '{ listings(first: 1) { nodes { sellerSku } } }';
    const options = { token: created.token, purpose: 'LISTING_MAINTENANCE' };
    for (const gateway of [single, federation]) expect((await gateway.post(query, options)).status).toBe(200);
    await revokeToken(db.dataSource.manager, created.record.id, UNRESTRICTED_SCOPE);
    for (const gateway of [single, federation]) {
      const response = await gateway.post(query, options);
      expect(response.status).toBe(401);
      expect(response.body.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    }
  });
});
