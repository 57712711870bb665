// Resolvers of the inventory-finance category: this list alone can serve the category as a subgraph.

export const inventoryFinanceResolvers: Function[] = [];
