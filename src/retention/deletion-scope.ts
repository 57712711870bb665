// What a deletion request reaches, table by table: an order's own rows and every row derived
// from it that still identifies it (items, shipments, returns, settlement lines, refunds,
// archived copies), or every data row of a seller account. Aggregated sales summary rows of an
// order do not identify it and stay; they go with an account.
import type { EntityManager } from 'typeorm';
import type { RowScope } from '../auth/principal';
import { ARCHIVE_HOLD, heldBy, RETENTION_TARGETS, type HoldColumns } from './retention-targets';

export type DeletionScope = { kind: 'ORDERS'; orderIds: string[]; account: string | null } | { kind: 'ACCOUNT'; account: string; orderIds: [] };

/**
 * The executing principal's row scope as a condition on a table's own account and marketplace
 * columns ($3 accounts, $4 marketplaces; NULL: not limited): a deletion deletes nothing outside
 * it, whatever changed since the request was made.
 */
function within(account: string, marketplace: string | null): string {
  // A table without a marketplace column still names $4, so every statement takes the same parameters.
  const byMarketplace = marketplace ? ` AND ($4::text[] IS NULL OR ${marketplace} IS NULL OR ${marketplace} = ANY($4::text[]))` : ' AND ($4::text[] IS NULL OR TRUE)';
  return `($3::text[] IS NULL OR ${account} = ANY($3::text[]))${byMarketplace}`;
}

const scopeParams = (scope: RowScope): [string[] | null, string[] | null] => [scope.accounts ? [...scope.accounts] : null, scope.marketplaces ? [...scope.marketplaces] : null];

async function count(manager: EntityManager, sql: string, params: unknown[]): Promise<number> {
  const rows: { n: number }[] = await manager.query(`WITH d AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM d`, params);
  return rows[0]?.n ?? 0;
}

/** Rows of each table in scope: FROM + WHERE over the table's alias ($1 order ids, $2 account). */
function orderScopedRows(): [table: string, hold: HoldColumns, where: string][] {
  const t = RETENTION_TARGETS;
  const account = (column: string) => `($2::text IS NULL OR ${column} = $2)`;
  return [
    [`amazon_order o`, t.orders.hold, `o.amazon_order_id = ANY($1) AND ${account('o.seller_account_id')}`],
    [`order_return r`, t.order_returns.hold, `r.amazon_order_id = ANY($1) AND ${account('r.seller_account_id')}`],
    [`shipment sh`, t.shipments.hold, `sh.amazon_order_id = ANY($1) AND ${account('sh.seller_account_id')}`],
    [`refund f`, t.refunds.hold, `f.order_id = ANY($1) AND ${account('f.seller_account_id')}`],
    [`settlement s`, t.settlements.hold, `EXISTS (SELECT 1 FROM settlement_line x WHERE x.settlement_row_id = s.id AND x.order_id = ANY($1)) AND ${account('s.seller_account_id')}`],
    [`retention_archive ra`, ARCHIVE_HOLD, `ra.order_ids && $1::text[] AND ${account('ra.seller_account_id')}`],
  ];
}

function accountScopedRows(): [table: string, hold: HoldColumns, where: string][] {
  const t = RETENTION_TARGETS;
  return [
    [`amazon_order o`, t.orders.hold, 'o.seller_account_id = $2 AND $1::text[] IS NOT NULL'],
    [`order_return r`, t.order_returns.hold, 'r.seller_account_id = $2 AND $1::text[] IS NOT NULL'],
    [`shipment sh`, t.shipments.hold, 'sh.seller_account_id = $2 AND $1::text[] IS NOT NULL'],
    [`refund f`, t.refunds.hold, 'f.seller_account_id = $2 AND $1::text[] IS NOT NULL'],
    [`settlement s`, t.settlements.hold, 's.seller_account_id = $2 AND $1::text[] IS NOT NULL'],
    [`fee_estimate fe`, t.fee_estimates.hold, 'fe.seller_account_id = $2 AND $1::text[] IS NOT NULL'],
    [`api_call_log a`, t.api_call_logs.hold, 'a.account_id = $2 AND $1::text[] IS NOT NULL'],
    [`retention_archive ra`, ARCHIVE_HOLD, 'ra.seller_account_id = $2 AND $1::text[] IS NOT NULL'],
  ];
}

/** Ids of the active legal holds covering anything in scope. */
export async function heldScope(manager: EntityManager, scope: DeletionScope, now: Date): Promise<string[]> {
  const held = new Set<string>();
  const tables = scope.kind === 'ORDERS' ? orderScopedRows() : accountScopedRows();
  for (const [table, hold, where] of tables) {
    const rows: { id: string }[] = await manager.query(
      `SELECT DISTINCT h.id::text AS id FROM ${table} JOIN legal_hold h ON ${heldBy(hold, '$3')} WHERE ${where}`,
      [scope.orderIds, scope.account, now],
    );
    rows.forEach((row) => held.add(row.id));
  }
  // A hold naming an order id covers it even when no row of the order is left.
  if (scope.kind === 'ORDERS') {
    const named: { id: string }[] = await manager.query(
      `SELECT h.id::text AS id FROM legal_hold h WHERE h.released_at IS NULL AND (h.ends_at IS NULL OR h.ends_at > $2) AND h.amazon_order_ids && $1::text[]`,
      [scope.orderIds, now],
    );
    named.forEach((row) => held.add(row.id));
  } else {
    const named: { id: string }[] = await manager.query(
      `SELECT h.id::text AS id FROM legal_hold h WHERE h.released_at IS NULL AND (h.ends_at IS NULL OR h.ends_at > $2) AND h.seller_account_id = $1`,
      [scope.account, now],
    );
    named.forEach((row) => held.add(row.id));
  }
  return [...held].sort();
}

async function deleteOrders(manager: EntityManager, scope: DeletionScope, rowScope: RowScope, counts: Record<string, number>): Promise<void> {
  const params = [scope.orderIds, scope.account, ...scopeParams(rowScope)];
  const ordersInScope =
    scope.kind === 'ORDERS'
      ? `SELECT id FROM amazon_order WHERE amazon_order_id = ANY($1) AND ($2::text IS NULL OR seller_account_id = $2) AND ${within('seller_account_id', 'marketplace_id')}`
      : `SELECT id FROM amazon_order WHERE seller_account_id = $2 AND $1::text[] IS NOT NULL AND ${within('seller_account_id', 'marketplace_id')}`;
  const byOrder = (column: string, accountColumn: string) =>
    `${scope.kind === 'ORDERS' ? `${column} = ANY($1) AND ($2::text IS NULL OR ${accountColumn} = $2)` : `${accountColumn} = $2 AND $1::text[] IS NOT NULL`} AND ${within(accountColumn, 'marketplace_id')}`;
  counts.order_item = await count(manager, `DELETE FROM order_item WHERE order_id IN (${ordersInScope})`, params);
  counts.shipment = await count(
    manager,
    `DELETE FROM shipment WHERE (order_id IN (${ordersInScope}) OR (${byOrder('amazon_order_id', 'seller_account_id')})) AND ${within('seller_account_id', 'marketplace_id')}`,
    params,
  );
  counts.order_return = await count(manager, `DELETE FROM order_return WHERE ${byOrder('amazon_order_id', 'seller_account_id')}`, params);
  counts.settlement_line = await count(
    manager,
    scope.kind === 'ORDERS'
      ? `DELETE FROM settlement_line l USING settlement s WHERE s.id = l.settlement_row_id AND l.order_id = ANY($1) AND ($2::text IS NULL OR s.seller_account_id = $2) AND ${within('s.seller_account_id', 's.marketplace_id')}`
      : `DELETE FROM settlement_line l USING settlement s WHERE s.id = l.settlement_row_id AND s.seller_account_id = $2 AND $1::text[] IS NOT NULL AND ${within('s.seller_account_id', 's.marketplace_id')}`,
    params,
  );
  counts.refund = await count(manager, `DELETE FROM refund WHERE ${byOrder('order_id', 'seller_account_id')}`, params);
  counts.amazon_order = await count(manager, `DELETE FROM amazon_order WHERE id IN (${ordersInScope})`, params);
}

/** Archived copies: refunds of the orders go; archived settlements lose the orders' lines. */
async function scrubArchive(manager: EntityManager, orderIds: string[], account: string | null, rowScope: RowScope, counts: Record<string, number>): Promise<void> {
  counts.retention_archive = await count(
    manager,
    `DELETE FROM retention_archive WHERE source_table <> 'settlement' AND order_ids && $1::text[] AND ($2::text IS NULL OR seller_account_id = $2) AND ${within('seller_account_id', 'marketplace_id')}`,
    [orderIds, account, ...scopeParams(rowScope)],
  );
  const scrubbed: { n: number }[] = await manager.query(
    `WITH u AS (
       UPDATE retention_archive SET
         payload = jsonb_set(payload, '{lines}', COALESCE((SELECT jsonb_agg(l) FROM jsonb_array_elements(payload->'lines') l WHERE NOT ((l->>'order_id') = ANY($1::text[]))), '[]'::jsonb)),
         order_ids = ARRAY(SELECT x FROM unnest(order_ids) x WHERE NOT (x = ANY($1::text[])))
       WHERE source_table = 'settlement' AND order_ids && $1::text[] AND ($2::text IS NULL OR seller_account_id = $2) AND ${within('seller_account_id', 'marketplace_id')}
       RETURNING 1)
     SELECT count(*)::int AS n FROM u`,
    [orderIds, account, ...scopeParams(rowScope)],
  );
  counts.retention_archive_settlement_lines = scrubbed[0]?.n ?? 0;
}

/** Tables an account's deletion empties of its rows, children first (after orders and settlements): account and marketplace columns. */
const ACCOUNT_TABLES: [table: string, account: string, marketplace: string | null][] = [
  ['settlement', 'seller_account_id', 'marketplace_id'],
  ['fee_estimate', 'seller_account_id', 'marketplace_id'],
  ['inventory_snapshot', 'seller_account_id', 'marketplace_id'],
  ['replenishment_recommendation', 'seller_account_id', 'marketplace_id'],
  ['order_sales_summary', 'seller_account_id', 'marketplace_id'],
  ['ad_daily_metric', 'seller_account_id', 'marketplace_id'],
  ['keyword', 'seller_account_id', 'marketplace_id'],
  ['product_target', 'seller_account_id', 'marketplace_id'],
  ['product_ad', 'seller_account_id', 'marketplace_id'],
  ['ad_group', 'seller_account_id', 'marketplace_id'],
  ['campaign', 'seller_account_id', 'marketplace_id'],
  ['listing', 'seller_account_id', 'marketplace_id'],
  ['retention_archive', 'seller_account_id', 'marketplace_id'],
  ['api_call_log', 'account_id', null],
  ['import_run', 'seller_account_id', 'marketplace_id'],
];

/**
 * Deletes everything in scope that lies within the executing principal's row scope; returns rows
 * deleted per table (only tables with rows).
 */
export async function deleteScope(manager: EntityManager, scope: DeletionScope, rowScope: RowScope): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  await deleteOrders(manager, scope, rowScope, counts);
  if (scope.kind === 'ORDERS') {
    await scrubArchive(manager, scope.orderIds, scope.account, rowScope, counts);
  } else {
    // The seller account's registration stays (it says which accounts data may come from).
    for (const [table, account, marketplace] of ACCOUNT_TABLES) {
      const deleted = await count(manager, `DELETE FROM ${table} WHERE ${account} = $2 AND $1::text[] IS NOT NULL AND ${within(account, marketplace)}`, [[], scope.account, ...scopeParams(rowScope)]);
      counts[table] = (counts[table] ?? 0) + deleted;
    }
  }
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
}

/**
 * Of the order ids a request names, those that match data in scope (an order, or a row derived
 * from one that still identifies it); with `account`, only within that account. For an account
 * scope, whether the account has any data row. A request naming nothing that exists is refused
 * before anyone approves it.
 */
export async function existingScope(manager: EntityManager, scope: DeletionScope): Promise<{ orderIds: string[]; accountHasRows: boolean }> {
  if (scope.kind === 'ORDERS') {
    const account = (column: string) => `($2::text IS NULL OR ${column} = $2)`;
    const rows: { id: string }[] = await manager.query(
      `SELECT t.id FROM unnest($1::text[]) AS t(id) WHERE
         EXISTS (SELECT 1 FROM amazon_order o WHERE o.amazon_order_id = t.id AND ${account('o.seller_account_id')})
      OR EXISTS (SELECT 1 FROM order_return r WHERE r.amazon_order_id = t.id AND ${account('r.seller_account_id')})
      OR EXISTS (SELECT 1 FROM shipment sh WHERE sh.amazon_order_id = t.id AND ${account('sh.seller_account_id')})
      OR EXISTS (SELECT 1 FROM refund f WHERE f.order_id = t.id AND ${account('f.seller_account_id')})
      OR EXISTS (SELECT 1 FROM settlement_line x JOIN settlement s ON s.id = x.settlement_row_id WHERE x.order_id = t.id AND ${account('s.seller_account_id')})
      OR EXISTS (SELECT 1 FROM retention_archive ra WHERE t.id = ANY(ra.order_ids) AND ${account('ra.seller_account_id')})`,
      [scope.orderIds, scope.account],
    );
    return { orderIds: rows.map((row) => row.id), accountHasRows: false };
  }
  const tables = accountScopedRows().map(([table, , where]) => `EXISTS (SELECT 1 FROM ${table} WHERE ${where})`);
  const [row] = (await manager.query(`SELECT (${tables.join(' OR ')}) AS found`, [[], scope.account])) as { found: boolean }[];
  return { orderIds: [], accountHasRows: row?.found === true };
}
