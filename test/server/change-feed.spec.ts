// The change feed between gateway processes: an event published by one feed reaches the others
// (Redis pub/sub, PostgreSQL LISTEN/NOTIFY, in-process), a dropped connection is re-established
// and followed by a `resync` (a feed says it is disconnected until then), and publishing while
// disconnected neither throws nor stops anything.
import { createChangeFeed, type ChangeEvent, type ChangeFeed } from '../../src/server/change-feed';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';

async function until<T>(what: string, check: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function recorder(feed: ChangeFeed, kind: Parameters<ChangeFeed['subscribe']>[0] = 'token-revoked'): ChangeEvent[] {
  const events: ChangeEvent[] = [];
  feed.subscribe(kind, (event) => {
    events.push(event);
  });
  return events;
}

const find = (events: ChangeEvent[], predicate: (event: ChangeEvent) => boolean) => events.find(predicate);

describe('change feed', () => {
  const feeds: ChangeFeed[] = [];
  const open = (feed: ChangeFeed) => {
    feeds.push(feed);
    return feed;
  };
  afterEach(async () => {
    await Promise.all(feeds.splice(0).map((feed) => feed.stop()));
  });

  it('delivers in-process on the embedded database, to the publisher at once and to the other gateways of the process', async () => {
    const first = open(createChangeFeed({ config: {} }));
    const second = open(createChangeFeed({ config: {} }));
    expect(first.transport).toBe('local');
    const own = recorder(first);
    const other = recorder(second);
    const policy = recorder(second, 'policy-changed');
    await first.publish({ kind: 'token-revoked', id: 'token-1' });
    expect(own).toEqual([{ kind: 'token-revoked', id: 'token-1', origin: first.origin }]);
    expect(other).toEqual([{ kind: 'token-revoked', id: 'token-1', origin: first.origin }]);
    expect(policy).toEqual([]);
    // In-process delivery cannot be cut: connected while subscribed, not after stop().
    expect(second.connected()).toBe(true);
    await second.stop();
    expect(second.connected()).toBe(false);
  });

  it('stops delivering to an unsubscribed handler and after stop()', async () => {
    const first = open(createChangeFeed({ config: {} }));
    const second = open(createChangeFeed({ config: {} }));
    const events: ChangeEvent[] = [];
    const unsubscribe = second.subscribe('suspension-changed', (event) => {
      events.push(event);
    });
    await first.publish({ kind: 'suspension-changed', id: 'a' });
    unsubscribe();
    await first.publish({ kind: 'suspension-changed', id: 'b' });
    second.subscribe('suspension-changed', (event) => {
      events.push(event);
    });
    await second.stop();
    await first.publish({ kind: 'suspension-changed', id: 'c' });
    expect(events.map((event) => event.id)).toEqual(['a']);
  });

  describe('Redis pub/sub', () => {
    let proxy: TcpProxy;
    beforeAll(async () => {
      proxy = await startTcpProxy(REDIS_URL);
    });
    afterAll(async () => {
      await proxy?.close();
    });

    it('reaches the other processes; after a lost connection they resync and receive again', async () => {
      const publisher = open(createChangeFeed({ config: { REDIS_URL } }));
      const receiver = open(createChangeFeed({ config: { REDIS_URL: proxy.url } }));
      expect(publisher.transport).toBe('redis');
      const events = recorder(receiver, 'suspension-changed');
      // Subscribed once a probe arrives (the subscription is made on the first subscribe()).
      await until('the first event', () => {
        void publisher.publish({ kind: 'suspension-changed', id: 'probe' });
        return find(events, (event) => event.id === 'probe');
      });
      // Connected once subscribed (what the token cache relies on: events may be missed otherwise).
      expect(receiver.connected()).toBe(true);
      await publisher.publish({ kind: 'suspension-changed', id: 'principal-1' });
      expect(await until('the event', () => find(events, (event) => event.id === 'principal-1'))).toEqual({ kind: 'suspension-changed', id: 'principal-1', origin: publisher.origin });
      // A fresh process publishing several changes at once, before its connection is up.
      const fresh = open(createChangeFeed({ config: { REDIS_URL } }));
      await Promise.all(['x1', 'x2', 'x3'].map((id) => fresh.publish({ kind: 'suspension-changed', id })));
      await until('the three events', () => (['x1', 'x2', 'x3'].every((id) => find(events, (event) => event.id === id)) ? true : undefined));

      proxy.cut();
      await until('disconnected after the cut', () => (receiver.connected() ? undefined : true));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(receiver.connected()).toBe(false);
      proxy.restore();
      await until('a resync after the reconnect', () => find(events, (event) => event.kind === 'resync'));
      expect(receiver.connected()).toBe(true);
      await until('an event after the reconnect', () => {
        void publisher.publish({ kind: 'suspension-changed', id: 'after' });
        return find(events, (event) => event.id === 'after');
      });
    });

    it('publishing while Redis is unreachable resolves (the change is already made); a subscriber that started then resyncs once Redis is there', async () => {
      proxy.cut();
      let own: ChangeEvent[];
      try {
        const feed = open(createChangeFeed({ config: { REDIS_URL: proxy.url } }));
        own = recorder(feed);
        await expect(feed.publish({ kind: 'token-revoked', id: 't' })).resolves.toBeUndefined();
        expect(own.map((event) => event.id)).toEqual(['t']);
        // Never connected yet: not connected.
        expect(feed.connected()).toBe(false);
      } finally {
        proxy.restore();
      }
      await until('a resync once Redis is reachable', () => find(own, (event) => event.kind === 'resync'));
    });
  });

  (process.env.DATABASE_URL ? describe : describe.skip)('PostgreSQL LISTEN/NOTIFY (PostgreSQL server)', () => {
    let db: TestDatabase;
    let proxy: TcpProxy;
    beforeAll(async () => {
      db = await createTestDatabase();
      proxy = await startTcpProxy(db.url);
    });
    afterAll(async () => {
      await proxy?.close();
      await db?.close();
    });

    it('reaches the other processes, also from a process without a data source (the CLI); resyncs after a lost connection', async () => {
      const config = { DATABASE_URL: db.url };
      const publisher = open(createChangeFeed({ config, dataSource: db.dataSource }));
      const receiver = open(createChangeFeed({ config: { DATABASE_URL: proxy.url } }));
      expect(publisher.transport).toBe('postgres');
      const events = recorder(receiver, 'policy-changed');
      await until('the first event', () => {
        void publisher.publish({ kind: 'policy-changed', id: 'probe' });
        return find(events, (event) => event.id === 'probe');
      });
      expect(receiver.connected()).toBe(true);
      const cli = createChangeFeed({ config });
      await cli.publish({ kind: 'policy-changed', id: 'from-cli' });
      await cli.stop();
      expect(await until('the CLI event', () => find(events, (event) => event.id === 'from-cli'))).toMatchObject({ kind: 'policy-changed', origin: cli.origin });

      proxy.cut();
      await until('disconnected after the cut', () => (receiver.connected() ? undefined : true));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(receiver.connected()).toBe(false);
      proxy.restore();
      await until('a resync after the reconnect', () => find(events, (event) => event.kind === 'resync'));
      expect(receiver.connected()).toBe(true);
      await until('an event after the reconnect', () => {
        void publisher.publish({ kind: 'policy-changed', id: 'after' });
        return find(events, (event) => event.id === 'after');
      });
    });
  });
});
