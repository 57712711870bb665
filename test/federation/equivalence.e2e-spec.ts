// The same operations through the single process and through gateway + subgraphs (separate
// ports, in this jest process): identical data, errors and extensions.governance, whatever the
// policy decided, on each federation engine (@apollo/gateway and Hive Gateway). The cases are in support/equivalence-cases.ts; equivalence-processes.e2e-spec.ts
// sends them to separately started processes.
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestDemo } from '../support/fixtures';
import { startTestGateway, type PostOptions, type TestGateway } from '../support/gateway';
import { equivalenceTokens, itAnswersAlike, type EquivalenceCase } from './support/equivalence-cases';
import { FEDERATION_ENGINES } from '../../src/federation/federated-gateway';
import { startTestFederation, type TestFederation } from './support/federation';

const SETUPS = [
  ...FEDERATION_ENGINES.map((engine) => ({ engine, composed: false, label: `engine ${engine}` })),
  // The supergraph `sellergate compose` prints (@apollo/composition), loaded by Hive Gateway's runtime.
  { engine: 'hive' as const, composed: true, label: 'engine hive, supergraph from sellergate compose' },
];

describe.each(SETUPS)('single process and federated gateway ($label) answer alike', ({ engine, composed }) => {
  let db: TestDatabase;
  let single: TestGateway;
  let federation: TestFederation;
  let optionsFor: (testCase: EquivalenceCase) => PostOptions;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestDemo(db.dataSource);
    single = await startTestGateway(db, {});
    federation = await startTestFederation(db, { engine, composed });
    ({ optionsFor } = await equivalenceTokens(db.dataSource));
  });
  afterAll(async () => {
    await federation?.stop();
    await single?.stop();
    await db?.close();
  });

  itAnswersAlike(() => ({ single, federated: federation, optionsFor }));
});
