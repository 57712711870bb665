// API token records cached by token hash, so a request does not wait for the token lookup. The
// cache holds only what the lookup would return; every request still checks revocation (a revoked
// record is never cached), expiry against its own clock, the IP allow-list and the role against the
// policy in force. What makes it safe is the change feed (src/server/change-feed.ts):
// - a revocation through the API or the CLI publishes `token-revoked`: this process drops the
//   entry at once (the API's own publish is delivered synchronously), the others within a second;
// - while this process's feed is disconnected it could miss a revocation: the cache is emptied and
//   not used (every request looks the token up) until the feed is back, and after a reconnect the
//   feed's `resync` empties it again;
// - a lookup that was under way when an event arrived is not cached (it may have read the row
//   before the change);
// - each entry lives at most `ttlMs` (PRINCIPAL_CACHE_MS): the safety net for a row changed in the
//   database without telling the feed (an UPDATE by hand), never the way revocation works.
// Without a change feed (the CLI) nothing is cached.
import type { ApiToken } from '../../entities/gateway/api-token.entity';
import type { ChangeFeed } from '../server/change-feed';

export interface TokenCacheOptions {
  /** How long an entry may be used at most (ms); 0 turns the cache off. */
  ttlMs: number;
  /** Most entries held; the least recently stored go first. */
  maxEntries: number;
  changes: ChangeFeed;
  /** Monotonic clock (ms), for tests. */
  clock?: () => number;
}

interface Entry {
  record: ApiToken;
  storedAt: number;
}

export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  /** Token id → hash, to drop an entry named by a `token-revoked` event. */
  private readonly hashById = new Map<string, string>();
  /** Bumped by every invalidation: a lookup started before one is not stored. */
  private generation = 0;
  private readonly unsubscribe: () => void;
  private readonly clock: () => number;

  constructor(private readonly options: TokenCacheOptions) {
    this.clock = options.clock ?? (() => performance.now());
    this.unsubscribe = options.changes.subscribe('token-revoked', (event) => {
      if (event.kind === 'token-revoked' && event.id) this.forget(event.id);
      else this.clear();
    });
  }

  /** Whether entries may be served now: on, and the change feed connected. */
  private usable(): boolean {
    if (this.options.ttlMs <= 0 || this.options.maxEntries <= 0) return false;
    if (this.options.changes.connected()) return true;
    // Revocations may be missed while the feed is down: nothing cached is trusted meanwhile.
    if (this.entries.size > 0) this.clear();
    return false;
  }

  /** The cached record of a token hash, or null (then look it up and `store` it). */
  get(hash: string): ApiToken | null {
    if (!this.usable()) return null;
    const entry = this.entries.get(hash);
    if (!entry) return null;
    if (this.clock() - entry.storedAt >= this.options.ttlMs) {
      this.delete(hash, entry.record.id);
      return null;
    }
    return entry.record;
  }

  /** A marker taken before a lookup: `store` refuses the result when something changed since. */
  mark(): number {
    return this.generation;
  }

  /** Caches a looked-up record (never a revoked one) unless an event arrived since `mark`. */
  store(hash: string, record: ApiToken, mark: number): void {
    if (mark !== this.generation || record.revokedAt || !this.usable()) return;
    if (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.delete(oldest.value, this.entries.get(oldest.value)!.record.id);
    }
    this.entries.set(hash, { record, storedAt: this.clock() });
    this.hashById.set(record.id, hash);
  }

  /** Drops the entry of a token id (revoked). */
  forget(id: string): void {
    this.generation += 1;
    const hash = this.hashById.get(id);
    if (hash !== undefined) this.delete(hash, id);
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
    this.hashById.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  stop(): void {
    this.unsubscribe();
    this.clear();
  }

  private delete(hash: string, id: string): void {
    this.entries.delete(hash);
    if (this.hashById.get(id) === hash) this.hashById.delete(id);
  }
}
