// The audit log as auditors read it (SYSTEM_LOGS). Records hold no personal values; variables
// and documents were redacted before they were written.
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Classified, DataCategory } from '../../src/policy/classification';
import { Category, MaskKind, Sensitivity } from '../../src/policy/taxonomy';
import { Connection } from '../common/connection.type';

// Upper case like every other enum. The lower-case names were the schema's until 2026-12: they
// are still accepted as input (deprecated); output is always upper case (graphql-js serializes a
// value by its last name, so the upper-case names come last). The stored value stays lower case.
export enum AuditOutcomeType {
  /** @deprecated use OK */
  ok = 'ok',
  /** @deprecated use PARTIAL */
  partial = 'partial',
  /** @deprecated use DENIED */
  denied = 'denied',
  /** @deprecated use INVALID */
  invalid = 'invalid',
  /** @deprecated use REFUSED */
  refused = 'refused',
  /** @deprecated use ERROR */
  error = 'error',
  OK = 'ok',
  PARTIAL = 'partial',
  DENIED = 'denied',
  INVALID = 'invalid',
  REFUSED = 'refused',
  ERROR = 'error',
}
const LOWER_CASE_OUTCOME = { deprecationReason: 'Use the upper-case value (accepted as input only; output is upper case)' };
registerEnumType(AuditOutcomeType, {
  name: 'AuditOutcome',
  description: 'OK; PARTIAL (some fields denied); DENIED; INVALID (did not parse or validate); REFUSED (whole operation); ERROR',
  valuesConfig: {
    ok: LOWER_CASE_OUTCOME,
    partial: LOWER_CASE_OUTCOME,
    denied: LOWER_CASE_OUTCOME,
    invalid: LOWER_CASE_OUTCOME,
    refused: LOWER_CASE_OUTCOME,
    error: LOWER_CASE_OUTCOME,
    OK: { description: 'Served in full' },
    PARTIAL: { description: 'Served, with some fields denied' },
    DENIED: { description: 'Every selected data field was denied' },
    INVALID: { description: 'Did not parse or validate (never ran)' },
    REFUSED: { description: 'Refused as a whole (authentication, purpose, limits, persisted operations, suspension)' },
    ERROR: { description: 'Failed while running' },
  },
});

@ObjectType('CategoryRowCount', { description: 'Rows an operation returned from one data category' })
@DataCategory(Category.SYSTEM_LOGS)
export class CategoryRowCountType {
  @Field(() => Category) @Classified(Sensitivity.INTERNAL) category: Category;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) rows: number;
}

@ObjectType('AuditRecord', { description: 'One audited operation: who, under which purpose, what was selected, masked, denied and returned' })
@DataCategory(Category.SYSTEM_LOGS)
export class AuditRecordType {
  @Field(() => ID, { description: 'Position in the hash chain' }) @Classified(Sensitivity.INTERNAL) id: string;
  @Field() @Classified(Sensitivity.INTERNAL) timestamp: Date;
  @Field() @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.LAST4 }) requestId: string;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM }) principalId: string | null;
  @Field(() => String, { nullable: true, description: 'user or token' }) @Classified(Sensitivity.INTERNAL) principalKind: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) principalRole: string | null;
  @Field(() => String, { nullable: true, description: 'Declared purpose (`[unknown]` when not a valid purpose)' }) @Classified(Sensitivity.INTERNAL) purpose: string | null;
  @Field(() => [String], { nullable: true, description: 'Every purpose the operation was decided under when its root fields declared their own (`@purpose`); null otherwise' })
  @Classified(Sensitivity.INTERNAL)
  purposes: string[] | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) clientName: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) clientVersion: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.LAST4 }) sourceIp: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) userAgent: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) operationType: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) operationName: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) documentHash: string | null;
  @Field(() => String, { nullable: true, description: 'Variables as JSON, sensitive values redacted' }) @Classified(Sensitivity.INTERNAL) variables: string | null;
  @Field(() => [String], { description: 'Field coordinates selected' }) @Classified(Sensitivity.INTERNAL) fields: string[];
  @Field(() => [String]) @Classified(Sensitivity.INTERNAL) categories: string[];
  @Field(() => [String]) @Classified(Sensitivity.INTERNAL) masked: string[];
  @Field(() => [String]) @Classified(Sensitivity.INTERNAL) denied: string[];
  @Field(() => [CategoryRowCountType], { description: 'Rows the answer returned, per data category (none when the answer carried no data)' })
  @Classified(Sensitivity.INTERNAL)
  rowsByCategory: CategoryRowCountType[];
  @Field(() => AuditOutcomeType) @Classified(Sensitivity.INTERNAL) outcome: AuditOutcomeType;
  @Field(() => [String]) @Classified(Sensitivity.INTERNAL) errorCodes: string[];
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) durationMs: number;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) policyVersion: string | null;
  @Field() @Classified(Sensitivity.INTERNAL) prevHash: string;
  @Field() @Classified(Sensitivity.INTERNAL) hash: string;
}

export const AuditRecordConnection = Connection(AuditRecordType, 'AuditRecord');
