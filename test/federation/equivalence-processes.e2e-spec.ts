// The federated deployment as it runs: one `sellergate serve --subgraph <name>` process per
// subgraph and two `sellergate serve --gateway` processes over them (`--engine apollo` and
// `--engine hive`), beside a single-process
// `sellergate serve`, all on one PostgreSQL database. The shared operations
// (support/equivalence-cases.ts) get identical data, errors and extensions.governance from both;
// a subgraph process called directly without a valid hop token refuses, and the refusal
// is in the audit log.
import { AuditRecord } from '../../entities/gateway/audit-record.entity';
import type { Principal } from '../../src/auth/principal';
import { loadConfig } from '../../src/config';
import { INTERNAL_CONTEXT_HEADER } from '../../src/federation/internal-context';
import { SUBGRAPH_NAMES } from '../../src/federation/subgraphs';
import { Purpose } from '../../src/policy/taxonomy';
import { loadGatewayPolicy } from '../../src/server/components';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestDemo, testTokenFor } from '../support/fixtures';
import type { PostOptions } from '../support/gateway';
import { startGatewayProcess, type GatewayProcess } from '../support/processes';
import { equivalenceTokens, itAnswersAlike, type EquivalenceCase } from './support/equivalence-cases';
import { mintHop } from './support/federation';

jest.setTimeout(400_000);

const OPERATIONS: Principal = {
  id: 'operations-token',
  kind: 'token',
  name: 'operations',
  role: 'operations',
  purposes: [Purpose.AFTER_SALES],
  categories: null,
  accounts: null,
  marketplaces: null,
  partner: false,
  expiresAt: null,
};

// Separate processes need what only a server has: several connections to one database. On the
// embedded database (one process by design) the suite's PostgreSQL-server pass runs this.
(process.env.DATABASE_URL ? describe : describe.skip)('single process and federated processes answer alike (PostgreSQL server)', () => {
  let db: TestDatabase;
  let single: GatewayProcess;
  let subgraphs: GatewayProcess[] = [];
  let gateway: GatewayProcess;
  let hive: GatewayProcess;
  let optionsFor: (testCase: EquivalenceCase) => PostOptions;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestDemo(db.dataSource);
    ({ optionsFor } = await equivalenceTokens(db.dataSource));
    const env = { REDIS_URL: undefined };
    // Nine processes start on one machine: give each more than the default minute.
    const startTimeoutMs = 150_000;
    // The subgraphs and the single process start together; the gateway composes over the subgraphs once they answer.
    const started = await Promise.allSettled([
      startGatewayProcess({ name: 'single', databaseUrl: db.url, env, startTimeoutMs }),
      ...SUBGRAPH_NAMES.map((name) => startGatewayProcess({ name: `subgraph ${name}`, databaseUrl: db.url, env, startTimeoutMs, args: ['--subgraph', name] })),
    ]);
    const up = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    if (up.length < started.length) {
      await Promise.all(up.map((child) => child.stop()));
      throw (started.find((result) => result.status === 'rejected') as PromiseRejectedResult).reason;
    }
    [single, ...subgraphs] = up;
    const list = subgraphs.map((subgraph, i) => `${SUBGRAPH_NAMES[i]}=${subgraph.url}/graphql`).join(',');
    [gateway, hive] = await Promise.all([
      startGatewayProcess({ name: 'federated gateway', databaseUrl: db.url, env: { ...env, FEDERATION_SUBGRAPHS: list }, startTimeoutMs, args: ['--gateway', '--engine', 'apollo'] }),
      startGatewayProcess({ name: 'federated gateway (hive)', databaseUrl: db.url, env: { ...env, FEDERATION_SUBGRAPHS: list }, startTimeoutMs, args: ['--gateway', '--engine', 'hive'] }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([gateway, hive, single, ...subgraphs].filter(Boolean).map((child) => child.stop()));
    await db?.close();
  });

  it('runs as nine processes', () => {
    expect(new Set([gateway.pid, hive.pid, single.pid, ...subgraphs.map((subgraph) => subgraph.pid), process.pid]).size).toBe(3 + SUBGRAPH_NAMES.length + 1);
  });

  describe('engine apollo', () => itAnswersAlike(() => ({ single, federated: gateway, optionsFor })));
  describe('engine hive', () => itAnswersAlike(() => ({ single, federated: hive, optionsFor })));

  it('an export made through either gateway process is the file the single process makes (watermark line aside)', async () => {
    const token = await testTokenFor(db.dataSource, 'analyst');
    const document = '{ orders(first: 4, status: [UNSHIPPED]) { nodes { id amazonOrderId sellerAccountId orderTotal status } } }';
    const mutation = 'mutation MakeExport($document: String!) { createExport(document: $document, format: JSONL) { rowCount downloadUrl purpose policyVersion } }';
    const fileFrom = async (endpoint: GatewayProcess) => {
      const response = await endpoint.post(mutation, { token, purpose: 'OPERATIONAL_REPORTING', variables: { document } });
      expect(response.body.errors).toBeUndefined();
      const { downloadUrl, ...made } = (response.body.data as { createExport: { downloadUrl: string } }).createExport;
      const download = await fetch(`${endpoint.url}${downloadUrl}`, { headers: { authorization: `Bearer ${token}` } });
      expect(download.status).toBe(200);
      const text = await download.text();
      return { made, governance: response.body.extensions?.governance, rows: text.slice(text.indexOf('\n') + 1) };
    };
    const direct = await fileFrom(single);
    expect(direct.rows.split('\n').length).toBeGreaterThan(5);
    expect(await fileFrom(gateway)).toEqual(direct);
    expect(await fileFrom(hive)).toEqual(direct);
  });

  it('a subgraph process called directly refuses a missing, expired or altered hop token, and audits the refusal', async () => {
    const orders = subgraphs[SUBGRAPH_NAMES.indexOf('orders')];
    const policyVersion = loadGatewayPolicy(loadConfig({ ...process.env, NODE_ENV: 'test' })).version;
    const query = '{ orders(first: 2) { nodes { id } } }';
    const sign = (now = new Date()) => mintHop({ audience: 'orders', query, requestId: 'direct', principal: OPERATIONS, purpose: Purpose.AFTER_SALES, policyVersion, now });
    const altered = async () => {
      const [header, payload, signature] = (await sign()).split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      claims.p.role = 'admin';
      return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    };
    const run = Math.random().toString(36).slice(2, 10);
    const call = async (label: string, context: string | null) => {
      const requestId = `direct-${label}-${run}`;
      const response = await orders.post(query, { headers: { 'x-request-id': requestId, ...(context ? { [INTERNAL_CONTEXT_HEADER]: context } : {}) } });
      const records = await db.dataSource.getRepository(AuditRecord).findBy({ requestId });
      return { response, records };
    };

    // The same request with a token as the gateway mints it is served: the token is what is refused.
    const valid = await call('valid', await sign());
    expect(valid.response.status).toBe(200);
    expect((valid.response.body.data as { orders: { nodes: unknown[] } }).orders.nodes).toHaveLength(2);

    for (const [label, context, reason] of [
      ['missing', null, 'missing'],
      ['expired', await sign(new Date(Date.now() - 10 * 60_000)), 'expired'],
      ['altered', await altered(), 'invalid'],
    ] as const) {
      const { response, records } = await call(label, context);
      expect({ label, status: response.status, data: response.body.data, errors: response.body.errors }).toEqual({
        label,
        status: 401,
        data: undefined,
        errors: [expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED', reason } })],
      });
      expect(records).toEqual([
        expect.objectContaining({ outcome: 'refused', errorCodes: ['HOP_TOKEN_' + reason.toUpperCase(), 'UNAUTHENTICATED'].sort(), fields: [], servedBy: 'orders' }),
      ]);
    }
  });
});
