// "Why?" for people: the decision for a role, purpose and field coordinate, with the rule and
// the policy entry that produced it. Used by the explainAccess query and `policy explain`.
import { badUserInput } from '../errors';
import { decide, DecisionRule, type Decision } from './decide';
import type { FieldRegistry } from './field-registry';
import type { Policy } from './policy';
import type { Category, Purpose, Sensitivity } from './taxonomy';

export interface AccessExplanation extends Decision {
  policyVersion: string;
  role: string;
  purpose: Purpose;
  coordinate: string;
  category?: Category;
  sensitivity?: Sensitivity;
}

export function explainAccess(policy: Policy, registry: FieldRegistry, role: string, purpose: Purpose, coordinate: string): AccessExplanation {
  const definition = policy.roles[role];
  if (!definition) throw badUserInput(`Unknown role "${role}"; roles: ${Object.keys(policy.roles).join(', ')}`, { argumentName: 'role' });
  const base = { policyVersion: policy.version, role, purpose, coordinate };
  const operation = registry.operations.get(coordinate);
  if (operation?.authenticated) {
    return { ...base, effect: 'allow', rule: DecisionRule.PERMISSION, source: 'authenticated', reason: `${coordinate} is open to every authenticated principal` };
  }
  if (operation) {
    const held = operation.permissions.find((permission) => definition.permissions.includes(permission));
    return {
      ...base,
      effect: held ? 'allow' : 'deny',
      rule: DecisionRule.PERMISSION,
      source: `roles.${role}.permissions`,
      reason: held
        ? `${role} holds ${held}; ${coordinate} needs no purpose`
        : `${coordinate} requires ${operation.permissions.join(' or ')}, which ${role} does not hold`,
    };
  }
  const field = registry.fields.get(coordinate);
  if (!field) throw badUserInput(`Unknown field coordinate "${coordinate}": use Type.field of a data type, e.g. Order.amazonOrderId`, { argumentName: 'coordinate' });
  return { ...base, category: field.category, sensitivity: field.sensitivity, ...decide(policy, { role }, purpose, field, registry.fields) };
}
