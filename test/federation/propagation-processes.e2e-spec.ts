// Scale-out of the federated mode, as separate OS processes on one PostgreSQL database: two
// subgraphs (`serve --subgraph orders`, `serve --subgraph advertising`) and two gateways
// (`serve --gateway --supergraph <file>`, the file made by `sellergate compose`). A token revoked
// (`token revoke`, its own process), a principal suspended (by one gateway's suspicious-activity
// rule) and a policy applied (`policy apply`, its own process) reach every gateway and every
// subgraph process within one second: the gateways refuse the token or answer under the new
// policy, and each subgraph refuses a hop token minted for the revoked or suspended principal (it
// must not serve a principal it knows to be refused, whichever gateway minted the hop) and reports
// the new policy version. Suspension caches and policy polls are set to a minute, so within a
// second only the change feed can have told them: over Redis, and over PostgreSQL LISTEN/NOTIFY
// alone. Each process is polled every 20 ms; a request sent within the second must see the change.
// PRINT_FIGURES=1 prints, per process, when the first request that saw it was sent and answered.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiToken } from '../../entities/gateway/api-token.entity';
import { tokenPrincipal } from '../../src/auth/api-token.service';
import type { Principal } from '../../src/auth/principal';
import { hashTokenSecret } from '../../src/auth/token-secret';
import { INTERNAL_CONTEXT_HEADER } from '../../src/federation/internal-context';
import { SUBGRAPH_NAMES } from '../../src/federation/subgraphs';
import { defaultPolicy } from '../../src/policy/default-policy';
import { parsePolicy } from '../../src/policy/policy';
import { policyDocument } from '../../src/policy/policy-store';
import type { Purpose } from '../../src/policy/taxonomy';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestCatalog, testTokenFor } from '../support/fixtures';
import type { TestResponse } from '../support/gateway';
import { runCliProcess, startGatewayProcess, type GatewayProcess } from '../support/processes';
import { mintHop } from './support/federation';

jest.setTimeout(240_000);

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
/** Served by the orders subgraph to an operations token under AFTER_SALES. */
const ORDERS = '{ orders(first: 1) { totalCount } }';
/** Served by the advertising subgraph to an ads_manager token under ADVERTISING_MANAGEMENT. */
const CAMPAIGNS = '{ campaigns(first: 1) { totalCount } }';
/** Orders are not a category of OPERATIONS_MANAGEMENT: ORDERS asked under it is FORBIDDEN (and feeds the suspicious-activity rule). */
const FORBIDDEN_PURPOSE = 'OPERATIONS_MANAGEMENT';
/** What each subgraph is asked directly, with a hop token for the principal under test. */
const DIRECT: Record<'orders' | 'advertising', string> = { orders: ORDERS, advertising: '{ __typename }' };

const codeOf = (response: TestResponse) => response.body.errors?.[0]?.extensions?.code ?? null;
const describeResponse = (response: TestResponse) => `${response.status} ${codeOf(response) ?? 'ok'}`;
const versionOf = (response: TestResponse) => (response.body.extensions?.governance as { policyVersion?: string } | undefined)?.policyVersion;

/**
 * Asks `ask` until `accepted`; fails (with the last answer and the process's output) when a request
 * sent within one second of `since` never saw the change. Resolves with the accepted answer, when
 * the request that got it was sent (`sentMs`) and when it was answered (`ms`), both from `since`:
 * on a loaded machine the answer itself may take longer than the change took to arrive.
 */
async function withinOneSecond<T>(child: GatewayProcess, what: string, since: number, ask: () => Promise<T>, accepted: (answer: T) => boolean, show: (answer: T) => string): Promise<{ answer: T; ms: number; sentMs: number }> {
  for (;;) {
    const sent = Date.now();
    const answer = await ask();
    const at = Date.now();
    if (accepted(answer)) return { answer, ms: at - since, sentMs: sent - since };
    // The last request is sent at the latest one second after the change.
    if (at >= since + 1_000) throw new Error(`${child.name}: ${what} not within 1 s (last answer ${show(answer)}, sent ${sent - since} ms after the change)\n${child.output().slice(-2_000)}`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(20, since + 1_000 - at)));
  }
}

// Separate processes need what only a server has: several connections to one database. On the
// embedded database (one process by design) the suite's PostgreSQL-server pass runs this.
(process.env.DATABASE_URL ? describe : describe.skip)('federated processes follow revocations, suspensions and policy changes (PostgreSQL server)', () => {
  const figures: Record<string, string[]> = {};
  /** `sent/answered` ms of the first request that saw the change. */
  const note = (what: string, observed: { ms: number; sentMs: number }) => (figures[what] ??= []).push(`${observed.sentMs}/${observed.ms}`);
  afterAll(() => {
    if (process.env.PRINT_FIGURES) process.stdout.write(`federated propagation (ms after the change completed: first request that saw it sent/answered): ${JSON.stringify(figures)}\n`);
  });

  for (const [transport, redis] of [
    ['Redis', REDIS_URL],
    ['LISTEN/NOTIFY', undefined],
  ] as const) {
    describe(`change feed over ${transport}`, () => {
      let db: TestDatabase;
      let subgraphs: Record<'orders' | 'advertising', GatewayProcess>;
      let gateways: GatewayProcess[];
      let dir: string;
      const env = {
        REDIS_URL: redis,
        // A minute: within a second only the change feed can have told the other processes.
        SUSPENSION_CACHE_MS: '60000',
        POLICY_POLL_MS: '60000',
        SUSPICIOUS_FORBIDDEN_COUNT: '3',
        SUSPICIOUS_ROWS_COUNT: '0',
        PARTNER_PERSISTED_ONLY: 'false',
        RATE_LIMIT_PER_MINUTE: '1000000',
        RATE_LIMIT_BURST: '1000000',
        IP_RATE_LIMIT_PER_MINUTE: '1000000',
        IP_RATE_LIMIT_BURST: '1000000',
      };

      beforeAll(async () => {
        db = await createTestDatabase();
        await seedTestCatalog(db.dataSource);
        dir = mkdtempSync(join(tmpdir(), 'sg-propagation-'));
        const started = await Promise.allSettled(
          (['orders', 'advertising'] as const).map((name) => startGatewayProcess({ name: `subgraph ${name}`, databaseUrl: db.url, env, args: ['--subgraph', name] })),
        );
        const up = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
        if (up.length < started.length) {
          await Promise.all(up.map((child) => child.stop()));
          throw (started.find((result) => result.status === 'rejected') as PromiseRejectedResult).reason;
        }
        subgraphs = { orders: up[0], advertising: up[1] };
        // The supergraph as `sellergate compose` writes it: orders and advertising where they run;
        // the other four subgraphs are not asked by these operations (nothing listens there).
        const list = SUBGRAPH_NAMES.map((name) => `${name}=${name === 'orders' || name === 'advertising' ? `${subgraphs[name].url}/graphql` : `http://127.0.0.1:9/${name}/graphql`}`).join(',');
        const supergraph = join(dir, 'supergraph.graphql');
        const composed = await runCliProcess(['compose', '--subgraphs', list, '-o', supergraph], {});
        expect(`${composed.code} ${composed.stderr}`).toBe('0 ');
        gateways = await Promise.all(['gateway 1', 'gateway 2'].map((name) => startGatewayProcess({ name, databaseUrl: db.url, env, args: ['--gateway', '--supergraph', supergraph] })));
      });
      afterAll(async () => {
        await Promise.all([...(gateways ?? []), ...Object.values(subgraphs ?? {})].map((child) => child.stop()));
        await db?.close();
      });

      it('runs as four processes', () => {
        expect(new Set([...gateways, subgraphs.orders, subgraphs.advertising].map((child) => child.pid).concat(process.pid)).size).toBe(5);
      });

      const principals = new Map<string, Principal>();
      async function principalOf(secret: string): Promise<Principal> {
        if (!principals.has(secret)) principals.set(secret, tokenPrincipal(await db.dataSource.getRepository(ApiToken).findOneByOrFail({ tokenHash: hashTokenSecret(secret) })));
        return principals.get(secret)!;
      }

      async function subgraphPolicyVersion(name: 'orders' | 'advertising'): Promise<string> {
        const health = (await (await fetch(`${subgraphs[name].url}/healthz`)).json()) as { policyVersion: string };
        return health.policyVersion;
      }

      /** A request sent straight to a subgraph with a fresh hop token for `secret`'s principal, as a gateway mints it. */
      async function directHop(name: 'orders' | 'advertising', secret: string, purpose: Purpose): Promise<TestResponse> {
        const query = DIRECT[name];
        const hop = await mintHop({ audience: name, query, principal: await principalOf(secret), purpose, policyVersion: await subgraphPolicyVersion(name), requestId: `direct-${Math.random().toString(36).slice(2)}` });
        return subgraphs[name].post(query, { headers: { [INTERNAL_CONTEXT_HEADER]: hop } });
      }

      const afterSales = (token: string) => ({ token, purpose: 'AFTER_SALES' });

      /** Every gateway serves `token`, and so does each subgraph when handed a hop for it. */
      async function expectServedEverywhere(token: string): Promise<void> {
        for (const gateway of gateways) expect(`${gateway.name} ${describeResponse(await gateway.post(ORDERS, afterSales(token)))}`).toBe(`${gateway.name} 200 ok`);
        for (const name of ['orders', 'advertising'] as const) expect(`${name} ${describeResponse(await directHop(name, token, 'AFTER_SALES' as Purpose))}`).toBe(`${name} 200 ok`);
      }

      /** Every gateway and every subgraph refuses `token` with `status code` within one second of `since`. */
      async function expectRefusedEverywhere(token: string, since: number, status: number, code: string, what: string): Promise<void> {
        const refused = (response: TestResponse) => response.status === status && codeOf(response) === code;
        const observations = await Promise.all([
          ...gateways.map((gateway) => withinOneSecond(gateway, `refusing the ${what} token`, since, () => gateway.post(ORDERS, afterSales(token)), refused, describeResponse)),
          ...(['orders', 'advertising'] as const).map((name) =>
            withinOneSecond(subgraphs[name], `refusing a hop for the ${what} token`, since, () => directHop(name, token, 'AFTER_SALES' as Purpose), refused, describeResponse),
          ),
        ]);
        for (const [index, observed] of observations.entries()) note(`${what} (${transport}, ${index < gateways.length ? 'gateway' : 'subgraph'})`, observed);
      }

      it('a token revoked with `token revoke` is refused by both gateways and both subgraphs within one second', async () => {
        const token = await testTokenFor(db.dataSource, 'operations');
        await expectServedEverywhere(token);
        const { id } = await principalOf(token);
        const revoked = await runCliProcess(['token', 'revoke', id], { DATABASE_URL: db.url, REDIS_URL: redis });
        expect(`${revoked.code} ${revoked.stdout}${revoked.stderr}`).toMatch(/^0 revoked /);
        await expectRefusedEverywhere(token, Date.now(), 401, 'UNAUTHENTICATED', 'revoked');
      });

      it('a principal suspended by one gateway is refused by the other gateway and both subgraphs within one second', async () => {
        const token = await testTokenFor(db.dataSource, 'operations');
        await expectServedEverywhere(token);
        const [origin] = gateways;
        for (let n = 0; n < 3; n++) expect(codeOf(await origin.post(ORDERS, { token, purpose: FORBIDDEN_PURPOSE }))).toBe('FORBIDDEN');
        const since = Date.now();
        expect(describeResponse(await origin.post(ORDERS, afterSales(token)))).toBe('403 SUSPENDED');
        await expectRefusedEverywhere(token, since, 403, 'SUSPENDED', 'suspended');
      });

      it('a policy applied with `policy apply` is in force on both gateways and both subgraphs within one second', async () => {
        const operations = await testTokenFor(db.dataSource, 'operations');
        const ads = await testTokenFor(db.dataSource, 'ads_manager');
        const asks = [
          { query: ORDERS, options: afterSales(operations), coordinate: 'Query.orders' },
          { query: CAMPAIGNS, options: { token: ads, purpose: 'ADVERTISING_MANAGEMENT' }, coordinate: 'Query.campaigns' },
        ];
        const before = defaultPolicy().version;
        for (const gateway of gateways) {
          for (const ask of asks) {
            const response = await gateway.post(ask.query, ask.options);
            expect([gateway.name, describeResponse(response), versionOf(response)]).toEqual([gateway.name, '200 ok', before]);
          }
        }
        for (const name of ['orders', 'advertising'] as const) expect(await subgraphPolicyVersion(name)).toBe(before);

        // The new policy takes what both tokens read away from them: INTERNAL denied for their purposes.
        const document = JSON.parse(JSON.stringify(policyDocument(defaultPolicy()))) as { version: string; roles: Record<string, { grants: Record<string, Record<string, string>> }> };
        document.version = `federated-${transport === 'Redis' ? 'redis' : 'notify'}`;
        document.roles.operations.grants.AFTER_SALES.INTERNAL = 'deny';
        document.roles.ads_manager.grants.ADVERTISING_MANAGEMENT.INTERNAL = 'deny';
        const file = join(dir, `${document.version}.json`);
        writeFileSync(file, JSON.stringify(document));
        const next = parsePolicy(document).version;
        const applied = await runCliProcess(['policy', 'apply', file], { DATABASE_URL: db.url, REDIS_URL: redis });
        expect(applied.stderr).toBe('');
        expect(applied.stdout).toContain(`Applied policy version ${next}`);
        const since = Date.now();

        const [gatewayAnswers, subgraphAnswers] = await Promise.all([
          Promise.all(
            gateways.flatMap((gateway) =>
              asks.map(async (ask) => ({
                gateway: gateway.name,
                ask,
                ...(await withinOneSecond(gateway, `answering under ${next}`, since, () => gateway.post(ask.query, ask.options), (response) => versionOf(response) === next, (response) => `${describeResponse(response)} under ${String(versionOf(response))}`)),
              })),
            ),
          ),
          Promise.all(
            (['orders', 'advertising'] as const).map((name) =>
              withinOneSecond(subgraphs[name], `policy ${next} in force`, since, () => subgraphPolicyVersion(name), (version) => version === next, String),
            ),
          ),
        ]);
        for (const { gateway, ask, answer, ms, sentMs } of gatewayAnswers) {
          // The decision changed with the version: the field is denied now.
          expect({ gateway, status: answer.status, codes: answer.body.errors?.map((error) => error.extensions?.code), denied: (answer.body.extensions?.governance as { denied?: string[] }).denied }).toEqual({
            gateway,
            status: 200,
            codes: ['FORBIDDEN'],
            denied: [ask.coordinate],
          });
          note(`policy (${transport}, gateway)`, { ms, sentMs });
        }
        for (const observed of subgraphAnswers) note(`policy (${transport}, subgraph)`, observed);
      });
    });
  }
});
