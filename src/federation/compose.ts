// Supergraph composition (Federation 2, @apollo/composition): from the in-process subgraph SDLs,
// so `sellergate compose` needs no running subgraph; the URLs only tell the router where to go.
import { composeServices } from '@apollo/composition';
import { SUBGRAPH_NAMES, subgraphTypeDefs, type SubgraphName } from './subgraphs';

export interface SubgraphEndpoint {
  name: SubgraphName;
  url: string;
}

/** Default URLs when none are given: one port per subgraph from 4001, in SUBGRAPH_NAMES order. */
export function defaultSubgraphEndpoints(): SubgraphEndpoint[] {
  return SUBGRAPH_NAMES.map((name, index) => ({ name, url: `http://localhost:${4001 + index}/graphql` }));
}

/** Parses `name=url,name=url`; every name must be a known subgraph, and every subgraph named once. */
export function parseSubgraphList(text: string): SubgraphEndpoint[] {
  const endpoints = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const at = part.indexOf('=');
      const name = part.slice(0, at).trim();
      const url = part.slice(at + 1).trim();
      if (at <= 0 || !url) throw new Error(`Subgraph "${part}": expected name=url`);
      if (!(SUBGRAPH_NAMES as readonly string[]).includes(name)) throw new Error(`Unknown subgraph "${name}"; subgraphs: ${SUBGRAPH_NAMES.join(', ')}`);
      new URL(url);
      return { name: name as SubgraphName, url };
    });
  const missing = SUBGRAPH_NAMES.filter((name) => !endpoints.some((endpoint) => endpoint.name === name));
  if (missing.length > 0) throw new Error(`Subgraphs missing from the list: ${missing.join(', ')}`);
  return endpoints;
}

export class CompositionError extends Error {
  constructor(readonly problems: string[]) {
    super(`Supergraph composition failed:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Composes the supergraph SDL (what Apollo Router or `serve --gateway --supergraph` loads). */
export async function composeSupergraph(endpoints: SubgraphEndpoint[] = defaultSubgraphEndpoints()): Promise<string> {
  const services = await Promise.all(endpoints.map(async ({ name, url }) => ({ name, url, typeDefs: await subgraphTypeDefs(name) })));
  const result = composeServices(services);
  if (result.errors) throw new CompositionError(result.errors.map((error) => error.message));
  return result.supergraphSdl;
}
