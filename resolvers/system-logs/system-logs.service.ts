// SYSTEM_LOGS lists. Row scope in SQL: API calls and import runs by their account (and
// marketplace); events, admin actions and the audit log have no account, so a principal scoped
// to accounts or marketplaces sees none of them.
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { AuditRecord } from '../../entities/gateway/audit-record.entity';
import { ApiCallLog, ImportRun, SystemEvent, UserAction } from '../../entities/system-logs';
import type { ConnectionShape } from '../../schema/common/connection.type';
import type {
  ApiCallLogsArgs,
  AuditRecordsArgs,
  ImportRunsArgs,
  SystemEventsArgs,
  TimeRangeArgs,
  UserActionsArgs,
} from '../../schema/system-logs/system-logs-args.type';
import type { RequestContext } from '../../src/context';
import { paginate } from '../../src/db/paginate';
import { scopedRead } from '../../src/db/scoped';
import { badUserInput } from '../../src/errors';
import { accountFilter, fullReadFilter } from '../../src/policy/argument-access';
import { Category } from '../../src/policy/taxonomy';

function timeRange<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, column: string, range: { from?: Date | null; to?: Date | null }) {
  if (range.from && range.to && range.from >= range.to) throw badUserInput('`from` must be before `to`', { argumentName: 'from' });
  if (range.from) qb.andWhere(`${column} >= :rangeFrom`, { rangeFrom: range.from });
  if (range.to) qb.andWhere(`${column} < :rangeTo`, { rangeTo: range.to });
  return qb;
}

function page<T extends ObjectLiteral>(ctx: RequestContext, qb: SelectQueryBuilder<T>, args: TimeRangeArgs | AuditRecordsArgs, sortBy: keyof T & string) {
  return paginate(ctx, qb, args, { category: Category.SYSTEM_LOGS, alias: 'l', sortBy, direction: args.direction ?? 'DESC' });
}

export class SystemLogsService {
  apiCallLogs(ctx: RequestContext, args: ApiCallLogsArgs): Promise<ConnectionShape<ApiCallLog>> {
    const qb = scopedRead(ctx, ApiCallLog, 'l');
    timeRange(qb, 'l.time', args);
    if (args.status !== undefined && args.status !== null) qb.andWhere('l.httpStatus = :status', { status: args.status });
    if (args.operation) qb.andWhere('l.operationName = :operation', { operation: args.operation });
    const requestId = fullReadFilter(ctx, 'ApiCallLog.requestId', 'requestId', args.requestId);
    if (requestId) qb.andWhere('l.requestId = :requestId', { requestId });
    return page(ctx, qb, args, 'time');
  }

  systemEvents(ctx: RequestContext, args: SystemEventsArgs): Promise<ConnectionShape<SystemEvent>> {
    const qb = scopedRead(ctx, SystemEvent, 'l');
    timeRange(qb, 'l.time', args);
    if (args.level) qb.andWhere('l.level = :level', { level: args.level });
    if (args.component) qb.andWhere('l.component = :component', { component: args.component });
    const requestId = fullReadFilter(ctx, 'SystemEvent.requestId', 'requestId', args.requestId);
    if (requestId) qb.andWhere('l.requestId = :requestId', { requestId });
    return page(ctx, qb, args, 'time');
  }

  userActions(ctx: RequestContext, args: UserActionsArgs): Promise<ConnectionShape<UserAction>> {
    const qb = scopedRead(ctx, UserAction, 'l');
    timeRange(qb, 'l.time', args);
    const actor = fullReadFilter(ctx, 'UserAction.actor', 'actor', args.actor);
    if (actor) qb.andWhere('l.actor = :actor', { actor });
    if (args.action) qb.andWhere('l.action = :action', { action: args.action });
    const requestId = fullReadFilter(ctx, 'UserAction.requestId', 'requestId', args.requestId);
    if (requestId) qb.andWhere('l.requestId = :requestId', { requestId });
    return page(ctx, qb, args, 'time');
  }

  async importRuns(ctx: RequestContext, args: ImportRunsArgs): Promise<ConnectionShape<ImportRun>> {
    // The account as the caller sees ImportRun.sellerAccountId (its pseudonym when masked).
    const account = await accountFilter(ctx, 'ImportRun.sellerAccountId', args.account);
    const qb = scopedRead(ctx, ImportRun, 'l');
    timeRange(qb, 'l.startedAt', args);
    if (account) qb.andWhere('l.sellerAccountId = :account', { account });
    if (args.status) qb.andWhere('l.status = :status', { status: args.status });
    if (args.reportType) qb.andWhere('l.reportType = :reportType', { reportType: args.reportType });
    return page(ctx, qb, args, 'startedAt');
  }

  auditRecords(ctx: RequestContext, args: AuditRecordsArgs): Promise<ConnectionShape<AuditRecord>> {
    const qb = scopedRead(ctx, AuditRecord, 'l');
    const filter = args.filter ?? {};
    timeRange(qb, 'l.timestamp', filter);
    const principal = fullReadFilter(ctx, 'AuditRecord.principalId', 'filter.principal', filter.principal);
    if (principal) qb.andWhere('l.principalId = :principal', { principal });
    // The operation's purpose, or one of the purposes its root fields declared (`@purpose`).
    if (filter.purpose) qb.andWhere('(l.purpose = :purpose OR :purpose = ANY(l.purposes))', { purpose: filter.purpose });
    if (filter.outcome) qb.andWhere('l.outcome = :outcome', { outcome: filter.outcome });
    const requestId = fullReadFilter(ctx, 'AuditRecord.requestId', 'filter.requestId', filter.requestId);
    if (requestId) qb.andWhere('l.requestId = :requestId', { requestId });
    if (filter.category) qb.andWhere(':category = ANY(l.categories)', { category: filter.category });
    if (filter.coordinate) {
      qb.andWhere('(:coordinate = ANY(l.fields) OR :coordinate = ANY(l.masked) OR :coordinate = ANY(l.denied))', { coordinate: filter.coordinate });
    }
    return page(ctx, qb, args, 'id');
  }
}

export const systemLogsService = new SystemLogsService();
