// `__resolveReference` of the Federation 2 entities: another subgraph (or the router) names an
// entity by its `@key`, and the owning subgraph loads it through a per-request DataLoader, in
// the request's row scope, so a batch of references is one SQL statement and a reference to a
// row outside the scope resolves to null like any lookup.
import DataLoader from 'dataloader';
import type { ObjectLiteral } from 'typeorm';
import { Campaign } from '../../entities/advertising';
import { Settlement } from '../../entities/inventory-finance';
import { Order } from '../../entities/orders';
import { productByAsinLoader } from '../../resolvers/catalog/catalog.loaders';
import { catalogService } from '../../resolvers/catalog/catalog.service';
import type { RequestContext } from '../context';
import { scopedRead } from '../db/scoped';
import { Category } from '../policy/taxonomy';

type Reference = Record<string, unknown>;
type ResolveReference = (reference: Reference, ctx: RequestContext) => Promise<unknown>;

/** Rows by surrogate id, in row scope, one statement per batch. */
function byIdLoader<T extends ObjectLiteral & { id: string }>(ctx: RequestContext, entity: new () => T, category: Category): DataLoader<string, T | null> {
  return ctx.loaders.get(`federation.${entity.name}ById`, () => new DataLoader<string, T | null>(async (ids) => {
    const rows = await scopedRead(ctx, entity, 'e').andWhere('e.id = ANY(:ids)', { ids: [...ids] }).getMany();
    ctx.governance.countRows(category, rows.length);
    const byId = new Map(rows.map((row) => [String(row.id), row]));
    return ids.map((id) => byId.get(String(id)) ?? null);
  }));
}

const byId = <T extends ObjectLiteral & { id: string }>(entity: new () => T, category: Category): ResolveReference =>
  (reference, ctx) => byIdLoader(ctx, entity, category).load(String(reference.id));

/** Entity type name -> how a reference to it is resolved. */
export const ENTITY_REFERENCES: Record<string, ResolveReference> = {
  Product: (reference, ctx) => productByAsinLoader(ctx).load(String(reference.asin)),
  Listing: (reference, ctx) =>
    catalogService.listing(ctx, String(reference.sellerAccountId), String(reference.marketplaceId), String(reference.sellerSku)),
  SellerAccount: async (reference, ctx) => {
    const accounts = await ctx.loaders.get('federation.sellerAccounts', () => catalogService.sellerAccounts(ctx));
    return accounts.find((account) => account.sellerId === reference.sellerId) ?? null;
  },
  Marketplace: async (reference, ctx) => {
    const marketplaces = await ctx.loaders.get('federation.marketplaces', () => catalogService.marketplaces(ctx));
    return marketplaces.find((marketplace) => marketplace.marketplaceId === reference.marketplaceId) ?? null;
  },
  Order: byId(Order, Category.ORDERS),
  Campaign: byId(Campaign, Category.ADVERTISING),
  Settlement: byId(Settlement, Category.INVENTORY_FINANCE),
};
