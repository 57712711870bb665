// `npx sellergate compose` output as the federation engines read it: Apollo's supergraph loader
// (@apollo/federation-internals, what @apollo/gateway and Apollo Router's planner build from) and
// Hive Gateway's (@graphql-tools/federation: the supergraph SDL turned into an executable schema),
// and the subgraphs composed again with Hive's own composition library
// (@theguild/federation-composition, what Hive's schema registry and `hive-gateway` compose with).
// Each must accept it with no errors and give users every root field of every subgraph.
import { Supergraph } from '@apollo/federation-internals';
import { getStitchedSchemaFromSupergraphSdl } from '@graphql-tools/federation';
import { composeServices as hiveCompose, compositionHasErrors } from '@theguild/federation-composition';
import { buildASTSchema, GraphQLSchema, Kind, type DocumentNode } from 'graphql';
import { SUBGRAPH_NAMES, subgraphTypeDefs, type SubgraphName } from '../../src/federation/subgraphs';
import { PURPOSE_DIRECTIVE } from '../../src/policy/root-purpose';
import { printGatewaySchema } from '../../src/server/emit-schema';
import { buildGatewaySchema } from '../../src/server/schema';
import { runCliProcess } from '../support/processes';

jest.setTimeout(180_000);

/** Federation's own root fields, not part of any API. */
const FEDERATION_FIELDS = new Set(['_service', '_entities']);

/** `Query.x` / `Mutation.y` coordinates a subgraph's SDL declares (its own API, federation fields aside). */
function rootFieldsOf(typeDefs: DocumentNode): string[] {
  const fields: string[] = [];
  for (const definition of typeDefs.definitions) {
    if ((definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.OBJECT_TYPE_EXTENSION) && ['Query', 'Mutation', 'Subscription'].includes(definition.name.value)) {
      for (const field of definition.fields ?? []) if (!FEDERATION_FIELDS.has(field.name.value)) fields.push(`${definition.name.value}.${field.name.value}`);
    }
  }
  return fields;
}

function rootFieldsOfSchema(schema: GraphQLSchema): Set<string> {
  return new Set(
    [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((type) =>
      type ? Object.keys(type.getFields()).filter((name) => !FEDERATION_FIELDS.has(name)).map((name) => `${type.name}.${name}`) : [],
    ),
  );
}

describe('`sellergate compose` output accepted by Apollo and Hive', () => {
  let supergraphSdl: string;
  let subgraphs: { name: SubgraphName; typeDefs: DocumentNode; rootFields: string[] }[];
  let singleProcess: string;

  beforeAll(async () => {
    const composed = await runCliProcess(['compose'], {});
    expect(`${composed.code} ${composed.stderr}`).toBe('0 ');
    supergraphSdl = composed.stdout;
    subgraphs = await Promise.all(SUBGRAPH_NAMES.map(async (name) => {
      const typeDefs = await subgraphTypeDefs(name);
      return { name, typeDefs, rootFields: rootFieldsOf(typeDefs) };
    }));
    // The single process's schema but for `@purpose` (per-root purposes are the single process's
    // only: a hop carries one purpose, see composition.spec.ts).
    const single = await buildGatewaySchema();
    singleProcess = printGatewaySchema(new GraphQLSchema({ ...single.toConfig(), directives: single.getDirectives().filter((directive) => directive.name !== PURPOSE_DIRECTIVE) }));
  });

  it('every subgraph has root fields of its own', () => {
    for (const { name, rootFields } of subgraphs) expect([name, rootFields.length > 0]).toEqual([name, true]);
  });

  it("Apollo's supergraph loader builds it, with every subgraph's root fields", () => {
    const api = Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
    const fields = rootFieldsOfSchema(api);
    for (const { name, rootFields } of subgraphs) expect([name, rootFields.filter((field) => !fields.has(field))]).toEqual([name, []]);
  });

  it("Hive Gateway's supergraph loader builds an executable schema from it, with every subgraph's root fields", () => {
    const schema = getStitchedSchemaFromSupergraphSdl({ supergraphSdl });
    const fields = rootFieldsOfSchema(schema);
    for (const { name, rootFields } of subgraphs) expect([name, rootFields.filter((field) => !fields.has(field))]).toEqual([name, []]);
    // Each root field is routed to a subgraph executor (a schema that only parsed would have none).
    expect(schema.getQueryType()?.getFields().orders.resolve).toEqual(expect.any(Function));
  });

  it("Hive's composition library composes the same subgraphs with no errors, to the API the single process serves", () => {
    const result = hiveCompose(subgraphs.map(({ name, typeDefs }) => ({ name, typeDefs, url: `http://${name}.invalid/graphql` })));
    if (compositionHasErrors(result)) throw new Error(`Hive composition failed:\n${result.errors.map((error) => error.message).join('\n')}`);
    const api = buildASTSchema(result.publicDocumentNode);
    const fields = rootFieldsOfSchema(api);
    for (const { name, rootFields } of subgraphs) expect([name, rootFields.filter((field) => !fields.has(field))]).toEqual([name, []]);
    expect(printGatewaySchema(api)).toEqual(singleProcess);
    // ... and Hive Gateway's loader takes Hive's supergraph as it takes the one `sellergate compose` prints.
    expect(rootFieldsOfSchema(getStitchedSchemaFromSupergraphSdl({ supergraphSdl: result.supergraphSdl }))).toEqual(rootFieldsOfSchema(getStitchedSchemaFromSupergraphSdl({ supergraphSdl })));
  });
});
