// The field coordinates (`Type.field`) an operation selects, fragments included, and the data
// categories they belong to (read from the `governance` extension of fields and types).
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  getNamedType,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
} from 'graphql';
import { GOVERNANCE_EXTENSION } from '../policy/classification';

export interface Selection {
  fields: string[];
  categories: string[];
}

function categoryOf(extensions: unknown): string | undefined {
  const governance = (extensions as Record<string, { category?: string } | undefined> | null | undefined)?.[GOVERNANCE_EXTENSION];
  return governance?.category;
}

function rootType(schema: GraphQLSchema, operation: OperationDefinitionNode): GraphQLCompositeType | null | undefined {
  if (operation.operation === 'query') return schema.getQueryType();
  if (operation.operation === 'mutation') return schema.getMutationType();
  return schema.getSubscriptionType();
}

export function selectedCoordinates(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): Selection {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const fields = new Set<string>();
  const categories = new Set<string>();
  const seen = new Set<string>();

  const walk = (parent: GraphQLCompositeType, selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name === '__typename') continue;
        let field: GraphQLField<unknown, unknown> | undefined;
        if (name === '__schema' && parent === schema.getQueryType()) field = SchemaMetaFieldDef;
        else if (name === '__type' && parent === schema.getQueryType()) field = TypeMetaFieldDef;
        else if (isObjectType(parent) || isInterfaceType(parent)) field = parent.getFields()[name];
        if (!field) continue;
        fields.add(`${parent.name}.${name}`);
        const category = categoryOf(field.extensions) ?? categoryOf(parent.extensions);
        if (category) categories.add(category);
        const child = getNamedType(field.type);
        // Introspection types are walked no further: their coordinates say nothing about data.
        if (selection.selectionSet && isCompositeType(child) && !name.startsWith('__')) {
          const key = `${child.name}|${selection.selectionSet.loc?.start ?? ''}`;
          if (!seen.has(key) || !selection.selectionSet.loc) {
            seen.add(key);
            walk(child, selection.selectionSet);
          }
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (condition && isCompositeType(condition)) walk(condition, selection.selectionSet);
      } else {
        const fragment = fragments.get(selection.name.value);
        const key = `fragment:${selection.name.value}:${parent.name}`;
        if (!fragment || seen.has(key)) continue;
        seen.add(key);
        const condition = schema.getType(fragment.typeCondition.name.value);
        if (condition && isCompositeType(condition)) walk(condition, fragment.selectionSet);
      }
    }
  };
  const root = rootType(schema, operation);
  if (root) walk(root, operation.selectionSet);
  return { fields: [...fields].sort(), categories: [...categories].sort() };
}
