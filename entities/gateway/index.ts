// Tables of the gateway itself (tokens, audit, retention, holds, ...), not of a data category.
import { ApiToken } from './api-token.entity';
import { AuditCheckpoint } from './audit-checkpoint.entity';
import { AuditDocument } from './audit-document.entity';
import { AuditRecord } from './audit-record.entity';

export { ApiToken, AuditCheckpoint, AuditDocument, AuditRecord };
export const gatewayEntities: Function[] = [AuditRecord, AuditDocument, AuditCheckpoint, ApiToken];
