// Gateway-to-subgraph hops that hold under real traffic: connections left idle up to and past the
// subgraphs' keep-alive timeout are never reused as the subgraph closes them (no `socket hang up`),
// and `explainAccess` through the federated gateway answers like the single process for
// coordinates of every subgraph (the governance subgraph knows the whole API schema).
import { SUBGRAPH_NAMES } from '../../src/federation/subgraphs';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestDemo, testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { startTestFederation, type TestFederation } from './support/federation';
import { FEDERATION_ENGINES } from '../../src/federation/federated-gateway';

jest.setTimeout(240_000);

/** Subgraphs close idle keep-alive connections after this long in this test (default 65 s). */
const KEEP_ALIVE_MS = 1_000;

describe.each(FEDERATION_ENGINES)('gateway-to-subgraph hops (engine %s)', (engine) => {
  let db: TestDatabase;
  let single: TestGateway;
  let federation: TestFederation;
  let compliance: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestDemo(db.dataSource);
    single = await startTestGateway(db, {});
    federation = await startTestFederation(db, { engine, env: { SUBGRAPH_KEEP_ALIVE_MS: String(KEEP_ALIVE_MS), RATE_LIMIT_PER_MINUTE: '0', IP_RATE_LIMIT_PER_MINUTE: '0' } });
    // The same on the servers themselves (as SUBGRAPH_KEEP_ALIVE_MS sets it).
    for (const subgraph of federation.subgraphs) subgraph.httpServer.keepAliveTimeout = KEEP_ALIVE_MS;
    compliance = await testTokenFor(db.dataSource, 'compliance');
  });
  afterAll(async () => {
    await federation?.stop();
    await single?.stop();
    await db?.close();
  });

  it('reuses no connection the subgraph is closing: idle pauses around and past its keep-alive timeout, then queries', async () => {
    const token = await testTokenFor(db.dataSource, 'operations');
    const query = '{ orders(first: 1) { nodes { id } } listings(first: 1) { nodes { sellerSku } } }';
    const failures: unknown[] = [];
    // Pauses just under, at and past the subgraphs' keep-alive timeout: the moments a reused
    // connection would meet the subgraph closing it.
    for (const pause of [900, 950, 980, 1000, 1010, 1020, 1050, 1100, 1200, 1500, 2000]) {
      await new Promise((resolve) => setTimeout(resolve, pause));
      const response = await federation.post(query, { token, purpose: 'OPERATIONAL_REPORTING' });
      if (response.status !== 200 || (response.body.errors ?? []).some((error) => error.extensions?.code === 'INTERNAL_SERVER_ERROR')) {
        failures.push({ pause, status: response.status, errors: response.body.errors });
      }
    }
    expect(failures).toEqual([]);
  });

  it('explainAccess answers through the federated gateway as through the single process, for coordinates of every subgraph', async () => {
    const coordinates = [
      'Product.title', // catalog
      'Campaign.name', // advertising
      'Order.amazonOrderId', // orders
      'InventorySnapshot.fulfillable', // inventory-finance
      'AuditRecord.requestId', // system-logs
      'ApiToken.name', // governance
    ];
    const explain = (coordinate: string) =>
      `{ explainAccess(role: "operations", purpose: OPERATIONAL_REPORTING, coordinate: "${coordinate}") { effect mask rule source policyVersion } }`;
    const answers: { coordinate: string; single: unknown; federated: unknown }[] = [];
    for (const coordinate of coordinates) {
      const direct = await single.post(explain(coordinate), { token: compliance });
      const federated = await federation.post(explain(coordinate), { token: compliance });
      answers.push({ coordinate, single: { data: direct.body.data, errors: direct.body.errors }, federated: { data: federated.body.data, errors: federated.body.errors } });
    }
    for (const answer of answers) {
      // A data field of each category subgraph is explained; ApiToken.name (governance) is not a
      // data field, and both answer so alike.
      if (answer.coordinate !== 'ApiToken.name') expect(answer.single).toMatchObject({ errors: undefined, data: { explainAccess: { effect: expect.any(String) } } });
      expect(answer).toEqual({ ...answer, federated: answer.single });
    }
    expect(SUBGRAPH_NAMES).toHaveLength(coordinates.length);
  });
});
