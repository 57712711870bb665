// THE decision (DESIGN.md "The decision"): one pure function. Shield rules, masking middleware,
// `explainAccess` and `policy explain` all call it, so they cannot disagree.
import type { Principal } from '../auth/principal';
import { grantOf, protectedBy, type GrantEffect, type Policy } from './policy';
import { Category, MaskKind, Purpose, Sensitivity } from './taxonomy';

export type Effect = 'allow' | 'mask' | 'deny';

/** Which step of the decision produced the effect (stable identifiers, shown by explain). */
export enum DecisionRule {
  /** Step 1: PUBLIC is visible on the marketplace anyway. */
  PUBLIC = 'PUBLIC',
  /** No purpose declared (the operation is normally refused before; this is defence in depth). */
  NO_PURPOSE = 'NO_PURPOSE',
  /** Step 2: the purpose is not one of the field category's purposes. */
  PURPOSE_OUTSIDE_CATEGORY = 'PURPOSE_OUTSIDE_CATEGORY',
  /** The principal's role is not in the policy. */
  UNKNOWN_ROLE = 'UNKNOWN_ROLE',
  /** The role (or the token, a subset of it) may not declare the purpose. */
  PURPOSE_NOT_GRANTED = 'PURPOSE_NOT_GRANTED',
  /** A token limited to categories reads outside them. */
  TOKEN_CATEGORY_SCOPE = 'TOKEN_CATEGORY_SCOPE',
  /** Step 3: the role's grant for the purpose, by sensitivity. */
  ROLE_GRANT = 'ROLE_GRANT',
  /** The grant says `masked` but the field declares no mask: denied. */
  MASK_MISSING = 'MASK_MISSING',
  /** `masked` grant on an aggregate measure: full values for groups of at least k. */
  AGGREGATE_THRESHOLD = 'AGGREGATE_THRESHOLD',
  /** Administrative operation: the role holds (or lacks) the permission it declares. */
  PERMISSION = 'PERMISSION',
  /** The field derives a protected value (policy `derivations`): at least the protected value's treatment. */
  DERIVATION = 'DERIVATION',
}

/** What the decision needs about a field (a FieldInfo from the registry satisfies it). */
export interface DecisionField {
  coordinate: string;
  category: Category;
  sensitivity: Sensitivity;
  mask?: MaskKind;
  aggregate?: boolean;
  /** The field narrows its category's purposes to these. */
  purposes?: readonly Purpose[];
}

/** Who asks: a principal, or just a role (explain). */
export type DecisionSubject = Pick<Principal, 'role'> & Partial<Pick<Principal, 'purposes' | 'categories'>>;

export interface Decision {
  effect: Effect;
  /** For `mask`; for AGGREGATE_THRESHOLD the fallback mask of a group not checked for k. */
  mask?: MaskKind;
  /** AGGREGATE_THRESHOLD: smallest group returned. */
  minGroupSize?: number;
  /** What the grant said for this sensitivity, when a grant was consulted. */
  grant?: GrantEffect;
  rule: DecisionRule;
  /** Where in the policy the effect comes from, e.g. `roles.analyst.grants.BUSINESS_ANALYSIS.CONFIDENTIAL`. */
  source: string;
  /** One sentence for people (explain, logs); never contains data values. */
  reason: string;
}

const STRICTNESS: Record<GrantEffect, number> = { full: 0, masked: 1, deny: 2 };

/** Deny wins across grants, then masked, then full. */
export function strictest(effects: readonly GrantEffect[]): GrantEffect {
  return effects.reduce<GrantEffect>((worst, effect) => (STRICTNESS[effect] > STRICTNESS[worst] ? effect : worst), 'full');
}

function deny(rule: DecisionRule, source: string, reason: string, grant?: GrantEffect): Decision {
  return { effect: 'deny', rule, source, reason, ...(grant ? { grant } : {}) };
}

/** Classifications by coordinate (a FieldRegistry's `fields` satisfies it). */
export type FieldLookup = Pick<ReadonlyMap<string, DecisionField>, 'get'>;

/**
 * Decides one field for one subject and purpose: allow, mask (with the mask kind) or deny, with
 * the rule that produced it. Pure: same inputs, same decision.
 *
 * A field the policy lists among the parts a protected value can be computed from
 * (`derivations`) gets at least the protected value's treatment under the same subject and
 * purpose: deny beats mask beats allow. `fields` gives the protected values' classifications;
 * without it (or for a coordinate it does not know) such a field is denied: fail closed.
 */
export function decide(policy: Policy, subject: DecisionSubject | null, purpose: Purpose | null, field: DecisionField, fields?: FieldLookup): Decision {
  return decideWithDerivations(policy, subject, purpose, field, fields, new Set([field.coordinate]));
}

/** 0 full, 1 masked (or only k-anonymous groups), 2 denied. */
function strictnessOf(decision: Decision): number {
  if (decision.effect === 'deny') return 2;
  return decision.effect === 'mask' || decision.rule === DecisionRule.AGGREGATE_THRESHOLD ? 1 : 0;
}

function decideWithDerivations(
  policy: Policy,
  subject: DecisionSubject | null,
  purpose: Purpose | null,
  field: DecisionField,
  fields: FieldLookup | undefined,
  seen: ReadonlySet<string>,
): Decision {
  let decision = decideOwn(policy, subject, purpose, field);
  for (const coordinate of protectedBy(policy, field.coordinate)) {
    if (decision.effect === 'deny') break;
    if (seen.has(coordinate)) continue;
    const source = `derivations (${coordinate} from ${field.coordinate})`;
    const target = fields?.get(coordinate);
    if (!target) {
      return deny(DecisionRule.DERIVATION, source, `${field.coordinate} derives ${coordinate}, whose classification is unknown here: denied`);
    }
    const protectedDecision = decideWithDerivations(policy, subject, purpose, target, fields, new Set([...seen, coordinate]));
    const needed = strictnessOf(protectedDecision);
    if (needed <= strictnessOf(decision)) continue;
    if (needed === 2) {
      decision = deny(DecisionRule.DERIVATION, source, `${field.coordinate} derives ${coordinate}, which is denied (${protectedDecision.reason})`);
    } else if (field.aggregate) {
      const k = Math.max(policy.aggregates.k, protectedDecision.minGroupSize ?? 0);
      decision = {
        effect: 'allow',
        mask: field.mask,
        minGroupSize: k,
        rule: DecisionRule.AGGREGATE_THRESHOLD,
        source,
        reason: `${field.coordinate} derives ${coordinate}, which is not returned in full: groups of at least ${k} only`,
      };
    } else if (field.mask) {
      decision = { effect: 'mask', mask: field.mask, rule: DecisionRule.DERIVATION, source, reason: `${field.coordinate} derives ${coordinate}, which is masked: masked too (${field.mask})` };
    } else {
      decision = deny(DecisionRule.DERIVATION, source, `${field.coordinate} derives ${coordinate}, which is masked, and declares no mask: denied`);
    }
  }
  return decision;
}

function decideOwn(policy: Policy, subject: DecisionSubject | null, purpose: Purpose | null, field: DecisionField): Decision {
  const { coordinate, category, sensitivity } = field;
  if (sensitivity === Sensitivity.PUBLIC) {
    return { effect: 'allow', rule: DecisionRule.PUBLIC, source: 'decision.step1', reason: `${coordinate} is PUBLIC (visible on the marketplace anyway)` };
  }
  if (!purpose) return deny(DecisionRule.NO_PURPOSE, 'decision', `${coordinate} is ${sensitivity} and no purpose was declared`);
  if (!policy.categories[category]?.includes(purpose)) {
    return deny(
      DecisionRule.PURPOSE_OUTSIDE_CATEGORY,
      `categories.${category}`,
      `${purpose} is not a purpose of the ${category} category (${policy.categories[category]?.join(', ') || 'none'})`,
    );
  }
  if (field.purposes && !field.purposes.includes(purpose)) {
    return deny(DecisionRule.PURPOSE_OUTSIDE_CATEGORY, `field ${coordinate}`, `${coordinate} is readable only under ${field.purposes.join(', ')}, not ${purpose}`);
  }
  if (!subject) return deny(DecisionRule.UNKNOWN_ROLE, 'roles', 'no authenticated principal');
  const role = policy.roles[subject.role];
  if (!role) return deny(DecisionRule.UNKNOWN_ROLE, 'roles', `role ${subject.role} is not in the policy`);
  if (!role.purposes.includes(purpose) || (subject.purposes && !subject.purposes.includes(purpose))) {
    return deny(DecisionRule.PURPOSE_NOT_GRANTED, `roles.${subject.role}.purposes`, `${subject.role} may not act under ${purpose}`);
  }
  if (subject.categories && !subject.categories.includes(category)) {
    return deny(DecisionRule.TOKEN_CATEGORY_SCOPE, 'token.categories', `the token is limited to ${subject.categories.join(', ') || 'no categories'}, not ${category}`);
  }
  const grant = grantOf(policy, subject.role, purpose);
  const source = `roles.${subject.role}.grants.${purpose}.${sensitivity}`;
  if (!grant) return deny(DecisionRule.PURPOSE_NOT_GRANTED, `roles.${subject.role}.grants.${purpose}`, `${subject.role} has no grant for ${purpose}`);
  // One grant applies per (role, purpose); `strictest` is where further grants (e.g. a narrower
  // token grant) would be combined: deny wins.
  const effect = strictest([grant[sensitivity as keyof typeof grant]]);
  if (effect === 'full') {
    return { effect: 'allow', grant: effect, rule: DecisionRule.ROLE_GRANT, source, reason: `${subject.role} under ${purpose}: ${sensitivity} is full` };
  }
  if (effect === 'deny') return deny(DecisionRule.ROLE_GRANT, source, `${subject.role} under ${purpose}: ${sensitivity} is denied`, effect);
  if (field.aggregate) {
    const k = policy.aggregates.k;
    return {
      effect: 'allow',
      grant: effect,
      mask: field.mask,
      minGroupSize: k,
      rule: DecisionRule.AGGREGATE_THRESHOLD,
      source: `${source} + aggregates.k`,
      reason: `${subject.role} under ${purpose}: ${sensitivity} is masked, but this aggregate measure is returned in full for groups of at least ${k}; smaller groups are suppressed`,
    };
  }
  if (!field.mask) {
    return deny(DecisionRule.MASK_MISSING, source, `${subject.role} under ${purpose}: ${sensitivity} is masked, and ${coordinate} declares no mask`, effect);
  }
  return {
    effect: 'mask',
    mask: field.mask,
    grant: effect,
    rule: DecisionRule.ROLE_GRANT,
    source,
    reason: `${subject.role} under ${purpose}: ${sensitivity} is masked (${field.mask})`,
  };
}
