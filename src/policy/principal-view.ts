// The schema as one principal may use it, for its introspection (GraphiQL's Docs, IDEs, code
// generators): every field it can never read under any of its purposes, and every root operation
// whose permission it lacks, is marked "Not available to you" at the head of its description;
// every other governed field says what the principal gets under each of its purposes. Nothing is
// hidden: every principal's introspection lists the same types and fields (the whole API, as
// schema/schema.graphql), so validation, codegen and persisted documents made from one
// principal's view work for all. The marks are made by `decide` (fields) and the shield's
// permission check (operations), per principal shape (role, purposes, categories, partner) and
// schema (one per policy), cached; they say no more than `me` tells the same principal.
import { mapSchema, MapperKind } from '@graphql-tools/utils';
import type { GraphQLSchema } from 'graphql';
import type { Principal } from '../auth/principal';
import { decide, type Decision } from './decide';
import { fieldRegistry, type FieldInfo, type OperationInfo } from './field-registry';
import { mayRunOperation } from './govern-schema';
import type { Policy } from './policy';
import { Sensitivity } from './taxonomy';

/** What a principal's view is made of: two principals of the same shape see the same marks. */
export type PrincipalShape = Pick<Principal, 'role' | 'purposes' | 'categories' | 'partner' | 'kind'>;

/** The marker every unavailable field's description starts with. */
export const NOT_AVAILABLE = 'Not available to you';

/** Views kept per schema (distinct shapes are few: roles times tokens' narrowings). */
const MAX_VIEWS_PER_SCHEMA = 64;

const views = new WeakMap<GraphQLSchema, Map<string, GraphQLSchema>>();

export function shapeKey(principal: PrincipalShape): string {
  const purposes = [...principal.purposes].sort().join(',');
  const categories = principal.categories ? [...principal.categories].sort().join(',') : '*';
  return `${principal.kind}|${principal.role}|${principal.partner ? 'partner' : ''}|${purposes}|${categories}`;
}

function effectText(decision: Decision): string {
  if (decision.effect === 'deny') return 'denied';
  if (decision.effect === 'mask') return `masked (${decision.mask})`;
  return decision.grant === 'masked' && decision.minGroupSize ? `full in groups of at least ${decision.minGroupSize}` : 'full';
}

/** The principal's mark of a data field: null when nothing needs saying (a PUBLIC field readable anyway). */
export function fieldMark(policy: Policy, principal: PrincipalShape, field: FieldInfo, fields: ReadonlyMap<string, FieldInfo>): { unavailable: boolean; text: string } | null {
  const decisions = principal.purposes.map((purpose) => ({ purpose, decision: decide(policy, principal, purpose, field, fields) }));
  if (field.sensitivity === Sensitivity.PUBLIC && decisions.every(({ decision }) => decision.effect === 'allow')) return null;
  if (decisions.length === 0) return { unavailable: true, text: `**${NOT_AVAILABLE}**: you may declare no purpose.` };
  if (decisions.every(({ decision }) => decision.effect === 'deny')) {
    const reasons = decisions.map(({ purpose, decision }) => `under ${purpose}: ${decision.reason}`);
    return { unavailable: true, text: `**${NOT_AVAILABLE}** under any of your purposes (${reasons.join('; ')}).` };
  }
  return { unavailable: false, text: `For you: ${decisions.map(({ purpose, decision }) => `${effectText(decision)} under ${purpose}`).join(', ')}.` };
}

/** The principal's mark of a root operation (administrative, or about the caller itself). */
export function operationMark(policy: Policy, principal: PrincipalShape, operation: OperationInfo): string | null {
  if (mayRunOperation(policy, principal, operation)) return null;
  const why = principal.partner ? 'partner tokens run no administrative operation' : `role ${principal.role} holds none of ${operation.permissions.join(', ')}`;
  return `**${NOT_AVAILABLE}**: ${why}.`;
}

function buildView(schema: GraphQLSchema, policy: Policy, principal: PrincipalShape): GraphQLSchema {
  const registry = fieldRegistry(schema);
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (fieldConfig, fieldName, typeName) => {
      const coordinate = `${typeName}.${fieldName}`;
      const field = registry.fields.get(coordinate);
      const operation = registry.operations.get(coordinate);
      let description = fieldConfig.description ?? '';
      if (field) {
        const mark = fieldMark(policy, principal, field, registry.fields);
        if (!mark) return fieldConfig;
        description = mark.unavailable ? `${mark.text}${description ? `\n\n${description}` : ''}` : `${description ? `${description}\n\n` : ''}${mark.text}`;
      } else if (operation) {
        const mark = operationMark(policy, principal, operation);
        if (!mark) return fieldConfig;
        description = `${mark}${description ? `\n\n${description}` : ''}`;
      } else {
        return fieldConfig;
      }
      return { ...fieldConfig, description };
    },
  });
}

/**
 * The schema `principal` introspects: `schema` (the governed schema of `policy`) with its marks.
 * Built once per schema and principal shape.
 */
export function principalView(schema: GraphQLSchema, policy: Policy, principal: PrincipalShape): GraphQLSchema {
  let bySchema = views.get(schema);
  if (!bySchema) views.set(schema, (bySchema = new Map()));
  const key = shapeKey(principal);
  let view = bySchema.get(key);
  if (view) {
    // Most recently used last: the oldest view is the one dropped.
    bySchema.delete(key);
  } else {
    view = buildView(schema, policy, principal);
    if (bySchema.size >= MAX_VIEWS_PER_SCHEMA) bySchema.delete(bySchema.keys().next().value!);
  }
  bySchema.set(key, view);
  return view;
}
