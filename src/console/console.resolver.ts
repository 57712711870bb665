// Queries the compliance console needs that no other query answered: the audit chain's
// verification status, audit activity over time (operations, masks and denials by role, purpose
// and outcome; rows read per principal) and the policy in force as a matrix with its history.
// Governed like every query: the audit queries are SYSTEM_LOGS reads (a purpose such as AUDIT),
// the matrix needs EXPLAIN_ACCESS; each request is audited by admission.
import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Field, Info, Int, ObjectType, Query, registerEnumType, Resolver } from 'type-graphql';
import { AuditCheckpoint } from '../../entities/gateway/audit-checkpoint.entity';
import { checkpointSignatureValid } from '../audit/audit-checkpoint';
import { verifyChain } from '../audit/audit-verify';
import { config } from '../config';
import type { RequestContext } from '../context';
import { badUserInput, ErrorCode } from '../errors';
import { Allow, Classified, DataCategory } from '../policy/classification';
import { decide } from '../policy/decide';
import { fieldRegistry, type FieldInfo } from '../policy/field-registry';
import { policyHistory } from '../policy/policy-store';
import { ALL_CATEGORIES, ALL_SENSITIVITIES, Category, MaskKind, Permission, Purpose, Sensitivity } from '../policy/taxonomy';

export enum ActivityBucket {
  HOUR = 'hour',
  DAY = 'day',
}
registerEnumType(ActivityBucket, { name: 'ActivityBucket', description: 'Width of a time bucket of audit activity' });

@ObjectType('AuditChainProblem', { description: 'The first record of the chain that was changed, removed or inserted' })
@DataCategory(Category.SYSTEM_LOGS)
export class AuditChainProblemType {
  @Field() @Classified(Sensitivity.INTERNAL) id: string;
  @Field() @Classified(Sensitivity.INTERNAL) kind: string;
  @Field() @Classified(Sensitivity.INTERNAL) message: string;
}

@ObjectType('AuditCheckpointStatus', { description: 'A signed statement of the chain head' })
@DataCategory(Category.SYSTEM_LOGS)
export class AuditCheckpointStatusType {
  @Field() @Classified(Sensitivity.INTERNAL) headId: string;
  @Field() @Classified(Sensitivity.INTERNAL) createdAt: Date;
  @Field() @Classified(Sensitivity.INTERNAL) kind: string;
  @Field(() => Boolean, { nullable: true, description: 'Signature checked with AUDIT_CHECKPOINT_KEY (null without the key)' })
  @Classified(Sensitivity.INTERNAL)
  signatureValid: boolean | null;
}

@ObjectType('AuditChainStatus', { description: "The audit hash chain's verification, as `sellergate audit verify` runs it" })
@DataCategory(Category.SYSTEM_LOGS)
export class AuditChainStatusType {
  @Field() @Classified(Sensitivity.INTERNAL) ok: boolean;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) checked: number;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) firstId: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) lastId: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) lastHash: string | null;
  @Field(() => AuditChainProblemType, { nullable: true }) @Classified(Sensitivity.INTERNAL) problem: AuditChainProblemType | null;
  @Field(() => AuditCheckpointStatusType, { nullable: true }) @Classified(Sensitivity.INTERNAL) lastCheckpoint: AuditCheckpointStatusType | null;
}

@ObjectType('AuditActivity', { description: 'Audited operations in one time bucket, by role, purpose and outcome' })
@DataCategory(Category.SYSTEM_LOGS)
export class AuditActivityType {
  @Field() @Classified(Sensitivity.INTERNAL) start: Date;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) role: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) purpose: string | null;
  @Field() @Classified(Sensitivity.INTERNAL) outcome: string;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) operations: number;
  @Field(() => Int, { description: 'Masked field coordinates, summed over the operations' }) @Classified(Sensitivity.INTERNAL) masked: number;
  @Field(() => Int, { description: 'Denied field coordinates, summed over the operations' }) @Classified(Sensitivity.INTERNAL) denied: number;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) rows: number;
}

@ObjectType('PrincipalRows', { description: 'Rows returned to one principal in a time range' })
@DataCategory(Category.SYSTEM_LOGS)
export class PrincipalRowsType {
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM }) principalId: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) role: string | null;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) operations: number;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) rows: number;
}

@ObjectType('PolicyMatrixCell', { description: 'The decision for a role, purpose, category and sensitivity' })
export class PolicyMatrixCellType {
  @Field() role: string;
  @Field(() => Purpose) purpose: Purpose;
  @Field(() => Category) category: Category;
  @Field(() => Sensitivity) sensitivity: Sensitivity;
  @Field({ description: 'allow, mask or deny' }) effect: string;
  @Field(() => MaskKind, { nullable: true }) mask: MaskKind | null;
  @Field() rule: string;
  @Field(() => String, { nullable: true, description: 'A field of this category and sensitivity, for explainAccess' }) coordinate: string | null;
}

@ObjectType('PolicyRevisionSummary', { description: 'A policy applied with `policy apply`' })
export class PolicyRevisionSummaryType {
  @Field() version: string;
  @Field() appliedBy: string;
  @Field() appliedAt: Date;
  @Field(() => String, { nullable: true }) source: string | null;
}

@ObjectType('PolicyMatrix', { description: 'The access policy in force as a matrix, and the policies applied before' })
export class PolicyMatrixType {
  @Field() version: string;
  @Field(() => [PolicyMatrixCellType]) cells: PolicyMatrixCellType[];
  @Field(() => [PolicyRevisionSummaryType], { description: 'Applied policies, newest first (empty: the shipped default or POLICY_FILE was never replaced)' })
  history: PolicyRevisionSummaryType[];
}

const MAX_RANGE_DAYS = 92;

function range(ctx: RequestContext, from?: Date | null, to?: Date | null): { from: Date; to: Date } {
  const end = to ?? ctx.now();
  const start = from ?? new Date(end.getTime() - 7 * 86_400_000);
  if (start >= end) throw badUserInput('`from` must be before `to`', { argumentName: 'from' });
  if (end.getTime() - start.getTime() > MAX_RANGE_DAYS * 86_400_000) throw badUserInput(`At most ${MAX_RANGE_DAYS} days at once`, { argumentName: 'from' });
  return { from: start, to: end };
}

/**
 * The audit log has no seller account or marketplace: a principal limited to some (row scope)
 * sees none of it, as `auditRecords` gives it no record.
 */
function seesAuditLog(ctx: RequestContext): boolean {
  return ctx.scope.accounts === null && ctx.scope.marketplaces === null;
}

const ROWS_OF_RECORD = `(SELECT coalesce(sum(value::bigint), 0) FROM jsonb_each_text(r.rows_by_category))`;

@Resolver()
export class ConsoleResolver {
  @Query(() => AuditChainStatusType, { description: 'Verifies the audit hash chain (from the last valid checkpoint when AUDIT_CHECKPOINT_KEY is set)' })
  @Classified(Sensitivity.INTERNAL, { category: Category.SYSTEM_LOGS })
  async auditChain(@Ctx() ctx: RequestContext): Promise<AuditChainStatusType> {
    if (!seesAuditLog(ctx)) throw new GraphQLError("The audit log is outside this principal's row scope", { extensions: { code: ErrorCode.FORBIDDEN } });
    const key = config().AUDIT_CHECKPOINT_KEY ?? null;
    const result = await verifyChain(ctx.db, { key, fromCheckpoint: Boolean(key) });
    const [checkpoint] = await ctx.db.find(AuditCheckpoint, { order: { headId: 'DESC', id: 'DESC' }, take: 1 });
    return {
      ok: result.ok,
      checked: result.checked,
      firstId: result.firstId,
      lastId: result.lastId,
      lastHash: result.lastHash,
      problem: result.problem,
      lastCheckpoint: checkpoint
        ? { headId: String(checkpoint.headId), createdAt: checkpoint.createdAt, kind: checkpoint.kind, signatureValid: key ? checkpointSignatureValid(key, checkpoint) : null }
        : null,
    };
  }

  @Query(() => [AuditActivityType], { description: 'Audited operations per time bucket, by role, purpose and outcome, with masks, denials and rows (default: the last 7 days; at most 92)' })
  @Classified(Sensitivity.INTERNAL, { category: Category.SYSTEM_LOGS })
  async auditActivity(
    @Ctx() ctx: RequestContext,
    @Arg('from', () => Date, { nullable: true }) from?: Date | null,
    @Arg('to', () => Date, { nullable: true }) to?: Date | null,
    @Arg('bucket', () => ActivityBucket, { defaultValue: ActivityBucket.DAY }) bucket: ActivityBucket = ActivityBucket.DAY,
  ): Promise<AuditActivityType[]> {
    const window = range(ctx, from, to);
    if (!seesAuditLog(ctx)) return [];
    const rows = (await ctx.db.query(
      `SELECT date_trunc($3::text, r.timestamp) AS start, r.principal_role AS role, r.purpose, r.outcome, count(*)::int AS operations,
              coalesce(sum(cardinality(r.masked)), 0)::int AS masked, coalesce(sum(cardinality(r.denied)), 0)::int AS denied, coalesce(sum(${ROWS_OF_RECORD}), 0)::int AS rows
         FROM audit_record r WHERE r.timestamp >= $1 AND r.timestamp < $2
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
      [window.from, window.to, bucket === ActivityBucket.HOUR ? 'hour' : 'day'],
    )) as { start: Date; role: string | null; purpose: string | null; outcome: string; operations: number; masked: number; denied: number; rows: number }[];
    return rows.map((row) => ({ ...row, start: new Date(row.start) }));
  }

  @Query(() => [PrincipalRowsType], { description: 'Rows returned per principal in a time range, most first (default: the last 7 days)' })
  @Classified(Sensitivity.INTERNAL, { category: Category.SYSTEM_LOGS })
  async rowsByPrincipal(
    @Ctx() ctx: RequestContext,
    @Arg('from', () => Date, { nullable: true }) from?: Date | null,
    @Arg('to', () => Date, { nullable: true }) to?: Date | null,
    @Arg('first', () => Int, { defaultValue: 20 }) first = 20,
  ): Promise<PrincipalRowsType[]> {
    const window = range(ctx, from, to);
    if (first < 1 || first > 100) throw badUserInput('`first` is between 1 and 100', { argumentName: 'first' });
    if (!seesAuditLog(ctx)) return [];
    return (await ctx.db.query(
      `SELECT r.principal_id AS "principalId", max(r.principal_role) AS role, count(*)::int AS operations, coalesce(sum(${ROWS_OF_RECORD}), 0)::int AS rows
         FROM audit_record r WHERE r.timestamp >= $1 AND r.timestamp < $2 AND r.principal_id IS NOT NULL
        GROUP BY 1 ORDER BY 4 DESC, 1 LIMIT $3`,
      [window.from, window.to, first],
    )) as PrincipalRowsType[];
  }

  @Query(() => PolicyMatrixType, { description: 'The access policy in force: every role, purpose, category and sensitivity with its decision; and the history of applied policies' })
  @Allow(Permission.EXPLAIN_ACCESS)
  async policyMatrix(@Ctx() ctx: RequestContext, @Info() info: GraphQLResolveInfo): Promise<PolicyMatrixType> {
    const policy = ctx.policy;
    // Each cell is decided for a real field of its category and sensitivity (its mask kind counts),
    // so it says what explainAccess says for that field.
    const example = new Map<string, FieldInfo>();
    for (const field of fieldRegistry(info.schema).fields.values()) {
      const key = `${field.category}/${field.sensitivity}`;
      if (!example.has(key) && !field.aggregate && !field.purposes) example.set(key, field);
    }
    const cells: PolicyMatrixCellType[] = [];
    for (const [role, definition] of Object.entries(policy.roles)) {
      for (const purpose of definition.purposes) {
        for (const category of ALL_CATEGORIES) {
          for (const sensitivity of ALL_SENSITIVITIES) {
            const field = example.get(`${category}/${sensitivity}`);
            const decision = decide(policy, { role, purposes: definition.purposes }, purpose, field ?? { coordinate: `${category}.${sensitivity}`, category, sensitivity });
            cells.push({ role, purpose, category, sensitivity, effect: decision.effect, mask: decision.mask ?? null, rule: decision.rule, coordinate: field?.coordinate ?? null });
          }
        }
      }
    }
    const history = (await policyHistory(ctx.db)).map((revision) => ({ version: revision.version, appliedBy: revision.appliedBy, appliedAt: revision.appliedAt, source: revision.source }));
    return { version: policy.version, cells, history };
  }
}
