// Per-request DataLoader for settlement lines: one SQL statement for all settlements on a page.
import DataLoader from 'dataloader';
import type { SettlementLine } from '../../entities/inventory-finance';
import type { RequestContext } from '../../src/context';
import { Category } from '../../src/policy/taxonomy';
import { inventoryFinanceService } from './inventory-finance.service';

function groupBy<K, T>(keys: readonly K[], rows: T[], keyOf: (row: T) => K): T[][] {
  const groups = new Map<K, T[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}

export function settlementLinesLoader(ctx: RequestContext): DataLoader<string, SettlementLine[]> {
  return ctx.loaders.get('inventory-finance.linesBySettlement', () => new DataLoader<string, SettlementLine[]>(async (ids) => {
    const rows = await inventoryFinanceService.linesOfSettlements(ctx, ids);
    ctx.governance.countRows(Category.INVENTORY_FINANCE, rows.length);
    return groupBy(ids, rows, (row) => row.settlementRowId);
  }));
}
