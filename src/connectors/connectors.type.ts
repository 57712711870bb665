// GraphQL shapes of the connectors: sync runs and the status of each stream (SYSTEM_LOGS).
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Classified, DataCategory } from '../policy/classification';
import { Category, MaskKind, Sensitivity } from '../policy/taxonomy';

@ObjectType('SyncError', { description: 'A stream of a sync run that failed: where, and why (codes and names, never data values)' })
@DataCategory(Category.SYSTEM_LOGS)
export class SyncErrorType {
  @Field() @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM }) account: string;
  @Field({ description: 'Marketplace id, or `-` for the whole account' }) @Classified(Sensitivity.INTERNAL) marketplace: string;
  @Field({ description: 'Stream name, or `*` for every stream of the account' }) @Classified(Sensitivity.INTERNAL) stream: string;
  @Field() @Classified(Sensitivity.INTERNAL) code: string;
  @Field() @Classified(Sensitivity.INTERNAL) message: string;
}

@ObjectType('SyncRun', { description: 'One sync run of the Amazon connectors' })
@DataCategory(Category.SYSTEM_LOGS)
export class SyncRunType {
  @Field(() => ID) @Classified(Sensitivity.INTERNAL) id: string;
  @Field({ description: 'cli, schedule or graphql' }) @Classified(Sensitivity.INTERNAL) trigger: string;
  @Field() @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM }) principalId: string;
  @Field({ description: 'RUNNING, SUCCEEDED, PARTIAL (some streams failed) or FAILED (also a run interrupted without a heartbeat: its errors say INTERRUPTED)' }) @Classified(Sensitivity.INTERNAL) status: string;
  @Field(() => [String]) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM }) accounts: string[];
  @Field(() => [String]) @Classified(Sensitivity.INTERNAL) streams: string[];
  @Field(() => Date, { nullable: true }) @Classified(Sensitivity.INTERNAL) since: Date | null;
  @Field() @Classified(Sensitivity.INTERNAL) startedAt: Date;
  @Field(() => Date, { nullable: true }) @Classified(Sensitivity.INTERNAL) finishedAt: Date | null;
  @Field(() => Int, { description: 'Documents imported (each one an import run)' }) @Classified(Sensitivity.INTERNAL) documents: number;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) rowsInserted: number;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) rowsUpdated: number;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) rowsUnchanged: number;
  @Field(() => Int, { description: 'Calls to Amazon (each in the API call log under the run id)' }) @Classified(Sensitivity.INTERNAL) apiCalls: number;
  @Field(() => [SyncErrorType]) @Classified(Sensitivity.INTERNAL) errors: SyncErrorType[];
}

@ObjectType('ConnectorStatus', { description: 'Where one connector stream stands for one seller account and marketplace' })
@DataCategory(Category.SYSTEM_LOGS)
export class ConnectorStatusType {
  @Field() @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM }) sellerAccountId: string;
  @Field() @Classified(Sensitivity.INTERNAL) marketplaceId: string;
  @Field() @Classified(Sensitivity.INTERNAL) stream: string;
  @Field(() => Date, { nullable: true, description: 'Data up to this time is in' }) @Classified(Sensitivity.INTERNAL) cursor: Date | null;
  @Field({ description: 'A report or page is in progress (the next run resumes it)' }) @Classified(Sensitivity.INTERNAL) inProgress: boolean;
  @Field(() => Date, { nullable: true }) @Classified(Sensitivity.INTERNAL) lastSuccessAt: Date | null;
  @Field(() => Date, { nullable: true }) @Classified(Sensitivity.INTERNAL) lastErrorAt: Date | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) lastError: string | null;
  @Field(() => Date, { nullable: true, description: 'When SYNC_SCHEDULE runs next (null: no schedule)' }) @Classified(Sensitivity.INTERNAL) nextRunAt: Date | null;
}

@ObjectType('SyncRunStarted', { description: 'A sync run just started (administrative answer of startSync: follow it with syncRuns under a SYSTEM_LOGS purpose)' })
export class SyncRunStartedType {
  @Field(() => ID) id: string;
  @Field({ description: 'RUNNING, or already SUCCEEDED, PARTIAL or FAILED' }) status: string;
  @Field() trigger: string;
  @Field(() => [String]) streams: string[];
  @Field() startedAt: Date;
}
