// Catalog reads. Row scope in SQL everywhere: listings by their account and marketplace;
// products (global by ASIN) only when listed within the caller's scope; accounts and
// marketplaces by their ids.
import type { SelectQueryBuilder } from 'typeorm';
import { Listing, Marketplace, Product, SellerAccount } from '../../entities/catalog';
import type { ConnectionShape } from '../../schema/common/connection.type';
import { ListingSortField, ProductSortField, type ListingsArgs, type ProductsArgs } from '../../schema/catalog/catalog-args.type';
import { SortDirection } from '../../schema/common/sort-direction.type';
import type { RowScope } from '../../src/auth/principal';
import type { RequestContext } from '../../src/context';
import { paginate } from '../../src/db/paginate';
import { applyRowScope } from '../../src/db/row-scope';
import { Category } from '../../src/policy/taxonomy';

const isScoped = (scope: RowScope) => scope.accounts !== null || scope.marketplaces !== null;

/** Escapes `%`, `_` and `\` so user text matches literally inside ILIKE. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A scoped caller sees a product only when one of its listings is within scope. */
function scopeProducts(ctx: RequestContext, qb: SelectQueryBuilder<Product>, alias: string): void {
  if (!isScoped(ctx.scope)) return;
  const listed = qb.subQuery().select('1').from(Listing, 'sl').where(`sl.asin = ${alias}.asin`);
  applyRowScope(listed, ctx.scope, { account: 'sl.sellerAccountId', marketplace: 'sl.marketplaceId' });
  qb.andWhere(`EXISTS ${listed.getQuery()}`).setParameters(listed.getParameters());
}

export class CatalogService {
  async listProducts(ctx: RequestContext, args: ProductsArgs): Promise<ConnectionShape<Product>> {
    const qb = ctx.reads.getRepository(Product).createQueryBuilder('p');
    if (args.asin) qb.andWhere('p.asin = :asin', { asin: args.asin });
    if (args.brand) qb.andWhere('p.brand = :brand', { brand: args.brand });
    if (args.search) qb.andWhere('p.title ILIKE :search', { search: likePattern(args.search) });
    scopeProducts(ctx, qb, 'p');
    const connection = await paginate(ctx, qb, args, {
      category: Category.CATALOG,
      alias: 'p',
      sortBy: args.sortBy ?? ProductSortField.TITLE,
      direction: args.direction ?? SortDirection.ASC,
    });
    return connection;
  }

  async productsByAsins(ctx: RequestContext, asins: readonly string[]): Promise<Product[]> {
    const qb = ctx.reads.getRepository(Product).createQueryBuilder('p').where('p.asin = ANY(:asins)', { asins: [...asins] });
    scopeProducts(ctx, qb, 'p');
    return qb.getMany();
  }

  async listListings(ctx: RequestContext, args: ListingsArgs): Promise<ConnectionShape<Listing>> {
    const qb = ctx.reads.getRepository(Listing).createQueryBuilder('l');
    if (args.account) qb.andWhere('l.sellerAccountId = :account', { account: args.account });
    if (args.marketplace) qb.andWhere('l.marketplaceId = :marketplace', { marketplace: args.marketplace });
    if (args.status?.length) qb.andWhere('l.status = ANY(:status)', { status: args.status });
    if (args.sku) qb.andWhere('l.sellerSku = :sku', { sku: args.sku });
    if (args.asin) qb.andWhere('l.asin = :asin', { asin: args.asin });
    if (args.openedFrom) qb.andWhere('l.openDate >= :openedFrom', { openedFrom: args.openedFrom });
    if (args.openedTo) qb.andWhere('l.openDate < :openedTo', { openedTo: args.openedTo });
    applyRowScope(qb, ctx.scope, { account: 'l.sellerAccountId', marketplace: 'l.marketplaceId' });
    const sortBy = args.sortBy ?? ListingSortField.OPEN_DATE;
    const connection = await paginate(ctx, qb, args, {
      category: Category.CATALOG,
      alias: 'l',
      sortBy,
      direction: args.direction ?? (sortBy === ListingSortField.OPEN_DATE ? SortDirection.DESC : SortDirection.ASC),
    });
    return connection;
  }

  async listing(ctx: RequestContext, sellerAccountId: string, marketplaceId: string, sku: string): Promise<Listing | null> {
    const qb = ctx.reads
      .getRepository(Listing)
      .createQueryBuilder('l')
      .where('l.sellerAccountId = :sellerAccountId AND l.marketplaceId = :marketplaceId AND l.sellerSku = :sku', { sellerAccountId, marketplaceId, sku });
    applyRowScope(qb, ctx.scope, { account: 'l.sellerAccountId', marketplace: 'l.marketplaceId' });
    const listing = await qb.getOne();
    ctx.governance.countRows(Category.CATALOG, listing ? 1 : 0);
    return listing;
  }

  /** Accounts in scope, each with its marketplaces in scope (an account with none in scope is left out). */
  async sellerAccounts(ctx: RequestContext): Promise<SellerAccount[]> {
    const qb = ctx.reads
      .getRepository(SellerAccount)
      .createQueryBuilder('a')
      .leftJoinAndSelect('a.marketplaces', 'm')
      .orderBy('a.sellerId', 'ASC')
      .addOrderBy('m.marketplaceId', 'ASC');
    applyRowScope(qb, ctx.scope, { account: 'a.sellerId', marketplace: 'm.marketplaceId' });
    const accounts = await qb.getMany();
    ctx.governance.countRows(Category.CATALOG, accounts.length);
    return accounts;
  }

  /** Marketplaces in scope; with an account scope, those of the accounts in scope. */
  async marketplaces(ctx: RequestContext): Promise<Marketplace[]> {
    const qb = ctx.reads.getRepository(Marketplace).createQueryBuilder('m').orderBy('m.marketplaceId', 'ASC');
    if (ctx.scope.accounts !== null) {
      const linked = qb
        .subQuery()
        .select('1')
        .from(SellerAccount, 'sa')
        .innerJoin('sa.marketplaces', 'sam')
        .where('sam.marketplaceId = m.marketplaceId');
      applyRowScope(linked, { accounts: ctx.scope.accounts, marketplaces: null }, { account: 'sa.sellerId' });
      qb.andWhere(`EXISTS ${linked.getQuery()}`).setParameters(linked.getParameters());
    }
    applyRowScope(qb, { accounts: null, marketplaces: ctx.scope.marketplaces }, { marketplace: 'm.marketplaceId' });
    const marketplaces = await qb.getMany();
    ctx.governance.countRows(Category.CATALOG, marketplaces.length);
    return marketplaces;
  }
}

export const catalogService = new CatalogService();
