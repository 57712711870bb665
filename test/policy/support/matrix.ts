// Builds the exhaustive role x purpose x field matrix from the policy and the schema: one query
// per data root selecting its whole type tree, the reference result (ungoverned), and what a
// governed response must be for a principal and purpose according to `decide`.
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { decide, DecisionRule, type Decision, type DecisionSubject } from '../../../src/policy/decide';
import type { FieldRegistry } from '../../../src/policy/field-registry';
import type { Masker } from '../../../src/policy/masks';
import type { Policy } from '../../../src/policy/policy';
import { MaskKind, Sensitivity, type Purpose } from '../../../src/policy/taxonomy';

const MAX_DEPTH = 4;

export interface Selection {
  field: string;
  args?: Record<string, unknown>;
  children?: Selection[];
}

/** Values for required enum and date arguments (a wide date range, the first enum value). */
function generatedArg(name: string, typeName: string, enumValue?: string): unknown {
  if (enumValue) return `ENUM:${enumValue}`;
  if (typeName === 'LocalDate') return name === 'from' ? '2000-01-01' : '2100-01-01';
  if (typeName === 'DateTimeISO') return name === 'from' ? '2000-01-01T00:00:00.000Z' : '2100-01-01T00:00:00.000Z';
  return undefined;
}

function nestedArgs(field: GraphQLField<unknown, unknown>): Record<string, unknown> | null {
  const args: Record<string, unknown> = {};
  for (const arg of requiredArgs(field)) {
    const argType = getNamedType(arg.type);
    const value = generatedArg(arg.name, argType.name, isEnumType(argType) ? argType.getValues()[0].name : undefined);
    if (value === undefined) return null;
    args[arg.name] = value;
  }
  return args;
}

export interface RootQuery {
  field: string;
  args: Record<string, unknown>;
  selection: Selection[];
  /** Lookup argument -> the field coordinate its value was taken from (listing(sku) <- Listing.sellerSku). */
  keys?: Record<string, string>;
}

function requiredArgs(field: GraphQLField<unknown, unknown>) {
  return field.args.filter((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined);
}

/** Every field of the type tree (connections via `nodes`), cycles cut on the current path. */
export function selectAll(type: GraphQLObjectType, depth = 0, path: string[] = []): Selection[] {
  const fields = type.getFields();
  const selection: Selection[] = [];
  for (const field of Object.values(fields)) {
    const args = nestedArgs(field);
    if (!args) continue;
    if (field.name === 'edges' && fields.nodes) continue;
    const named = getNamedType(field.type);
    const withArgs = Object.keys(args).length ? { args } : {};
    if (isObjectType(named)) {
      if (depth >= MAX_DEPTH || path.includes(named.name)) continue;
      const children = selectAll(named, depth + 1, [...path, type.name]);
      if (children.length) selection.push({ field: field.name, ...withArgs, children });
    } else {
      selection.push({ field: field.name, ...withArgs });
    }
  }
  return selection;
}

function printArgs(args: Record<string, unknown> | undefined): string {
  const list = Object.entries(args ?? {}).map(([name, value]) => `${name}: ${typeof value === 'string' && value.startsWith('ENUM:') ? value.slice(5) : JSON.stringify(value)}`);
  return list.length ? `(${list.join(', ')})` : '';
}

export function printSelection(selection: Selection[]): string {
  return selection.map((s) => `${s.field}${printArgs(s.args)}${s.children ? ` { ${printSelection(s.children)} }` : ''}`).join(' ');
}

export function printRoot(root: RootQuery): string {
  return `{ ${root.field}${printArgs(root.args)} { ${printSelection(root.selection)} } }`;
}

/**
 * Argument values for a root field; lookup keys come from `lookupSource` (first node of a list),
 * and `keys` (when given) receives the coordinate each lookup argument was taken from.
 */
export function rootArgs(
  field: GraphQLField<unknown, unknown>,
  lookupSource: (typeName: string) => Record<string, unknown> | undefined,
  keys?: Record<string, string>,
): Record<string, unknown> | null {
  const args: Record<string, unknown> = {};
  if (field.args.some((arg) => arg.name === 'first')) args.first = 3;
  const named = getNamedType(field.type);
  for (const arg of requiredArgs(field)) {
    const argType = getNamedType(arg.type);
    const generated = generatedArg(arg.name, argType.name, isEnumType(argType) ? argType.getValues()[0].name : undefined);
    if (generated !== undefined) args[arg.name] = generated;
    else {
      // The key field is named like the argument, or `seller` + it (listing(sku) <- Listing.sellerSku).
      const source = lookupSource(named.name);
      const candidates = [arg.name, `seller${arg.name[0].toUpperCase()}${arg.name.slice(1)}`];
      const key = candidates.find((candidate) => source?.[candidate] !== undefined && source?.[candidate] !== null);
      if (!source || !key) return null;
      args[arg.name] = source[key];
      if (keys) keys[arg.name] = `${named.name}.${key}`;
    }
  }
  return args;
}

/**
 * A lookup as the subject would send it: each key given as the subject sees its field (a
 * PSEUDONYM-masked key as its pseudonym). A key the subject may neither read in full nor see as a
 * pseudonym cannot be given at all: `refusedBy` names its coordinate, and the lookup is refused
 * with FORBIDDEN (a lookup by a hidden value would confirm it).
 */
export function lookupAsSeen(
  root: RootQuery,
  registry: FieldRegistry,
  policy: Policy,
  masker: Masker,
  subject: DecisionSubject,
  purpose: Purpose,
): { root: RootQuery; refusedBy?: string } {
  const args = { ...root.args };
  for (const [argument, coordinate] of Object.entries(root.keys ?? {})) {
    const info = registry.fields.get(coordinate);
    if (!info) throw new Error(`Lookup key ${coordinate} has no classification`);
    const decision = decide(policy, subject, purpose, info, registry.fields);
    if (decision.effect === 'allow' && !decision.mask && decision.rule !== DecisionRule.AGGREGATE_THRESHOLD) continue;
    if (decision.effect === 'mask' && decision.mask === MaskKind.PSEUDONYM) {
      args[argument] = masker.apply(decision.mask, args[argument], 'String');
      continue;
    }
    return { root, refusedBy: coordinate };
  }
  return { root: { ...root, args } };
}

/**
 * What the response must hold. When a denied non-null field nulls its parent, GraphQL reports
 * the error that reached the nullable ancestor first and may drop its siblings: such errors (and
 * their masked/denied records) are `optional`; everything else is `required`.
 */
export interface Expected {
  data: unknown;
  errors: { required: Set<string>; optional: Set<string> };
  masked: { required: Set<string>; optional: Set<string> };
  denied: { required: Set<string>; optional: Set<string> };
  suppressedGroups: number;
}

interface Tracked {
  errors: string[];
  masked: string[];
  denied: string[];
}

const BUBBLE = Symbol('bubble');

/** What the governed response must hold, from the reference data and the decision function. */
export function expectedResponse(
  schema: GraphQLSchema,
  registry: FieldRegistry,
  policy: Policy,
  masker: Masker,
  subject: DecisionSubject,
  purpose: Purpose,
  rootField: string,
  selection: Selection[],
  reference: unknown,
): Expected {
  const out: Expected = {
    data: null,
    errors: { required: new Set(), optional: new Set() },
    masked: { required: new Set(), optional: new Set() },
    denied: { required: new Set(), optional: new Set() },
    suppressedGroups: 0,
  };
  // Records in the current subtree; a bubbling subtree turns its records optional.
  let tracked: Tracked = { errors: [], masked: [], denied: [] };
  const subtree = <T>(body: () => T): { result: T; records: Tracked } => {
    const outer = tracked;
    tracked = { errors: [], masked: [], denied: [] };
    try {
      return { result: body(), records: tracked };
    } finally {
      const inner = tracked;
      tracked = outer;
      void inner;
    }
  };
  const keep = (records: Tracked, optional: boolean) => {
    if (optional) {
      tracked.errors.push(...records.errors.map((e) => `?${e}`));
      tracked.masked.push(...records.masked.map((e) => `?${e}`));
      tracked.denied.push(...records.denied.map((e) => `?${e}`));
    } else {
      tracked.errors.push(...records.errors);
      tracked.masked.push(...records.masked);
      tracked.denied.push(...records.denied);
    }
  };
  const decisionOf = (coordinate: string): Decision | null => {
    const info = registry.fields.get(coordinate);
    if (!info || info.sensitivity === Sensitivity.PUBLIC) return null;
    return decide(policy, subject, purpose, info, registry.fields);
  };
  const groupThreshold = (groupType: string): number => {
    let k = 0;
    for (const info of registry.fields.values()) {
      if (info.typeName !== groupType || !info.aggregate) continue;
      const decision = decide(policy, subject, purpose, info, registry.fields);
      if (decision.rule === DecisionRule.AGGREGATE_THRESHOLD) k = Math.max(k, decision.minGroupSize ?? 0);
    }
    return k;
  };

  const value = (type: GraphQLOutputType, ref: unknown, children: Selection[] | undefined, path: (string | number)[]): unknown => {
    if (ref === null || ref === undefined) return null;
    const nullable = getNullableType(type);
    if (isListType(nullable)) {
      const { result: items, records } = subtree(() => (ref as unknown[]).map((item, index) => value(nullable.ofType, item, children, [...path, index])));
      const bubbled = items.includes(BUBBLE) && isNonNullType(nullable.ofType);
      keep(records, bubbled);
      if (bubbled) return BUBBLE;
      return items.map((item) => (item === BUBBLE ? null : item));
    }
    if (isObjectType(nullable)) {
      const { result, records } = subtree(() => object(nullable, ref as Record<string, unknown>, children ?? [], path));
      keep(records, result === BUBBLE);
      return result;
    }
    return ref;
  };

  const object = (type: GraphQLObjectType, ref: Record<string, unknown>, selection: Selection[], path: (string | number)[]): unknown => {
    const result: Record<string, unknown> = {};
    const groupLists = registry.groupLists.get(type.name) ?? [];
    let removed = 0;
    const working = { ...ref };
    for (const { field, groupType } of groupLists) {
      const k = groupThreshold(groupType);
      const groups = working[field];
      if (k > 0 && Array.isArray(groups)) {
        const sizeField = registry.groupSizeFields.get(groupType)!;
        const kept = groups.filter((group: Record<string, unknown>) => Number(group[sizeField]) >= k);
        removed += groups.length - kept.length;
        working[field] = kept;
      }
    }
    // Counted once per wrapper instance that is resolved.
    out.suppressedGroups += removed;
    if (typeof working.suppressedGroups === 'number') working.suppressedGroups += removed;
    // salesSummary under a threshold sums k-anonymous day bins (resolvers/orders/sales-bins.ts); the
    // matrix asks groupBy: DAY over all time, and the demo data has one bin per day and currency,
    // so the bins left out are the groups removed.
    if (groupLists.length > 0 && removed > 0 && typeof working.suppressedBins === 'number') working.suppressedBins = removed;
    let bubble = false;
    for (const { field, children } of selection) {
      const coordinate = `${type.name}.${field}`;
      const definition = type.getFields()[field];
      const decision = decisionOf(coordinate);
      const fieldPath = [...path, field];
      if (decision?.effect === 'deny') {
        tracked.errors.push(`${fieldPath.join('.')} FORBIDDEN ${coordinate}`);
        tracked.denied.push(coordinate);
        result[field] = null;
        if (isNonNullType(definition.type)) bubble = true;
        continue;
      }
      let fieldValue: unknown;
      if (decision?.effect === 'mask') {
        tracked.masked.push(coordinate);
        fieldValue = masker.apply(decision.mask!, working[field], getNamedType(definition.type).name);
      } else {
        fieldValue = value(definition.type, working[field], children, fieldPath);
      }
      if (fieldValue === BUBBLE) {
        if (isNonNullType(definition.type)) bubble = true;
        result[field] = null;
      } else {
        result[field] = fieldValue;
      }
    }
    return bubble ? BUBBLE : result;
  };

  const rootType = schema.getQueryType()!;
  const rootDefinition = rootType.getFields()[rootField];
  const wrapped = object(rootType, { [rootField]: reference }, [{ field: rootField, children: selection }], []);
  out.data = wrapped === BUBBLE ? null : wrapped;
  const sort = (records: string[], target: { required: Set<string>; optional: Set<string> }) => {
    for (const record of records) {
      if (record.startsWith('?')) target.optional.add(record.replace(/^\?+/, ''));
      else target.required.add(record);
    }
    for (const record of target.required) target.optional.delete(record);
  };
  sort(tracked.errors, out.errors);
  sort(tracked.masked, out.masked);
  sort(tracked.denied, out.denied);
  void isScalarType;
  void rootDefinition;
  return out;
}
