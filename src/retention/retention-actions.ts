// One batch of one rule, inside the caller's transaction: select the due rows (never held ones),
// then delete, anonymize, aggregate or archive them. Selection is by the rule's fixed cutoff and
// what is still pending, so a batch that committed drops out and a rolled-back one comes again.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { EntityManager } from 'typeorm';
import { pseudonym } from '../policy/masks';
import type { RetentionRule } from './retention-rules';
import { ARCHIVE_HOLD, notHeld, type RetentionTarget } from './retention-targets';

export interface BatchContext {
  manager: EntityManager;
  target: RetentionTarget;
  rule: RetentionRule;
  cutoff: Date;
  now: Date;
  runId: string | null;
  batchNo: number;
  limit: number;
  pseudonymKey: string;
  /** Compressed JSONL copies of archived rows go here when set. */
  archiveDir?: string | null;
}

export interface BatchResult {
  rows: number;
  firstKey: string | null;
  lastKey: string | null;
  /** Rows per table, derived rows included. */
  counts: Record<string, number>;
}

export interface DueCount {
  due: number;
  held: number;
  firstKey: string | null;
  lastKey: string | null;
}

function anonymizedFields(target: RetentionTarget, rule: RetentionRule) {
  const names = rule.fields ?? Object.keys(target.fields ?? {}).filter((name) => target.fields![name].kind === 'PERSONAL');
  return names.map((name) => target.fields![name]);
}

/** Rows the action still has to do something to (anonymized values are not pending). */
function pendingCondition(target: RetentionTarget, rule: RetentionRule): string {
  if (rule.action !== 'ANONYMIZE') return 'TRUE';
  const alias = target.alias;
  const conditions = anonymizedFields(target, rule).map((field) =>
    field.kind === 'PERSONAL' ? `${alias}.${field.column} IS NOT NULL` : `(${alias}.${field.column} IS NOT NULL AND ${alias}.${field.column} NOT LIKE 'psn\\_%')`,
  );
  return conditions.length ? `(${conditions.join(' OR ')})` : 'FALSE';
}

/** FROM + WHERE of the due rows ($1 cutoff, $2 now); `held` selects the due rows a hold keeps instead. */
function dueRows(target: RetentionTarget, rule: RetentionRule, held = false): string {
  const clock = target.clocks[rule.clock];
  if (!clock) throw new Error(`${target.name} has no clock ${rule.clock}`);
  const hold = notHeld(target.hold, '$2');
  return `FROM ${target.table} ${target.alias} ${target.joins ?? ''} WHERE ${clock} < $1 AND ${pendingCondition(target, rule)} AND ${held ? `NOT ${hold}` : hold}`;
}

/** Archived copies a DELETE rule removes ($1 cutoff, $2 now). */
function dueArchive(target: RetentionTarget, held = false): string {
  const hold = notHeld(ARCHIVE_HOLD, '$2');
  return `FROM retention_archive ra WHERE ra.source_table = '${target.table}' AND ra.record_date < $1 AND ${held ? `NOT ${hold}` : hold}`;
}

/** What a rule would touch now (dry runs, and the held count of real runs). */
export async function countDue(manager: EntityManager, target: RetentionTarget, rule: RetentionRule, cutoff: Date, now: Date): Promise<DueCount> {
  const stats = `count(*)::int AS n, min(${target.alias}.id)::text AS first, max(${target.alias}.id)::text AS last`;
  const [due] = await manager.query(`SELECT ${stats} ${dueRows(target, rule)}`, [cutoff, now]);
  const [held] = await manager.query(`SELECT count(*)::int AS n ${dueRows(target, rule, true)}`, [cutoff, now]);
  const result: DueCount = { due: due.n, held: held.n, firstKey: due.first, lastKey: due.last };
  if (rule.action === 'DELETE' && target.archive) {
    const [archived] = await manager.query(`SELECT count(*)::int AS n, min(ra.id)::text AS first, max(ra.id)::text AS last ${dueArchive(target)}`, [cutoff, now]);
    const [archivedHeld] = await manager.query(`SELECT count(*)::int AS n ${dueArchive(target, true)}`, [cutoff, now]);
    result.due += archived.n;
    result.held += archivedHeld.n;
    result.firstKey ??= archived.first ? `archive:${archived.first}` : null;
    if (archived.last) result.lastKey = `archive:${archived.last}`;
  }
  return result;
}

async function count(manager: EntityManager, sql: string, params: unknown[]): Promise<number> {
  const rows: { n: number }[] = await manager.query(`WITH d AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM d`, params);
  return rows[0]?.n ?? 0;
}

/** Deletes orders with their items, shipments and returns (the order-level detail). */
async function deleteOrders(manager: EntityManager, ids: string[], counts: Record<string, number>): Promise<void> {
  const ofOrders = 'SELECT amazon_order_id FROM amazon_order WHERE id = ANY($1::bigint[])';
  counts.order_item = (counts.order_item ?? 0) + (await count(manager, 'DELETE FROM order_item WHERE order_id = ANY($1::bigint[])', [ids]));
  counts.shipment = (counts.shipment ?? 0) + (await count(manager, `DELETE FROM shipment WHERE order_id = ANY($1::bigint[]) OR amazon_order_id IN (${ofOrders})`, [ids]));
  counts.order_return = (counts.order_return ?? 0) + (await count(manager, `DELETE FROM order_return WHERE amazon_order_id IN (${ofOrders})`, [ids]));
  counts.amazon_order = (counts.amazon_order ?? 0) + (await count(manager, 'DELETE FROM amazon_order WHERE id = ANY($1::bigint[])', [ids]));
}

const SUMMARY_GROUPS: [kind: string, key: string][] = [
  ['DAY', "''"],
  ['SKU', 'i.sku'],
  ['ASIN', "COALESCE(i.asin, '')"],
];

/** Adds the orders' sales to the daily summary rows `salesSummary` reads (canceled orders excluded, as there). */
async function aggregateOrders(manager: EntityManager, ids: string[], now: Date): Promise<number> {
  let rows = 0;
  for (const [kind, key] of SUMMARY_GROUPS) {
    rows += await count(
      manager,
      `INSERT INTO order_sales_summary (kind, seller_account_id, marketplace_id, currency, day, group_key, orders, units, sales, updated_at)
       SELECT '${kind}', o.seller_account_id, o.marketplace_id, COALESCE(o.currency, ''), (o.purchase_date AT TIME ZONE 'UTC')::date, ${key},
              COUNT(DISTINCT o.id), COALESCE(SUM(i.quantity), 0), COALESCE(SUM(i.item_price), 0), $2
         FROM amazon_order o JOIN order_item i ON i.order_id = o.id
        WHERE o.id = ANY($1::bigint[]) AND o.status <> 'Canceled'
        GROUP BY 2, 3, 4, 5, 6
       ON CONFLICT (kind, seller_account_id, marketplace_id, currency, day, group_key) DO UPDATE
          SET orders = order_sales_summary.orders + EXCLUDED.orders, units = order_sales_summary.units + EXCLUDED.units,
              sales = order_sales_summary.sales + EXCLUDED.sales, updated_at = EXCLUDED.updated_at`,
      [ids, now],
    );
  }
  return rows;
}

async function anonymize(ctx: BatchContext, ids: string[]): Promise<void> {
  const { manager, target } = ctx;
  const fields = anonymizedFields(target, ctx.rule);
  const personal = fields.filter((field) => field.kind === 'PERSONAL');
  if (personal.length) {
    await manager.query(`UPDATE ${target.table} SET ${personal.map((f) => `${f.column} = NULL`).join(', ')}, updated_at = $2 WHERE id = ANY($1::bigint[])`, [ids, ctx.now]);
  }
  for (const field of fields.filter((f) => f.kind === 'IDENTIFIER')) {
    const rows: { id: string; value: string | null }[] = await manager.query(`SELECT id::text AS id, ${field.column} AS value FROM ${target.table} WHERE id = ANY($1::bigint[])`, [ids]);
    const changed = rows.filter((row) => row.value !== null && !row.value.startsWith('psn_'));
    if (changed.length === 0) continue;
    await manager.query(
      `UPDATE ${target.table} t SET ${field.column} = v.p, updated_at = $3 FROM (SELECT unnest($1::bigint[]) AS id, unnest($2::text[]) AS p) v WHERE t.id = v.id`,
      [changed.map((row) => row.id), changed.map((row) => pseudonym(row.value!, ctx.pseudonymKey)), ctx.now],
    );
  }
}

async function archive(ctx: BatchContext, ids: string[], counts: Record<string, number>): Promise<void> {
  const { manager, target } = ctx;
  const columns = target.archive!;
  const inserted: { payload: Record<string, unknown> }[] = await manager.query(
    `INSERT INTO retention_archive (source_table, source_id, natural_key, seller_account_id, marketplace_id, order_ids, record_date, archived_at, rule_id, run_id, payload)
     SELECT '${target.table}', ${target.alias}.id::text, ${columns.naturalKey}, ${columns.account}, ${columns.marketplace}, ${columns.orderIds},
            ${target.clocks[ctx.rule.clock]}, $2, $3, $4, ${columns.payload}
       FROM ${target.table} ${target.alias} ${target.joins ?? ''} WHERE ${target.alias}.id = ANY($1::bigint[])
     ON CONFLICT (source_table, source_id) DO NOTHING RETURNING payload`,
    [ids, ctx.now, ctx.rule.id, ctx.runId],
  );
  counts.retention_archive = (counts.retention_archive ?? 0) + inserted.length;
  if (ctx.archiveDir && inserted.length) {
    // Written before the commit: a rolled-back batch is redone with the same number and file.
    const dir = join(ctx.archiveDir, ctx.runId ?? 'ad-hoc');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${ctx.rule.id}-${String(ctx.batchNo).padStart(6, '0')}.jsonl.gz`), gzipSync(inserted.map((row) => JSON.stringify(row.payload)).join('\n') + '\n'));
  }
  await deleteLive(ctx, ids, counts);
}

async function deleteLive(ctx: BatchContext, ids: string[], counts: Record<string, number>): Promise<void> {
  const { manager, target } = ctx;
  if (target.name === 'orders') return deleteOrders(manager, ids, counts);
  if (target.name === 'settlements') {
    counts.settlement_line = (counts.settlement_line ?? 0) + (await count(manager, 'DELETE FROM settlement_line WHERE settlement_row_id = ANY($1::bigint[])', [ids]));
  }
  counts[target.table] = (counts[target.table] ?? 0) + (await count(manager, `DELETE FROM ${target.table} WHERE id = ANY($1::bigint[])`, [ids]));
}

/** Runs one batch; null when nothing is due any more. */
export async function runBatch(ctx: BatchContext): Promise<BatchResult | null> {
  const { manager, target, rule } = ctx;
  const selected: { id: string }[] = await manager.query(`SELECT ${target.alias}.id::text AS id ${dueRows(target, rule)} ORDER BY ${target.alias}.id LIMIT $3`, [ctx.cutoff, ctx.now, ctx.limit]);
  const ids = selected.map((row) => row.id);
  const counts: Record<string, number> = {};
  if (ids.length === 0) {
    if (rule.action === 'DELETE' && target.archive) return deleteArchived(ctx);
    return null;
  }
  switch (rule.action) {
    case 'ANONYMIZE':
      await anonymize(ctx, ids);
      counts[target.table] = ids.length;
      break;
    case 'AGGREGATE':
      counts.order_sales_summary = await aggregateOrders(manager, ids, ctx.now);
      await deleteOrders(manager, ids, counts);
      break;
    case 'ARCHIVE':
      await archive(ctx, ids, counts);
      break;
    case 'DELETE':
      await deleteLive(ctx, ids, counts);
      break;
  }
  return { rows: ids.length, firstKey: ids[0], lastKey: ids[ids.length - 1], counts };
}

/** A DELETE rule's second phase: archived copies past the period. */
async function deleteArchived(ctx: BatchContext): Promise<BatchResult | null> {
  const selected: { id: string }[] = await ctx.manager.query(`SELECT ra.id::text AS id ${dueArchive(ctx.target)} ORDER BY ra.id LIMIT $3`, [ctx.cutoff, ctx.now, ctx.limit]);
  if (selected.length === 0) return null;
  const ids = selected.map((row) => row.id);
  const removed = await count(ctx.manager, 'DELETE FROM retention_archive WHERE id = ANY($1::bigint[])', [ids]);
  return { rows: ids.length, firstKey: `archive:${ids[0]}`, lastKey: `archive:${ids[ids.length - 1]}`, counts: { retention_archive: removed } };
}
