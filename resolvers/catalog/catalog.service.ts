// Catalog reads. Row scope in SQL everywhere: listings by their account and marketplace;
// products (global by ASIN) only when listed within the caller's scope; accounts and
// marketplaces by their ids.
import { Listing, Marketplace, Product, SellerAccount } from '../../entities/catalog';
import type { ConnectionShape } from '../../schema/common/connection.type';
import { ListingSortField, ProductSortField, type ListingsArgs, type ProductsArgs } from '../../schema/catalog/catalog-args.type';
import { SortDirection } from '../../schema/common/sort-direction.type';
import type { RequestContext } from '../../src/context';
import { paginate } from '../../src/db/paginate';
import { scopedRead, scopeQuery } from '../../src/db/scoped';
import { accountFilter } from '../../src/policy/argument-access';
import { Category } from '../../src/policy/taxonomy';

/** Escapes `%`, `_` and `\` so user text matches literally inside ILIKE. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export class CatalogService {
  async listProducts(ctx: RequestContext, args: ProductsArgs): Promise<ConnectionShape<Product>> {
    // A scoped caller sees a product only when one of its listings is within scope.
    const qb = scopedRead(ctx, Product, 'p');
    if (args.asin) qb.andWhere('p.asin = :asin', { asin: args.asin });
    if (args.brand) qb.andWhere('p.brand = :brand', { brand: args.brand });
    if (args.search) qb.andWhere('p.title ILIKE :search', { search: likePattern(args.search) });
    const connection = await paginate(ctx, qb, args, {
      category: Category.CATALOG,
      alias: 'p',
      sortBy: args.sortBy ?? ProductSortField.TITLE,
      direction: args.direction ?? SortDirection.ASC,
    });
    return connection;
  }

  async productsByAsins(ctx: RequestContext, asins: readonly string[]): Promise<Product[]> {
    return scopedRead(ctx, Product, 'p').andWhere('p.asin = ANY(:asins)', { asins: [...asins] }).getMany();
  }

  async listListings(ctx: RequestContext, args: ListingsArgs): Promise<ConnectionShape<Listing>> {
    // The account as the caller sees Listing.sellerAccountId (its pseudonym when masked).
    const account = await accountFilter(ctx, 'Listing.sellerAccountId', args.account);
    const qb = scopedRead(ctx, Listing, 'l');
    if (account) qb.andWhere('l.sellerAccountId = :account', { account });
    if (args.marketplace) qb.andWhere('l.marketplaceId = :marketplace', { marketplace: args.marketplace });
    if (args.status?.length) qb.andWhere('l.status = ANY(:status)', { status: args.status });
    if (args.sku) qb.andWhere('l.sellerSku = :sku', { sku: args.sku });
    if (args.asin) qb.andWhere('l.asin = :asin', { asin: args.asin });
    if (args.openedFrom) qb.andWhere('l.openDate >= :openedFrom', { openedFrom: args.openedFrom });
    if (args.openedTo) qb.andWhere('l.openDate < :openedTo', { openedTo: args.openedTo });
    const sortBy = args.sortBy ?? ListingSortField.OPEN_DATE;
    const connection = await paginate(ctx, qb, args, {
      category: Category.CATALOG,
      alias: 'l',
      sortBy,
      direction: args.direction ?? (sortBy === ListingSortField.OPEN_DATE ? SortDirection.DESC : SortDirection.ASC),
    });
    return connection;
  }

  /**
   * The `listing` lookup: the account given as the caller sees Listing.sellerAccountId (its
   * pseudonym when masked), so the lookup cannot confirm which pseudonym is which seller id.
   */
  async listingAsSeen(ctx: RequestContext, sellerAccountId: string, marketplaceId: string, sku: string): Promise<Listing | null> {
    const account = await accountFilter(ctx, 'Listing.sellerAccountId', sellerAccountId, 'sellerAccountId');
    return account === undefined ? null : this.listing(ctx, account, marketplaceId, sku);
  }

  /** One listing by its key (the seller id itself: federation references carry the stored key). */
  async listing(ctx: RequestContext, sellerAccountId: string, marketplaceId: string, sku: string): Promise<Listing | null> {
    const listing = await scopedRead(ctx, Listing, 'l')
      .andWhere('l.sellerAccountId = :sellerAccountId AND l.marketplaceId = :marketplaceId AND l.sellerSku = :sku', { sellerAccountId, marketplaceId, sku })
      .getOne();
    ctx.governance.countRows(Category.CATALOG, listing ? 1 : 0);
    return listing;
  }

  /** Accounts in scope, each with its marketplaces in scope (an account with none in scope is left out). */
  async sellerAccounts(ctx: RequestContext): Promise<SellerAccount[]> {
    const qb = scopedRead(ctx, SellerAccount, 'a').leftJoinAndSelect('a.marketplaces', 'm').orderBy('a.sellerId', 'ASC').addOrderBy('m.marketplaceId', 'ASC');
    // Each account with its marketplaces in scope.
    scopeQuery(qb, ctx, Marketplace, 'm');
    const accounts = await qb.getMany();
    ctx.governance.countRows(Category.CATALOG, accounts.length);
    return accounts;
  }

  /** Marketplaces in scope; with an account scope, those of the accounts in scope. */
  async marketplaces(ctx: RequestContext): Promise<Marketplace[]> {
    const marketplaces = await scopedRead(ctx, Marketplace, 'm').orderBy('m.marketplaceId', 'ASC').getMany();
    ctx.governance.countRows(Category.CATALOG, marketplaces.length);
    return marketplaces;
  }
}

export const catalogService = new CatalogService();
