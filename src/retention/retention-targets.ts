// What retention can act on, fixed in code: each target's table, the clocks its records have,
// the actions and anonymizable fields it supports, how a legal hold recognises its rows, and
// how it is archived. Rules (retention-rules.ts) only choose among these.
import type { RetentionAction, RetentionClock } from './retention-rules';

export type RetentionTargetName = 'orders' | 'order_returns' | 'shipments' | 'settlements' | 'refunds' | 'fee_estimates' | 'api_call_logs' | 'audit_records';

/** PERSONAL fields are cleared; IDENTIFIER fields are replaced by keyed pseudonyms (`psn_...`). */
export interface AnonymizableField {
  column: string;
  kind: 'PERSONAL' | 'IDENTIFIER';
}

/** SQL expressions (over the target's alias) a legal hold is matched against. */
export interface HoldColumns {
  account?: string;
  /** text[] of Amazon order ids the row belongs to or mentions. */
  orderIds?: string;
  /** text[] of settlement ids the row belongs to. */
  settlementIds?: string;
  /** The row's date (or the start of its period). */
  dateFrom: string;
  /** The end of the row's period, when it has one. */
  dateTo?: string;
}

export interface ArchiveColumns {
  naturalKey: string;
  account: string;
  marketplace: string;
  orderIds: string;
  payload: string;
}

export interface RetentionTarget {
  name: RetentionTargetName;
  table: string;
  alias: string;
  /** Extra joins some clocks need. */
  joins?: string;
  clocks: Partial<Record<RetentionClock, string>>;
  actions: readonly RetentionAction[];
  fields?: Record<string, AnonymizableField>;
  hold: HoldColumns;
  /** Security logs: never kept under 90 days. */
  securityLog?: boolean;
  archive?: ArchiveColumns;
}

const NO_IDS = "'{}'::text[]";

export const RETENTION_TARGETS: Record<RetentionTargetName, RetentionTarget> = {
  orders: {
    name: 'orders',
    table: 'amazon_order',
    alias: 'o',
    clocks: { DELIVERY: 'o.delivered_at', PURCHASE: 'o.purchase_date' },
    actions: ['ANONYMIZE', 'AGGREGATE', 'DELETE'],
    fields: {
      shipPostalCode: { column: 'ship_postal_code', kind: 'PERSONAL' },
      merchantOrderId: { column: 'merchant_order_id', kind: 'IDENTIFIER' },
    },
    hold: {
      account: 'o.seller_account_id',
      orderIds: 'ARRAY[o.amazon_order_id]::text[]',
      settlementIds:
        'ARRAY(SELECT hs.settlement_id::text FROM settlement_line hl JOIN settlement hs ON hs.id = hl.settlement_row_id WHERE hl.order_id = o.amazon_order_id)',
      dateFrom: 'o.purchase_date',
    },
  },
  order_returns: {
    name: 'order_returns',
    table: 'order_return',
    alias: 'r',
    joins: 'LEFT JOIN amazon_order ro ON ro.amazon_order_id = r.amazon_order_id',
    // A comment that arrives after the 30 days is cleared at once: the clock is the delivery.
    clocks: { DELIVERY: 'COALESCE(ro.delivered_at, r.return_date)', RETURN: 'r.return_date' },
    actions: ['ANONYMIZE', 'DELETE'],
    fields: {
      customerComments: { column: 'customer_comments', kind: 'PERSONAL' },
      licensePlateNumber: { column: 'license_plate_number', kind: 'IDENTIFIER' },
    },
    hold: { account: 'r.seller_account_id', orderIds: 'ARRAY[r.amazon_order_id]::text[]', dateFrom: 'r.return_date' },
  },
  shipments: {
    name: 'shipments',
    table: 'shipment',
    alias: 'sh',
    clocks: { SHIPMENT: 'sh.ship_date' },
    actions: ['ANONYMIZE', 'DELETE'],
    fields: { trackingNumber: { column: 'tracking_number', kind: 'IDENTIFIER' } },
    hold: { account: 'sh.seller_account_id', orderIds: 'ARRAY[sh.amazon_order_id]::text[]', dateFrom: 'sh.ship_date' },
  },
  settlements: {
    name: 'settlements',
    table: 'settlement',
    alias: 's',
    clocks: { POSTING: 'COALESCE(s.deposit_date, s.end_date)' },
    actions: ['ARCHIVE', 'DELETE'],
    hold: {
      account: 's.seller_account_id',
      orderIds: 'ARRAY(SELECT DISTINCT hl.order_id::text FROM settlement_line hl WHERE hl.settlement_row_id = s.id AND hl.order_id IS NOT NULL)',
      settlementIds: 'ARRAY[s.settlement_id]::text[]',
      dateFrom: 's.start_date',
      dateTo: 's.end_date',
    },
    archive: {
      naturalKey: 's.settlement_id',
      account: 's.seller_account_id',
      marketplace: 's.marketplace_id',
      orderIds: 'ARRAY(SELECT DISTINCT al.order_id::text FROM settlement_line al WHERE al.settlement_row_id = s.id AND al.order_id IS NOT NULL)',
      payload:
        "to_jsonb(s) || jsonb_build_object('lines', COALESCE((SELECT jsonb_agg(to_jsonb(al) ORDER BY al.line_number) FROM settlement_line al WHERE al.settlement_row_id = s.id), '[]'::jsonb))",
    },
  },
  refunds: {
    name: 'refunds',
    table: 'refund',
    alias: 'f',
    clocks: { POSTING: 'f.posted_date' },
    actions: ['ARCHIVE', 'DELETE'],
    hold: { account: 'f.seller_account_id', orderIds: 'ARRAY[f.order_id]::text[]', dateFrom: 'f.posted_date' },
    archive: { naturalKey: 'f.order_id', account: 'f.seller_account_id', marketplace: 'f.marketplace_id', orderIds: 'ARRAY[f.order_id]::text[]', payload: 'to_jsonb(f)' },
  },
  fee_estimates: {
    name: 'fee_estimates',
    table: 'fee_estimate',
    alias: 'fe',
    clocks: { POSTING: "(fe.estimate_date::timestamp AT TIME ZONE 'UTC')" },
    actions: ['ARCHIVE', 'DELETE'],
    hold: { account: 'fe.seller_account_id', dateFrom: "(fe.estimate_date::timestamp AT TIME ZONE 'UTC')" },
    archive: { naturalKey: 'fe.sku', account: 'fe.seller_account_id', marketplace: 'fe.marketplace_id', orderIds: NO_IDS, payload: 'to_jsonb(fe)' },
  },
  api_call_logs: {
    name: 'api_call_logs',
    table: 'api_call_log',
    alias: 'a',
    clocks: { CREATION: 'a.time' },
    actions: ['DELETE'],
    hold: { account: 'a.account_id', dateFrom: 'a.time' },
    securityLog: true,
  },
  // Removed only through src/audit's retention path (audit-retention.ts), whole ranges at a time.
  audit_records: {
    name: 'audit_records',
    table: 'audit_record',
    alias: 'ar',
    clocks: { CREATION: 'ar.timestamp' },
    actions: ['ARCHIVE', 'DELETE'],
    hold: { dateFrom: 'ar.timestamp' },
    securityLog: true,
  },
};

/** Hold columns of archived copies (retention_archive alias `ra`). */
export const ARCHIVE_HOLD: HoldColumns = {
  account: 'ra.seller_account_id',
  orderIds: 'ra.order_ids',
  settlementIds: "CASE WHEN ra.source_table = 'settlement' THEN ARRAY[ra.natural_key]::text[] ELSE '{}'::text[] END",
  dateFrom: 'ra.record_date',
};

/**
 * SQL condition true when no active legal hold covers the row. A hold covers a row when it
 * matches every dimension the hold names; a dimension the row does not have never matches.
 * `now` is a parameter placeholder (e.g. `$2`).
 */
export function notHeld(columns: HoldColumns, now: string): string {
  return `NOT EXISTS (SELECT 1 FROM legal_hold h WHERE ${heldBy(columns, now)})`;
}

/** The hold-matching condition over alias `h` (active holds only). */
export function heldBy(columns: HoldColumns, now: string): string {
  const account = columns.account ? `(h.seller_account_id IS NULL OR h.seller_account_id = ${columns.account})` : 'h.seller_account_id IS NULL';
  const ids = ['(cardinality(h.amazon_order_ids) = 0 AND cardinality(h.settlement_ids) = 0)'];
  if (columns.orderIds) ids.push(`h.amazon_order_ids && ${columns.orderIds}`);
  if (columns.settlementIds) ids.push(`h.settlement_ids && ${columns.settlementIds}`);
  const end = columns.dateTo ?? columns.dateFrom;
  return [
    'h.released_at IS NULL',
    `(h.ends_at IS NULL OR h.ends_at > ${now})`,
    account,
    `(${ids.join(' OR ')})`,
    `(h.from_date IS NULL OR ${end} >= h.from_date)`,
    `(h.to_date IS NULL OR ${columns.dateFrom} < h.to_date)`,
  ].join(' AND ');
}
