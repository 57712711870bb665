// Tables of the gateway itself (tokens, audit, retention, holds, ...), not of a data category.
export const gatewayEntities: Function[] = [];
