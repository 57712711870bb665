// Retention over GraphQL: rules, legal holds and runs are administrative (MANAGE_RETENTION, no
// purpose; audited like every operation); run evidence and the archives are data.
import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RetentionRun } from '../../entities/gateway/retention-run.entity';
import { AuditRecordConnection } from '../../schema/system-logs/audit-record.type';
import { PageArgs } from '../../schema/common/connection.type';
import type { RequestContext } from '../context';
import { Allow, Classified } from '../policy/classification';
import { Category, Permission, Purpose, Sensitivity } from '../policy/taxonomy';
import { isHoldActive, listLegalHolds, placeLegalHold, releaseLegalHold } from './legal-hold.service';
import { archivedAuditRecords, archivedRecords, retentionRuns, runRulesLoader } from './retention-query.service';
import { actorOf, runFromGraphQL, toCounts } from './retention-settings';
import { ArchivedRecordConnection, ArchiveSourceType, LegalHoldType, PlaceLegalHoldInput, RetentionRuleType, RetentionRunConnection, RetentionRunReportType, RetentionRunRuleType, RetentionRunType } from './retention.type';
import { loadRetentionRules } from './retention-rules';
import { config } from '../config';
import type { LegalHold } from '../../entities/gateway/legal-hold.entity';

@ArgsType()
class RetentionRunsArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'RUNNING, SUCCEEDED, CAPPED or FAILED' })
  status?: string;
}

@ArgsType()
class ArchivedRecordsArgs extends PageArgs {
  @Field(() => ArchiveSourceType, { nullable: true })
  source?: ArchiveSourceType;

  @Field(() => String, { nullable: true, description: 'Seller account id' })
  account?: string;
}

const holdView = (hold: LegalHold, now: Date): LegalHoldType => ({ ...hold, active: isHoldActive(hold, now) });

@Resolver(() => RetentionRunType)
export class RetentionResolver {
  @Query(() => [RetentionRuleType], { description: 'The retention rules in force (admin)' })
  @Allow(Permission.MANAGE_RETENTION)
  retentionRules(): RetentionRuleType[] {
    return loadRetentionRules(config()).rules;
  }

  @Query(() => [LegalHoldType], { description: 'Legal holds, newest first: active ones unless includeInactive (admin)' })
  @Allow(Permission.MANAGE_RETENTION)
  async legalHolds(@Ctx() ctx: RequestContext, @Arg('includeInactive', () => Boolean, { nullable: true }) includeInactive?: boolean): Promise<LegalHoldType[]> {
    const now = ctx.now();
    return (await listLegalHolds(ctx.db, { includeInactive: includeInactive ?? false, now, scope: ctx.scope })).map((hold) => holdView(hold, now));
  }

  @Mutation(() => LegalHoldType, { description: 'Places a legal hold (admin)' })
  @Allow(Permission.MANAGE_RETENTION)
  async placeLegalHold(@Ctx() ctx: RequestContext, @Arg('input', () => PlaceLegalHoldInput) input: PlaceLegalHoldInput): Promise<LegalHoldType> {
    const now = ctx.now();
    const hold = await ctx.db.transaction((manager) => placeLegalHold(manager, input, { actor: actorOf(ctx), requestId: ctx.requestId, now, scope: ctx.scope }));
    return holdView(hold, now);
  }

  @Mutation(() => LegalHoldType, { description: 'Releases a legal hold, with a reason (admin)' })
  @Allow(Permission.MANAGE_RETENTION)
  async releaseLegalHold(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('reason') reason: string): Promise<LegalHoldType> {
    const now = ctx.now();
    const hold = await ctx.db.transaction((manager) => releaseLegalHold(manager, id, reason, { actor: actorOf(ctx), requestId: ctx.requestId, now, scope: ctx.scope }));
    return holdView(hold, now);
  }

  @Mutation(() => RetentionRunReportType, { description: 'Applies the retention rules now, or previews them with dryRun (admin)' })
  @Allow(Permission.MANAGE_RETENTION)
  async runRetention(
    @Ctx() ctx: RequestContext,
    @Arg('dryRun', () => Boolean, { nullable: true }) dryRun?: boolean,
    @Arg('rule', () => String, { nullable: true }) rule?: string,
  ): Promise<RetentionRunReportType> {
    const report = await runFromGraphQL(ctx, { dryRun: dryRun ?? false, ruleId: rule ?? undefined });
    return { ...report, rules: report.rules.map((r) => ({ ...r, status: String(r.status), counts: toCounts(r.counts) })) };
  }

  @Query(() => RetentionRunConnection, { description: 'Retention runs, newest first: the evidence of what retention did' })
  @Classified(Sensitivity.INTERNAL, { category: Category.SYSTEM_LOGS })
  retentionRuns(@Ctx() ctx: RequestContext, @Args() args: RetentionRunsArgs) {
    return retentionRuns(ctx, args);
  }

  @FieldResolver(() => [RetentionRunRuleType])
  @Classified(Sensitivity.INTERNAL)
  async rules(@Root() run: RetentionRun, @Ctx() ctx: RequestContext): Promise<RetentionRunRuleType[]> {
    const rows = await runRulesLoader(ctx).load(run.id);
    return rows.map((row) => ({ ...row, counts: toCounts(row.counts) }));
  }

  @Query(() => ArchivedRecordConnection, { description: 'Archived settlements, refunds and fee estimates; readable under COMPLIANCE_REVIEW only' })
  @Classified(Sensitivity.INTERNAL, { category: Category.ORDERS, purposes: [Purpose.COMPLIANCE_REVIEW] })
  archivedRecords(@Ctx() ctx: RequestContext, @Args() args: ArchivedRecordsArgs) {
    return archivedRecords(ctx, args);
  }

  @Query(() => AuditRecordConnection, { description: 'Audit records moved to the archive, newest first; readable under AUDIT only' })
  @Classified(Sensitivity.INTERNAL, { category: Category.SYSTEM_LOGS, purposes: [Purpose.AUDIT] })
  archivedAuditRecords(@Ctx() ctx: RequestContext, @Args() args: PageArgs) {
    return archivedAuditRecords(ctx, args);
  }
}
