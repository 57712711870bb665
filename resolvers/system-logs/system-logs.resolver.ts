import { Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { AuditRecord } from '../../entities/gateway/audit-record.entity';
import { AuditRecordConnection, AuditRecordType, CategoryRowCountType } from '../../schema/system-logs/audit-record.type';
import {
  ApiCallLogsArgs,
  AuditRecordsArgs,
  ImportRunsArgs,
  SystemEventsArgs,
  UserActionsArgs,
} from '../../schema/system-logs/system-logs-args.type';
import {
  ApiCallLogConnection,
  ImportRunConnection,
  SystemEventConnection,
  UserActionConnection,
} from '../../schema/system-logs/system-logs.type';
import type { RequestContext } from '../../src/context';
import { Classified } from '../../src/policy/classification';
import { Category, Sensitivity } from '../../src/policy/taxonomy';
import { auditDocumentLoader } from './system-logs.loaders';
import { systemLogsService } from './system-logs.service';

@Resolver()
export class SystemLogsResolver {
  @Query(() => ApiCallLogConnection, { description: 'HTTP requests served by the gateway' })
  @Classified(Sensitivity.INTERNAL, { category: Category.SYSTEM_LOGS })
  apiCallLogs(@Ctx() ctx: RequestContext, @Args() args: ApiCallLogsArgs) {
    return systemLogsService.apiCallLogs(ctx, args);
  }

  @Query(() => SystemEventConnection, { description: 'Events of the gateway itself' })
  @Classified(Sensitivity.INTERNAL, { category: Category.SYSTEM_LOGS })
  systemEvents(@Ctx() ctx: RequestContext, @Args() args: SystemEventsArgs) {
    return systemLogsService.systemEvents(ctx, args);
  }

  @Query(() => UserActionConnection, { description: 'Administrative actions' })
  @Classified(Sensitivity.INTERNAL, { category: Category.SYSTEM_LOGS })
  userActions(@Ctx() ctx: RequestContext, @Args() args: UserActionsArgs) {
    return systemLogsService.userActions(ctx, args);
  }

  @Query(() => ImportRunConnection, { description: 'Imports of report files and API responses' })
  @Classified(Sensitivity.INTERNAL, { category: Category.SYSTEM_LOGS })
  importRuns(@Ctx() ctx: RequestContext, @Args() args: ImportRunsArgs) {
    return systemLogsService.importRuns(ctx, args);
  }
}

@Resolver(() => AuditRecordType)
export class AuditRecordResolver {
  @Query(() => AuditRecordConnection, { description: 'The audit log, newest first (this query is audited too)' })
  @Classified(Sensitivity.INTERNAL, { category: Category.SYSTEM_LOGS })
  auditRecords(@Ctx() ctx: RequestContext, @Args() args: AuditRecordsArgs) {
    return systemLogsService.auditRecords(ctx, args);
  }

  @FieldResolver(() => String, { nullable: true })
  @Classified(Sensitivity.INTERNAL)
  variables(@Root() record: AuditRecord): string | null {
    return record.variables === null ? null : JSON.stringify(record.variables);
  }

  @FieldResolver(() => [CategoryRowCountType])
  @Classified(Sensitivity.INTERNAL)
  rowsByCategory(@Root() record: AuditRecord): CategoryRowCountType[] {
    return Object.entries(record.rowsByCategory ?? {}).map(([category, rows]) => ({ category: category as Category, rows }));
  }

  @FieldResolver(() => String, { nullable: true, description: 'The document, string literals redacted' })
  @Classified(Sensitivity.INTERNAL)
  document(@Root() record: AuditRecord, @Ctx() ctx: RequestContext): Promise<string | null> | null {
    return record.documentHash ? auditDocumentLoader(ctx).load(record.documentHash.trim()) : null;
  }
}
