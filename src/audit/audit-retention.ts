// The one documented way records leave the audit log: the retention job removes the oldest
// records up to an id (a whole expired range), through the database function
// `audit_remove_expired(up_to)` (migration AuditAppendOnly: it sets
// `sellergate.audit_retention = on` for this transaction only, which the append-only trigger
// checks), and records a signed `retention` checkpoint of what it removed in the same
// transaction. The chain then starts after the removed range (see audit-head.ts chainBase).
import type { DataSource } from 'typeorm';
import { AuditRecord } from '../../entities/gateway/audit-record.entity';
import { insertCheckpoint } from './audit-checkpoint';
import { chainBase, lockChain } from './audit-head';
import { verifyChain } from './audit-verify';

export interface AuditRetentionResult {
  removed: number;
  fromId: string | null;
  toId: string | null;
}

/** Removes every record older than `before` that has no newer-timestamped record before it. */
export async function removeExpiredAuditRecords(
  dataSource: DataSource,
  options: { before: Date; key: string; dryRun?: boolean },
): Promise<AuditRetentionResult> {
  return dataSource.transaction(async (manager) => {
    await lockChain(manager);
    const base = await chainBase(manager);
    // The range ends before the first record that is still within retention.
    const bound: { id: string | null }[] = await manager.query(
      `SELECT COALESCE((SELECT min(id) - 1 FROM audit_record WHERE timestamp >= $1), (SELECT max(id) FROM audit_record))::text AS id`,
      [options.before],
    );
    const upTo = bound[0]?.id ?? null;
    if (upTo === null || BigInt(upTo) <= BigInt(base.id)) return { removed: 0, fromId: null, toId: null };
    const last = await manager.findOneBy(AuditRecord, { id: upTo });
    if (!last) throw new Error(`Audit record ${upTo} is missing: run \`audit verify\` before retention`);
    const check = await verifyChain(manager, { to: upTo, key: options.key });
    if (!check.ok) throw new Error(`The audit chain is broken (${check.problem?.message}); retention refused so the evidence is kept`);
    const fromId = (BigInt(base.id) + 1n).toString();
    if (options.dryRun) return { removed: check.checked, fromId, toId: upTo };
    const rows: { removed: string }[] = await manager.query('SELECT audit_remove_expired($1)::text AS removed', [upTo]);
    await insertCheckpoint(manager, options.key, {
      kind: 'retention',
      headId: upTo,
      headHash: last.hash.trim(),
      removedFromId: fromId,
      removedToId: upTo,
      removedLastHash: last.hash.trim(),
    });
    return { removed: Number(rows[0]?.removed ?? 0), fromId, toId: upTo };
  });
}
