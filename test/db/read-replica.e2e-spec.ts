// DATABASE_READ_URL: the data reads go to the read replica, while authentication, revocation,
// administration and the audit trail stay on the primary. The "replica" is a second database
// seeded with the same demo data and then left behind (a replica lagging the primary), reached
// through a TCP proxy that can cut it off: what a request answers shows which server it read.
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { connectAndMigrate } from '../../src/db/data-source';
import { hasReadReplica, replicaReads } from '../../src/db/read-replica';
import { loadConfig } from '../../src/config';
import { buildGatewaySchema } from '../../src/server/schema';
import { createDemoDatabase } from '../catalog/demo-database';
import { runQuery } from '../catalog/run-query';
import { testContext } from '../support/context';
import type { TestDatabase } from '../support/database';
import { testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

const CAMPAIGN_NAMES = '{ campaigns(first: 100) { nodes { campaignId name } } }';
const NESTED = `query($first: Int!) { campaigns(first: $first, direction: DESC) { nodes { name
  adGroups { name keywords { keywordText metrics(from: "2026-10-01", to: "2026-10-31") { clicks } } }
  metrics(from: "2026-10-01", to: "2026-10-31") { spend } } } }`;

interface Named {
  campaignId: string;
  name: string;
}

// Embedded PostgreSQL has no replica (DATABASE_READ_URL needs DATABASE_URL): this runs in the
// suite's PostgreSQL server run only.
(process.env.DATABASE_URL ? describe : describe.skip)('read replica (DATABASE_READ_URL; PostgreSQL server only)', () => {
  let primary: TestDatabase;
  let replica: TestDatabase;
  let proxy: TcpProxy;
  let replicated: DataSource;
  let gateway: TestGateway;
  let adsToken: string;
  let adminToken: string;
  let renamed: Named;
  const names = async (token: string) => {
    const response = await gateway.post(CAMPAIGN_NAMES, { token, purpose: 'ADVERTISING_MANAGEMENT' });
    return response;
  };

  beforeAll(async () => {
    // The same deterministic demo data on both, then the primary moves on without the replica.
    primary = await createDemoDatabase();
    replica = await createDemoDatabase();
    const [first] = (await primary.dataSource.query('SELECT campaign_id AS "campaignId", name FROM campaign ORDER BY campaign_id LIMIT 1')) as Named[];
    renamed = first;
    await primary.dataSource.query("UPDATE campaign SET name = 'Renamed on the primary' WHERE campaign_id = $1", [first.campaignId]);
    // Tokens exist on the primary only.
    adsToken = await testTokenFor(primary.dataSource, 'ads_manager');
    adminToken = await testTokenFor(primary.dataSource, 'admin');

    proxy = await startTcpProxy(replica.url);
    ({ dataSource: replicated } = await connectAndMigrate({ url: primary.url, readUrl: proxy.url, poolSize: 4 }));
    gateway = await startTestGateway({ ...primary, dataSource: replicated }, { env: { DATABASE_URL: primary.url, DATABASE_READ_URL: proxy.url } });
  });
  afterAll(async () => {
    await gateway?.stop();
    if (replicated?.isInitialized) await replicated.destroy();
    await proxy?.close();
    await replica?.close();
    await primary?.close();
  });

  it('needs DATABASE_URL: without it the configuration names the problem', () => {
    expect(() => loadConfig({ DATABASE_READ_URL: 'postgres://replica.example/sellergate' })).toThrow(/DATABASE_READ_URL: .*needs it: set DATABASE_URL/);
    expect(loadConfig({ DATABASE_URL: 'postgres://primary.example/s', DATABASE_READ_URL: 'postgres://replica.example/s' }).DATABASE_READ_URL).toBe('postgres://replica.example/s');
  });

  it('serves data from the replica, authenticates with a token only the primary holds, and audits on the primary', async () => {
    expect(hasReadReplica(replicated)).toBe(true);
    const response = await names(adsToken);
    expect(response.body.errors).toBeUndefined();
    const campaigns = (response.body.data as { campaigns: { nodes: Named[] } }).campaigns.nodes;
    // The replica has not seen the rename.
    expect(campaigns.find((campaign) => campaign.campaignId === renamed.campaignId)?.name).toBe(renamed.name);

    const requestId = response.headers.get('x-request-id');
    const onPrimary = await primary.dataSource.query('SELECT outcome FROM audit_record WHERE request_id = $1', [requestId]);
    const onReplica = await replica.dataSource.query('SELECT outcome FROM audit_record WHERE request_id = $1', [requestId]);
    expect(onPrimary).toEqual([{ outcome: 'ok' }]);
    expect(onReplica).toEqual([]);
  });

  it('sees a revocation at once: the token lookup reads the primary, never the lagging replica', async () => {
    const token = await testTokenFor(primary.dataSource, 'ads_manager');
    // The replica holds the token too (replicated before the revocation) ...
    const [{ row }] = (await primary.dataSource.query("SELECT row_to_json(t) AS row FROM api_token t WHERE created_by = 'test' ORDER BY created_at DESC LIMIT 1")) as { row: { id: string } }[];
    await replica.dataSource.query('INSERT INTO api_token SELECT * FROM json_populate_record(null::api_token, $1)', [JSON.stringify(row)]);
    expect((await names(token)).body.errors).toBeUndefined();
    // ... but the revocation lands on the primary only.
    const revoked = await gateway.post('mutation ($id: ID!) { revokeApiToken(id: $id) { id revokedAt } }', { token: adminToken, variables: { id: row.id } });
    expect(revoked.body.errors).toBeUndefined();
    const refused = await names(token);
    expect(refused.body.data ?? null).toBeNull();
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('with the replica cut off: data reads fail cleanly and are audited, authentication and administration still work', async () => {
    proxy.cut();
    try {
      const failed = await names(adsToken);
      expect(failed.body.data?.campaigns ?? null).toBeNull();
      const error = failed.body.errors?.[0];
      expect(error?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(JSON.stringify(failed.body)).not.toMatch(/stacktrace|ECONNRESET|ECONNREFUSED|at .*\.js:\d+/);
      const audited = (await primary.dataSource.query('SELECT outcome, error_codes AS "errorCodes" FROM audit_record WHERE request_id = $1', [
        failed.headers.get('x-request-id'),
      ])) as { outcome: string; errorCodes: string[] }[];
      expect(audited).toHaveLength(1);
      expect(audited[0].outcome).not.toBe('ok');
      expect(audited[0].errorCodes).toContain('INTERNAL_SERVER_ERROR');

      // The primary answers the token lookup and the administrative reads.
      const tokens = await gateway.post('{ apiTokens { id } }', { token: adminToken });
      expect(tokens.body.errors).toBeUndefined();
      expect((tokens.body.data as { apiTokens: unknown[] }).apiTokens.length).toBeGreaterThanOrEqual(2);
      const ready = await gateway.get('/readyz');
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'not ready', reason: 'read replica unreachable' });
    } finally {
      proxy.restore();
    }
    // Back by itself once the replica answers again.
    const deadline = Date.now() + 10_000;
    let recovered = await names(adsToken);
    while (recovered.body.errors && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      recovered = await names(adsToken);
    }
    expect(recovered.body.errors).toBeUndefined();
    expect((await gateway.get('/readyz')).status).toBe(200);
  });

  it('keeps DataLoader batching: the nested campaign query is one replica statement per level for 10 and 40 campaigns', async () => {
    const schema = await buildGatewaySchema();
    // SELECTs with the server whose connection ran them (the replica is reached through the
    // proxy's port). Only SELECTs are this query's: the gateway's batched API call log of the
    // requests above may land meanwhile.
    const selects: { server: string; sql: string }[] = [];
    const replicaPort = Number(new URL(proxy.url).port);
    const original = Client.prototype.query;
    const patched = function (this: Client, ...args: unknown[]) {
      const first = args[0] as string | { text?: string };
      const text = typeof first === 'string' ? first : (first?.text ?? '');
      // The suspension cache reloads in the background, from the primary where suspensions are
      // written (security state never waits for a replica to catch up): not this query's; nor is
      // the policy holder's poll of the newest revision (POLICY_POLL_MS), which a slow run meets.
      if (/^\s*SELECT/i.test(text) && !/"PrincipalSuspension"/.test(text) && !/FROM policy_revision/.test(text)) selects.push({ server: this.port === replicaPort ? 'replica' : 'primary', sql: text.slice(0, 120) });
      return (original as (...rest: unknown[]) => unknown).apply(this, args);
    };
    Client.prototype.query = patched as typeof Client.prototype.query;
    try {
      const statements: number[] = [];
      for (const first of [10, 40]) {
        selects.length = 0;
        const data = await runQuery(schema, testContext(replicated), NESTED, { first });
        expect(data.campaigns.nodes).toHaveLength(first);
        statements.push(selects.length);
        expect(selects.filter((statement) => statement.server !== 'replica')).toEqual([]);
      }
      // campaigns page, ad groups, keywords, keyword metrics, campaign metrics
      expect(statements).toEqual([5, 5]);
    } finally {
      Client.prototype.query = original;
    }
    expect(replicaReads(replicated)).not.toBe(replicated.manager);
  });
});
