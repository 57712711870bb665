// Audit records leave the audit log only through src/audit's documented retention path
// (`removeExpiredAuditRecords`: a whole expired range, with a signed `retention` checkpoint).
// ARCHIVE copies the expired range into the restricted archive batch by batch (idempotent), then
// removes it through that path; DELETE removes what is still live past the period the same way
// and deletes archived copies past it. A legal hold with a date range moves the bound back.
import type { DataSource, EntityManager } from 'typeorm';
import { removeExpiredAuditRecords } from '../audit/audit-retention';
import { chainBase } from '../audit/audit-head';
import type { BatchResult } from './retention-actions';

/** `before`, moved back to the start of any active legal hold on a date range reaching before it. */
async function holdBound(manager: EntityManager, before: Date, now: Date): Promise<Date> {
  // Holds naming an account or ids do not cover audit records (which carry neither).
  const rows: { open: boolean | null; start: Date | null }[] = await manager.query(
    `SELECT bool_or(h.from_date IS NULL) AS open, min(h.from_date) AS start FROM legal_hold h
      WHERE h.released_at IS NULL AND (h.ends_at IS NULL OR h.ends_at > $2) AND h.seller_account_id IS NULL
        AND cardinality(h.amazon_order_ids) = 0 AND cardinality(h.settlement_ids) = 0 AND (h.from_date IS NULL OR h.from_date < $1)`,
    [before, now],
  );
  if (rows[0]?.open) return new Date(0);
  const start = rows[0]?.start ? new Date(rows[0].start) : null;
  return start && start < before ? start : before;
}

/** The range `removeExpiredAuditRecords(before)` would remove: (base, upTo]. */
async function expiredRange(manager: EntityManager, before: Date): Promise<{ from: bigint; upTo: bigint }> {
  const base = BigInt((await chainBase(manager)).id);
  const rows: { id: string | null }[] = await manager.query(
    `SELECT COALESCE((SELECT min(id) - 1 FROM audit_record WHERE timestamp >= $1), (SELECT max(id) FROM audit_record))::text AS id`,
    [before],
  );
  const upTo = rows[0]?.id ? BigInt(rows[0].id) : base;
  return { from: base, upTo: upTo > base ? upTo : base };
}

export interface AuditRetentionInput {
  dataSource: DataSource;
  action: 'ARCHIVE' | 'DELETE';
  cutoff: Date;
  now: Date;
  ruleId: string;
  runId: string | null;
  key: string | null | undefined;
}

/** How many audit records (and archived copies) the rule would touch now. */
export async function countAuditDue(manager: EntityManager, input: Omit<AuditRetentionInput, 'dataSource' | 'key' | 'runId' | 'ruleId'>) {
  const before = await holdBound(manager, input.cutoff, input.now);
  const { from, upTo } = await expiredRange(manager, before);
  const held = await expiredRange(manager, input.cutoff);
  let due = Number(upTo - from);
  let firstKey = due > 0 ? (from + 1n).toString() : null;
  let lastKey = due > 0 ? upTo.toString() : null;
  if (input.action === 'DELETE') {
    const [archived] = await manager.query(
      `SELECT count(*)::int AS n, min(id)::text AS first, max(id)::text AS last FROM retention_archive WHERE source_table = 'audit_record' AND record_date < $1`,
      [before],
    );
    due += archived.n;
    firstKey ??= archived.first ? `archive:${archived.first}` : null;
    if (archived.last) lastKey = `archive:${archived.last}`;
  }
  return { due, held: Number(held.upTo - upTo), firstKey, lastKey };
}

/** Copies one batch of the expired range into the archive; null when all of it is copied. */
export async function archiveAuditBatch(manager: EntityManager, input: AuditRetentionInput, limit: number): Promise<BatchResult | null> {
  const before = await holdBound(manager, input.cutoff, input.now);
  const { from, upTo } = await expiredRange(manager, before);
  if (upTo <= from) return null;
  const rows: { id: string }[] = await manager.query(
    `INSERT INTO retention_archive (source_table, source_id, natural_key, seller_account_id, marketplace_id, order_ids, record_date, archived_at, rule_id, run_id, payload)
     SELECT 'audit_record', ar.id::text, ar.request_id, NULL, NULL, '{}', ar.timestamp, $3, $4, $5, to_jsonb(ar)
       FROM audit_record ar
      WHERE ar.id > $1 AND ar.id <= $2
        AND NOT EXISTS (SELECT 1 FROM retention_archive x WHERE x.source_table = 'audit_record' AND x.source_id = ar.id::text)
      ORDER BY ar.id LIMIT $6
     RETURNING source_id AS id`,
    [from.toString(), upTo.toString(), input.now, input.ruleId, input.runId, limit],
  );
  if (rows.length === 0) return null;
  const ids = rows.map((row) => row.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  return { rows: rows.length, firstKey: ids[0], lastKey: ids[ids.length - 1], counts: { retention_archive: rows.length } };
}

/** Removes the expired range through the audit log's retention path (every record archived first when archiving). */
export async function removeAuditRange(input: AuditRetentionInput): Promise<BatchResult | null> {
  const before = await holdBound(input.dataSource.manager, input.cutoff, input.now);
  const { from, upTo } = await expiredRange(input.dataSource.manager, before);
  if (upTo <= from) return null;
  if (!input.key) throw new Error('AUDIT_CHECKPOINT_KEY is required to remove audit records (each removal is stated in a signed checkpoint)');
  if (input.action === 'ARCHIVE') {
    const [copied] = await input.dataSource.query(
      `SELECT count(*)::int AS n FROM retention_archive WHERE source_table = 'audit_record' AND source_id::bigint > $1 AND source_id::bigint <= $2`,
      [from.toString(), upTo.toString()],
    );
    if (BigInt(copied.n) !== upTo - from) throw new Error('audit records of the expired range are not all archived: nothing removed');
  }
  const removed = await removeExpiredAuditRecords(input.dataSource, { before, key: input.key });
  if (removed.removed === 0) return null;
  // Under ARCHIVE the records were counted when copied; the removal shows in `counts`.
  return { rows: input.action === 'ARCHIVE' ? 0 : removed.removed, firstKey: removed.fromId, lastKey: removed.toId, counts: { audit_record: removed.removed } };
}

/** DELETE's second phase: archived audit records past the period. */
export async function deleteArchivedAuditBatch(manager: EntityManager, input: AuditRetentionInput, limit: number): Promise<BatchResult | null> {
  const before = await holdBound(manager, input.cutoff, input.now);
  const rows: { id: string }[] = await manager.query(
    `WITH d AS (DELETE FROM retention_archive WHERE id IN (SELECT id FROM retention_archive WHERE source_table = 'audit_record' AND record_date < $1 ORDER BY id LIMIT $2) RETURNING id)
     SELECT id::text AS id FROM d`,
    [before, limit],
  );
  if (rows.length === 0) return null;
  const ids = rows.map((row) => row.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  return { rows: rows.length, firstKey: `archive:${ids[0]}`, lastKey: `archive:${ids[ids.length - 1]}`, counts: { retention_archive: rows.length } };
}
