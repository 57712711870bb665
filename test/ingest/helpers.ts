// Shared by the importer tests: where the samples live, a registered account, and a dump of
// every table's text (to prove personal data never lands anywhere).
import { UNRESTRICTED_SCOPE } from '../../src/auth/principal';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DataSource } from 'typeorm';
import { importFile, type ImportOptions, type ImportSummary } from '../../src/ingest/import-file';
import { registerAccount } from '../../src/ingest/seller-accounts';

/** Licensed (MIT / Apache-2.0) samples copied into the repository, with their NOTICE. */
export const FIXTURES = resolve(__dirname, '../fixtures/amazon');
/** All samples, licensed or not (read in place, never copied): ../shared beside the checkout. */
export const SAMPLES = resolve(__dirname, '../../../shared/samples/amazon');

/** A sample by its path under samples/amazon: the committed copy when there is one. */
export function sample(relative: string): string {
  const copy = join(FIXTURES, relative);
  return existsSync(copy) ? copy : join(SAMPLES, relative);
}

export const SELLER = 'A3TESTSELLER01';
export const US = 'ATVPDKIKX0DER';
export const UK = 'A1F83G8C2ARO7P';
export const JP = 'A1VC38T7YXB528';
export const IT = 'APJ6JRA9NG5V4';
export const CA = 'A2EUQ1WTGCTBG2';
export const BR = 'A2Q3Y263D00KWC';
export const TR = 'A33AVAJ2PDY3EV';
export const DE = 'A1PA6795UKMFR9';

export async function registerTestAccount(dataSource: DataSource, sellerId = SELLER, marketplaces = [US, UK, JP, IT, CA, BR, TR, DE]): Promise<void> {
  await registerAccount(dataSource, { sellerId, name: 'Test seller', marketplaces });
}

export function importSample(dataSource: DataSource, relative: string, options: Partial<ImportOptions> = {}): Promise<ImportSummary> {
  return importFile(dataSource, {
    path: sample(relative),
    account: SELLER,
    importedBy: 'test',
    scope: UNRESTRICTED_SCOPE,
    asOf: new Date('2025-07-01T12:00:00Z'),
    ...options,
  });
}

export async function count(dataSource: DataSource, table: string): Promise<number> {
  const [row] = await dataSource.query(`SELECT count(*)::int AS n FROM "${table}"`);
  return row.n;
}

/** Every row of every table in the public schema, as text. */
export async function dumpAllTables(dataSource: DataSource): Promise<string> {
  const tables: { table_name: string }[] = await dataSource.query(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name",
  );
  const parts: string[] = [];
  for (const { table_name } of tables) {
    const rows: { t: string }[] = await dataSource.query(`SELECT t::text AS t FROM "${table_name}" t`);
    parts.push(`## ${table_name}`, ...rows.map((r) => r.t));
  }
  return parts.join('\n');
}

/** Row counts of the data tables (to show a failed import wrote nothing). */
export async function dataCounts(dataSource: DataSource): Promise<Record<string, number>> {
  const tables = ['listing', 'product', 'amazon_order', 'order_item', 'shipment', 'order_return', 'inventory_snapshot', 'replenishment_recommendation', 'fee_estimate', 'settlement', 'settlement_line', 'refund', 'campaign', 'ad_group', 'keyword', 'product_target', 'product_ad', 'ad_daily_metric'];
  const out: Record<string, number> = {};
  for (const table of tables) out[table] = await count(dataSource, table);
  return out;
}
