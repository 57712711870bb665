// The same operations through the single process and through gateway + subgraphs (separate
// ports, in this jest process): identical data, errors and extensions.governance, whatever the
// policy decided. The cases are in support/equivalence-cases.ts; equivalence-processes.e2e-spec.ts
// sends them to separately started processes.
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestDemo } from '../support/fixtures';
import { startTestGateway, type PostOptions, type TestGateway } from '../support/gateway';
import { EQUIVALENCE_CASES, equivalenceTokens, observable, UNAUTHENTICATED_CASE, type EquivalenceCase } from './support/equivalence-cases';
import { startTestFederation, TEST_FEDERATION_SECRET, type TestFederation } from './support/federation';

describe('single process and federated gateway answer alike', () => {
  let db: TestDatabase;
  let single: TestGateway;
  let federation: TestFederation;
  let optionsFor: (testCase: EquivalenceCase) => PostOptions;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestDemo(db.dataSource);
    single = await startTestGateway(db, { env: { FEDERATION_SECRET: TEST_FEDERATION_SECRET } });
    federation = await startTestFederation(db);
    ({ optionsFor } = await equivalenceTokens(db.dataSource));
  });
  afterAll(async () => {
    await federation?.stop();
    await single?.stop();
    await db?.close();
  });

  it.each(EQUIVALENCE_CASES)('$name', async (testCase) => {
    const options = optionsFor(testCase);
    const direct = await single.post(testCase.query, options);
    const federated = await federation.post(testCase.query, options);
    expect(federated.status).toBe(direct.status);
    expect(observable(federated.body)).toEqual(observable(direct.body));
    testCase.shows(federated.body);
  });

  it('refuses a call without a token at the gateway, as the single process does', async () => {
    const { query, purpose } = UNAUTHENTICATED_CASE;
    const direct = await single.post(query, { purpose });
    const federated = await federation.post(query, { purpose });
    expect(federated.status).toBe(401);
    expect(observable(federated.body)).toEqual(observable(direct.body));
  });
});
