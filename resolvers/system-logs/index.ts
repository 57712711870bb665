// Resolvers of the system-logs category: this list alone can serve the category as a subgraph.

export const systemLogsResolvers: Function[] = [];
