// Suspensions: a principal caught by a suspicious-activity rule (or suspended by an
// administrator) is refused with SUSPENDED on every request until an administrator reviews and
// reinstates it. Suspensions live in the database (every gateway process sees them); each
// process caches the set of active ones, reloads it at once when the change feed says a
// suspension changed (src/server/change-feed.ts), and at the latest every SUSPENSION_CACHE_MS.
import { GraphQLError } from 'graphql';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import { PrincipalSuspension } from '../../entities/gateway/principal-suspension.entity';
import { recordSystemEvent, recordUserAction } from '../audit/system-logs';
import type { Principal, RowScope } from '../auth/principal';
import { scopedQuery } from '../db/scoped';
import { badUserInput, ErrorCode } from '../errors';
import type { ChangeFeed } from '../server/change-feed';

/** Component name of the gateway's security events in SYSTEM_LOGS (`systemEvents(component:)`). */
export const SECURITY_COMPONENT = 'security';

export interface SuspendInput {
  principalId: string;
  principalKind: string;
  principalRole: string | null;
  rule: string;
  reason: string;
  requestId?: string | null;
}

export function suspendedError(suspension: Pick<PrincipalSuspension, 'rule' | 'suspendedAt'>): GraphQLError {
  return new GraphQLError(
    'Access suspended pending a security review: an administrator must reinstate this principal before it can be used again',
    { extensions: { code: ErrorCode.SUSPENDED, rule: suspension.rule, since: suspension.suspendedAt.toISOString(), http: { status: 403 } } },
  );
}

/** Services running in this process (one per gateway): told at once of a change made here. */
const running = new Set<SuspensionService>();

export class SuspensionService {
  private active = new Map<string, PrincipalSuspension>();
  private loadedAt = -Infinity;
  private loading: Promise<void> | null = null;
  private poller: NodeJS.Timeout | null = null;
  private reloading: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly recent = new Map<string, { row: PrincipalSuspension | null; at: number }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: {
      cacheMs: number;
      now?: () => Date;
      onSuspended?: (suspension: PrincipalSuspension) => void;
      /** Publishes each suspension and reinstatement to the other gateway processes (and, once started, follows theirs). */
      changes?: ChangeFeed;
    } = { cacheMs: 1000 },
  ) {}

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** The principal's active suspension, from a cache at most `cacheMs` old. */
  async activeFor(principal: Pick<Principal, 'id'>): Promise<PrincipalSuspension | null> {
    if (Date.now() - this.loadedAt >= this.options.cacheMs) await this.refresh();
    return this.active.get(principal.id) ?? null;
  }

  /** The cached view, without waiting (kept fresh by `start`'s poller). */
  cachedFor(principalId: string): PrincipalSuspension | null {
    return this.active.get(principalId) ?? null;
  }

  /**
   * Loads the active suspensions, then reloads them every `cacheMs` in the background, so
   * requests never wait for the database and every process sees a change within `cacheMs`.
   */
  async start(onError: (error: unknown) => void = () => {}): Promise<void> {
    await this.refresh();
    running.add(this);
    // Another process suspended or reinstated someone (or the feed reconnected): reload at once.
    this.unsubscribe ??= this.options.changes?.subscribe('suspension-changed', () => this.reload().catch(onError)) ?? null;
    if (this.poller || this.options.cacheMs <= 0) return;
    this.poller = setInterval(() => {
      this.refresh().catch(onError);
    }, this.options.cacheMs);
    this.poller.unref();
  }

  stop(): void {
    running.delete(this);
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
  }

  /** Reloads the active suspensions (one query, shared by concurrent callers). */
  refresh(): Promise<void> {
    this.loading ??= (async () => {
      const startedAt = Date.now();
      try {
        const rows = await this.dataSource.getRepository(PrincipalSuspension).find({ where: { reinstatedAt: IsNull() } });
        const active = new Map(rows.map((row) => [row.principalId, row]));
        // Changes this process made while the query ran win over what it read.
        for (const [principalId, change] of this.recent) {
          if (change.at < startedAt - 10_000) this.recent.delete(principalId);
          else if (change.at >= startedAt) {
            if (change.row) active.set(principalId, change.row);
            else active.delete(principalId);
          }
        }
        this.active = active;
        this.loadedAt = Date.now();
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  /**
   * Reloads now; when a load is already running (it may have read before the change), once
   * more after it.
   */
  reload(): Promise<void> {
    if (!this.loading) return this.refresh();
    this.reloading ??= this.loading
      .catch(() => {})
      .then(() => {
        this.reloading = null;
        return this.refresh();
      });
    return this.reloading;
  }

  /** Tells the other gateway processes (never fails: their poll is the safety net). */
  private async publish(principalId: string): Promise<void> {
    await this.options.changes?.publish({ kind: 'suspension-changed', id: principalId });
  }

  /**
   * Suspends a principal at once (no-op when already suspended) and writes the alert to
   * SYSTEM_LOGS. Returns the active suspension.
   */
  async suspend(input: SuspendInput): Promise<PrincipalSuspension> {
    const now = this.now();
    let created = false;
    const suspension = await this.dataSource.transaction(async (manager) => {
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(PrincipalSuspension)
        .values({
          principalId: input.principalId.slice(0, 200),
          principalKind: input.principalKind.slice(0, 8),
          principalRole: input.principalRole?.slice(0, 64) ?? null,
          rule: input.rule.slice(0, 60),
          reason: input.reason.slice(0, 1000),
          suspendedAt: now,
          requestId: input.requestId?.slice(0, 100) ?? null,
        })
        .orIgnore()
        .returning('*')
        .execute();
      created = (inserted.raw as unknown[]).length > 0;
      const row = await manager.findOneByOrFail(PrincipalSuspension, { principalId: input.principalId, reinstatedAt: IsNull() });
      if (created) {
        await recordSystemEvent(manager, {
          level: 'WARN',
          component: SECURITY_COMPONENT,
          time: now,
          requestId: input.requestId ?? null,
          message: `ALERT ${input.rule}: ${input.principalKind} ${input.principalId} (role ${input.principalRole ?? 'unknown'}) suspended pending review: ${input.reason}. Reinstate after review with \`sellergate suspension reinstate ${input.principalId}\` or the reinstatePrincipal mutation.`,
        });
        this.options.onSuspended?.(row);
      }
      return row;
    });
    for (const service of new Set([this, ...running])) service.noteChange(suspension.principalId, suspension);
    if (created) await this.publish(suspension.principalId);
    return suspension;
  }

  /** Ends a principal's suspension after review; recorded as an administrative action. */
  /** Ends the active suspension of a principal within `review.scope` (one outside it is answered as not suspended). */
  async reinstate(principalId: string, review: { by: string; note?: string | null; requestId?: string | null; scope: RowScope }, manager?: EntityManager): Promise<PrincipalSuspension> {
    const now = this.now();
    const run = async (tx: EntityManager) => {
      const row = await scopedQuery(review, tx, PrincipalSuspension, 's').andWhere('s.principalId = :principalId AND s.reinstatedAt IS NULL', { principalId }).getOne();
      if (!row) throw badUserInput(`No active suspension for principal ${principalId}`, { principalId });
      row.reinstatedAt = now;
      row.reinstatedBy = review.by.slice(0, 200);
      row.reviewNote = review.note?.slice(0, 1000) ?? null;
      await tx.save(row);
      await recordUserAction(tx, { actor: review.by, action: 'suspension.reinstate', target: principalId, requestId: review.requestId ?? null, time: now });
      await recordSystemEvent(tx, {
        level: 'INFO',
        component: SECURITY_COMPONENT,
        time: now,
        requestId: review.requestId ?? null,
        message: `${row.principalKind} ${principalId} reinstated by ${review.by} after review of ${row.rule}`,
      });
      return row;
    };
    const row = manager ? await run(manager) : await this.dataSource.transaction(run);
    for (const service of new Set([this, ...running])) service.noteChange(principalId, null);
    // Inside a caller's transaction the caller publishes once it has committed.
    if (!manager) await this.publish(principalId);
    return row;
  }

  /** A change made in this process: visible at once, and kept over a refresh that raced it. */
  private noteChange(principalId: string, row: PrincipalSuspension | null): void {
    if (row) this.active.set(principalId, row);
    else this.active.delete(principalId);
    this.recent.set(principalId, { row, at: Date.now() });
  }

  /** Suspensions, newest first (active only unless `all`). */
  /** Suspensions within `scope` (of tokens limited to it), newest first. */
  async list(options: { all?: boolean; scope: RowScope }, manager: EntityManager = this.dataSource.manager): Promise<PrincipalSuspension[]> {
    const query = scopedQuery(options, manager, PrincipalSuspension, 's').orderBy('s.suspendedAt', 'DESC');
    if (!options.all) query.andWhere('s.reinstatedAt IS NULL');
    return query.getMany();
  }
}
