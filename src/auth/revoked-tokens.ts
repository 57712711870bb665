// The revoked API tokens a process knows of, for entry points that do not look the token up
// themselves: a subgraph serves the principal a gateway authenticated (its hop token names it), so
// it cannot see the revocation in the token row on each request. It keeps the ids of revoked tokens
// in memory instead: loaded at start, one more at once when the change feed says a token was revoked
// (`token-revoked`, src/server/change-feed.ts), all again after a feed reconnect (`resync`) and every
// `pollMs` as the safety net. A revocation is never undone, so the set only grows.
import { IsNull, Not, type DataSource } from 'typeorm';
import { ApiToken } from '../../entities/gateway/api-token.entity';
import type { ChangeFeed } from '../server/change-feed';
import type { Principal } from './principal';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class RevokedTokens {
  private readonly revoked = new Set<string>();
  private loading: Promise<void> | null = null;
  private poller: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: { pollMs: number; changes?: ChangeFeed; onError?: (error: unknown) => void },
  ) {}

  /** Whether `principal` is an API token known here to be revoked. */
  isRevoked(principal: Pick<Principal, 'id' | 'kind'>): boolean {
    return principal.kind === 'token' && this.revoked.has(principal.id);
  }

  /** Loads the revoked tokens, then follows the change feed and polls every `pollMs`. */
  async start(): Promise<this> {
    await this.reloadAll();
    const onError = this.options.onError ?? (() => {});
    this.unsubscribe ??=
      this.options.changes?.subscribe('token-revoked', (event) => (event.kind === 'resync' || !event.id ? this.reloadAll() : this.reloadOne(event.id)).catch(onError)) ?? null;
    if (!this.poller && this.options.pollMs > 0) {
      this.poller = setInterval(() => this.reloadAll().catch(onError), this.options.pollMs);
      this.poller.unref();
    }
    return this;
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
  }

  /** Every revoked token (one query, shared by concurrent callers). */
  reloadAll(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const rows = await this.dataSource.getRepository(ApiToken).find({ select: { id: true }, where: { revokedAt: Not(IsNull()) } });
        for (const row of rows) this.revoked.add(row.id);
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  /** The token an event named (the event is a hint: the row says whether it is revoked). */
  private async reloadOne(id: string): Promise<void> {
    if (!UUID.test(id)) return this.reloadAll();
    const row = await this.dataSource.getRepository(ApiToken).findOne({ select: { id: true, revokedAt: true }, where: { id } });
    if (row?.revokedAt) this.revoked.add(row.id);
  }
}
