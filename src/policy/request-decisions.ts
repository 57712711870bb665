// Per-request memo of decisions by purpose and coordinate: the shield rule and the masking
// middleware of a field ask once per request and purpose, not once per row, and always get the
// same answer. The purpose is part of the key: in an operation whose root fields declare their own
// purposes (`@purpose`), the same coordinate under two root fields is decided once under each.
import { contextState, type RequestContext } from '../context';
import { decide, type Decision, type DecisionField, type FieldLookup } from './decide';
import type { Policy } from './policy';
import type { Purpose } from './taxonomy';

const DECISIONS = Symbol('decisions of the request');

/**
 * `fields`: the schema's classifications, for the derivations of the policy (see `decide`).
 * `purpose`: the purpose the field is decided under (`purposeOf(ctx, info.path)`); default the operation's.
 */
export function decisionFor(ctx: RequestContext, policy: Policy, field: DecisionField, fields: FieldLookup, purpose: Purpose | null = ctx.purpose): Decision {
  const byPurpose = contextState(ctx, DECISIONS, () => new Map<Purpose | null, Map<string, Decision>>());
  let decisions = byPurpose.get(purpose);
  if (!decisions) byPurpose.set(purpose, (decisions = new Map()));
  let decision = decisions.get(field.coordinate);
  if (!decision) {
    decision = decide(policy, ctx.principal, purpose, field, fields);
    decisions.set(field.coordinate, decision);
  }
  return decision;
}
