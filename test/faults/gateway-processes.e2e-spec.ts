// Faults on real gateway processes (`sellergate serve`, test/support/processes.ts): backends
// terminated under load (the process stays alive and serves again), and the process killed with
// SIGKILL mid-load and started again. After each: every answer that carried data has its audit
// record (by request id), `sellergate audit verify` passes, and the gateway serves. Needs a
// PostgreSQL server.
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestCatalog, testTokenFor } from '../support/fixtures';
import { runCliProcess, startGatewayProcess, type GatewayProcess } from '../support/processes';
import { alive, databaseOf, dataWithoutRecord, runLoad, servesAgainWithin, sleep, tally, terminateBackends, type LoadResult } from './fault-load';

const server = process.env.DATABASE_URL;
const describeOnServer = server ? describe : describe.skip;

describeOnServer('faults on gateway processes', () => {
  let db: TestDatabase;
  let token: string;
  const processes: GatewayProcess[] = [];

  const start = async (name: string) => {
    const gateway = await startGatewayProcess({
      name,
      databaseUrl: db.url,
      env: { RATE_LIMIT_PER_MINUTE: '0', IP_RATE_LIMIT_PER_MINUTE: '0', DATABASE_POOL_SIZE: '6', REDIS_URL: undefined },
    });
    processes.push(gateway);
    return gateway;
  };

  const auditVerifies = async () => {
    const verify = await runCliProcess(['audit', 'verify', '--json'], { DATABASE_URL: db.url });
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, problem: null });
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestCatalog(db.dataSource);
    token = await testTokenFor(db.dataSource, 'analyst');
  });
  afterAll(async () => {
    await Promise.all(processes.map((gateway) => gateway.stop()));
    await db?.close();
  });

  it('stays alive while its backends are terminated under load, and serves again', async () => {
    const gateway = await start('terminated');
    let stop = false;
    const load = runLoad(() => gateway.url, token, 10, () => stop, 20_000);
    for (let trial = 0; trial < 3; trial += 1) {
      await sleep(300);
      await terminateBackends(server!, databaseOf(db.url));
      expect(alive(gateway.pid)).toBe(true);
      await servesAgainWithin(gateway.url, token, 15_000);
    }
    stop = true;
    const results: LoadResult[] = await load;
    expect(alive(gateway.pid)).toBe(true);
    const counts = tally(results);
    expect(Object.keys(counts).filter((key) => key !== '200' && key !== '503 UNAVAILABLE')).toEqual([]);
    expect(await dataWithoutRecord(db.dataSource, results)).toEqual([]);
    await auditVerifies();
    await gateway.stop();
  });

  it('is killed with SIGKILL mid-load and started again: no answer with data lacks its record, the chain verifies', async () => {
    let gateway = await start('killed');
    let stop = false;
    const load = runLoad(() => gateway.url, token, 10, () => stop, 20_000);
    await sleep(1_000);
    process.kill(gateway.pid, 'SIGKILL');
    while (alive(gateway.pid)) await sleep(20);
    await sleep(300);
    gateway = await start('restarted');
    await servesAgainWithin(gateway.url, token, 15_000);
    await sleep(500);
    stop = true;
    const results: LoadResult[] = await load;
    const counts = tally(results);
    // Before the kill: answers; during it: refused connections (0); after: answers again.
    expect(counts['200']).toBeGreaterThan(0);
    expect(Object.keys(counts).filter((key) => key !== '200' && key !== '0' && key !== '503 UNAVAILABLE')).toEqual([]);
    expect(await dataWithoutRecord(db.dataSource, results)).toEqual([]);
    await auditVerifies();
  });
});
