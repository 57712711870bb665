import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UNRESTRICTED_SCOPE } from '../../src/auth/principal';
import { DEFAULT_POLICY_DOCUMENT } from '../../src/policy/default-policy';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { AuditRecord } from '../../entities/gateway/audit-record.entity';
import { ApiToken } from '../../entities/gateway/api-token.entity';
import { createToken, revokeToken } from '../../src/auth/api-token.service';
import { AUTHENTICATION_UNAVAILABLE_MESSAGE, MAX_SUBJECT_LENGTH, UNAUTHENTICATED_MESSAGE } from '../../src/auth/authenticate';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startPolicyGateway, TEST_JWT_SECRET, type PolicyGateway } from '../policy/support/policy-gateway';

const DATA_QUERY = '{ orders(first: 1) { totalCount } }';

/** A signed user JWT; `expiresIn: null` leaves out `exp`. */
async function jwt(claims: Record<string, unknown>, options: { secret?: string; audience?: string; issuer?: string; expiresIn?: string | null } = {}): Promise<string> {
  const token = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(typeof claims.sub === 'string' ? claims.sub : 'user-42')
    .setAudience(options.audience ?? 'sellergate')
    .setIssuer(options.issuer ?? 'https://sso.example.test')
    .setIssuedAt();
  if (options.expiresIn !== null) token.setExpirationTime(options.expiresIn ?? '10m');
  return token.sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

function unsignedJwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: 'user-42', aud: 'sellergate', iss: 'https://sso.example.test', exp: Math.floor(Date.now() / 1000) + 600, ...claims })}.`;
}

describe('authentication', () => {
  let db: TestDatabase;
  let gateway: PolicyGateway;
  beforeAll(async () => {
    db = await createTestDatabase();
    gateway = await startPolicyGateway(db);
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  async function expectUnauthenticated(authorization: string | undefined, query = DATA_QUERY) {
    const response = await gateway.post(query, { headers: authorization ? { authorization } : {}, purpose: 'OPERATIONAL_REPORTING' });
    expect(response.status).toBe(401);
    expect(response.body.data ?? null).toBeNull();
    expect(response.body.errors).toEqual([expect.objectContaining({ message: UNAUTHENTICATED_MESSAGE, extensions: { code: 'UNAUTHENTICATED' } })]);
  }

  it('refuses a JWT without an expiry, or issued for longer than JWT_MAX_LIFETIME_SECONDS (a day by default)', async () => {
    await expectUnauthenticated(`Bearer ${await jwt({ role: 'analyst' }, { expiresIn: null })}`);
    await expectUnauthenticated(`Bearer ${await jwt({ role: 'analyst' }, { expiresIn: '25h' })}`);
    const workingDay = await gateway.post(DATA_QUERY, { headers: { authorization: `Bearer ${await jwt({ role: 'analyst' }, { expiresIn: '23h' })}` }, purpose: 'OPERATIONAL_REPORTING' });
    expect(workingDay.status).toBe(200);
  });

  it('refuses requests without credentials, introspection included', async () => {
    await expectUnauthenticated(undefined);
    await expectUnauthenticated(undefined, '{ __schema { queryType { name } } }');
  });

  it('refuses malformed and unknown tokens with the same neutral message', async () => {
    await expectUnauthenticated('Bearer');
    await expectUnauthenticated('Basic dXNlcjpwYXNz');
    await expectUnauthenticated('Bearer sg_short');
    await expectUnauthenticated(`Bearer sg_${'A'.repeat(43)}`);
    await expectUnauthenticated('Bearer not-a-jwt');
  });

  it('accepts a valid token and refuses it once expired (checked on every request, also while its record is cached)', async () => {
    const { token, record } = await createToken(db.dataSource.manager, gateway.policy, { role: 'analyst', createdBy: 'test', expiresInDays: 1 });
    const expiresAt = new Date(Date.now() + 1_500);
    await db.dataSource.getRepository(ApiToken).update({ id: record.id }, { expiresAt });
    const ok = await gateway.post(DATA_QUERY, { token, purpose: 'OPERATIONAL_REPORTING' });
    expect(ok.status).toBe(200);
    expect(ok.body.errors).toBeUndefined();
    expect((await db.dataSource.getRepository(ApiToken).findOneByOrFail({ id: record.id })).lastUsedAt).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt.getTime() - Date.now()) + 50));
    await expectUnauthenticated(`Bearer ${token}`);
  });

  it('makes revocation effective on the next request (the revoking process tells the change feed, as the API and the CLI do)', async () => {
    const { token, record } = await createToken(db.dataSource.manager, gateway.policy, { role: 'analyst', createdBy: 'test' });
    expect((await gateway.post(DATA_QUERY, { token, purpose: 'OPERATIONAL_REPORTING' })).status).toBe(200);
    await revokeToken(db.dataSource.manager, record.id, UNRESTRICTED_SCOPE);
    await gateway.changes!.publish({ kind: 'token-revoked', id: record.id });
    await expectUnauthenticated(`Bearer ${token}`);
  });

  it('accepts a user JWT and takes the role from the role claim', async () => {
    const response = await gateway.post(DATA_QUERY, { headers: { authorization: `Bearer ${await jwt({ role: 'analyst' })}` }, purpose: 'OPERATIONAL_REPORTING' });
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    const notGranted = await gateway.post(DATA_QUERY, { headers: { authorization: `Bearer ${await jwt({ role: 'analyst' })}` }, purpose: 'AFTER_SALES' });
    expect(notGranted.body.errors?.[0].extensions?.code).toBe('PURPOSE_NOT_GRANTED');
  });

  it('refuses JWTs with a bad signature, wrong audience or issuer, alg none, or an unknown role', async () => {
    await expectUnauthenticated(`Bearer ${await jwt({ role: 'analyst' }, { secret: 'another-secret-of-at-least-32-characters' })}`);
    await expectUnauthenticated(`Bearer ${await jwt({ role: 'analyst' }, { audience: 'someone-else' })}`);
    await expectUnauthenticated(`Bearer ${await jwt({ role: 'analyst' }, { issuer: 'https://evil.example' })}`);
    await expectUnauthenticated(`Bearer ${unsignedJwt({ role: 'compliance' })}`);
    await expectUnauthenticated(`Bearer ${await jwt({ role: 'superuser' })}`);
    await expectUnauthenticated(`Bearer ${await jwt({})}`);
  });

  it('refuses a role claim naming no role of the policy, even a built-in property name', async () => {
    for (const role of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) await expectUnauthenticated(`Bearer ${await jwt({ role })}`);
  });

  it('refuses a subject longer than the audit log keeps, rather than cutting it', async () => {
    const longest = await gateway.post(DATA_QUERY, { headers: { authorization: `Bearer ${await jwt({ role: 'analyst', sub: 'u'.repeat(MAX_SUBJECT_LENGTH) })}` }, purpose: 'OPERATIONAL_REPORTING' });
    expect(longest.status).toBe(200);
    expect(longest.body.errors).toBeUndefined();
    await expectUnauthenticated(`Bearer ${await jwt({ role: 'analyst', sub: 'u'.repeat(MAX_SUBJECT_LENGTH + 1) })}`);
  });
});

/** A JWKS endpoint for single sign-on that can answer its key set, answer 500, never answer, or be stopped. */
class JwksServer {
  mode: 'keys' | 'error' | 'hang' = 'keys';
  private server: Server | null = null;
  port = 0;
  constructor(private readonly keys: () => Promise<object[]>) {}
  get url(): string {
    return `http://127.0.0.1:${this.port}/.well-known/jwks.json`;
  }
  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((_request, response) => {
      // Accepts the request and never answers (closed by `stop`).
      if (this.mode === 'hang') return;
      if (this.mode === 'error') {
        response.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
        return;
      }
      void this.keys().then((keys) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys })));
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    server?.closeAllConnections();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('user JWTs checked against a JWKS endpoint', () => {
  let db: TestDatabase;
  let gateway: PolicyGateway;
  let signing: { privateKey: KeyLike; publicKey: KeyLike };
  let other: { privateKey: KeyLike; publicKey: KeyLike };
  const jwks = new JwksServer(async () => [{ ...(await exportJWK(signing.publicKey)), kid: 'sso-1', alg: 'RS256', use: 'sig' }]);

  beforeAll(async () => {
    signing = await generateKeyPair('RS256');
    other = await generateKeyPair('RS256');
    db = await createTestDatabase();
    await jwks.start();
    gateway = await startPolicyGateway(db, { env: { JWKS_URL: jwks.url } });
  });
  afterAll(async () => {
    await gateway?.stop();
    await jwks.stop();
    await db?.close();
  });

  async function rs256(claims: Record<string, unknown>, options: { key?: KeyLike; kid?: string; issuer?: string; expiresIn?: string } = {}): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'sso-1' })
      .setSubject('user-42')
      .setAudience('sellergate')
      .setIssuer(options.issuer ?? 'https://sso.example.test')
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '10m')
      .sign(options.key ?? signing.privateKey);
  }

  async function send(jwt: string, through: PolicyGateway = gateway) {
    const requestId = `jwks-${randomUUID()}`;
    const response = await through.post(DATA_QUERY, { headers: { authorization: `Bearer ${jwt}`, 'x-request-id': requestId }, purpose: 'OPERATIONAL_REPORTING' });
    return { ...response, requestId };
  }

  async function expectUnavailable(jwt: string, through: PolicyGateway = gateway) {
    const response = await send(jwt, through);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.body.data ?? null).toBeNull();
    expect(response.body.errors).toEqual([
      expect.objectContaining({ message: AUTHENTICATION_UNAVAILABLE_MESSAGE, extensions: expect.objectContaining({ code: 'UNAVAILABLE', reason: 'AUTHENTICATION_UNAVAILABLE' }) }),
    ]);
    const record = await db.dataSource.getRepository(AuditRecord).findOneByOrFail({ requestId: response.requestId });
    expect({ outcome: record.outcome, errorCodes: record.errorCodes }).toEqual({ outcome: 'error', errorCodes: ['UNAVAILABLE'] });
  }

  it('answers a good JWT 503 UNAVAILABLE, recorded as an error, while the JWKS endpoint answers 500 or is down; never 401', async () => {
    // First in this block: the gateway has not fetched the key set yet (a fetched one is kept for
    // ten minutes).
    const good = await rs256({ role: 'analyst' });
    jwks.mode = 'error';
    try {
      await expectUnavailable(good);
      // Connection refused: the endpoint is stopped.
      await jwks.stop();
      await expectUnavailable(good);
    } finally {
      // Back on the same address.
      jwks.mode = 'keys';
      await jwks.start();
    }
    const ok = await send(good);
    expect(ok.status).toBe(200);
    expect(ok.body.errors).toBeUndefined();
  });

  it('answers 503 UNAVAILABLE once JWKS_TIMEOUT_MS has passed without the key set, well before the 5 s default, while the endpoint never answers', async () => {
    const hanging = new JwksServer(async () => []);
    hanging.mode = 'hang';
    await hanging.start();
    const impatient = await startPolicyGateway(db, { env: { JWKS_URL: hanging.url, JWKS_TIMEOUT_MS: '300' } });
    try {
      expect(impatient.config.JWKS_TIMEOUT_MS).toBe(300);
      const started = Date.now();
      await expectUnavailable(await rs256({ role: 'analyst' }), impatient);
      // Answered by the 300 ms timeout, not the 5 s default (nor the request deadline).
      expect(Date.now() - started).toBeLessThan(4_000);
    } finally {
      await impatient.stop();
      await hanging.stop();
    }
    // The setting's default is jose's: 5 s.
    expect(gateway.config.JWKS_TIMEOUT_MS).toBe(5_000);
  });

  it('refuses 401 a JWT signed by another key, with an unknown kid, expired or from another issuer, the key set being fetched fine', async () => {
    expect((await send(await rs256({ role: 'analyst' }))).status).toBe(200);
    const refused = [
      await rs256({ role: 'analyst' }, { key: other.privateKey }),
      await rs256({ role: 'analyst' }, { key: other.privateKey, kid: 'sso-unknown' }),
      await rs256({ role: 'analyst' }, { expiresIn: '-1m' }),
      await rs256({ role: 'analyst' }, { issuer: 'https://evil.example' }),
    ];
    for (const jwt of refused) {
      const response = await send(jwt);
      expect(response.status).toBe(401);
      expect(response.body.errors).toEqual([expect.objectContaining({ message: UNAUTHENTICATED_MESSAGE, extensions: { code: 'UNAUTHENTICATED' } })]);
      const record = await db.dataSource.getRepository(AuditRecord).findOneByOrFail({ requestId: response.requestId });
      expect(record.errorCodes).toEqual(['UNAUTHENTICATED']);
    }
  });
});

describe('token administration', () => {
  let db: TestDatabase;
  let gateway: PolicyGateway;
  beforeAll(async () => {
    db = await createTestDatabase();
    // A token is no wider than its creator: this operator's admin also holds the analyst's grants,
    // so it may make analyst tokens.
    const dir = mkdtempSync(join(tmpdir(), 'sg-token-admin-'));
    const policy = JSON.parse(JSON.stringify(DEFAULT_POLICY_DOCUMENT));
    policy.roles.admin.purposes = [...policy.roles.analyst.purposes];
    policy.roles.admin.grants = { ...policy.roles.analyst.grants };
    writeFileSync(join(dir, 'policy.json'), JSON.stringify(policy));
    gateway = await startPolicyGateway(db, { env: { POLICY_FILE: join(dir, 'policy.json') } });
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  const CREATE = `mutation ($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id role purposes partner expiresAt } } }`;

  it('lets admin create, list and revoke tokens without a purpose; the secret is never stored', async () => {
    const created = await gateway.post(CREATE, { token: gateway.tokens.admin, variables: { input: { role: 'analyst', purposes: ['BUSINESS_ANALYSIS'], name: 'bi' } } });
    expect(created.body.errors).toBeUndefined();
    const { token, apiToken } = (created.body.data as { createApiToken: { token: string; apiToken: { id: string; purposes: string[] } } }).createApiToken;
    expect(token).toMatch(/^sg_[A-Za-z0-9_-]{43}$/);
    expect(apiToken.purposes).toEqual(['BUSINESS_ANALYSIS']);
    const stored = await db.dataSource.query('SELECT * FROM api_token WHERE id = $1', [apiToken.id]);
    expect(JSON.stringify(stored)).not.toContain(token);

    // A token bound to one purpose declares it implicitly.
    const used = await gateway.post('{ settlements(first: 1) { totalCount } }', { token });
    expect(used.body.errors).toBeUndefined();
    expect(used.body.extensions?.governance).toMatchObject({ purpose: 'BUSINESS_ANALYSIS' });

    const listed = await gateway.post('{ apiTokens { id name revokedAt } }', { token: gateway.tokens.admin });
    expect((listed.body.data as { apiTokens: { id: string }[] }).apiTokens.map((t) => t.id)).toContain(apiToken.id);

    const revoked = await gateway.post('mutation ($id: ID!) { revokeApiToken(id: $id) { id revokedAt } }', { token: gateway.tokens.admin, variables: { id: apiToken.id } });
    expect((revoked.body.data as { revokeApiToken: { revokedAt: string } }).revokeApiToken.revokedAt).toBeTruthy();
    expect((await gateway.post('{ settlements(first: 1) { totalCount } }', { token })).status).toBe(401);
  });

  it('refuses token administration to every other role', async () => {
    for (const role of Object.keys(gateway.policy.roles).filter((name) => name !== 'admin')) {
      const response = await gateway.post('{ apiTokens { id } }', { token: gateway.tokens[role] });
      expect(response.body.data).toBeNull();
      expect(response.body.errors).toEqual([expect.objectContaining({ path: ['apiTokens'], extensions: expect.objectContaining({ code: 'FORBIDDEN', coordinate: 'Query.apiTokens' }) })]);
    }
  });

  it('validates purposes, expiry and partner rules', async () => {
    const attempt = async (input: Record<string, unknown>) => (await gateway.post(CREATE, { token: gateway.tokens.admin, variables: { input } })).body.errors?.[0];
    expect(await attempt({ role: 'analyst', purposes: ['AFTER_SALES'] })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('may not declare AFTER_SALES') });
    expect(await attempt({ role: 'analyst', partner: true })).toMatchObject({ message: expect.stringContaining('partner token needs an expiry') });
    expect(await attempt({ role: 'analyst', partner: true, expiresInDays: 91 })).toMatchObject({ message: expect.stringContaining('at most 90 days') });
    expect(await attempt({ role: 'admin', partner: true, expiresInDays: 30 })).toMatchObject({ message: expect.stringContaining('administrative') });
    expect(await attempt({ role: 'nobody' })).toMatchObject({ message: expect.stringContaining('Unknown role') });
    expect(await attempt({ role: 'analyst', marketplaces: ['NOPE'] })).toMatchObject({ message: expect.stringContaining('Unknown marketplaces') });
    const partner = await gateway.post(CREATE, { token: gateway.tokens.admin, variables: { input: { role: 'analyst', partner: true, expiresInDays: 30 } } });
    expect(partner.body.errors).toBeUndefined();
  });
});
