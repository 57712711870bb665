// Per-request memo of decisions by coordinate: the shield rule and the masking middleware of a
// field ask once per request, not once per row, and always get the same answer.
import type { RequestContext } from '../context';
import { decide, type Decision, type DecisionField, type FieldLookup } from './decide';
import type { Policy } from './policy';

const memo = new WeakMap<object, Map<string, Decision>>();

/** `fields`: the schema's classifications, for the derivations of the policy (see `decide`). */
export function decisionFor(ctx: RequestContext, policy: Policy, field: DecisionField, fields: FieldLookup): Decision {
  let decisions = memo.get(ctx);
  if (!decisions) {
    decisions = new Map();
    memo.set(ctx, decisions);
  }
  let decision = decisions.get(field.coordinate);
  if (!decision) {
    decision = decide(policy, ctx.principal, ctx.purpose, field, fields);
    decisions.set(field.coordinate, decision);
  }
  return decision;
}
