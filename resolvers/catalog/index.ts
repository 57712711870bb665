// Resolvers of the catalog category: this list alone can serve the category as a subgraph.

export const catalogResolvers: Function[] = [];
