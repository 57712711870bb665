// No GraphQL query returns a stored Amazon credential: the AmazonCredential type has metadata
// fields only, only MANAGE_CREDENTIALS (admin) lists them, stale ones are flagged there and in the
// access review, and every query an administrator, a compliance officer or a security officer can
// run comes back without the values.
import { randomBytes } from 'node:crypto';
import { getNamedType, isEnumType, isNonNullType, isObjectType, isScalarType, type GraphQLField, type GraphQLObjectType } from 'graphql';
import { SellerAccount } from '../../entities/catalog/seller-account.entity';
import { AmazonCredential, AmazonCredentialKind } from '../../entities/gateway/amazon-credential.entity';
import { loadConfig } from '../../src/config';
import { defaultPolicy } from '../../src/policy/default-policy';
import { createCredentialVault } from '../../src/security/credentials/vault';
import { buildGatewaySchema } from '../../src/server/schema';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';

jest.setTimeout(180_000);

const DAY = 86_400_000;
const ACCOUNT = 'A1CREDGQL00001';
const METADATA_FIELDS = ['ageDays', 'createdAt', 'createdBy', 'id', 'keyId', 'kind', 'label', 'lastUsedAt', 'secretChangedAt', 'sellerAccountId', 'stale'];

/** Selection of every field without required arguments, `depth` levels down. */
function selectAll(type: GraphQLObjectType, depth: number): string {
  const parts: string[] = [];
  for (const field of Object.values(type.getFields())) {
    if (field.args.some((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined)) continue;
    const named = getNamedType(field.type);
    if (isScalarType(named) || isEnumType(named)) parts.push(field.name);
    else if (isObjectType(named) && depth > 1) {
      const inner = selectAll(named, depth - 1);
      if (inner) parts.push(`${field.name} { ${inner} }`);
    }
  }
  return parts.join(' ');
}

function runnable(field: GraphQLField<unknown, unknown>): boolean {
  return !field.args.some((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined);
}

describe('Amazon credentials over GraphQL', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  const secrets: string[] = [];
  const labels: string[] = [];
  let fresh: string;
  let stale: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.getRepository(SellerAccount).insert({ sellerId: ACCOUNT, name: 'Credential GraphQL test' });
    const vault = createCredentialVault(loadConfig({ NODE_ENV: 'test', CREDENTIAL_KEYS: `k1:${randomBytes(32).toString('base64')}` }));
    const ids: string[] = [];
    for (const kind of Object.values(AmazonCredentialKind)) {
      const secret = `${kind.toLowerCase()}-${randomBytes(12).toString('hex')}`;
      const label = `label-${randomBytes(6).toString('hex')}`;
      secrets.push(secret);
      labels.push(label);
      const { credential } = await db.dataSource.transaction((manager) => vault.set(manager, { sellerAccountId: ACCOUNT, kind, label, secret, actor: 'test' }));
      ids.push(credential.id);
    }
    // One used (last_used_at, a reveal action), one set 181 days ago, one 179 days ago.
    await db.dataSource.transaction((manager) => vault.reveal(manager, ids[0], { actor: 'system:amazon-client' }));
    [stale, fresh] = [ids[1], ids[2]];
    await db.dataSource.getRepository(AmazonCredential).update({ id: stale }, { secretChangedAt: new Date(Date.now() - 181 * DAY) });
    await db.dataSource.getRepository(AmazonCredential).update({ id: fresh }, { secretChangedAt: new Date(Date.now() - 179 * DAY) });
    // Many requests, many of them refused by design: no rate limit, no suspension, no cost limit.
    gateway = await startTestGateway(db, {
      env: { RATE_LIMIT_PER_MINUTE: '0', IP_RATE_LIMIT_PER_MINUTE: '0', SUSPICIOUS_FORBIDDEN_COUNT: '0', SUSPICIOUS_ROWS_COUNT: '0', MAX_QUERY_COST: '0', MAX_QUERY_DEPTH: '0' },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  it('has no field that could hold a value: the type is metadata only', async () => {
    const schema = await buildGatewaySchema();
    const type = schema.getType('AmazonCredential') as GraphQLObjectType;
    expect(Object.keys(type.getFields()).sort()).toEqual(METADATA_FIELDS);
    const admin = await testTokenFor(db.dataSource, 'admin');
    const served = await gateway.post('{ __type(name: "AmazonCredential") { fields { name } } }', { token: admin });
    expect((served.body.data?.__type as { fields: { name: string }[] }).fields.map((f) => f.name).sort()).toEqual(METADATA_FIELDS);
    // No other type of the schema is built on the credential table's columns either.
    for (const named of Object.values(schema.getTypeMap())) {
      if (!isObjectType(named) || named.name.startsWith('__')) continue;
      for (const field of Object.keys(named.getFields())) expect(`${named.name}.${field}`).not.toMatch(/\.(ciphertext|authTag|iv|secret|plaintext|credentialValue)$/i);
    }
  });

  it('lists metadata to an administrator, flags stale ones (181 days yes, 179 no), refuses everyone else', async () => {
    const admin = await testTokenFor(db.dataSource, 'admin');
    const response = await gateway.post(`{ amazonCredentials { ${METADATA_FIELDS.join(' ')} } }`, { token: admin });
    expect(response.body.errors).toBeUndefined();
    const listed = response.body.data!.amazonCredentials as { id: string; kind: string; ageDays: number; stale: boolean; keyId: string; lastUsedAt: string | null }[];
    expect(listed.map((c) => c.kind).sort()).toEqual(Object.values(AmazonCredentialKind).sort());
    expect(listed.find((c) => c.id === stale)).toMatchObject({ ageDays: 181, stale: true, keyId: 'k1' });
    expect(listed.find((c) => c.id === fresh)).toMatchObject({ ageDays: 179, stale: false });
    expect(listed.filter((c) => c.lastUsedAt !== null)).toHaveLength(1);
    const staleOnly = await gateway.post('{ amazonCredentials(staleOnly: true) { id } }', { token: admin });
    expect(staleOnly.body.data?.amazonCredentials).toEqual([{ id: stale }]);

    const review = await gateway.post('{ accessReview { credentialMaxAgeDays staleCredentials { id kind ageDays stale } } }', { token: admin });
    expect(review.body.errors).toBeUndefined();
    expect(review.body.data?.accessReview).toEqual({ credentialMaxAgeDays: 180, staleCredentials: [{ id: stale, kind: 'LWA_CLIENT_SECRET', ageDays: 181, stale: true }] });

    for (const role of Object.keys(defaultPolicy().roles).filter((name) => name !== 'admin')) {
      const token = await testTokenFor(db.dataSource, role);
      const refused = await gateway.post('{ amazonCredentials { id } }', { token });
      expect({ role, code: refused.body.errors?.[0].extensions?.code, data: refused.body.data?.amazonCredentials ?? null }).toEqual({ role, code: 'FORBIDDEN', data: null });
      const removal = await gateway.post(`mutation { removeAmazonCredential(id: "${fresh}") { id } }`, { token });
      expect({ role, code: removal.body.errors?.[0].extensions?.code }).toEqual({ role, code: 'FORBIDDEN' });
    }
    expect(await db.dataSource.getRepository(AmazonCredential).count()).toBe(4);
  });

  it('returns no value from any query an administrator, compliance or security can run', async () => {
    const schema = await buildGatewaySchema();
    const roots = Object.values(schema.getQueryType()!.getFields()).filter(runnable);
    const ran = new Set<string>();
    const seen = new Set<string>();
    const policy = defaultPolicy();
    for (const role of ['admin', 'compliance', 'security']) {
      const token = await testTokenFor(db.dataSource, role);
      for (const purpose of [undefined, ...policy.roles[role].purposes]) {
        for (const root of roots) {
          const named = getNamedType(root.type);
          const selection = isObjectType(named) ? ` { ${selectAll(named, 4)} }` : '';
          const response = await gateway.post(`{ ${root.name}${selection} }`, { token, purpose });
          expect({ root: root.name, status: response.status < 500 }).toEqual({ root: root.name, status: true });
          const text = JSON.stringify(response.body);
          for (const secret of secrets) {
            expect({ role, purpose, root: root.name, leaked: text.includes(secret) || text.includes(Buffer.from(secret).toString('hex')) }).toEqual({ role, purpose, root: root.name, leaked: false });
          }
          for (const label of labels) if (text.includes(label)) seen.add(label);
          if (response.body.data?.[root.name] !== undefined && response.body.data?.[root.name] !== null) ran.add(root.name);
        }
      }
    }
    // The queries that touch credentials or their records did run and return data.
    expect([...ran]).toEqual(expect.arrayContaining(['amazonCredentials', 'accessReview', 'userActions', 'systemEvents', 'auditRecords']));
    // The responses did carry the credentials' metadata (every label): the values were looked for where they would be.
    expect([...seen].sort()).toEqual([...labels].sort());
    expect(ran.size).toBeGreaterThanOrEqual(15);
  });

  it('removes a credential for an administrator, recorded without the value', async () => {
    const admin = await testTokenFor(db.dataSource, 'admin');
    const removed = await gateway.post(`mutation { removeAmazonCredential(id: "${fresh}") { id kind } }`, { token: admin, headers: { 'x-request-id': 'remove-credential' } });
    expect(removed.body.data?.removeAmazonCredential).toEqual({ id: fresh, kind: 'REFRESH_TOKEN' });
    const again = await gateway.post(`mutation { removeAmazonCredential(id: "${fresh}") { id } }`, { token: admin });
    expect(again.body.errors?.[0]).toMatchObject({ message: `No Amazon credential ${fresh}`, extensions: { code: 'BAD_USER_INPUT' } });
    const [action]: { actor: string; request_id: string }[] = await db.dataSource.query(`SELECT actor, request_id FROM user_action WHERE action = 'credential.remove' AND target = $1`, [fresh]);
    expect(action).toEqual({ actor: expect.stringMatching(/^token:/), request_id: 'remove-credential' });
  });
});
