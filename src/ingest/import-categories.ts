// Which data categories an import wrote, and how many rows of each (for its audit record).
import type { DataSource } from 'typeorm';
import { ENTITIES_BY_CATEGORY } from '../../entities';
import type { RowScope } from '../auth/principal';
import type { Category } from '../policy/taxonomy';
import type { ImportSummary } from './import-file';

/** Rows inserted or updated per category, from the summary's tables. */
export function rowsWrittenByCategory(dataSource: DataSource, summary: ImportSummary): Partial<Record<Category, number>> {
  const categoryOfTable = new Map<string, Category>();
  for (const [category, entities] of Object.entries(ENTITIES_BY_CATEGORY)) {
    for (const entity of entities) categoryOfTable.set(dataSource.getMetadata(entity).tableName, category as Category);
  }
  const rows: Partial<Record<Category, number>> = {};
  for (const [table, counts] of Object.entries(summary.tables)) {
    const category = categoryOfTable.get(table);
    if (category) rows[category] = (rows[category] ?? 0) + counts.inserted + counts.updated;
  }
  return rows;
}

/** Whether an import for `account` (and `marketplace`) falls outside a principal's row scope. */
export function importOutOfScope(scope: RowScope, account: string, marketplace: string | undefined): boolean {
  if (scope.accounts && !scope.accounts.includes(account)) return true;
  return Boolean(scope.marketplaces && (!marketplace || !scope.marketplaces.includes(marketplace)));
}
