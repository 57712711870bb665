// Tables of the gateway itself (tokens, audit, retention, holds, ...), not of a data category.
import { AmazonCredential } from './amazon-credential.entity';
import { ApiToken } from './api-token.entity';
import { ConnectorCursor } from './connector-cursor.entity';
import { SyncRun } from './sync-run.entity';
import { AuditCheckpoint } from './audit-checkpoint.entity';
import { AuditDocument } from './audit-document.entity';
import { AccessReview } from './access-review.entity';
import { AuditRecord } from './audit-record.entity';
import { DataExport } from './data-export.entity';
import { DeletionCertificate } from './deletion-certificate.entity';
import { DeletionRequest } from './deletion-request.entity';
import { LegalHold } from './legal-hold.entity';
import { PersistedOperation } from './persisted-operation.entity';
import { PolicyRevision } from './policy-revision.entity';
import { PrincipalSuspension } from './principal-suspension.entity';
import { RetentionArchive } from './retention-archive.entity';
import { RetentionBatch } from './retention-batch.entity';
import { RetentionRunRule } from './retention-run-rule.entity';
import { RetentionRun } from './retention-run.entity';

export { ApiToken, AuditCheckpoint, AuditDocument, AuditRecord };
export { DeletionCertificate, DeletionRequest, LegalHold, RetentionArchive, RetentionBatch, RetentionRun, RetentionRunRule };
export const gatewayEntities: Function[] = [
  // Amazon connectors (src/connectors).
  ConnectorCursor,
  SyncRun,
  AuditRecord,
  AuditDocument,
  AuditCheckpoint,
  ApiToken,
  // Retention, legal holds and deletion requests (src/retention).
  LegalHold,
  RetentionRun,
  RetentionRunRule,
  RetentionBatch,
  RetentionArchive,
  DeletionRequest,
  DeletionCertificate,
  // Security operations (src/security).
  PrincipalSuspension,
  PersistedOperation,
  AccessReview,
  // Encrypted Amazon API credentials (src/security/credentials).
  AmazonCredential,
  // Applied access policies (src/policy/policy-store.ts).
  PolicyRevision,
  // Restricted exports (src/exports).
  DataExport,
];
export { AccessReview, PersistedOperation, PolicyRevision, PrincipalSuspension };
export { AmazonCredential };
export { DataExport };
