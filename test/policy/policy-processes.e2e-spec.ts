// `sellergate policy apply` (its own process) reaches running `sellergate serve` processes on one
// PostgreSQL database within a second, with Redis carrying the change feed and without it
// (LISTEN/NOTIFY). Their poll is set to a minute: within a second only the feed can tell them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPolicy } from '../../src/policy/default-policy';
import { parsePolicy } from '../../src/policy/policy';
import { policyDocument } from '../../src/policy/policy-store';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestCatalog, testTokenFor } from '../support/fixtures';
import type { TestResponse } from '../support/gateway';
import { runCliProcess, startGatewayProcess, type GatewayProcess } from '../support/processes';

jest.setTimeout(180_000);

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
const LISTINGS = '{ listings(first: 3) { nodes { sellerSku } } }';
const PURPOSE = 'LISTING_MAINTENANCE';

const versionOf = (response: TestResponse) => (response.body.extensions?.governance as { policyVersion?: string } | undefined)?.policyVersion;
const denied = (response: TestResponse) => (response.body.errors ?? []).some((error) => error.extensions?.code === 'FORBIDDEN' && error.extensions?.coordinate === 'Query.listings');

/** Polls `gateway` until it answers under `version`, at most one second after `since`; resolves with that answer. */
async function firstAnswerUnder(gateway: GatewayProcess, token: string, version: string, since: number): Promise<TestResponse> {
  for (;;) {
    const response = await gateway.post(LISTINGS, { token, purpose: PURPOSE });
    if (versionOf(response) === version) return response;
    if (Date.now() > since + 1_000) throw new Error(`gateway ${gateway.name} still answers under ${String(versionOf(response))} 1 s after the apply\n${gateway.output().slice(-2_000)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

(process.env.DATABASE_URL ? describe : describe.skip)('policy apply reaches gateway processes (PostgreSQL server)', () => {
  let db: TestDatabase;
  let token: string;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestCatalog(db.dataSource);
    token = await testTokenFor(db.dataSource, 'catalog_manager');
    dir = mkdtempSync(join(tmpdir(), 'sg-policy-'));
  });
  afterAll(async () => db?.close());

  for (const [transport, redis] of [
    ['Redis', REDIS_URL],
    ['LISTEN/NOTIFY', undefined],
  ] as const) {
    it(`two processes switch within one second (${transport})`, async () => {
      const env = { REDIS_URL: redis, POLICY_POLL_MS: '60000', SUSPICIOUS_FORBIDDEN_COUNT: '0', PARTNER_PERSISTED_ONLY: 'false' };
      const gateways = await Promise.all(['A', 'B'].map((name) => startGatewayProcess({ name, databaseUrl: db.url, env })));
      try {
        const before = versionOf(await gateways[0].post(LISTINGS, { token, purpose: PURPOSE }));
        expect(versionOf(await gateways[1].post(LISTINGS, { token, purpose: PURPOSE }))).toBe(before);

        const document = JSON.parse(JSON.stringify(policyDocument(defaultPolicy()))) as { version: string; roles: Record<string, { grants: Record<string, Record<string, string>> }> };
        document.version = `processes-${transport === 'Redis' ? 'redis' : 'notify'}`;
        document.roles.catalog_manager.grants[PURPOSE].INTERNAL = before?.startsWith('processes-') ? 'full' : 'deny';
        const file = join(dir, `${document.version}.json`);
        writeFileSync(file, JSON.stringify(document));
        const next = parsePolicy(document);

        const applied = await runCliProcess(['policy', 'apply', file], { DATABASE_URL: db.url, REDIS_URL: redis });
        expect(applied.stderr).toBe('');
        expect(applied.stdout).toContain(`Applied policy version ${next.version}`);
        const since = Date.now();
        const answers = await Promise.all(gateways.map(async (gateway) => [await firstAnswerUnder(gateway, token, next.version, since), Date.now() - since] as const));
        if (process.env.PRINT_FIGURES) process.stdout.write(`policy propagation over ${transport} (ms after the apply returned): ${answers.map(([, ms]) => ms).join(', ')}\n`);
        for (const [answer] of answers) expect(denied(answer)).toBe(document.roles.catalog_manager.grants[PURPOSE].INTERNAL === 'deny');
      } finally {
        await Promise.all(gateways.map((gateway) => gateway.stop()));
      }
    });
  }
});
