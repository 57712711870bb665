// The access policy module: what the gateway wires (see the lead's src/server/components.ts).
import { ApiTokenResolver } from '../auth/api-token.resolver';
import { ExplainAccessResolver } from './explain-access.resolver';
import { MeResolver } from './me.resolver';

/** Resolvers of the gateway's own governance operations (token admin, explainAccess). */
export const governanceResolvers: Function[] = [ApiTokenResolver, ExplainAccessResolver, MeResolver];

export { aggregateMinGroupSize, suppressSmallGroups } from './aggregate-access';
export { decide, DecisionRule, type Decision } from './decide';
export { defaultPolicy } from './default-policy';
export { explainAccess } from './explain';
export { fieldRegistry } from './field-registry';
export { governSchema } from './govern-schema';
export { loadPolicy } from './load-policy';
export type { Policy } from './policy';
