// The SYSTEM_LOGS category as the API shows it: API call log, system events, administrative
// actions, import runs. Each field declares its sensitivity beside it; request ids join these
// to audit records.
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Classified, DataCategory } from '../../src/policy/classification';
import { Category, MaskKind, Sensitivity } from '../../src/policy/taxonomy';
import { Connection } from '../common/connection.type';

export enum SystemEventLevelType {
  DEBUG = 'DEBUG',
  INFO = 'INFO',
  WARN = 'WARN',
  ERROR = 'ERROR',
}
registerEnumType(SystemEventLevelType, { name: 'SystemEventLevel', description: 'Severity of a system event' });

export enum ImportRunStatusType {
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}
registerEnumType(ImportRunStatusType, { name: 'ImportRunStatus', description: 'State of an import run' });

@ObjectType('ApiCallLog', { description: 'One HTTP request served by the gateway (SYSTEM_LOGS)' })
@DataCategory(Category.SYSTEM_LOGS)
export class ApiCallLogType {
  @Field(() => ID) @Classified(Sensitivity.INTERNAL) id: string;
  @Field() @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.LAST4 }) requestId: string;
  @Field() @Classified(Sensitivity.INTERNAL) time: Date;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM }) principalId: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM }) accountId: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) operationName: string | null;
  @Field() @Classified(Sensitivity.INTERNAL) method: string;
  @Field() @Classified(Sensitivity.INTERNAL) path: string;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) httpStatus: number;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) latencyMs: number;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) errorCode: string | null;
}

@ObjectType('SystemEvent', { description: 'An event of the gateway itself; messages never hold personal data' })
@DataCategory(Category.SYSTEM_LOGS)
export class SystemEventType {
  @Field(() => ID) @Classified(Sensitivity.INTERNAL) id: string;
  @Field() @Classified(Sensitivity.INTERNAL) time: Date;
  @Field(() => SystemEventLevelType) @Classified(Sensitivity.INTERNAL) level: SystemEventLevelType;
  @Field() @Classified(Sensitivity.INTERNAL) component: string;
  @Field() @Classified(Sensitivity.INTERNAL) message: string;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.LAST4 }) requestId: string | null;
}

@ObjectType('UserAction', { description: 'An administrative action (tokens, grants, retention, deletion requests)' })
@DataCategory(Category.SYSTEM_LOGS)
export class UserActionType {
  @Field(() => ID) @Classified(Sensitivity.INTERNAL) id: string;
  @Field() @Classified(Sensitivity.INTERNAL) time: Date;
  @Field() @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM }) actor: string;
  @Field() @Classified(Sensitivity.INTERNAL) action: string;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.LAST4 }) target: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.LAST4 }) requestId: string | null;
}

@ObjectType('ImportRejectedLine', { description: 'A line an import rejected; the reason never echoes personal values' })
@DataCategory(Category.SYSTEM_LOGS)
export class ImportRejectedLineType {
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) line: number;
  @Field() @Classified(Sensitivity.INTERNAL) reason: string;
}

@ObjectType('ImportRun', { description: 'One import of a report file or API response: provenance and outcome' })
@DataCategory(Category.SYSTEM_LOGS)
export class ImportRunType {
  @Field(() => ID) @Classified(Sensitivity.INTERNAL) id: string;
  @Field() @Classified(Sensitivity.INTERNAL) fileName: string;
  @Field() @Classified(Sensitivity.INTERNAL) sha256: string;
  @Field() @Classified(Sensitivity.INTERNAL) reportType: string;
  @Field() @Classified(Sensitivity.INTERNAL) source: string;
  @Field() @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM }) sellerAccountId: string;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) marketplaceId: string | null;
  @Field() @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM }) importedBy: string;
  @Field(() => ImportRunStatusType) @Classified(Sensitivity.INTERNAL) status: ImportRunStatusType;
  @Field() @Classified(Sensitivity.INTERNAL) startedAt: Date;
  @Field(() => Date, { nullable: true }) @Classified(Sensitivity.INTERNAL) finishedAt: Date | null;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) rowsRead: number;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) rowsInserted: number;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) rowsUpdated: number;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) rowsUnchanged: number;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) rowsRejected: number;
  @Field(() => [String], { description: 'Header names dropped at the door (personal data); never values' }) @Classified(Sensitivity.INTERNAL) droppedColumns: string[];
  @Field(() => [String]) @Classified(Sensitivity.INTERNAL) ignoredColumns: string[];
  @Field(() => [ImportRejectedLineType]) @Classified(Sensitivity.INTERNAL) rejectedLines: ImportRejectedLineType[];
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) error: string | null;
}

export const ApiCallLogConnection = Connection(ApiCallLogType, 'ApiCallLog');
export const SystemEventConnection = Connection(SystemEventType, 'SystemEvent');
export const UserActionConnection = Connection(UserActionType, 'UserAction');
export const ImportRunConnection = Connection(ImportRunType, 'ImportRun');
