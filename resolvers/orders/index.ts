// Resolvers of the orders category: this list alone can serve the category as a subgraph.

export const ordersResolvers: Function[] = [];
