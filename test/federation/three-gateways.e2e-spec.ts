// Scale-out with real processes: three `sellergate serve` processes on one PostgreSQL database and
// one Redis, each caching token records by hash (PRINCIPAL_CACHE_MS raised to a minute here, so
// only the change feed can tell them). A token revoked through one is refused by it on the next
// request and by the others within a second; a process cut off from Redis serves nothing from that
// cache (a revocation it cannot hear about is refused on its next request); a suspension
// made by one (and its reinstatement, through the API or the CLI) reaches the others within a
// second although each caches suspensions for a minute (only the change feed can tell them);
// rate limits are one bucket across the three; concurrent traffic to all three leaves one audit
// chain that verifies. Without Redis, PostgreSQL LISTEN/NOTIFY carries the same events.
import { ApiToken } from '../../entities/gateway/api-token.entity';
import { AuditRecord } from '../../entities/gateway/audit-record.entity';
import { hashTokenSecret } from '../../src/auth/token-secret';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestCatalog, testTokenFor } from '../support/fixtures';
import type { TestResponse } from '../support/gateway';
import { runCliProcess, startGatewayProcess, type GatewayProcess } from '../support/processes';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

jest.setTimeout(180_000);

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
const FORBIDDEN_QUERY = '{ orders(first: 1) { totalCount } }'; // ORDERS is not a category of BUSINESS_ANALYSIS
const HARMLESS_QUERY = '{ products(first: 1) { totalCount } }';
const RATE_LIMIT_BURST = 100;

const codeOf = (response: TestResponse) => response.body.errors?.[0]?.extensions?.code ?? null;
const describeResponse = (response: TestResponse) => `${response.status} ${codeOf(response) ?? 'ok'}`;

/**
 * Polls `gateway` until `accepted(response)` or one second after `since`; resolves with the time
 * it took, fails naming the last answer.
 */
async function withinOneSecond(gateway: GatewayProcess, since: number, what: string, ask: () => Promise<TestResponse>, accepted: (response: TestResponse) => boolean): Promise<number> {
  const deadline = since + 1_000;
  for (;;) {
    const response = await ask();
    const at = Date.now();
    if (accepted(response)) return at - since;
    if (at > deadline) throw new Error(`gateway ${gateway.name}: ${what} not within 1 s (last answer ${describeResponse(response)})\n${gateway.output().slice(-2_000)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Real processes need what only a server has: several connections to one database. On the
// embedded database (one process by design) the suite's PostgreSQL-server pass runs this.
(process.env.DATABASE_URL ? describe : describe.skip)('gateway processes sharing state changes (PostgreSQL server)', () => {
  let db: TestDatabase;
  let admin: string;
  const figures: Record<string, number[]> = {};
  const note = (what: string, ms: number) => (figures[what] ??= []).push(ms);
  const env = (redis: string | undefined) => ({
    REDIS_URL: redis,
    // A minute: within a second only the change feed can have told the other processes.
    SUSPENSION_CACHE_MS: '60000',
    PRINCIPAL_CACHE_MS: '60000',
    SUSPICIOUS_FORBIDDEN_COUNT: '3',
    SUSPICIOUS_ROWS_COUNT: '0',
    RATE_LIMIT_PER_MINUTE: '1',
    RATE_LIMIT_BURST: String(RATE_LIMIT_BURST),
    IP_RATE_LIMIT_PER_MINUTE: '1000000',
    IP_RATE_LIMIT_BURST: '1000000',
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestCatalog(db.dataSource);
    admin = await testTokenFor(db.dataSource, 'admin');
  });
  afterAll(async () => {
    await db?.close();
    if (process.env.PRINT_FIGURES) process.stdout.write(`propagation (ms): ${JSON.stringify(figures)}\n`);
  });

  async function tokenId(secret: string): Promise<string> {
    return (await db.dataSource.getRepository(ApiToken).findOneByOrFail({ tokenHash: hashTokenSecret(secret) })).id;
  }

  const asAnalyst = (token: string) => ({ token, purpose: 'BUSINESS_ANALYSIS' });

  /** Three FORBIDDEN decisions on `origin`: the suspicious-activity rule suspends the token there; resolves when it did. */
  async function suspendThrough(origin: GatewayProcess, token: string): Promise<number> {
    for (let n = 0; n < 3; n++) expect(codeOf(await origin.post(FORBIDDEN_QUERY, asAnalyst(token)))).toBe('FORBIDDEN');
    const since = Date.now();
    expect(codeOf(await origin.post(HARMLESS_QUERY, asAnalyst(token)))).toBe('SUSPENDED');
    return since;
  }

  describe('three processes, one Redis', () => {
    let a: GatewayProcess;
    let b: GatewayProcess;
    let c: GatewayProcess;
    // C reaches Redis through a proxy, so its connection can be cut.
    let redisProxy: TcpProxy;
    beforeAll(async () => {
      redisProxy = await startTcpProxy(REDIS_URL);
      [a, b, c] = await Promise.all(['A', 'B', 'C'].map((name) => startGatewayProcess({ name, databaseUrl: db.url, env: env(name === 'C' ? redisProxy.url : REDIS_URL) })));
    });
    afterAll(async () => {
      await Promise.all([a, b, c].filter(Boolean).map((gateway) => gateway.stop()));
      await redisProxy?.close();
    });

    it('runs as three processes', () => {
      expect(new Set([a.pid, b.pid, c.pid, process.pid]).size).toBe(4);
    });

    it('a token revoked through one gateway is refused by the other two within one second', async () => {
      const token = await testTokenFor(db.dataSource, 'analyst');
      for (const gateway of [a, b, c]) expect(describeResponse(await gateway.post(HARMLESS_QUERY, asAnalyst(token)))).toBe('200 ok');

      const revoked = await a.post('mutation ($id: ID!) { revokeApiToken(id: $id) { revokedAt } }', { token: admin, variables: { id: await tokenId(token) } });
      expect(revoked.body.errors).toBeUndefined();
      const since = Date.now();
      // The revoking process: on the very next request.
      expect(describeResponse(await a.post(HARMLESS_QUERY, asAnalyst(token)))).toBe('401 UNAUTHENTICATED');
      for (const gateway of [b, c]) {
        const ms = await withinOneSecond(gateway, since, 'refusing the revoked token', () => gateway.post(HARMLESS_QUERY, asAnalyst(token)), (response) => response.status === 401 && codeOf(response) === 'UNAUTHENTICATED');
        note('revocation', ms);
      }
    });

    it('a suspension by one gateway is enforced by the others within one second, and so is its reinstatement (API and CLI)', async () => {
      for (const [origin, reinstateWith] of [
        [a, 'api'],
        [b, 'cli'],
      ] as const) {
        const token = await testTokenFor(db.dataSource, 'analyst');
        const id = await tokenId(token);
        const others = [a, b, c].filter((gateway) => gateway !== origin);
        for (const gateway of others) expect(describeResponse(await gateway.post(HARMLESS_QUERY, asAnalyst(token)))).toBe('200 ok');

        let since = await suspendThrough(origin, token);
        for (const gateway of others) {
          const ms = await withinOneSecond(gateway, since, 'refusing the suspended token with SUSPENDED', () => gateway.post(HARMLESS_QUERY, asAnalyst(token)), (response) => response.status === 403 && codeOf(response) === 'SUSPENDED');
          note('suspension', ms);
        }

        if (reinstateWith === 'api') {
          const reinstated = await origin.post('mutation ($id: ID!) { reinstatePrincipal(principalId: $id, note: "reviewed") { reinstatedAt } }', { token: admin, variables: { id } });
          expect(reinstated.body.errors).toBeUndefined();
        } else {
          const cli = await runCliProcess(['suspension', 'reinstate', id, '--note', 'reviewed'], { DATABASE_URL: db.url, REDIS_URL });
          expect(`${cli.code} ${cli.stdout}${cli.stderr}`).toMatch(/^0 reinstated token /);
        }
        since = Date.now();
        for (const gateway of [a, b, c]) {
          const ms = await withinOneSecond(gateway, since, `serving the token reinstated through the ${reinstateWith}`, () => gateway.post(HARMLESS_QUERY, asAnalyst(token)), (response) => response.status === 200 && !response.body.errors);
          note(`reinstatement (${reinstateWith})`, ms);
        }
      }
    });

    it('shares one rate-limit bucket across the three gateways', async () => {
      const token = await testTokenFor(db.dataSource, 'analyst');
      const gateways = [a, b, c];
      const first = await Promise.all(Array.from({ length: RATE_LIMIT_BURST }, (_, n) => gateways[n % 3].post('{ __typename }', asAnalyst(token))));
      expect(first.map(describeResponse).filter((answer) => answer !== '200 ok')).toEqual([]);
      // The bucket is empty whichever gateway is asked next.
      for (const gateway of gateways) {
        const refused = await gateway.post('{ __typename }', asAnalyst(token));
        expect(describeResponse(refused)).toBe('429 RATE_LIMITED');
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    });

    it('concurrent traffic to all three leaves one audit chain that verifies', async () => {
      const before = await db.dataSource.getRepository(AuditRecord).count();
      const perGateway = 25;
      const tokens: Record<string, string> = {};
      for (const name of ['A', 'B', 'C']) tokens[name] = await testTokenFor(db.dataSource, 'analyst');
      // All 75 requests in flight at once: the three processes append to the chain concurrently
      // (how their batches interleave is up to the scheduler; the chain must hold either way).
      const sends = [a, b, c].flatMap((gateway) =>
        Array.from({ length: perGateway }, (_, n) =>
          gateway.post(HARMLESS_QUERY, { ...asAnalyst(tokens[gateway.name]), headers: { 'x-request-id': `chain-${gateway.name}-${n}` } }),
        ),
      );
      const answers = await Promise.all(sends);
      expect(answers.map(describeResponse).filter((answer) => answer !== '200 ok')).toEqual([]);

      const records = await db.dataSource.getRepository(AuditRecord).find({ order: { id: 'ASC' } });
      expect(records.length - before).toBeGreaterThanOrEqual(3 * perGateway);
      const chained = records.filter((record) => record.requestId?.startsWith('chain-'));
      for (const name of ['A', 'B', 'C']) expect(chained.filter((record) => record.requestId!.startsWith(`chain-${name}-`))).toHaveLength(perGateway);

      const verify = await runCliProcess(['audit', 'verify', '--json'], { DATABASE_URL: db.url });
      expect(verify.stderr).toBe('');
      expect(verify.code).toBe(0);
      const result = JSON.parse(verify.stdout) as { ok: boolean; checked: number; lastId: string };
      expect(result).toMatchObject({ ok: true, problem: null });
      expect(result.checked).toBe(records.length);
      expect(BigInt(result.lastId)).toBeGreaterThanOrEqual(BigInt(chained[chained.length - 1].id));
    });

    it('a process that lost Redis keeps serving, refuses a token revoked meanwhile, and catches up with the changes it missed once Redis is back', async () => {
      const token = await testTokenFor(db.dataSource, 'analyst');
      const revokedMeanwhile = await testTokenFor(db.dataSource, 'analyst');
      expect(describeResponse(await c.post(HARMLESS_QUERY, asAnalyst(token)))).toBe('200 ok');
      // C has served (and cached) this token.
      expect(describeResponse(await c.post(HARMLESS_QUERY, asAnalyst(revokedMeanwhile)))).toBe('200 ok');
      redisProxy.cut();
      let restoredAt: number;
      try {
        // Revoked through A, published on Redis, which C cannot hear: C, whose feed is down, trusts
        // no cached token record and looks it up.
        const revoked = await a.post('mutation ($id: ID!) { revokeApiToken(id: $id) { revokedAt } }', { token: admin, variables: { id: await tokenId(revokedMeanwhile) } });
        expect(revoked.body.errors).toBeUndefined();
        expect(describeResponse(await c.post(HARMLESS_QUERY, asAnalyst(revokedMeanwhile)))).toBe('401 UNAUTHENTICATED');
        await suspendThrough(a, token);
        // C cannot have heard of it (and polls only every minute): it still serves the token.
        expect(describeResponse(await c.post(HARMLESS_QUERY, asAnalyst(token)))).toBe('200 ok');
        expect((await fetch(`${c.url}/healthz`)).status).toBe(200);
      } finally {
        redisProxy.restore();
        restoredAt = Date.now();
      }
      // Reconnect (backoff at most 5 s), then a resync: C reloads every suspension.
      const deadline = restoredAt + 6_000;
      for (;;) {
        const response = await c.post(HARMLESS_QUERY, asAnalyst(token));
        if (codeOf(response) === 'SUSPENDED') break;
        if (Date.now() > deadline) throw new Error(`gateway C still answers ${describeResponse(response)} 6 s after Redis came back\n${c.output().slice(-2_000)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      note('catch-up after Redis came back', Date.now() - restoredAt);
    });
  });

  describe('two processes without Redis: PostgreSQL LISTEN/NOTIFY', () => {
    let p: GatewayProcess;
    let q: GatewayProcess;
    beforeAll(async () => {
      [p, q] = await Promise.all(['P', 'Q'].map((name) => startGatewayProcess({ name, databaseUrl: db.url, env: env(undefined) })));
    });
    afterAll(async () => {
      await Promise.all([p, q].filter(Boolean).map((gateway) => gateway.stop()));
    });

    it('a token revoked through the CLI is refused by both within one second', async () => {
      const token = await testTokenFor(db.dataSource, 'analyst');
      for (const gateway of [p, q]) expect(describeResponse(await gateway.post(HARMLESS_QUERY, asAnalyst(token)))).toBe('200 ok');
      const cli = await runCliProcess(['token', 'revoke', await tokenId(token)], { DATABASE_URL: db.url, REDIS_URL: undefined });
      expect(`${cli.code} ${cli.stdout}${cli.stderr}`).toMatch(/^0 revoked /);
      const since = Date.now();
      for (const gateway of [p, q]) {
        note('revocation (notify, cli)', await withinOneSecond(gateway, since, 'refusing the revoked token', () => gateway.post(HARMLESS_QUERY, asAnalyst(token)), (response) => response.status === 401 && codeOf(response) === 'UNAUTHENTICATED'));
      }
    });

    it('a suspension by one process, and its reinstatement through the CLI, reach the other within one second', async () => {
      const token = await testTokenFor(db.dataSource, 'analyst');
      expect(describeResponse(await q.post(HARMLESS_QUERY, asAnalyst(token)))).toBe('200 ok');
      let since = await suspendThrough(p, token);
      note('suspension (notify)', await withinOneSecond(q, since, 'refusing the suspended token with SUSPENDED', () => q.post(HARMLESS_QUERY, asAnalyst(token)), (response) => codeOf(response) === 'SUSPENDED'));

      const cli = await runCliProcess(['suspension', 'reinstate', await tokenId(token), '--note', 'reviewed'], { DATABASE_URL: db.url, REDIS_URL: undefined });
      expect(`${cli.code} ${cli.stdout}${cli.stderr}`).toMatch(/^0 reinstated token /);
      since = Date.now();
      for (const gateway of [p, q]) {
        note('reinstatement (notify, cli)', await withinOneSecond(gateway, since, 'serving the reinstated token', () => gateway.post(HARMLESS_QUERY, asAnalyst(token)), (response) => response.status === 200 && !response.body.errors));
      }
    });
  });
});
