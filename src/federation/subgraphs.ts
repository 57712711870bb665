// Each category module as a Federation 2 subgraph. The category's type-graphql schema is printed
// with its directives (`@key` on entities), turned into a subgraph by @apollo/subgraph, and given
// back the classification extensions the SDL cannot carry, so `governSchema` governs it exactly
// like the single-process graph.
import { SCALARS_MAP } from '../../schema/common/date-time.scalar';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import {
  isObjectType,
  Kind,
  parse,
  visit,
  type DocumentNode,
  type GraphQLSchema,
  type ObjectTypeDefinitionNode,
} from 'graphql';
import { buildSchema, createResolversMap, type NonEmptyArray } from 'type-graphql';
import { GOVERNANCE_EXTENSION, type FieldClassification } from '../policy/classification';
import { Category, Sensitivity } from '../policy/taxonomy';
import { allResolvers, CATEGORY_RESOLVERS } from '../server/schema';
import { ENTITY_REFERENCES } from './entity-references';
import { SUBGRAPH_NAMES, type SubgraphName } from './subgraph-names';

export { SUBGRAPH_NAMES, type SubgraphName };

export function isSubgraphName(name: string): name is SubgraphName {
  return (SUBGRAPH_NAMES as readonly string[]).includes(name);
}

/** The category the federation root fields (`_entities`, `_service`) of a subgraph are filed under. */
const SUBGRAPH_CATEGORY: Record<SubgraphName, Category> = {
  catalog: Category.CATALOG,
  advertising: Category.ADVERTISING,
  orders: Category.ORDERS,
  'inventory-finance': Category.INVENTORY_FINANCE,
  'system-logs': Category.SYSTEM_LOGS,
  governance: Category.SYSTEM_LOGS,
};

const FEDERATION_LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])';

/** A category's resolvers; `governance` gets every other resolver of the single-process graph. */
function resolversOf(name: SubgraphName): NonEmptyArray<Function> {
  if (name !== 'governance') return [...CATEGORY_RESOLVERS[name]] as unknown as NonEmptyArray<Function>;
  const inCategories = new Set<Function>(Object.values(CATEGORY_RESOLVERS).flat());
  return allResolvers().filter((resolver) => !inCategories.has(resolver)) as unknown as NonEmptyArray<Function>;
}

const baseSchemas = new Map<SubgraphName, Promise<GraphQLSchema>>();

/** The category's own type-graphql schema (no federation yet). */
export function categorySchema(name: SubgraphName): Promise<GraphQLSchema> {
  let schema = baseSchemas.get(name);
  if (!schema) {
    schema = buildSchema({ resolvers: resolversOf(name), validate: false, scalarsMap: SCALARS_MAP });
    baseSchemas.set(name, schema);
  }
  return schema;
}

function hasKey(node: ObjectTypeDefinitionNode): boolean {
  return (node.directives ?? []).some((directive) => directive.name.value === 'key');
}

/**
 * Value types defined by more than one subgraph (PageInfo, ...): Federation 2 needs them marked
 * `@shareable`. Entities and root types are not value types.
 */
export async function sharedValueTypes(): Promise<Set<string>> {
  const seen = new Map<string, number>();
  for (const name of SUBGRAPH_NAMES) {
    const schema = await categorySchema(name);
    const roots = new Set([schema.getQueryType()?.name, schema.getMutationType()?.name]);
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__') || roots.has(type.name)) continue;
      if (type.astNode && hasKey(type.astNode)) continue;
      seen.set(type.name, (seen.get(type.name) ?? 0) + 1);
    }
  }
  return new Set([...seen].filter(([, count]) => count > 1).map(([typeName]) => typeName));
}

function markShareable(document: DocumentNode, shared: Set<string>): DocumentNode {
  return visit(document, {
    ObjectTypeDefinition(node) {
      if (!shared.has(node.name.value)) return undefined;
      return { ...node, directives: [...(node.directives ?? []), { kind: Kind.DIRECTIVE, name: { kind: Kind.NAME, value: 'shareable' }, arguments: [] }] };
    },
  });
}

/** The subgraph SDL (Federation 2), as `_service { sdl }` returns it and composition reads it. */
export async function subgraphTypeDefs(name: SubgraphName): Promise<DocumentNode> {
  const schema = await categorySchema(name);
  const sdl = `${FEDERATION_LINK}\n\n${printSchemaWithDirectives(schema)}`;
  return markShareable(parse(sdl), await sharedValueTypes());
}

/**
 * Copies the classifications (type and field extensions) of the in-process schema onto a schema
 * built from SDL (a subgraph's, or the gateway's API schema), where the governance and audit
 * plugins read categories and sensitivities.
 */
export function copyClassifications(from: GraphQLSchema, to: GraphQLSchema): void {
  for (const source of Object.values(from.getTypeMap())) {
    const target = to.getType(source.name);
    if (!target || !isObjectType(source) || !isObjectType(target)) continue;
    Object.assign(target, { extensions: { ...target.extensions, ...source.extensions } });
    const targetFields = target.getFields();
    for (const field of Object.values(source.getFields())) {
      const targetField = targetFields[field.name];
      if (targetField) Object.assign(targetField, { extensions: { ...targetField.extensions, ...field.extensions } });
    }
  }
}

/** The federation root fields carry no data themselves: each entity's fields are governed. */
function classifyFederationRootFields(subgraph: GraphQLSchema, category: Category): void {
  const query = subgraph.getQueryType();
  for (const fieldName of ['_entities', '_service']) {
    const field = query?.getFields()[fieldName];
    const classification: FieldClassification = { sensitivity: Sensitivity.PUBLIC, category };
    if (field) Object.assign(field, { extensions: { ...field.extensions, [GOVERNANCE_EXTENSION]: classification } });
  }
}

/** Builds the executable Federation 2 subgraph schema of one category (ungoverned; see governSchema). */
export async function buildSubgraph(name: SubgraphName): Promise<GraphQLSchema> {
  // Every category schema first, always in the same order: type-graphql completes shared object
  // types (AuditRecord's field resolvers, ...) as it builds, so a subgraph serving alone in its
  // process must see the same SDL as when all are built in one process, or composition fails.
  await sharedValueTypes();
  const schema = await categorySchema(name);
  const resolvers = createResolversMap(schema) as GraphQLResolverMap<unknown>;
  for (const [typeName, resolveReference] of Object.entries(ENTITY_REFERENCES)) {
    if (schema.getType(typeName)) resolvers[typeName] = { ...(resolvers[typeName] as object), __resolveReference: resolveReference } as never;
  }
  const subgraph = buildSubgraphSchema({ typeDefs: await subgraphTypeDefs(name), resolvers });
  copyClassifications(schema, subgraph);
  classifyFederationRootFields(subgraph, SUBGRAPH_CATEGORY[name]);
  return subgraph;
}
