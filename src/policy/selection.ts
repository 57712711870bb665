// The field coordinates an operation selects (fragments and inline fragments included), found
// from the document before execution: the governance plugin needs them to require a purpose.
import {
  getNamedType,
  isAbstractType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

// Apollo hands a repeated operation the same parsed document: its coordinates are found once
// per schema and operation.
const cache = new WeakMap<OperationDefinitionNode, WeakMap<GraphQLSchema, WeakMap<DocumentNode, ReadonlySet<string>>>>();

/** `Type.field` of every selected field (for interfaces/unions: of each possible object type). */
export function selectedCoordinates(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): ReadonlySet<string> {
  let bySchema = cache.get(operation);
  if (!bySchema) cache.set(operation, (bySchema = new WeakMap()));
  let byDocument = bySchema.get(schema);
  if (!byDocument) bySchema.set(schema, (byDocument = new WeakMap()));
  let coordinates = byDocument.get(document);
  if (!coordinates) byDocument.set(document, (coordinates = findCoordinates(schema, document, operation)));
  return coordinates;
}

function findCoordinates(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): Set<string> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const coordinates = new Set<string>();
  const seen = new Set<string>();

  const objectTypesOf = (type: GraphQLNamedType | undefined): GraphQLCompositeType[] => {
    if (!type) return [];
    if (isObjectType(type)) return [type];
    if (isAbstractType(type)) return [...schema.getPossibleTypes(type)];
    return [];
  };

  const walk = (selectionSet: SelectionSetNode, parents: GraphQLCompositeType[]) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name.startsWith('__')) {
          coordinates.add(name === '__typename' ? '__typename' : `Query.${name}`);
          continue;
        }
        const children: GraphQLCompositeType[] = [];
        for (const parent of parents) {
          if (!isObjectType(parent)) continue;
          const field = parent.getFields()[name];
          if (!field) continue;
          coordinates.add(`${parent.name}.${name}`);
          children.push(...objectTypesOf(getNamedType(field.type)));
        }
        if (selection.selectionSet) walk(selection.selectionSet, [...new Set(children)]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : undefined;
        const narrowed = condition ? objectTypesOf(condition).filter((type) => parents.includes(type)) : parents;
        walk(selection.selectionSet, narrowed);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment) continue;
        const key = `${selection.name.value}@${parents.map((p) => p.name).join(',')}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const condition = schema.getType(fragment.typeCondition.name.value);
        walk(fragment.selectionSet, objectTypesOf(condition).filter((type) => parents.includes(type)));
      }
    }
  };

  const root = schema.getRootType(operation.operation);
  if (root) walk(operation.selectionSet, [root]);
  return coordinates;
}
