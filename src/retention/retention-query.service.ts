// Reads for GraphQL: retention runs (SYSTEM_LOGS evidence) and the restricted archive. Archived
// finance records are readable under COMPLIANCE_REVIEW only and archived audit records under
// AUDIT only: their fields narrow the category's purposes (the decision denies every other
// purpose), and the service checks again before any row is read (defence in depth).
import DataLoader from 'dataloader';
import { RetentionArchive } from '../../entities/gateway/retention-archive.entity';
import { RetentionRunRule } from '../../entities/gateway/retention-run-rule.entity';
import { RetentionRun } from '../../entities/gateway/retention-run.entity';
import type { AuditRecord } from '../../entities/gateway/audit-record.entity';
import type { ConnectionShape } from '../../schema/common/connection.type';
import type { RequestContext } from '../context';
import { mapPage, paginate } from '../db/paginate';
import { scopedQuery } from '../db/scoped';
import { ErrorCode, gatewayError } from '../errors';
import { accountFilter } from '../policy/argument-access';
import { Category, Purpose } from '../policy/taxonomy';
import type { ArchiveSourceType, ArchivedRecordType } from './retention.type';

/** The only purposes each archive is readable under. */
export const ARCHIVE_PURPOSES = {
  'Query.archivedRecords': [Purpose.COMPLIANCE_REVIEW],
  'Query.archivedAuditRecords': [Purpose.AUDIT],
} as const;

function requireArchivePurpose(ctx: RequestContext, coordinate: keyof typeof ARCHIVE_PURPOSES, category: Category): void {
  const allowed: readonly Purpose[] = ARCHIVE_PURPOSES[coordinate];
  if (ctx.purpose && allowed.includes(ctx.purpose)) return;
  ctx.governance.denied.add(coordinate);
  throw gatewayError(ErrorCode.FORBIDDEN, `Access denied: ${coordinate} (the restricted archive) is readable only under ${allowed.join(' or ')}, not ${ctx.purpose ?? 'no purpose'}`, {
    coordinate,
    category,
    purpose: ctx.purpose,
  });
}

export interface PageInput {
  first?: number | null;
  after?: string | null;
}

/** Rule evidence of runs, one statement per request page. */
export function runRulesLoader(ctx: RequestContext): DataLoader<string, RetentionRunRule[]> {
  return ctx.loaders.get('retention.runRules', () =>
    new DataLoader<string, RetentionRunRule[]>(async (runIds) => {
      const rows = await ctx.db.getRepository(RetentionRunRule).createQueryBuilder('r').where('r.runId = ANY(:ids)', { ids: [...runIds] }).orderBy('r.position', 'ASC').getMany();
      return runIds.map((id) => rows.filter((row) => row.runId === id));
    }),
  );
}

export function retentionRuns(ctx: RequestContext, args: PageInput & { status?: string | null }): Promise<ConnectionShape<RetentionRun>> {
  // Runs belong to no account: a principal scoped to accounts or marketplaces sees none.
  const qb = scopedQuery(ctx, ctx.db, RetentionRun, 'l');
  if (args.status) qb.andWhere('l.status = :status', { status: args.status });
  return paginate(ctx, qb, args, { category: Category.SYSTEM_LOGS, alias: 'l', sortBy: 'startedAt', direction: 'DESC' });
}

export async function archivedRecords(ctx: RequestContext, args: PageInput & { source?: ArchiveSourceType | null; account?: string | null }): Promise<ConnectionShape<ArchivedRecordType>> {
  requireArchivePurpose(ctx, 'Query.archivedRecords', Category.ORDERS);
  // The account as the caller sees ArchivedRecord.sellerAccountId (its pseudonym when masked).
  const account = await accountFilter(ctx, 'ArchivedRecord.sellerAccountId', args.account);
  const qb = scopedQuery(ctx, ctx.db, RetentionArchive, 'l').andWhere("l.sourceTable IN ('settlement', 'refund', 'fee_estimate')");
  if (args.source) qb.andWhere('l.sourceTable = :source', { source: args.source });
  if (account) qb.andWhere('l.sellerAccountId = :account', { account });
  const page = await paginate(ctx, qb, args, { category: Category.ORDERS, alias: 'l', sortBy: 'recordDate', direction: 'DESC' });
  return mapPage(page, (row) => ({ ...row, sourceTable: row.sourceTable as ArchiveSourceType, data: JSON.stringify(row.payload) }));
}

const camel = (key: string) => key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** An archived audit record as the audit log's own type reads it. */
function auditRecordOf(row: RetentionArchive): AuditRecord {
  const record = Object.fromEntries(Object.entries(row.payload).map(([key, value]) => [camel(key), value])) as Record<string, unknown>;
  return { ...record, id: String(record.id), timestamp: new Date(String(record.timestamp)) } as unknown as AuditRecord;
}

export async function archivedAuditRecords(ctx: RequestContext, args: PageInput): Promise<ConnectionShape<AuditRecord>> {
  requireArchivePurpose(ctx, 'Query.archivedAuditRecords', Category.SYSTEM_LOGS);
  // Audit records belong to no account: scoped principals see none (as with the live log).
  const qb = scopedQuery(ctx, ctx.db, RetentionArchive, 'l').andWhere("l.sourceTable = 'audit_record'");
  const page = await paginate(ctx, qb, args, { category: Category.SYSTEM_LOGS, alias: 'l', sortBy: 'recordDate', direction: 'DESC' });
  return mapPage(page, auditRecordOf);
}
