// Stateless gateways: two gateway processes' worth of servers on one database (the single-process
// gateway and the federated one here): a token revoked through the database is refused by both
// from their next request, with no restart and no cache to wait for.
import { UNRESTRICTED_SCOPE } from '../../src/auth/principal';
import { createToken, revokeToken } from '../../src/auth/api-token.service';
import { defaultPolicy } from '../../src/policy/default-policy';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestCatalog } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { startTestFederation, TEST_FEDERATION_SECRET, type TestFederation } from './support/federation';

describe('scale-out: revocation reaches every gateway', () => {
  let db: TestDatabase;
  let single: TestGateway;
  let federation: TestFederation;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestCatalog(db.dataSource);
    single = await startTestGateway(db, { env: { FEDERATION_SECRET: TEST_FEDERATION_SECRET } });
    federation = await startTestFederation(db);
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
