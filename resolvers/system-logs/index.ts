// Resolvers of the system-logs category: this list alone can serve the category as a subgraph.
import { AuditRecordResolver, SystemLogsResolver } from './system-logs.resolver';

export const systemLogsResolvers: Function[] = [SystemLogsResolver, AuditRecordResolver];
