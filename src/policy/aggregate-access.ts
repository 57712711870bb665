// Aggregates and minimization (DESIGN.md): a `masked` grant sees an aggregate measure in full
// only for groups covering at least k orders or entities; smaller groups are withheld and
// counted. Aggregate services pass their groups through `suppressSmallGroups`; a group that did
// not pass through it gets masked (or denied) measures instead of full ones.
import type { RequestContext } from '../context';
import { DecisionRule } from './decide';
import { governedFields } from './governed-fields';
import { decisionFor } from './request-decisions';
import type { Purpose } from './taxonomy';

const checkedGroups = new WeakSet<object>();

/**
 * Smallest group size this request may receive for groups of `typeName` (0: no threshold), under
 * `purpose` (the root field's, `purposeOf`; default the operation's).
 */
export function aggregateMinGroupSize(ctx: RequestContext, typeName: string, purpose: Purpose | null = ctx.purpose): number {
  const { aggregateFields, classifications, policy: governedPolicy } = governedFields();
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

