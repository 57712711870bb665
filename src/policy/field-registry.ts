// Reads every field's classification back from the built schema: coordinate -> category,
// sensitivity, mask, aggregate. A data field without one fails schema governance (and with it
// the server start and the tests), so nothing is readable by accident.
import {
  getNamedType,
  isIntrospectionType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { GOVERNANCE_EXTENSION, type FieldClassification, type OperationClassification, type TypeClassification } from './classification';
import { ALL_CATEGORIES, ALL_PERMISSIONS, ALL_PURPOSES, ALL_SENSITIVITIES, MaskKind, type Category, type Permission, type Purpose, type Sensitivity } from './taxonomy';

/** What the decision needs to know about a data field. */
export interface FieldInfo {
  /** `Type.field` */
  coordinate: string;
  typeName: string;
  fieldName: string;
  category: Category;
  sensitivity: Sensitivity;
  mask?: MaskKind;
  aggregate: boolean;
  groupSize: boolean;
  /** Narrower purposes than the category's, when the field declares them. */
  purposes?: Purpose[];
  /** Named GraphQL output type (masks keep it). */
  outputType: string;
}

/** A root operation that is not a data read (e.g. token management). */
export interface OperationInfo {
  coordinate: string;
  permissions: Permission[];
  /** Open to every authenticated principal (no permission needed). */
  authenticated?: boolean;
}

export interface FieldRegistry {
  fields: ReadonlyMap<string, FieldInfo>;
  operations: ReadonlyMap<string, OperationInfo>;
  /** Object types holding data of a category (`@DataCategory`). */
  dataTypes: ReadonlyMap<string, Category>;
  /** Query, Mutation, Subscription type names. */
  rootTypes: ReadonlySet<string>;
  /** Aggregate group types (with aggregate measures) -> the field giving a group's size. */
  groupSizeFields: ReadonlyMap<string, string>;
  /** Types holding lists of aggregate groups (e.g. SalesSummary.groups), where k applies. */
  groupLists: ReadonlyMap<string, { field: string; groupType: string }[]>;
}

const GROUP_SIZE_NAMES = ['orders', 'orderCount', 'entities', 'count'];

export class SchemaClassificationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Schema governance: ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`);
    this.name = 'SchemaClassificationError';
  }
}

function governanceOf(extensions: unknown): Record<string, unknown> | undefined {
  const value = (extensions as Record<string, unknown> | undefined)?.[GOVERNANCE_EXTENSION];
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
}

const STRING_LIKE = new Set(['String', 'ID']);
const NUMERIC = new Set(['Int', 'Float', 'Decimal']);

/** Masks keep the GraphQL type: reject a mask that cannot produce a value of the field's type. */
function maskFits(mask: MaskKind, outputType: string): boolean {
  switch (mask) {
    case MaskKind.LAST4:
    case MaskKind.PSEUDONYM:
    case MaskKind.REDACT:
      return STRING_LIKE.has(outputType);
    case MaskKind.ROUND:
      return NUMERIC.has(outputType);
    case MaskKind.MONTH:
      return outputType === 'String' || /date/i.test(outputType);
  }
}

const registries = new WeakMap<GraphQLSchema, FieldRegistry>();

/** Builds (once per schema) the registry; throws listing every unclassified or ill-classified field. */
export function fieldRegistry(schema: GraphQLSchema): FieldRegistry {
  let registry = registries.get(schema);
  if (!registry) {
    registry = buildFieldRegistry(schema);
    registries.set(schema, registry);
  }
  return registry;
}

export function buildFieldRegistry(schema: GraphQLSchema): FieldRegistry {
  const problems: string[] = [];
  const fields = new Map<string, FieldInfo>();
  const operations = new Map<string, OperationInfo>();
  const dataTypes = new Map<string, Category>();
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(
    (type): type is GraphQLObjectType => Boolean(type),
  );
  const rootTypes = new Set(roots.map((type) => type.name));

  const objectTypes = Object.values(schema.getTypeMap()).filter(
    (type): type is GraphQLObjectType => isObjectType(type) && !isIntrospectionType(type),
  );
  for (const type of objectTypes) {
    const typeCategory = governanceOf(type.extensions)?.category as TypeClassification['category'] | undefined;
    if (typeCategory !== undefined) {
      if (!ALL_CATEGORIES.includes(typeCategory)) problems.push(`${type.name}: unknown data category ${String(typeCategory)}`);
      else dataTypes.set(type.name, typeCategory);
    }
  }

  const classify = (type: GraphQLObjectType, field: GraphQLField<unknown, unknown>, typeCategory: Category | undefined) => {
    const coordinate = `${type.name}.${field.name}`;
    const declared = governanceOf(field.extensions);
    const isRoot = rootTypes.has(type.name);
    if (declared && Array.isArray((declared as Partial<OperationClassification>).permissions)) {
      const permissions = (declared as unknown as OperationClassification).permissions;
      if (!isRoot) problems.push(`${coordinate}: @Allow is for root queries and mutations only`);
      else if ((declared as Partial<OperationClassification>).authenticated === true && permissions.length === 0) operations.set(coordinate, { coordinate, permissions, authenticated: true });
      else if (permissions.length === 0 || permissions.some((p) => !ALL_PERMISSIONS.includes(p))) problems.push(`${coordinate}: @Allow needs known permissions`);
      else operations.set(coordinate, { coordinate, permissions });
      return;
    }
    const classification = declared as Partial<FieldClassification> | undefined;
    if (!classification?.sensitivity) {
      if (isRoot) problems.push(`${coordinate}: root field without classification: add @Classified(<sensitivity>, { category }) or @Allow(<permission>)`);
      else if (typeCategory) problems.push(`${coordinate}: field of a ${typeCategory} type without @Classified(<sensitivity>)`);
      return;
    }
    const category = classification.category ?? typeCategory;
    if (!category) {
      problems.push(`${coordinate}: classified field needs a category (on the field, or @DataCategory on ${type.name})`);
      return;
    }
    if (!ALL_SENSITIVITIES.includes(classification.sensitivity)) problems.push(`${coordinate}: unknown sensitivity ${classification.sensitivity}`);
    if (!ALL_CATEGORIES.includes(category)) problems.push(`${coordinate}: unknown category ${String(category)}`);
    const outputType = getNamedType(field.type).name;
    if (classification.purposes && (!Array.isArray(classification.purposes) || classification.purposes.length === 0 || classification.purposes.some((p) => !ALL_PURPOSES.includes(p)))) {
      problems.push(`${coordinate}: purposes must be a non-empty list of purposes`);
    }
    if (classification.mask) {
      const named = getNamedType(field.type);
      if (!Object.values(MaskKind).includes(classification.mask)) problems.push(`${coordinate}: unknown mask ${classification.mask}`);
      else if (!isScalarType(named) || !maskFits(classification.mask, outputType)) {
        problems.push(`${coordinate}: mask ${classification.mask} cannot keep the field's type ${outputType}`);
      }
    }
    fields.set(coordinate, {
      coordinate,
      typeName: type.name,
      fieldName: field.name,
      category,
      sensitivity: classification.sensitivity,
      mask: classification.mask,
      aggregate: classification.aggregate === true,
      groupSize: classification.groupSize === true,
      ...(classification.purposes ? { purposes: classification.purposes } : {}),
      outputType,
    });
  };

  for (const type of objectTypes) {
    const typeCategory = dataTypes.get(type.name);
    for (const field of Object.values(type.getFields())) classify(type, field, typeCategory);
  }
  const groupSizeFields = new Map<string, string>();
  for (const field of fields.values()) {
    if (!field.aggregate || groupSizeFields.has(field.typeName)) continue;
    const siblings = [...fields.values()].filter((other) => other.typeName === field.typeName);
    const size =
      siblings.find((other) => other.groupSize) ??
      siblings.find((other) => GROUP_SIZE_NAMES.includes(other.fieldName) && other.outputType === 'Int');
    if (size) groupSizeFields.set(field.typeName, size.fieldName);
    else problems.push(`${field.typeName}: aggregate measures need a group size field: mark it @Classified(..., { groupSize: true })`);
  }
  const groupLists = new Map<string, { field: string; groupType: string }[]>();
  for (const type of objectTypes) {
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      if (groupSizeFields.has(named.name)) groupLists.set(type.name, [...(groupLists.get(type.name) ?? []), { field: field.name, groupType: named.name }]);
    }
  }
  if (problems.length > 0) throw new SchemaClassificationError(problems);
  return { fields, operations, dataTypes, rootTypes, groupSizeFields, groupLists };
}
