// The connectors over GraphQL: sync runs and stream status are system logs (SYSTEM_LOGS, under its
// purposes); starting a sync needs IMPORT_DATA and stays within the caller's row scope. The run goes
// on after the answer (its record in the audit chain is the mutation's own).
import { randomUUID } from 'node:crypto';
import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { DataSource } from 'typeorm';
import { ConnectorCursor } from '../../entities/gateway/connector-cursor.entity';
import { SyncRun } from '../../entities/gateway/sync-run.entity';
import { config } from '../config';
import type { RequestContext } from '../context';
import { scopedQuery } from '../db/scoped';
import { accountFilter } from '../policy/argument-access';
import { Allow, Classified } from '../policy/classification';
import { Category, Permission, Sensitivity } from '../policy/taxonomy';
import { nextRunAt, parseSchedule } from '../retention/retention-schedule';
import { ConnectorStatusType, SyncRunStartedType, SyncRunType } from './connectors.type';
import { syncRunAsOf } from './sync';
import { checkSyncRequest, syncAs } from './sync-service';

@Resolver()
export class ConnectorsResolver {
  @Query(() => [SyncRunType], { description: 'Sync runs of the Amazon connectors, newest first (within the row scope: runs of its accounts only)' })
  @Classified(Sensitivity.INTERNAL, { category: Category.SYSTEM_LOGS })
  async syncRuns(@Ctx() ctx: RequestContext, @Arg('first', () => Int, { defaultValue: 20 }) first: number): Promise<SyncRunType[]> {
    const limit = Math.max(1, Math.min(first, 100));
    // A scoped principal sees runs that touched only accounts and marketplaces of its scope (the
    // scoped layer: src/db/scope-declarations.ts); a run that names no account, only principals not limited.
    const query = scopedQuery(ctx, ctx.db, SyncRun, 'r').orderBy('r.startedAt', 'DESC').addOrderBy('r.id', 'DESC').take(limit);
    // A run whose process died is reported FAILED, interrupted, before the next run closes it.
    const staleAfterMs = config().SYNC_STALE_RUN_MINUTES * 60_000;
    const marketplaces = ctx.scope.marketplaces;
    return (await query.getMany())
      .map((run) => syncRunAsOf(run, ctx.now(), staleAfterMs))
      // Limited in marketplaces: the notes of marketplaces it did not sync (outside the scope) are left out.
      .map((run) => (marketplaces ? { ...run, errors: run.errors.filter((error) => error.marketplace === '-' || marketplaces.includes(error.marketplace)) } : run));
  }

  @Query(() => [ConnectorStatusType], { description: 'Per seller account, marketplace and stream: last success, cursor, errors and the next scheduled run' })
  @Classified(Sensitivity.INTERNAL, { category: Category.SYSTEM_LOGS })
  async connectorStatus(@Ctx() ctx: RequestContext, @Arg('account', () => String, { nullable: true }) requested?: string): Promise<ConnectorStatusType[]> {
    // The account as the caller sees ConnectorStatus.sellerAccountId (its pseudonym when masked).
    const account = await accountFilter(ctx, 'ConnectorStatus.sellerAccountId', requested);
    // Cursors of the scope only (the scoped layer); a cursor of the whole account (`-`) only for principals not limited in marketplaces.
    const query = scopedQuery(ctx, ctx.db, ConnectorCursor, 'c').orderBy('c.sellerAccountId', 'ASC').addOrderBy('c.marketplaceId', 'ASC').addOrderBy('c.stream', 'ASC');
    if (account) query.andWhere('c.sellerAccountId = :account', { account });
    const rows = await query.getMany();
    const next = nextRunAt(parseSchedule(config().SYNC_SCHEDULE), ctx.now());
    return rows.map((row) => ({ ...row, inProgress: row.pending !== null, nextRunAt: next }));
  }

  @Mutation(() => SyncRunStartedType, { description: 'Starts a sync run now (IMPORT_DATA, within the caller\'s scope); it goes on after the answer: follow it with syncRuns' })
  @Allow(Permission.IMPORT_DATA)
  async startSync(
    @Ctx() ctx: RequestContext,
    @Arg('account', () => String, { nullable: true }) account?: string,
    @Arg('streams', () => [String], { nullable: true }) streams?: string[],
    @Arg('since', () => Date, { nullable: true }) since?: Date,
  ): Promise<SyncRunStartedType> {
    const request = checkSyncRequest(ctx.scope, { accounts: account ? [account] : undefined, streams: streams ?? undefined, since: since ?? undefined });
    const runId = randomUUID();
    const dataSource: DataSource = ctx.db.connection;
    const running = syncAs({ dataSource, config: config(), principalId: ctx.principal!.id, scope: ctx.scope, trigger: 'graphql', runId }, request);
    running.catch(() => undefined);
    // Answer once the run is on record (or has failed before it could start).
    for (let i = 0; i < 100; i++) {
      const row = await dataSource.getRepository(SyncRun).findOneBy({ id: runId });
      if (row) return row;
      const settled = await Promise.race([running.then(() => true, () => true), new Promise((resolve) => setTimeout(() => resolve(false), 20))]);
      if (settled) break;
    }
    const row = await dataSource.getRepository(SyncRun).findOneBy({ id: runId });
    if (row) return row;
    await running;
    throw new Error('the sync run did not start');
  }
}

export const connectorResolvers: Function[] = [ConnectorsResolver];
