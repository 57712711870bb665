// The subgraph names alone, for commands that list them without building any schema.

/** Subgraph names: the five data categories plus the gateway's own operations (tokens, explainAccess, retention, security). */
export const SUBGRAPH_NAMES = ['catalog', 'advertising', 'orders', 'inventory-finance', 'system-logs', 'governance'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];
