// The access policy module: what the gateway wires (src/server/components.ts).
export { aggregateMinGroupSize, suppressSmallGroups } from './aggregate-access';
export { decide, DecisionRule, type Decision } from './decide';
export { defaultPolicy } from './default-policy';
export { explainAccess } from './explain';
export { fieldRegistry } from './field-registry';
export { governSchema } from './govern-schema';
export { loadPolicy } from './load-policy';
export type { Policy } from './policy';
