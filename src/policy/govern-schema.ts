// Applies the policy to the executable schema: graphql-shield rules for every type and field,
// derived from the decision function, and masking middleware only where a grant can mask.
// Wrappers cost time on every row, so a field whose answer is always `allow` once reached (PUBLIC
// and structural fields, and fields no role can be denied when every way into their type was
// allowed) keeps its rule in the rule tree but gets no wrapper.
import { getNamedType, GraphQLError, isAbstractType, isIntrospectionType, isObjectType, responsePathAsArray, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { allow, deny, rule, shield } from 'graphql-shield';
import { config } from '../config';
import type { Principal } from '../auth/principal';
import { contextUnderPurpose, type RequestContext } from '../context';
import { ErrorCode } from '../errors';
import { isCheckedGroup, suppressSmallGroups } from './aggregate-access';
import { registerGovernedFields } from './governed-fields';
import { decide, DecisionRule, type Decision } from './decide';
import { fieldRegistry, type FieldInfo, type FieldRegistry, type OperationInfo } from './field-registry';
import { createMasker, resolvePseudonymKey, type Masker } from './masks';
import { protectedBy, type Policy } from './policy';
import { decisionFor } from './request-decisions';
import { purposeOf } from './root-purpose';
import { Sensitivity, type Purpose } from './taxonomy';

/** A field middleware (graphql-middleware's shape, kept synchronous where it can be). */
type FieldMiddleware = (
  resolve: (parent: unknown, args: unknown, ctx: RequestContext, info: GraphQLResolveInfo) => unknown,
  parent: unknown,
  args: unknown,
  ctx: RequestContext,
  info: GraphQLResolveInfo,
) => unknown;

type ShieldRule = ReturnType<ReturnType<typeof rule>> | typeof allow | typeof deny;

export interface GovernOptions {
  /** PSEUDONYM mask key (default: PSEUDONYM_KEY from the configuration). */
  pseudonymKey?: string;
}

function coordinateOf(info: GraphQLResolveInfo): string {
  return `${info.parentType.name}.${info.fieldName}`;
}

/** The FORBIDDEN error of a denied field: one per path, naming coordinate, category and the purpose it was decided under. */
export function forbiddenField(ctx: RequestContext, field: FieldInfo, purpose: Purpose | null = ctx.purpose): GraphQLError {
  ctx.governance.denied.add(field.coordinate);
  return new GraphQLError(`Access denied: ${field.coordinate} (${field.category}, ${field.sensitivity}) is not available under purpose ${purpose ?? 'none'}`, {
    extensions: { code: ErrorCode.FORBIDDEN, coordinate: field.coordinate, category: field.category, purpose },
  });
}

function forbiddenOperation(ctx: RequestContext, operation: OperationInfo): GraphQLError {
  ctx.governance.denied.add(operation.coordinate);
  return new GraphQLError(`Access denied: ${operation.coordinate} requires the permission ${operation.permissions.join(' or ')}`, {
    extensions: { code: ErrorCode.FORBIDDEN, coordinate: operation.coordinate, permissions: operation.permissions },
  });
}

/**
 * The governed fields every path into each object type passes last ("gates"). `PUBLIC` marks a
 * path through a field that is always allowed (a PUBLIC or structural root).
 */
function gatesByType(schema: GraphQLSchema, registry: FieldRegistry): Map<string, Set<string>> {
  const incoming = new Map<string, { parent: string; coordinate: string }[]>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || isIntrospectionType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      const targets = isObjectType(named) ? [named] : isAbstractType(named) ? schema.getPossibleTypes(named) : [];
      for (const target of targets) {
        incoming.set(target.name, [...(incoming.get(target.name) ?? []), { parent: type.name, coordinate: `${type.name}.${field.name}` }]);
      }
    }
  }
  const memo = new Map<string, Set<string>>();
  const gates = (typeName: string, visiting: Set<string>): Set<string> => {
    const known = memo.get(typeName);
    if (known) return known;
    const result = new Set<string>();
    if (registry.rootTypes.has(typeName)) result.add('PUBLIC');
    for (const { parent, coordinate } of incoming.get(typeName) ?? []) {
      const field = registry.fields.get(coordinate);
      if (field) result.add(field.sensitivity === Sensitivity.PUBLIC ? 'PUBLIC' : coordinate);
      else if (registry.operations.has(coordinate)) result.add('PUBLIC');
      else if (visiting.has(parent)) continue;
      else for (const gate of gates(parent, new Set([...visiting, typeName]))) result.add(gate);
    }
    if (visiting.size === 0) memo.set(typeName, result);
    return result;
  };
  const all = new Map<string, Set<string>>();
  for (const typeName of registry.dataTypes.keys()) all.set(typeName, gates(typeName, new Set()));
  return all;
}

/**
 * A field needs no shield wrapper when it can never be denied once its object is reached: every
 * gate into its type has the same category and, for every role and purpose of the policy, is
 * denied whenever the field would be. Its rule stays in the rule tree.
 */
function dominatedByGates(policy: Policy, registry: FieldRegistry, field: FieldInfo, gates: Set<string> | undefined): boolean {
  if (!gates || gates.size === 0 || gates.has('PUBLIC')) return false;
  for (const coordinate of gates) {
    const gate = registry.fields.get(coordinate);
    if (!gate || gate.category !== field.category) return false;
    for (const [role, definition] of Object.entries(policy.roles)) {
      for (const purpose of definition.purposes) {
        const gateDenied = decide(policy, { role }, purpose, gate, registry.fields).effect === 'deny';
        if (!gateDenied && decide(policy, { role }, purpose, field, registry.fields).effect === 'deny') return false;
      }
    }
  }
  return true;
}

/** Whether some role and purpose of the policy gets this field masked (or k-thresholded). */
function canBeMasked(policy: Policy, registry: FieldRegistry, field: FieldInfo): boolean {
  return Object.entries(policy.roles).some(([role, definition]) =>
    definition.purposes.some((purpose) => {
      const decision = decide(policy, { role }, purpose, field, registry.fields);
      return decision.effect === 'mask' || decision.rule === DecisionRule.AGGREGATE_THRESHOLD;
    }),
  );
}

/** Whether a principal may run a root operation that is not a data read (its permission, or any authenticated principal). */
export function mayRunOperation(policy: Policy, principal: Pick<Principal, 'role' | 'partner'> | null | undefined, operation: OperationInfo): boolean {
  if (operation.authenticated) return principal !== null && principal !== undefined;
  const role = principal ? policy.roles[principal.role] : undefined;
  // Partner tokens act for a service provider: never administrative.
  if (!role || principal?.partner) return false;
  return operation.permissions.some((permission) => role.permissions.includes(permission));
}

function holdsPermission(policy: Policy, ctx: RequestContext, operation: OperationInfo): boolean {
  return mayRunOperation(policy, ctx.principal, operation);
}

function maskingMiddleware(policy: Policy, registry: FieldRegistry, field: FieldInfo, masker: Masker): FieldMiddleware {
  const mask = (ctx: RequestContext, decision: Decision, value: unknown, info: GraphQLResolveInfo) => {
    ctx.governance.masked.add(field.coordinate);
    if (value !== null && value !== undefined) ctx.governance.noteMaskedPath(responsePathAsArray(info.path), field.coordinate);
    return masker.apply(decision.mask!, value, field.outputType);
  };
  // Synchronous when nothing is masked, so allowed reads pay almost nothing.
  return (resolve, parent, args, ctx, info) => {
    const purpose = purposeOf(ctx, info.path);
    const decision = decisionFor(ctx, policy, field, registry.fields, purpose);
    let maskWith: Decision | undefined;
    if (decision.effect === 'mask') maskWith = decision;
    else if (decision.rule === DecisionRule.AGGREGATE_THRESHOLD && !isCheckedGroup(parent)) {
      // The group did not pass the k check: fall back to the mask, or deny.
      if (!decision.mask) return forbiddenField(ctx, field, purpose);
      maskWith = decision;
    }
    const value = resolve(parent, args, ctx, info);
    if (!maskWith) return value;
    const chosen = maskWith;
    return value instanceof Promise ? value.then((resolved) => mask(ctx, chosen, resolved, info)) : mask(ctx, chosen, value, info);
  };
}

/**
 * k-anonymity for aggregates, in the policy layer: a field returning aggregate groups (or a
 * wrapper holding lists of them) has groups below the request's k removed and counted, and the
 * rest marked as checked so their measures may be returned in full.
 */
function suppressionMiddleware(registry: FieldRegistry, returnType: string): FieldMiddleware {
  const filter = (ctx: RequestContext, purpose: Purpose | null, groupType: string, groups: unknown): { kept: unknown; removed: number } => {
    if (!Array.isArray(groups)) return { kept: groups, removed: 0 };
    const sizeField = registry.groupSizeFields.get(groupType)!;
    const kept = suppressSmallGroups(ctx, groupType, groups as Record<string, unknown>[], (group) => Number(group[sizeField] ?? 0), purpose);
    return { kept, removed: groups.length - kept.length };
  };
  const process = (ctx: RequestContext, purpose: Purpose | null, value: unknown): unknown => {
    if (value === null || value === undefined || value instanceof Error) return value;
    if (registry.groupSizeFields.has(returnType)) return filter(ctx, purpose, returnType, value).kept;
    if (Array.isArray(value)) return value.map((item) => process(ctx, purpose, item));
    const wrapper = value as Record<string, unknown>;
    for (const { field, groupType } of registry.groupLists.get(returnType) ?? []) {
      const { kept, removed } = filter(ctx, purpose, groupType, wrapper[field]);
      wrapper[field] = kept;
      if (typeof wrapper.suppressedGroups === 'number') wrapper.suppressedGroups += removed;
    }
    return wrapper;
  };
  return (resolve, parent, args, ctx, info) => {
    const purpose = purposeOf(ctx, info.path);
    const value = resolve(parent, args, ctx, info);
    return value instanceof Promise ? value.then((resolved) => process(ctx, purpose, resolved)) : process(ctx, purpose, value);
  };
}

/**
 * Returns the governed schema: shield rules derived from `decide` on every field of every
 * type (`"*"` and the fallback deny), masking middleware where a grant can mask.
 */
export function governSchema(schema: GraphQLSchema, policy: Policy, options: GovernOptions = {}): GraphQLSchema {
  const registry = fieldRegistry(schema);
  const pseudonymKey = options.pseudonymKey ?? resolvePseudonymKey(config());
  const masker = createMasker(pseudonymKey);
  registerGovernedFields(registry.fields, policy, pseudonymKey);

  const gates = gatesByType(schema, registry);
  const ruleTree: Record<string, Record<string, ShieldRule>> = {};
  const wrapped = new Set<string>();
  const maskMiddleware: Record<string, Record<string, FieldMiddleware>> = {};

  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || isIntrospectionType(type)) continue;
    const governed = registry.dataTypes.has(type.name) || registry.rootTypes.has(type.name);
    const rules: Record<string, ShieldRule> = governed ? { '*': deny } : {};
    for (const fieldName of Object.keys(type.getFields())) {
      const coordinate = `${type.name}.${fieldName}`;
      const field = registry.fields.get(coordinate);
      const operation = registry.operations.get(coordinate);
      let fieldRule: ShieldRule = allow;
      // A PUBLIC field is always readable, unless the policy lists it among the parts of a protected value.
      const decided = field && (field.sensitivity !== Sensitivity.PUBLIC || protectedBy(policy, coordinate).length > 0);
      if (field && decided) {
        // No shield cache: the decision depends on the root field's purpose (`@purpose`), and
        // `decisionFor` memoizes per request, purpose and coordinate.
        fieldRule = rule(`decide:${coordinate}`, { cache: 'no_cache' })((_parent, _args, ctx: RequestContext, info: GraphQLResolveInfo) =>
          decisionFor(ctx, policy, field, registry.fields, purposeOf(ctx, info.path)).effect === 'deny' ? false : true,
        );
      } else if (operation) {
        fieldRule = rule(`permission:${coordinate}`, { cache: 'contextual' })((_parent, _args, ctx: RequestContext) => holdsPermission(policy, ctx, operation));
      }
      rules[fieldName] = fieldRule;
      const needsWrapper = fieldRule !== allow && !(field && dominatedByGates(policy, registry, field, gates.get(type.name)));
      if (needsWrapper) wrapped.add(coordinate);
      const returnType = getNamedType(type.getFields()[fieldName].type).name;
      const returnsGroups = registry.groupLists.has(returnType) || (registry.groupSizeFields.has(returnType) && registry.rootTypes.has(type.name));
      if (returnsGroups) {
        (maskMiddleware[type.name] ??= {})[fieldName] = suppressionMiddleware(registry, returnType);
      } else if (field?.mask || field?.aggregate) {
        if (decided && canBeMasked(policy, registry, field)) {
          (maskMiddleware[type.name] ??= {})[fieldName] = maskingMiddleware(policy, registry, field, masker);
        }
      }
    }
    ruleTree[type.name] = rules;
  }

  const permissions = shield(ruleTree, {
    fallbackRule: deny,
    allowExternalErrors: true,
    fallbackError: (_error, _parent, _args, shieldCtx, info) => {
      const ctx = shieldCtx as unknown as RequestContext;
      const coordinate = coordinateOf(info);
      const field = registry.fields.get(coordinate);
      const operation = registry.operations.get(coordinate);
      if (field) return forbiddenField(ctx, field, purposeOf(ctx, info.path));
      if (operation) return forbiddenOperation(ctx, operation);
      ctx.governance.denied.add(coordinate);
      return new GraphQLError(`Access denied: ${coordinate}`, { extensions: { code: ErrorCode.FORBIDDEN, coordinate } });
    },
  });
  // Keep the shield wrappers of fields whose rule is not a constant allow.
  const generated = permissions.generate(schema) as Record<string, Record<string, unknown>>;
  const shieldMiddleware: Record<string, Record<string, unknown>> = {};
  for (const [typeName, fields] of Object.entries(generated)) {
    for (const [fieldName, middleware] of Object.entries(fields)) {
      if (wrapped.has(`${typeName}.${fieldName}`)) (shieldMiddleware[typeName] ??= {})[fieldName] = middleware;
    }
  }
  // A root field of a query that declares its own purpose (`@purpose`) is resolved, from its shield
  // rule to its service, with the request's context under that purpose.
  const queryType = schema.getQueryType();
  const rootPurposeMiddleware: Record<string, Record<string, FieldMiddleware>> = {};
  if (queryType) {
    const underRootPurpose: FieldMiddleware = (resolve, parent, args, ctx, info) => {
      const purpose = ctx.rootPurposes?.get(String(info.path.key));
      return resolve(parent, args, purpose ? contextUnderPurpose(ctx, purpose) : ctx, info);
    };
    for (const fieldName of Object.keys(queryType.getFields())) {
      if (registry.fields.has(`${queryType.name}.${fieldName}`)) (rootPurposeMiddleware[queryType.name] ??= {})[fieldName] = underRootPurpose;
    }
  }
  // First middleware is outermost: the root's purpose first, then the shield decides before the mask runs.
  return applyMiddleware(schema, rootPurposeMiddleware as never, shieldMiddleware as never, maskMiddleware as never);
}
