// Composition: the six subgraphs compose into one Federation 2 supergraph with no errors, and
// the API schema of that supergraph is the schema the single process serves.
import { Supergraph } from '@apollo/federation-internals';
import { GraphQLSchema } from 'graphql';
import { composeSupergraph, parseSubgraphList } from '../../src/federation/compose';
import { PURPOSE_DIRECTIVE } from '../../src/policy/root-purpose';
import { printGatewaySchema } from '../../src/server/emit-schema';
import { buildGatewaySchema } from '../../src/server/schema';

describe('supergraph composition', () => {
  it('composes every subgraph with no errors and routes each to its URL', async () => {
    const sdl = await composeSupergraph();
    for (const name of ['CATALOG', 'ADVERTISING', 'ORDERS', 'INVENTORY_FINANCE', 'SYSTEM_LOGS', 'GOVERNANCE']) {
      expect(sdl).toMatch(new RegExp(`${name} @join__graph\\(name: "[a-z-]+", url: "http://localhost:\\d+/graphql"\\)`));
    }
    expect(sdl).toContain('@join__type(graph: CATALOG, key: "asin")');
    expect(sdl).toContain('@join__type(graph: ORDERS, key: "id")');
  });

  it('gives users the same schema as the single process, but for per-root purposes', async () => {
    const api = Supergraph.build(await composeSupergraph()).apiSchema().toGraphQLJSSchema();
    const single = await buildGatewaySchema();
    // `@purpose(name:)` (several purposes in one operation) is the single process's only: a hop
    // carries one purpose (docs/clients.md); the federated schema does not offer it.
    expect(single.getDirective(PURPOSE_DIRECTIVE)).toBeDefined();
    expect(api.getDirective(PURPOSE_DIRECTIVE)).toBeUndefined();
    const withoutPurpose = new GraphQLSchema({ ...single.toConfig(), directives: single.getDirectives().filter((directive) => directive.name !== PURPOSE_DIRECTIVE) });
    expect(printGatewaySchema(api)).toEqual(printGatewaySchema(withoutPurpose));
  });

  it('reads subgraph lists and refuses unknown or missing subgraphs', async () => {
    const list = 'catalog=http://c/graphql,advertising=http://a/graphql,orders=http://o/graphql,inventory-finance=http://i/graphql,system-logs=http://s/graphql,governance=http://g/graphql';
    expect(parseSubgraphList(list)).toHaveLength(6);
    expect(() => parseSubgraphList('catalog=http://c/graphql')).toThrow(/missing/);
    expect(() => parseSubgraphList(`${list},billing=http://b/graphql`)).toThrow(/Unknown subgraph "billing"/);
  });
});
