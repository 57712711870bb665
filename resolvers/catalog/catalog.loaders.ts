// Per-request DataLoaders of the catalog: one SQL statement per relation level, however many
// parents are on the page. They hold raw rows; masking happens at the field.
import DataLoader from 'dataloader';
import type { Product } from '../../entities/catalog';
import type { RequestContext } from '../../src/context';
import { Category } from '../../src/policy/taxonomy';
import { catalogService } from './catalog.service';

export function productByAsinLoader(ctx: RequestContext): DataLoader<string, Product | null> {
  return ctx.loaders.get('catalog.productByAsin', () => new DataLoader<string, Product | null>(async (asins) => {
    const rows = await catalogService.productsByAsins(ctx, asins);
    ctx.governance.countRows(Category.CATALOG, rows.length);
    const byAsin = new Map(rows.map((row) => [row.asin, row]));
    return asins.map((asin) => byAsin.get(asin) ?? null);
  }));
}
