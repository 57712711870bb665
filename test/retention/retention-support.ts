// Options of a retention run under the test clock, and a comparable picture of the data.
import type { DataSource } from 'typeorm';
import { defaultRetentionRules } from '../../src/retention/retention-rules';
import type { RetentionRunOptions } from '../../src/retention/retention-runner';
import { AUDIT_KEY, NOW } from './retention-fixture';

export const PSEUDONYM_KEY = 'retention-test-pseudonym-key-0123';

export function runOptions(overrides: Partial<RetentionRunOptions> = {}): RetentionRunOptions {
  return {
    rules: defaultRetentionRules(),
    trigger: 'cli',
    actor: 'cli:test',
    now: () => NOW,
    batchSize: 2,
    maxRows: 100_000,
    staleAfterMs: 15 * 60_000,
    pseudonymKey: PSEUDONYM_KEY,
    auditKey: AUDIT_KEY,
    ...overrides,
  };
}

const SNAPSHOT: Record<string, string> = {
  amazon_order: 'id, amazon_order_id, merchant_order_id, ship_postal_code, status',
  order_item: 'id, order_id, sku, quantity, item_price',
  shipment: 'id, amazon_order_id, tracking_number',
  order_return: 'id, amazon_order_id, customer_comments, license_plate_number',
  order_sales_summary: 'kind, seller_account_id, currency, day, group_key, orders, units, sales',
  settlement: 'id, settlement_id',
  settlement_line: 'id, settlement_row_id, order_id, amount',
  refund: 'id, order_id, amount',
  fee_estimate: 'id, estimate_date',
  api_call_log: 'id, request_id',
  audit_record: 'id, hash',
  retention_archive: 'source_table, source_id, natural_key, order_ids, record_date, rule_id',
};

/** The data retention acts on, row by row (evidence tables excluded: run ids differ). */
export async function dataSnapshot(dataSource: DataSource): Promise<Record<string, unknown[]>> {
  const picture: Record<string, unknown[]> = {};
  for (const [table, columns] of Object.entries(SNAPSHOT)) {
    picture[table] = await dataSource.query(`SELECT ${columns} FROM ${table} ORDER BY ${columns.split(',').slice(0, 2).join(',')}`);
  }
  return picture;
}
