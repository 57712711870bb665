// The change feed: gateway processes tell each other of state changes (a token revoked, a
// suspension changed, the access policy changed) so every process acts on them within a second.
// Transport: Redis pub/sub when REDIS_URL is set; PostgreSQL LISTEN/NOTIFY on a PostgreSQL server
// otherwise; on the embedded database (one process only) an in-process emitter.
//
// Events are hints, never the state itself: a subscriber reloads what changed from the database.
// A lost connection never stops the gateway; it is re-established with backoff, and after a
// reconnect every subscriber receives `{ kind: 'resync' }` (events may have been missed while
// disconnected: reload everything). Publishing never throws: the change is already committed, and
// the subscribers' own polling (e.g. SUSPENSION_CACHE_MS) remains the safety net.
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { REDIS_SHARED_OPTIONS } from '../redis-options';

export const CHANGE_KINDS = ['token-revoked', 'suspension-changed', 'policy-changed'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export interface ChangeEvent {
  kind: ChangeKind | 'resync';
  /** What changed (a token id, a principal id); absent when the subscriber should reload all. */
  id?: string;
  /** The process (feed) that published the event. */
  origin: string;
}

export type ChangeHandler = (event: ChangeEvent) => void | Promise<void>;

export interface ChangeFeed {
  /** This feed's process id (`host:pid:random`), the `origin` of the events it publishes. */
  readonly origin: string;
  readonly transport: 'redis' | 'postgres' | 'local';
  /** Tells every process (this one at once, synchronously); never rejects. */
  publish(event: { kind: ChangeKind; id?: string }): Promise<void>;
  /**
   * Calls `handler` for each event of `kind` (from any process, this one included) and for every
   * `resync`. Returns the unsubscribe function.
   */
  subscribe(kind: ChangeKind, handler: ChangeHandler): () => void;
  /**
   * Whether this process hears every other process now: its subscription is established (on
   * every transport it listens on). False before the first connection, while a connection is lost,
   * and after stop(); what is cached on the strength of the feed must not be trusted meanwhile.
   */
  connected(): boolean;
  stop(): Promise<void>;
}

export interface ChangeFeedLog {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface ChangeFeedOptions {
  config: Pick<Config, 'REDIS_URL' | 'DATABASE_URL'>;
  /** The gateway's database: its URL is the LISTEN/NOTIFY channel's database; NOTIFY is sent through it. */
  dataSource?: DataSource;
  log?: ChangeFeedLog;
  /** Force a transport (tests); default: redis with REDIS_URL, postgres with a server, else local. */
  transport?: ChangeFeed['transport'];
  /** Whether Redis is available now (its circuit breaker); with a PostgreSQL server, PostgreSQL carries events meanwhile. */
  redisAvailable?: () => boolean;
}

/** Redis channel and PostgreSQL NOTIFY channel. */
export const CHANGE_CHANNEL = 'sellergate_changes';

const silentLog: ChangeFeedLog = { warn: () => {}, error: () => {} };

function newOrigin(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

function parseEvent(payload: string): ChangeEvent | null {
  try {
    const value = JSON.parse(payload) as Partial<ChangeEvent>;
    if (typeof value.origin !== 'string' || !CHANGE_KINDS.includes(value.kind as ChangeKind)) return null;
    return { kind: value.kind as ChangeKind, origin: value.origin, ...(typeof value.id === 'string' ? { id: value.id } : {}) };
  } catch {
    return null;
  }
}

/** Delivery to this process's subscribers; the transports feed it. */
class Subscribers {
  private readonly handlers = new Map<ChangeKind, Set<ChangeHandler>>();

  constructor(private readonly log: ChangeFeedLog) {}

  add(kind: ChangeKind, handler: ChangeHandler): () => void {
    let set = this.handlers.get(kind);
    if (!set) this.handlers.set(kind, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  deliver(event: ChangeEvent): void {
    const targets = event.kind === 'resync' ? [...this.handlers.values()].flatMap((set) => [...set]) : [...(this.handlers.get(event.kind) ?? [])];
    for (const handler of new Set(targets)) {
      try {
        const result = handler(event);
        if (result && typeof (result as Promise<void>).catch === 'function') {
          (result as Promise<void>).catch((error: unknown) => this.log.error({ err: error, kind: event.kind }, 'change feed subscriber failed'));
        }
      } catch (error) {
        this.log.error({ err: error, kind: event.kind }, 'change feed subscriber failed');
      }
    }
  }
}

/** Every local feed of this process shares one emitter (several gateways in one process). */
const localBus = new EventEmitter();
localBus.setMaxListeners(0);

abstract class BaseFeed implements ChangeFeed {
  readonly origin = newOrigin();
  abstract readonly transport: ChangeFeed['transport'];
  protected readonly subscribers: Subscribers;
  protected stopped = false;

  /** `parent`: the feed this one carries events for (DualFeed); received events go to its subscribers. */
  constructor(
    protected readonly log: ChangeFeedLog,
    private readonly parent: BaseFeed | null = null,
  ) {
    this.subscribers = new Subscribers(log);
  }

  /** Sends a payload on this transport (for the feed it carries events for); rejects on failure. */
  transmit(payload: string): Promise<void> {
    return this.send(payload);
  }

  /** Starts receiving on this transport (for the feed it carries events for). */
  start(): void {
    this.listen();
  }

  async publish(change: { kind: ChangeKind; id?: string }): Promise<void> {
    if (this.stopped) return;
    const event: ChangeEvent = { kind: change.kind, origin: this.origin, ...(change.id ? { id: change.id } : {}) };
    this.subscribers.deliver(event);
    try {
      await this.send(JSON.stringify(event));
    } catch (error) {
      this.log.warn({ err: error, kind: change.kind, transport: this.transport }, 'change not published to the other gateway processes (they pick it up on their next poll)');
    }
  }

  subscribe(kind: ChangeKind, handler: ChangeHandler): () => void {
    const unsubscribe = this.subscribers.add(kind, handler);
    if (!this.stopped) this.listen();
    return unsubscribe;
  }

  /** An event from the transport: delivered unless this feed published it (already delivered). */
  protected received(payload: string): void {
    if (this.parent) return this.parent.received(payload);
    const event = parseEvent(payload);
    if (event && event.origin !== this.origin) this.subscribers.deliver(event);
  }

  protected resync(): void {
    if (this.parent) return this.parent.resync();
    this.subscribers.deliver({ kind: 'resync', origin: this.origin });
  }

  protected abstract send(payload: string): Promise<void>;
  /** Starts receiving (idempotent); called on the first subscription. */
  protected abstract listen(): void;
  abstract connected(): boolean;
  abstract stop(): Promise<void>;
}

class LocalFeed extends BaseFeed {
  readonly transport = 'local' as const;
  private readonly onMessage = (payload: string) => this.received(payload);
  private listening = false;

  protected async send(payload: string): Promise<void> {
    localBus.emit(CHANGE_CHANNEL, payload);
  }

  protected listen(): void {
    if (this.listening) return;
    this.listening = true;
    localBus.on(CHANGE_CHANNEL, this.onMessage);
  }

  /** In-process delivery cannot be cut (the embedded database serves one process). */
  connected(): boolean {
    return this.listening && !this.stopped;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    localBus.off(CHANGE_CHANNEL, this.onMessage);
  }
}

const retryDelay = (attempt: number) => Math.min(5_000, 100 * 2 ** Math.min(attempt, 6));

class RedisFeed extends BaseFeed {
  readonly transport = 'redis' as const;
  private publisher: Redis | null = null;
  private connecting: Promise<void> | null = null;
  private subscriber: Redis | null = null;
  private subscribed = false;

  constructor(
    private readonly url: string,
    log: ChangeFeedLog,
    parent: BaseFeed | null = null,
  ) {
    super(log, parent);
  }

  private connection(role: 'publisher' | 'subscriber'): Redis {
    const redis = new Redis(this.url, {
      lazyConnect: role === 'publisher',
      // Publishing while disconnected fails fast (the poll is the safety net); the subscriber
      // reconnects for ever and re-subscribes by itself.
      maxRetriesPerRequest: role === 'publisher' ? 1 : null,
      enableOfflineQueue: role === 'subscriber',
      retryStrategy: retryDelay,
      connectionName: `sellergate-changes-${role}`,
      ...REDIS_SHARED_OPTIONS,
    });
    let failing = false;
    redis.on('error', (error) => {
      if (!failing) this.log.warn({ err: error, role }, 'change feed: Redis connection failed; retrying');
      failing = true;
    });
    redis.on('ready', () => {
      failing = false;
    });
    return redis;
  }

  protected async send(payload: string): Promise<void> {
    const publisher = (this.publisher ??= this.connection('publisher'));
    // The first publications share one connect (a second connect() would be refused).
    if (publisher.status === 'wait') this.connecting ??= publisher.connect().finally(() => (this.connecting = null));
    if (this.connecting) await this.connecting;
    await publisher.publish(CHANGE_CHANNEL, payload);
  }

  protected listen(): void {
    if (this.subscriber) return;
    const subscriber = (this.subscriber = this.connection('subscriber'));
    // Set once the subscription had a gap: a reconnect, or a first connection that failed.
    let gap = false;
    subscriber.on('message', (_channel: string, payload: string) => this.received(payload));
    subscriber.on('close', () => {
      gap = true;
    });
    subscriber.on('ready', () => {
      // ioredis re-subscribes on reconnect; events published meanwhile were lost.
      if (gap) this.resync();
      gap = false;
    });
    subscriber.subscribe(CHANGE_CHANNEL).then(
      () => {
        this.subscribed = true;
      },
      (error: unknown) => this.log.warn({ err: error }, 'change feed: Redis subscribe failed; retrying on reconnect'),
    );
  }

  /** Subscribed once, and the subscriber connection is up (ioredis re-subscribes on reconnect). */
  connected(): boolean {
    return !this.stopped && this.subscribed && this.subscriber?.status === 'ready';
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const connections = [this.publisher, this.subscriber].filter((redis): redis is Redis => redis !== null);
    this.publisher = this.subscriber = null;
    this.subscribed = false;
    // Nothing is pending (publish() awaits its reply): close at once, also while Redis is away.
    for (const redis of connections) redis.disconnect();
  }
}

class PostgresFeed extends BaseFeed {
  readonly transport = 'postgres' as const;
  private client: Client | null = null;
  private listening = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly dataSource: DataSource | undefined,
    log: ChangeFeedLog,
    parent: BaseFeed | null = null,
  ) {
    super(log, parent);
  }

  protected async send(payload: string): Promise<void> {
    if (this.dataSource?.isInitialized) {
      await this.dataSource.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, payload]);
      return;
    }
    const client = new Client({ connectionString: this.url });
    client.on('error', () => {});
    await client.connect();
    try {
      await client.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, payload]);
    } finally {
      await client.end().catch(() => {});
    }
  }

  protected listen(): void {
    if (this.listening) return;
    this.listening = true;
    void this.connect(false);
  }

  /** A dedicated connection holding LISTEN; reconnects with backoff when it drops. */
  private async connect(isReconnect: boolean): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.url, keepAlive: true });
    let lost = false;
    const onLost = (error?: unknown) => {
      if (lost || this.stopped) return;
      lost = true;
      if (this.client === client) this.client = null;
      this.log.warn({ err: error }, 'change feed: PostgreSQL LISTEN connection lost; reconnecting');
      client.end().catch(() => {});
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      if (message.channel === CHANGE_CHANNEL && message.payload) this.received(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (error) {
      onLost(error);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.attempt = 0;
    if (isReconnect) this.resync();
  }

  /** The LISTEN connection is established (set after LISTEN succeeded, cleared when it is lost). */
  connected(): boolean {
    return !this.stopped && this.client !== null;
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect(true);
    }, retryDelay(this.attempt++));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }
}

/**
 * Redis pub/sub with PostgreSQL LISTEN/NOTIFY behind it: events are received on both, and
 * published on Redis while it is available (its circuit breaker closed), else on PostgreSQL. A
 * gateway whose Redis is down keeps telling and hearing the others (which listen on both too).
 */
class DualFeed extends BaseFeed {
  readonly transport = 'redis' as const;
  private readonly viaRedis: RedisFeed;
  private readonly viaPostgres: PostgresFeed;

  constructor(
    redisUrl: string,
    pgUrl: string,
    dataSource: DataSource | undefined,
    private readonly redisAvailable: () => boolean,
    log: ChangeFeedLog,
  ) {
    super(log);
    this.viaRedis = new RedisFeed(redisUrl, log, this);
    this.viaPostgres = new PostgresFeed(pgUrl, dataSource, log, this);
  }

  protected async send(payload: string): Promise<void> {
    if (this.redisAvailable()) {
      try {
        await this.viaRedis.transmit(payload);
        return;
      } catch (error) {
        this.log.warn({ err: error }, 'change feed: Redis publish failed; publishing on PostgreSQL');
      }
    }
    await this.viaPostgres.transmit(payload);
  }

  protected listen(): void {
    this.viaRedis.start();
    this.viaPostgres.start();
  }

  /** Both: a process whose Redis works publishes on Redis only, one whose Redis is away on PostgreSQL only. */
  connected(): boolean {
    return !this.stopped && this.viaRedis.connected() && this.viaPostgres.connected();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([this.viaRedis.stop(), this.viaPostgres.stop()]);
  }
}

/**
 * Publishes one event from a short-lived process (the CLI): a connection opened for it and
 * closed again. Never throws.
 */
export async function publishChange(options: ChangeFeedOptions, event: { kind: ChangeKind; id?: string }): Promise<void> {
  const feed = createChangeFeed(options);
  try {
    await feed.publish(event);
  } finally {
    await feed.stop();
  }
}

/** The database URL of a TypeORM data source (its own database, e.g. a test database). */
function dataSourceUrl(dataSource: DataSource | undefined): string | undefined {
  return (dataSource?.options as { url?: string } | undefined)?.url;
}

/**
 * The feed for this gateway process: Redis pub/sub with REDIS_URL, else LISTEN/NOTIFY on the
 * PostgreSQL server (DATABASE_URL), else (embedded database: one process) in-process delivery.
 */
export function createChangeFeed(options: ChangeFeedOptions): ChangeFeed {
  const log = options.log ?? silentLog;
  const pgUrl = dataSourceUrl(options.dataSource) ?? options.config.DATABASE_URL;
  const transport = options.transport ?? (options.config.REDIS_URL ? 'redis' : options.config.DATABASE_URL && pgUrl ? 'postgres' : 'local');
  if (transport === 'redis') {
    if (!options.config.REDIS_URL) throw new Error('The Redis change feed needs REDIS_URL');
    // On a PostgreSQL server, LISTEN/NOTIFY stands in while Redis is away.
    if (options.config.DATABASE_URL && pgUrl) return new DualFeed(options.config.REDIS_URL, pgUrl, options.dataSource, options.redisAvailable ?? (() => true), log);
    return new RedisFeed(options.config.REDIS_URL, log);
  }
  if (transport === 'postgres') {
    if (!pgUrl) throw new Error('The PostgreSQL change feed needs DATABASE_URL');
    return new PostgresFeed(pgUrl, options.dataSource, log);
  }
  return new LocalFeed(log);
}
