// Changing the access policy at runtime: `sellergate policy apply` puts a new policy in force on
// every running gateway without a restart. A request already running finishes under the version
// it started with; an invalid policy changes nothing. The gateways here share the jest process
// (and its CPU) with each other and with the test, so their schema rebuilds run one after the
// other: they get IN_PROCESS_DEADLINE_MS. The one-second figure is held by separate processes in
// policy-processes.e2e-spec.ts.
import { Purpose } from '../../src/policy/taxonomy';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';
import { verifyChain } from '../../src/audit/audit-verify';
import { registerPolicyCommands } from '../../src/cli/policy.command';
import { loadConfig } from '../../src/config';
import type { RequestContext } from '../../src/context';
import { defaultPolicy } from '../../src/policy/default-policy';
import { parsePolicy } from '../../src/policy/policy';
import { applyPolicy, baselinePolicy, policyDocument, policyHistory } from '../../src/policy/policy-store';
import { createComponents, loadGatewayPolicy } from '../../src/server/components';
import { startGateway } from '../../src/server/gateway';
import { runCli, testCliDeps } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestCatalog, testTokenFor } from '../support/fixtures';
import type { GraphQLResponseBody } from '../support/gateway';
import { holdOperations } from '../support/hold-operations';

const ENV = { SUSPICIOUS_FORBIDDEN_COUNT: '0', RATE_LIMIT_PER_MINUTE: '0', IP_RATE_LIMIT_PER_MINUTE: '0', PARTNER_PERSISTED_ONLY: 'false' };
const LISTINGS = '{ listings(first: 3) { nodes { sellerSku status } } }';
const PURPOSE = 'LISTING_MAINTENANCE';

/** The default policy with catalog_manager's INTERNAL grant turned to `deny` (Query.listings denied). */
function denyingListings(label: string): Record<string, unknown> {
  const document = policyDocument(defaultPolicy()) as { version?: string; roles: Record<string, { grants: Record<string, Record<string, string>> }> };
  const copy = JSON.parse(JSON.stringify(document)) as typeof document;
  copy.version = label;
  copy.roles.catalog_manager.grants[PURPOSE].INTERNAL = 'deny';
  return copy;
}

interface RunningGateway {
  url: string;
  post(query: string, token: string, operationName?: string): Promise<GraphQLResponseBody>;
  stop(): Promise<void>;
}

/** A production-wired gateway; `hold` can keep chosen operations waiting after they started. */
async function startGatewayOn(db: TestDatabase, options: { env?: Record<string, string>; hold?: ApolloServerPlugin<RequestContext> } = {}): Promise<RunningGateway> {
  const settings = loadConfig({ ...process.env, NODE_ENV: 'test', ...ENV, ...options.env });
  const policy = loadGatewayPolicy(settings);
  const components = await createComponents({ dataSource: db.dataSource, config: settings, policy });
  if (options.hold) components.plugins.push(options.hold);
  const gateway = await startGateway({ dataSource: db.dataSource, config: settings, policy, components, port: 0, host: '127.0.0.1' });
  return {
    url: gateway.url,
    async post(query, token, operationName) {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': PURPOSE },
        body: JSON.stringify({ query, operationName }),
      });
      return (await response.json()) as GraphQLResponseBody;
    },
    stop: () => gateway.stop(),
  };
}

function versionOf(body: GraphQLResponseBody): unknown {
  return (body.extensions?.governance as { policyVersion?: string } | undefined)?.policyVersion;
}

function deniedListings(body: GraphQLResponseBody): boolean {
  return (body.errors ?? []).some((error) => error.extensions?.code === 'FORBIDDEN' && error.extensions?.coordinate === 'Query.listings');
}

/** Deadline for gateways sharing this process (see the header); separate processes get 1 s. */
const IN_PROCESS_DEADLINE_MS = 3_000;

/** Sends `query` until the response reports `version` or the deadline passes; returns that response. */
async function firstResponseUnder(gateway: RunningGateway, token: string, version: string, deadlineMs: number): Promise<{ body: GraphQLResponseBody; afterMs: number }> {
  const started = Date.now();
  let body = await gateway.post(LISTINGS, token);
  while (versionOf(body) !== version && Date.now() - started < deadlineMs) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    body = await gateway.post(LISTINGS, token);
  }
  if (versionOf(body) !== version) throw new Error(`${gateway.url} still reports policy ${String(versionOf(body))} ${deadlineMs} ms after the apply (expected ${version})`);
  return { body, afterMs: Date.now() - started };
}

describe('changing the access policy at runtime', () => {
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

  const cli = (...args: string[]) => runCli(testCliDeps(db, ENV), [registerPolicyCommands], args);
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return path;
  };

  it('applying the configured policy stores it, so that every process follows it whatever its POLICY_FILE', async () => {
    expect(await cli('policy', 'show')).toContain('source: the shipped default');
    const printed = await cli('policy', 'apply', file('default.json', policyDocument(defaultPolicy())));
    expect(printed).toContain(`Applied policy version ${defaultPolicy().version} (revision `);
    expect(await cli('policy', 'show')).toMatch(/source: applied revision \d+ \(by cli:.*default\.json\)/);
    expect(await cli('policy', 'apply', file('default.json', policyDocument(defaultPolicy())))).toContain('is already in force; nothing changed');
    expect(await policyHistory(db.dataSource.manager)).toHaveLength(1);
  });

  it('policy apply reaches two running gateways without a restart; a request in flight finishes under the old version', async () => {
    // Operations named "Held" wait after their policy was bound, until released.
    const holding = holdOperations('Held');
    const first = await startGatewayOn(db, { hold: holding.plugin });
    const second = await startGatewayOn(db);
    try {
      const before = defaultPolicy().version;
      for (const gateway of [first, second]) {
        const body = await gateway.post(LISTINGS, token);
        expect(versionOf(body)).toBe(before);
        expect(deniedListings(body)).toBe(false);
        expect((body.data?.listings as { nodes: unknown[] }).nodes.length).toBeGreaterThan(0);
      }
      const inFlight = first.post(`query Held ${LISTINGS}`, token, 'Held');
      await holding.started;

      const next = parsePolicy(denyingListings('listings-closed'));
      const printed = await cli('policy', 'apply', file('closed.json', denyingListings('listings-closed')));
      expect(printed).toContain(`Applied policy version ${next.version}`);
      expect(printed).toContain(`was ${before}`);
      expect(printed).toContain(`roles.catalog_manager.grants.${PURPOSE}.INTERNAL: full -> deny`);

      const [onFirst, onSecond] = await Promise.all([firstResponseUnder(first, token, next.version, IN_PROCESS_DEADLINE_MS), firstResponseUnder(second, token, next.version, IN_PROCESS_DEADLINE_MS)]);
      for (const { body } of [onFirst, onSecond]) {
        expect(deniedListings(body)).toBe(true);
        expect(body.extensions?.governance).toMatchObject({ policyVersion: next.version, denied: expect.arrayContaining(['Query.listings']) });
      }

      holding.release();
      const held = await inFlight;
      expect(versionOf(held)).toBe(before);
      expect(deniedListings(held)).toBe(false);
      expect((held.data?.listings as { nodes: unknown[] }).nodes.length).toBeGreaterThan(0);

      // The audit log records each request under the version that governed it.
      const records = (await db.dataSource.query(`SELECT operation_name, policy_version FROM audit_record WHERE operation_name = 'Held'`)) as { policy_version: string }[];
      expect(records.map((record) => record.policy_version)).toEqual([before]);
      const latest = (await db.dataSource.query(`SELECT policy_version FROM audit_record WHERE operation_name IS DISTINCT FROM 'Held' ORDER BY id DESC LIMIT 1`)) as { policy_version: string }[];
      expect(latest[0].policy_version).toBe(next.version);

      // Each process exports the version in force.
      const monitoring = await testTokenFor(db.dataSource, 'security', { purposes: [Purpose.TROUBLESHOOTING] });
      for (const gateway of [first, second]) {
        const metrics = await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${monitoring}` } });
        expect(await metrics.text()).toContain(`sellergate_policy_info{version="${next.version}"} 1`);
      }

      // Shown with where it comes from, kept in the history, recorded as an administrative action.
      const shown = await cli('policy', 'show');
      expect(shown).toContain(`policy version ${next.version}`);
      expect(shown).toMatch(/source: applied revision \d+ \(by cli:/);
      expect(await cli('policy', 'explain', '--role', 'catalog_manager', '--purpose', PURPOSE, 'Listing.sellerSku')).toContain('DENY');
      const history = JSON.parse(await cli('policy', 'history', '--json')) as { version: string; inForce: boolean }[];
      expect(history[0]).toMatchObject({ version: next.version, inForce: true });
      const actions = (await db.dataSource.query(`SELECT action, target FROM user_action WHERE action = 'policy.apply' ORDER BY id`)) as { target: string }[];
      expect(actions.map((action) => action.target)).toEqual([expect.stringContaining(before), expect.stringContaining(next.version)]);
    } finally {
      holding.release();
      await first.stop();
      await second.stop();
    }
  });

  it('an invalid policy, or a version label reused for other content, is refused and changes nothing', async () => {
    const gateway = await startGatewayOn(db);
    try {
      const inForce = versionOf(await gateway.post(LISTINGS, token));
      const revisions = (await policyHistory(db.dataSource.manager)).length;

      const invalid = denyingListings('broken') as { roles: Record<string, { grants: Record<string, Record<string, string>> }> };
      invalid.roles.analyst.grants.BUSINESS_ANALYSIS.CONFIDENTIAL = 'sometimes';
      await expect(cli('policy', 'apply', file('invalid.json', invalid))).rejects.toThrow(
        /Invalid access policy \(.*invalid\.json\): roles\.analyst\.grants\.BUSINESS_ANALYSIS\.CONFIDENTIAL: .*Nothing was changed\./,
      );
      await expect(cli('policy', 'apply', file('not-json.json', '{ "roles": '))).rejects.toThrow(/not valid JSON.*Nothing was changed\./);
      await expect(cli('policy', 'apply', join(dir, 'missing.json'))).rejects.toThrow(/cannot read the file \(ENOENT\).*Nothing was changed\./);

      // The label "listings-closed" is in the history with other content.
      const reopened = denyingListings('listings-closed') as { roles: Record<string, { grants: Record<string, Record<string, string>> }> };
      reopened.roles.catalog_manager.grants[PURPOSE].INTERNAL = 'full';
      await expect(cli('policy', 'apply', file('reused.json', reopened))).rejects.toThrow(/"listings-closed" was already applied with different content.*new "version".*Nothing was changed\./);

      expect((await policyHistory(db.dataSource.manager)).length).toBe(revisions);
      // Still the same version a second later (the poll found nothing new either).
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(versionOf(await gateway.post(LISTINGS, token))).toBe(inForce);

      // A dry run validates and lists the changes, and stores nothing.
      const dryRun = await cli('policy', 'apply', '--dry-run', file('reopen.json', { ...reopened, version: 'listings-reopened-dry' }));
      expect(dryRun).toContain('(dry run, nothing stored)');
      expect(dryRun).toContain(`roles.catalog_manager.grants.${PURPOSE}.INTERNAL: deny -> full`);
      expect((await policyHistory(db.dataSource.manager)).length).toBe(revisions);

      // The same content again: nothing to do.
      expect(await cli('policy', 'apply', file('again.json', denyingListings('listings-closed')))).toContain('is already in force; nothing changed');
      expect((await policyHistory(db.dataSource.manager)).length).toBe(revisions);
    } finally {
      await gateway.stop();
    }
  });

  it('the poll switches a gateway that missed the event', async () => {
    const gateway = await startGatewayOn(db, { env: { POLICY_POLL_MS: '200' } });
    try {
      // Stored without publishing 'policy-changed': only the poll can notice it.
      const reopened = { ...denyingListings('listings-reopened') } as { roles: Record<string, { grants: Record<string, Record<string, string>> }> };
      reopened.roles.catalog_manager.grants[PURPOSE].INTERNAL = 'full';
      const result = await applyPolicy(db.dataSource, reopened, { appliedBy: 'test', baseline: baselinePolicy(loadConfig({ ...process.env, NODE_ENV: 'test' })) });
      expect(result.status).toBe('applied');
      const { body } = await firstResponseUnder(gateway, token, result.policy.version, IN_PROCESS_DEADLINE_MS);
      expect(deniedListings(body)).toBe(false);
      expect((body.data?.listings as { nodes: unknown[] }).nodes.length).toBeGreaterThan(0);
    } finally {
      await gateway.stop();
    }
  });

  it('a policy labelled with the longest label allowed is served, audited and verifiable', async () => {
    const gateway = await startGatewayOn(db, { env: { POLICY_POLL_MS: '100' } });
    try {
      // Listings stay open under it (the next test expects them open).
      const open = denyingListings('L'.repeat(64)) as { roles: Record<string, { grants: Record<string, Record<string, string>> }> };
      open.roles.catalog_manager.grants[PURPOSE].INTERNAL = 'full';
      const result = await applyPolicy(db.dataSource, open, { appliedBy: 'test', baseline: baselinePolicy(loadConfig({ ...process.env, NODE_ENV: 'test' })) });
      expect(result.policy.version.length).toBeGreaterThan(64);
      const { body } = await firstResponseUnder(gateway, token, result.policy.version, IN_PROCESS_DEADLINE_MS);
      expect(deniedListings(body)).toBe(false);
      const [record] = await db.dataSource.query<{ policy_version: string }[]>('SELECT policy_version FROM audit_record ORDER BY id DESC LIMIT 1');
      expect(record.policy_version).toBe(result.policy.version);
      expect(await verifyChain(db.dataSource.manager)).toMatchObject({ ok: true });
    } finally {
      await gateway.stop();
    }
  });

  it('a stored revision the gateway cannot enforce leaves the policy in force as it was', async () => {
    const gateway = await startGatewayOn(db, { env: { POLICY_POLL_MS: '100' } });
    try {
      const inForce = versionOf(await gateway.post(LISTINGS, token));
      // Written past `policy apply` (e.g. by a newer release): a grant effect this code does not know.
      const unknown = denyingListings('from-the-future') as { roles: Record<string, { grants: Record<string, Record<string, string>> }> };
      unknown.roles.catalog_manager.grants[PURPOSE].INTERNAL = 'sometimes';
      await db.dataSource.query(
        `INSERT INTO policy_revision (version, label, document, sha256, applied_by, applied_at) VALUES ('from-the-future+000000000000', 'from-the-future', $1, $2, 'test', now())`,
        [JSON.stringify(unknown), '0'.repeat(64)],
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      const body = await gateway.post(LISTINGS, token);
      expect(versionOf(body)).toBe(inForce);
      expect(body.errors).toBeUndefined();

      // The next valid policy is taken as usual.
      const next = denyingListings('after-the-future');
      const result = await applyPolicy(db.dataSource, next, { appliedBy: 'test', baseline: baselinePolicy(loadConfig({ ...process.env, NODE_ENV: 'test' })) });
      const { body: after } = await firstResponseUnder(gateway, token, result.policy.version, IN_PROCESS_DEADLINE_MS);
      expect(deniedListings(after)).toBe(true);
    } finally {
      await gateway.stop();
    }
  });

  it('policy show and explain without the database show the configured policy and say so', async () => {
    const deps = { ...testCliDeps(db, ENV), openDatabase: async () => Promise.reject(new Error('the embedded database is in use by process 4242')) };
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const shown = await runCli(deps, [registerPolicyCommands], ['policy', 'show']);
      expect(shown).toContain(`policy version ${defaultPolicy().version}`);
      expect(shown).toContain('source: the shipped default (no POLICY_FILE, no policy applied with `policy apply`) (database not opened)');
      expect(stderr).toHaveBeenCalledWith(expect.stringContaining('in use by process 4242'));
      expect(await runCli(deps, [registerPolicyCommands], ['policy', 'explain', '--role', 'catalog_manager', '--purpose', PURPOSE, 'Listing.sellerSku'])).toContain('ALLOW');
      await expect(runCli(deps, [registerPolicyCommands], ['policy', 'apply', file('closed-again.json', denyingListings('closed-again'))])).rejects.toThrow(/in use by process 4242/);
    } finally {
      stderr.mockRestore();
    }
  });

  it('applied policies cannot be altered or removed in the database', async () => {
    await expect(db.dataSource.query(`UPDATE policy_revision SET applied_by = 'someone else'`)).rejects.toThrow(/append-only/);
    await expect(db.dataSource.query(`DELETE FROM policy_revision`)).rejects.toThrow(/append-only/);
  });
});
