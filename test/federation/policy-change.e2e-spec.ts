// Federated mode: a policy applied with `sellergate policy apply` reaches the gateway and every
// subgraph without a restart; the subgraphs enforce it (their field decisions) and the gateway
// reports its version. An operation the gateway started under the previous policy is still
// served by the subgraphs under that policy. The gateway and its six subgraphs share this jest
// process, so their seven schema rebuilds run one after the other: they get 3 s here (separate
// processes are held to 1 s in test/policy/policy-processes.e2e-spec.ts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerPolicyCommands } from '../../src/cli/policy.command';
import { defaultPolicy } from '../../src/policy/default-policy';
import { parsePolicy } from '../../src/policy/policy';
import { policyDocument } from '../../src/policy/policy-store';
import { runCli, testCliDeps } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestCatalog, testTokenFor } from '../support/fixtures';
import type { GraphQLResponseBody } from '../support/gateway';
import { holdOperations } from '../support/hold-operations';
import { startTestFederation, type TestFederation } from './support/federation';
import { FEDERATION_ENGINES } from '../../src/federation/federated-gateway';

const LISTINGS = '{ listings(first: 3) { nodes { sellerSku } } }';
const PURPOSE = 'LISTING_MAINTENANCE';

describe.each(FEDERATION_ENGINES)('federated gateway: policy changes at runtime (engine %s)', (engine) => {
  let db: TestDatabase;
  let federation: TestFederation;
  let token: string;
  // Operations named "Held" wait at the gateway after their policy was bound, before any subgraph fetch.
  const holding = holdOperations('Held');
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestCatalog(db.dataSource);
    token = await testTokenFor(db.dataSource, 'catalog_manager');
    federation = await startTestFederation(db, { engine, env: { SUSPICIOUS_FORBIDDEN_COUNT: '0', PARTNER_PERSISTED_ONLY: 'false' }, plugins: [holding.plugin] });
  });
  afterAll(async () => {
    holding.release();
    await federation?.stop();
    await db?.close();
  });

  it('the gateway and the subgraphs switch to the applied policy without a restart', async () => {
    const post = async () => (await federation.post(LISTINGS, { token, purpose: PURPOSE })).body as GraphQLResponseBody;
    const versionOf = (body: GraphQLResponseBody) => (body.extensions?.governance as { policyVersion?: string } | undefined)?.policyVersion;
    const before = await post();
    expect(versionOf(before)).toBe(defaultPolicy().version);
    expect((before.data?.listings as { nodes: unknown[] }).nodes.length).toBeGreaterThan(0);
    const inFlight = federation.post(`query Held ${LISTINGS}`, { token, purpose: PURPOSE, operationName: 'Held' });
    await holding.started;

    const document = JSON.parse(JSON.stringify(policyDocument(defaultPolicy()))) as { version: string; roles: Record<string, { grants: Record<string, Record<string, string>> }> };
    document.version = 'federated-closed';
    document.roles.catalog_manager.grants[PURPOSE].INTERNAL = 'deny';
    const file = join(mkdtempSync(join(tmpdir(), 'sg-policy-')), 'policy.json');
    writeFileSync(file, JSON.stringify(document));
    const next = parsePolicy(document);
    await runCli(testCliDeps(db), [registerPolicyCommands], ['policy', 'apply', file]);

    const started = Date.now();
    let after = await post();
    while (versionOf(after) !== next.version && Date.now() - started < 3_000) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      after = await post();
    }
    expect(versionOf(after)).toBe(next.version);
    expect(after.errors?.map((error) => error.extensions?.code)).toContain('FORBIDDEN');
    expect(after.extensions?.governance).toMatchObject({ denied: expect.arrayContaining(['Query.listings']) });
    expect(federation.subgraphs.map((subgraph) => subgraph.policies.current().version)).toEqual(federation.subgraphs.map(() => next.version));

    holding.release();
    const held = (await inFlight).body as GraphQLResponseBody;
    expect(held.errors).toBeUndefined();
    expect(versionOf(held)).toBe(defaultPolicy().version);
    expect((held.data?.listings as { nodes: unknown[] }).nodes.length).toBeGreaterThan(0);
  });
});
