// Aggregates and minimization (DESIGN.md): a `masked` grant sees an aggregate measure in full
// only for groups covering at least k orders or entities; smaller groups are withheld and
// counted. Aggregate services pass their groups through `suppressSmallGroups`; a group that did
// not pass through it gets masked (or denied) measures instead of full ones.
import { GraphQLError } from 'graphql';
import type { RequestContext } from '../context';
import { ErrorCode } from '../errors';
import { DecisionRule } from './decide';
import type { FieldInfo } from './field-registry';
import type { Policy } from './policy';
import { decisionFor } from './request-decisions';
import type { Purpose } from './taxonomy';

const checkedGroups = new WeakSet<object>();
let aggregateFields = new Map<string, FieldInfo[]>();
let classifications: ReadonlyMap<string, FieldInfo> = new Map();
let governedPolicy: Policy | undefined;

/** Called by governSchema: the aggregate measures of each type, under the policy in force. */
export function registerAggregateFields(fields: ReadonlyMap<string, FieldInfo>, policy: Policy): void {
  const byType = new Map<string, FieldInfo[]>();
  classifications = fields;
  for (const field of fields.values()) {
    if (!field.aggregate) continue;
    byType.set(field.typeName, [...(byType.get(field.typeName) ?? []), field]);
  }
  aggregateFields = byType;
  governedPolicy = policy;
}

/**
 * Smallest group size this request may receive for groups of `typeName` (0: no threshold), under
 * `purpose` (the root field's, `purposeOf`; default the operation's).
 */
export function aggregateMinGroupSize(ctx: RequestContext, typeName: string, purpose: Purpose | null = ctx.purpose): number {
  // The request's policy (bound to the version its schema was governed by).
  const policy = ctx.policy ?? governedPolicy;
  let size = 0;
  for (const field of aggregateFields.get(typeName) ?? []) {
    const decision = decisionFor(ctx, policy, field, classifications, purpose);
    if (decision.rule === DecisionRule.AGGREGATE_THRESHOLD) size = Math.max(size, decision.minGroupSize ?? 0);
  }
  return size;
}

/**
 * Removes groups smaller than the request's threshold, counts them in
 * `ctx.governance.suppressedGroups`, and marks the rest as checked. Call it on every list of
 * aggregate groups (type `typeName`) before returning it.
 */
export function suppressSmallGroups<T extends object>(ctx: RequestContext, typeName: string, groups: readonly T[], size: (group: T) => number, purpose: Purpose | null = ctx.purpose): T[] {
  const k = aggregateMinGroupSize(ctx, typeName, purpose);
  const kept = k > 0 ? groups.filter((group) => size(group) >= k) : [...groups];
  ctx.governance.suppressedGroups += groups.length - kept.length;
  for (const group of kept) checkedGroups.add(group);
  return kept;
}

/** Whether a group went through `suppressSmallGroups` (measures may then be returned in full). */
export function isCheckedGroup(group: unknown): boolean {
  return typeof group === 'object' && group !== null && checkedGroups.has(group);
}

/**
 * An argument that filters or sorts by a field reveals its value: a narrow range finds it, an
 * order ranks it. Such an argument is accepted only when the request may read `coordinate` in
 * full; otherwise FORBIDDEN, naming the coordinate (recorded as denied). A coordinate without a
 * classification here is refused too: fail closed.
 */
export function requireFullRead(ctx: RequestContext, coordinate: string, argument: string, purpose: Purpose | null = ctx.purpose): void {
  const policy = ctx.policy ?? governedPolicy;
  const field = classifications.get(coordinate);
  const decision = field && policy ? decisionFor(ctx, policy, field, classifications, purpose) : null;
  if (decision && decision.effect === 'allow' && !decision.mask && decision.rule !== DecisionRule.AGGREGATE_THRESHOLD) return;
  ctx.governance.denied.add(coordinate);
  throw new GraphQLError(`Access denied: ${argument} reads ${coordinate}, which is not available in full under purpose ${purpose ?? 'none'}`, {
    extensions: { code: ErrorCode.FORBIDDEN, coordinate, purpose },
  });
}
