// Resolvers of the advertising category: this list alone can serve the category as a subgraph.

export const advertisingResolvers: Function[] = [];
