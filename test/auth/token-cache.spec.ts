// Token records cached by hash (src/auth/token-cache.ts): a revocation the change feed announces
// is effective on the next request, expiry is checked on every request against the clock, and a
// process whose change feed is disconnected serves nothing from the cache (it looks tokens up).
import { ApiToken } from '../../entities/gateway/api-token.entity';
import { createToken, revokeToken } from '../../src/auth/api-token.service';
import { createAuthenticator } from '../../src/auth/authenticate';
import { UNRESTRICTED_SCOPE } from '../../src/auth/principal';
import { loadConfig } from '../../src/config';
import { defaultPolicy } from '../../src/policy/default-policy';
import type { ChangeEvent, ChangeFeed, ChangeHandler, ChangeKind } from '../../src/server/change-feed';
import { createTestDatabase, type TestDatabase } from '../support/database';

/** A change feed this test connects, cuts and speaks through. */
class TestFeed implements ChangeFeed {
  readonly origin = 'test';
  readonly transport = 'local' as const;
  up = true;
  private readonly handlers: { kind: ChangeKind; handler: ChangeHandler }[] = [];
  async publish(event: { kind: ChangeKind; id?: string }): Promise<void> {
    this.deliver({ ...event, origin: this.origin });
  }
  deliver(event: ChangeEvent): void {
    for (const { kind, handler } of this.handlers) if (event.kind === 'resync' || event.kind === kind) void handler(event);
  }
  subscribe(kind: ChangeKind, handler: ChangeHandler): () => void {
    this.handlers.push({ kind, handler });
    return () => {};
  }
  connected(): boolean {
    return this.up;
  }
  async stop(): Promise<void> {}
}

describe('token records cached by hash', () => {
  let db: TestDatabase;
  const policy = defaultPolicy();
  const config = loadConfig({ ...process.env, NODE_ENV: 'test' });
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  function gatewayAuthenticator(feed: TestFeed) {
    const authenticator = createAuthenticator({ config, policy, cache: { changes: feed, ttlMs: 60_000, maxEntries: 100 } });
    return (token: string, now = new Date()) => authenticator(`Bearer ${token}`, { dataSource: db.dataSource, now: () => now, ip: '127.0.0.1' });
  }

  async function newToken() {
    return createToken(db.dataSource.manager, policy, { role: 'analyst', createdBy: 'test' });
  }

  it('serves the cached record until the change feed announces the revocation, then refuses on the next request', async () => {
    const feed = new TestFeed();
    const authenticate = gatewayAuthenticator(feed);
    const { token, record } = await newToken();
    expect((await authenticate(token))?.id).toBe(record.id);
    // Revoked in the database only: the cache does not know (this is what the feed is for) ...
    await revokeToken(db.dataSource.manager, record.id, UNRESTRICTED_SCOPE);
    expect((await authenticate(token))?.id).toBe(record.id);
    // ... and once told, the very next request is refused.
    await feed.publish({ kind: 'token-revoked', id: record.id });
    await expect(authenticate(token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('serves nothing cached while the change feed is disconnected, and starts afresh after a resync', async () => {
    const feed = new TestFeed();
    const authenticate = gatewayAuthenticator(feed);
    const { token, record } = await newToken();
    expect((await authenticate(token))?.id).toBe(record.id);
    feed.up = false;
    // A revocation this process cannot hear about while disconnected: refused anyway (looked up).
    await revokeToken(db.dataSource.manager, record.id, UNRESTRICTED_SCOPE);
    await expect(authenticate(token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    const other = await newToken();
    expect((await authenticate(other.token))?.id).toBe(other.record.id);
    feed.up = true;
    // Nothing was cached while disconnected: the row revoked meanwhile is read again.
    await revokeToken(db.dataSource.manager, other.record.id, UNRESTRICTED_SCOPE);
    await expect(authenticate(other.token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });

    const third = await newToken();
    expect((await authenticate(third.token))?.id).toBe(third.record.id);
    await revokeToken(db.dataSource.manager, third.record.id, UNRESTRICTED_SCOPE);
    feed.deliver({ kind: 'resync', origin: 'elsewhere' });
    await expect(authenticate(third.token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('checks expiry on every request, cached or not', async () => {
    const feed = new TestFeed();
    const authenticate = gatewayAuthenticator(feed);
    const { token, record } = await createToken(db.dataSource.manager, policy, { role: 'analyst', createdBy: 'test', expiresInDays: 1 });
    const now = new Date();
    expect((await authenticate(token, now))?.id).toBe(record.id);
    expect((await authenticate(token, new Date(now.getTime() + 3_600_000)))?.id).toBe(record.id);
    await expect(authenticate(token, new Date(record.expiresAt!.getTime() + 1))).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('checks the IP allow-list of a cached record on every request', async () => {
    const feed = new TestFeed();
    const authenticator = createAuthenticator({ config, policy, cache: { changes: feed, ttlMs: 60_000, maxEntries: 100 } });
    const { token, record } = await newToken();
    await db.dataSource.getRepository(ApiToken).update({ id: record.id }, { ipAllowList: ['10.1.2.3'] });
    const from = (ip: string) => authenticator(`Bearer ${token}`, { dataSource: db.dataSource, now: () => new Date(), ip });
    expect((await from('10.1.2.3'))?.id).toBe(record.id);
    expect(authenticator.tokenCache?.size).toBe(1);
    await expect(from('10.9.9.9')).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    expect((await from('10.1.2.3'))?.id).toBe(record.id);
  });
});
