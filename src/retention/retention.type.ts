// GraphQL shapes of retention. Runs and archives are data (SYSTEM_LOGS runs; archived finance
// records readable under COMPLIANCE_REVIEW) with every field classified; holds, deletion
// requests, certificates and run reports are returned only by administrative operations.
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../../schema/common/connection.type';
import { Classified, DataCategory } from '../policy/classification';
import { Category, MaskKind, Purpose, Sensitivity } from '../policy/taxonomy';

export enum DeletionRequestStateType {
  RECEIVED = 'RECEIVED',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  EXECUTED = 'EXECUTED',
}
registerEnumType(DeletionRequestStateType, { name: 'DeletionRequestState', description: 'RECEIVED -> APPROVED or REJECTED -> EXECUTED' });

/** What `decideDeletionRequest` may decide: the two decisions, not every state. */
export enum DeletionDecisionType {
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
}
registerEnumType(DeletionDecisionType, { name: 'DeletionDecision', description: 'The decision on a RECEIVED deletion request' });

export enum DeletionRequestSourceType {
  COMPANY = 'COMPANY',
  AMAZON = 'AMAZON',
  PUBLIC_FORM = 'PUBLIC_FORM',
}
registerEnumType(DeletionRequestSourceType, {
  name: 'DeletionRequestSource',
  description: 'AMAZON: initiated by Amazon (due in 72 hours by default); PUBLIC_FORM: filed on the public Data Deletion page, to be verified before approval',
});

export enum ArchiveSourceType {
  settlement = 'settlement',
  refund = 'refund',
  fee_estimate = 'fee_estimate',
}
registerEnumType(ArchiveSourceType, { name: 'ArchiveSource', description: 'Table an archived finance record came from' });

@ObjectType('TableRowCount', { description: 'Rows of one table' })
export class TableRowCountType {
  @Field() table: string;
  @Field(() => Int) rows: number;
}

@ObjectType('LegalHold', { description: 'Records it covers are skipped by every retention rule and deletion while it is active' })
export class LegalHoldType {
  @Field(() => ID) id: string;
  @Field() reason: string;
  @Field(() => String, { nullable: true }) sellerAccountId: string | null;
  @Field(() => [String]) amazonOrderIds: string[];
  @Field(() => [String]) settlementIds: string[];
  @Field(() => Date, { nullable: true, description: 'Record dates from (inclusive)' }) fromDate: Date | null;
  @Field(() => Date, { nullable: true, description: 'Record dates to (exclusive)' }) toDate: Date | null;
  @Field(() => Date, { nullable: true, description: 'When it lapses; null: until released' }) endsAt: Date | null;
  @Field() placedBy: string;
  @Field() placedAt: Date;
  @Field(() => Date, { nullable: true }) releasedAt: Date | null;
  @Field(() => String, { nullable: true }) releasedBy: string | null;
  @Field(() => String, { nullable: true }) releaseReason: string | null;
  @Field() active: boolean;
}

@InputType('PlaceLegalHoldInput', { description: 'Name at least one of: account, order ids, settlement ids, a date range' })
export class PlaceLegalHoldInput {
  @Field() reason: string;
  @Field(() => String, { nullable: true }) sellerAccountId?: string | null;
  @Field(() => [String], { nullable: true }) amazonOrderIds?: string[] | null;
  @Field(() => [String], { nullable: true }) settlementIds?: string[] | null;
  @Field(() => Date, { nullable: true }) fromDate?: Date | null;
  @Field(() => Date, { nullable: true }) toDate?: Date | null;
  @Field(() => Date, { nullable: true }) endsAt?: Date | null;
}

@ObjectType('DeletionRequest', { description: 'A data deletion request; after execution its scope is kept only as keyed digests' })
export class DeletionRequestType {
  @Field(() => ID) id: string;
  @Field(() => DeletionRequestStateType) state: DeletionRequestStateType;
  @Field(() => DeletionRequestSourceType) source: DeletionRequestSourceType;
  @Field(() => String, { nullable: true }) scopeAccountId: string | null;
  @Field(() => [String]) scopeOrderIds: string[];
  @Field(() => [String], { description: 'HMAC-SHA256 of each order id / account in scope (after execution)' }) scopeDigests: string[];
  @Field() reason: string;
  @Field() requester: string;
  @Field() receivedBy: string;
  @Field() receivedAt: Date;
  @Field() dueAt: Date;
  @Field({ description: 'Past its due date and not yet executed or rejected' }) overdue: boolean;
  @Field(() => String, { nullable: true }) decidedBy: string | null;
  @Field(() => Date, { nullable: true }) decidedAt: Date | null;
  @Field(() => String, { nullable: true }) decisionReason: string | null;
  @Field(() => String, { nullable: true }) executedBy: string | null;
  @Field(() => Date, { nullable: true }) executedAt: Date | null;
}

@InputType('RequestDeletionInput')
export class RequestDeletionInput {
  @Field(() => [String], { nullable: true, description: 'Amazon order ids: each with every row derived from it' }) amazonOrderIds?: string[] | null;
  @Field(() => String, { nullable: true, description: 'Seller account: limits the orders, or alone, every data row of the account' }) account?: string | null;
  @Field() reason: string;
  @Field({ description: 'Who asked' }) requester: string;
  @Field(() => DeletionRequestSourceType, { nullable: true, description: 'Default COMPANY' }) source?: DeletionRequestSourceType | null;
}

@ObjectType('DeletionCertificate', { description: 'Proof of an executed deletion request; holds counts and digests, never the deleted values' })
export class DeletionCertificateType {
  @Field(() => ID) id: string;
  @Field(() => ID) requestId: string;
  @Field() issuedAt: Date;
  @Field() executedBy: string;
  @Field({ description: 'ORDERS or ACCOUNT' }) scopeKind: string;
  @Field(() => [String]) scopeDigests: string[];
  @Field(() => [TableRowCountType]) counts: TableRowCountType[];
  @Field(() => Int) totalRows: number;
  @Field({ description: 'HMAC-SHA256 over the certificate' }) signature: string;
}

@ObjectType('DeletionCertificateVerification', { description: 'The outcome of checking a deletion certificate' })
export class CertificateVerificationType {
  @Field({ description: 'Signature, contents and issuing all check out' }) valid: boolean;
  @Field(() => [String], { description: 'Why it is not valid (empty when valid)' }) problems: string[];
  @Field(() => ID, { nullable: true }) requestId: string | null;
  @Field(() => Int, { nullable: true }) totalRows: number | null;
}

@ObjectType('RetentionRule')
export class RetentionRuleType {
  @Field() id: string;
  @Field() target: string;
  @Field({ description: 'DELETE, ANONYMIZE, AGGREGATE or ARCHIVE' }) action: string;
  @Field({ description: 'What the period counts from: DELIVERY, PURCHASE, RETURN, SHIPMENT, POSTING, CREATION' }) clock: string;
  @Field({ description: 'e.g. 30d, 24mo, 7y' }) after: string;
  @Field(() => [String], { nullable: true }) fields?: string[];
  @Field() reason: string;
  @Field() enabled: boolean;
}

@ObjectType('RetentionRuleReport', { description: 'What one rule did (or, in a dry run, would do)' })
export class RetentionRuleReportType {
  @Field() ruleId: string;
  @Field() target: string;
  @Field() action: string;
  @Field() clock: string;
  @Field() after: string;
  @Field() cutoff: Date;
  @Field() status: string;
  @Field(() => Int) affected: number;
  @Field(() => Int, { nullable: true, description: 'Dry run: every due row, beyond the per-run cap too' }) due?: number;
  @Field(() => Int) held: number;
  @Field(() => Int) batches: number;
  @Field(() => [TableRowCountType]) counts: TableRowCountType[];
  @Field(() => String, { nullable: true }) firstKey: string | null;
  @Field(() => String, { nullable: true }) lastKey: string | null;
  @Field(() => String, { nullable: true }) error: string | null;
}

@ObjectType('RetentionRunReport')
export class RetentionRunReportType {
  @Field(() => ID, { nullable: true, description: 'null for a dry run (nothing is recorded)' }) runId: string | null;
  @Field() dryRun: boolean;
  @Field() resumed: boolean;
  @Field() status: string;
  @Field() rulesVersion: string;
  @Field() startedAt: Date;
  @Field() finishedAt: Date;
  @Field(() => [RetentionRuleReportType]) rules: RetentionRuleReportType[];
}

@ObjectType('RetentionTableCount', { description: 'Rows of one table a rule touched' })
@DataCategory(Category.SYSTEM_LOGS)
export class RetentionTableCountType {
  @Field() @Classified(Sensitivity.INTERNAL) table: string;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) rows: number;
}

@ObjectType('RetentionRunRule', { description: 'Evidence of one rule in one run' })
@DataCategory(Category.SYSTEM_LOGS)
export class RetentionRunRuleType {
  @Field() @Classified(Sensitivity.INTERNAL) ruleId: string;
  @Field() @Classified(Sensitivity.INTERNAL) target: string;
  @Field() @Classified(Sensitivity.INTERNAL) action: string;
  @Field() @Classified(Sensitivity.INTERNAL) clock: string;
  @Field() @Classified(Sensitivity.INTERNAL) period: string;
  @Field() @Classified(Sensitivity.INTERNAL) cutoff: Date;
  @Field() @Classified(Sensitivity.INTERNAL) status: string;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) affected: number;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) held: number;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) batches: number;
  @Field(() => [RetentionTableCountType]) @Classified(Sensitivity.INTERNAL) counts: RetentionTableCountType[];
  @Field(() => String, { nullable: true, description: 'First row id processed (surrogate key)' }) @Classified(Sensitivity.INTERNAL) firstKey: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) lastKey: string | null;
  @Field(() => Date, { nullable: true }) @Classified(Sensitivity.INTERNAL) startedAt: Date | null;
  @Field(() => Date, { nullable: true }) @Classified(Sensitivity.INTERNAL) finishedAt: Date | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) error: string | null;
}

@ObjectType('RetentionRun', { description: 'One retention run: the evidence that the rules were applied' })
@DataCategory(Category.SYSTEM_LOGS)
export class RetentionRunType {
  @Field(() => ID) @Classified(Sensitivity.INTERNAL) id: string;
  @Field({ description: 'cli, schedule or graphql' }) @Classified(Sensitivity.INTERNAL) trigger: string;
  @Field() @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM }) actor: string;
  @Field({ description: 'RUNNING, SUCCEEDED, CAPPED (per-run cap reached) or FAILED' }) @Classified(Sensitivity.INTERNAL) status: string;
  @Field() @Classified(Sensitivity.INTERNAL) rulesVersion: string;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) ruleFilter: string | null;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) maxRows: number;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) batchSize: number;
  @Field() @Classified(Sensitivity.INTERNAL) startedAt: Date;
  @Field(() => Date, { nullable: true }) @Classified(Sensitivity.INTERNAL) finishedAt: Date | null;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) resumeCount: number;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) error: string | null;
}

export const RetentionRunConnection = Connection(RetentionRunType, 'RetentionRun');

/** Archived finance records: readable under COMPLIANCE_REVIEW only (the decision narrows the category's purposes). */
const archive = { purposes: [Purpose.COMPLIANCE_REVIEW] };

@ObjectType('ArchivedRecord', { description: 'A finance record moved to the restricted archive (readable under COMPLIANCE_REVIEW)' })
@DataCategory(Category.ORDERS)
export class ArchivedRecordType {
  @Field(() => ID) @Classified(Sensitivity.INTERNAL, archive) id: string;
  @Field(() => ArchiveSourceType) @Classified(Sensitivity.INTERNAL, archive) sourceTable: ArchiveSourceType;
  @Field() @Classified(Sensitivity.INTERNAL, archive) sourceId: string;
  @Field(() => String, { nullable: true, description: 'Settlement id, order id of a refund, SKU of a fee estimate' })
  @Classified(Sensitivity.IDENTIFIER, { ...archive, mask: MaskKind.LAST4 })
  naturalKey: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { ...archive, mask: MaskKind.PSEUDONYM }) sellerAccountId: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL, archive) marketplaceId: string | null;
  @Field() @Classified(Sensitivity.INTERNAL, archive) recordDate: Date;
  @Field() @Classified(Sensitivity.INTERNAL, archive) archivedAt: Date;
  @Field() @Classified(Sensitivity.INTERNAL, archive) ruleId: string;
  @Field({ description: 'The record as it was, as JSON (settlements with their lines)' })
  @Classified(Sensitivity.IDENTIFIER, { ...archive, mask: MaskKind.REDACT })
  data: string;
}

export const ArchivedRecordConnection = Connection(ArchivedRecordType, 'ArchivedRecord');
