// The access policy in the schema's own documentation: every classified field's description says
// its sensitivity, category and mask, and which purposes grant it to which roles (in full or
// masked); every administrative root field says the permission it needs. Generated from the policy
// in force by the decision function, so GraphiQL's Docs, IDEs and code generators show what the
// gateway enforces. The gateway's served schema only (subgraphs keep their own descriptions).
import { mapSchema, MapperKind } from '@graphql-tools/utils';
import type { GraphQLSchema } from 'graphql';
import { decide } from './decide';
import { fieldRegistry, type FieldInfo, type OperationInfo } from './field-registry';
import type { Policy } from './policy';
import { Sensitivity } from './taxonomy';

/** One line per fact, Markdown (GraphiQL renders descriptions as Markdown). */
export function accessDescription(policy: Policy, field: FieldInfo): string {
  const head = `Sensitivity: **${field.sensitivity}** · category ${field.category}${field.mask ? ` · mask ${field.mask}` : ''}${field.aggregate ? ' · aggregate measure' : ''}`;
  if (field.sensitivity === Sensitivity.PUBLIC) return `${head}\n\nReadable under any purpose (visible on the marketplace anyway).`;
  const purposes = (policy.categories[field.category] ?? []).filter((purpose) => !field.purposes || field.purposes.includes(purpose));
  const grants = purposes.map((purpose) => {
    const full: string[] = [];
    const masked: string[] = [];
    for (const [role, definition] of Object.entries(policy.roles)) {
      if (!definition.purposes.includes(purpose)) continue;
      const decision = decide(policy, { role }, purpose, field);
      if (decision.effect === 'mask') masked.push(role);
      else if (decision.effect === 'allow') full.push(decision.grant === 'masked' ? `${role} (groups of at least ${decision.minGroupSize})` : role);
    }
    const parts = [full.length ? `full: ${full.join(', ')}` : '', masked.length ? `masked: ${masked.join(', ')}` : ''].filter(Boolean);
    return `${purpose} (${parts.length ? parts.join('; ') : 'denied to every role'})`;
  });
  return `${head}\n\nPurposes that grant it: ${grants.length ? grants.join(', ') : 'none'}.`;
}

function operationDescription(operation: OperationInfo): string {
  return operation.authenticated ? 'Open to every authenticated principal; needs no purpose.' : `Needs the permission ${operation.permissions.join(' or ')}; needs no purpose.`;
}

/** The schema with the policy's facts appended to each governed field's description. */
export function describeAccess(schema: GraphQLSchema, policy: Policy): GraphQLSchema {
  const registry = fieldRegistry(schema);
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (fieldConfig, fieldName, typeName) => {
      const coordinate = `${typeName}.${fieldName}`;
      const field = registry.fields.get(coordinate);
      const operation = registry.operations.get(coordinate);
      const text = field ? accessDescription(policy, field) : operation ? operationDescription(operation) : null;
      if (!text) return fieldConfig;
      return { ...fieldConfig, description: fieldConfig.description ? `${fieldConfig.description}\n\n${text}` : text };
    },
  });
}
