// Retention, legal holds and deletion requests: what the gateway wires.
import { DeletionRequestResolver } from './deletion.resolver';
import { RetentionResolver } from './retention.resolver';

/** Resolvers of retention (rules, holds, runs, archives) and deletion requests. */
export const retentionResolvers: Function[] = [RetentionResolver, DeletionRequestResolver];

export { startRetentionSchedule } from './retention-schedule';
export { runRetention } from './retention-runner';
export { loadRetentionRules } from './retention-rules';
