// Campaign structure reads: the campaign list and the batched child lookups the loaders use.
// Row scope in SQL on every query, by each row's own account and marketplace.
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { AdGroup, Campaign, Keyword, ProductAd, ProductTarget } from '../../entities/advertising';
import { CampaignSortField, type CampaignsArgs } from '../../schema/advertising/advertising-args.type';
import type { ConnectionShape } from '../../schema/common/connection.type';
import { SortDirection } from '../../schema/common/sort-direction.type';
import type { RequestContext } from '../../src/context';
import { paginateRows, type RawPaginateOptions } from '../../src/db/paginate';
import { SqlConditions, rawTable, selectEntities } from '../../src/db/raw-rows';
import { scopeConditions, scopedRead } from '../../src/db/scoped';
import { accountFilter } from '../../src/policy/argument-access';
import { Category } from '../../src/policy/taxonomy';
import { likePattern } from '../catalog/catalog.service';

export class CampaignService {
  /** `columns`: more columns for each campaign row (the planned executor's nested lists). */
  async list(ctx: RequestContext, args: CampaignsArgs, columns?: RawPaginateOptions<Campaign>['columns']): Promise<ConnectionShape<Campaign>> {
    // The account as the caller sees Campaign.sellerAccountId (its pseudonym when masked).
    const account = await accountFilter(ctx, 'Campaign.sellerAccountId', args.account);
    const table = rawTable(ctx.reads.connection, Campaign, 'c');
    const where = new SqlConditions();
    if (account) where.and(`${table.column('sellerAccountId')} = ${where.param(account)}`);
    if (args.marketplace) where.and(`${table.column('marketplaceId')} = ${where.param(args.marketplace)}`);
    if (args.state?.length) where.and(`${table.column('state')} = ANY(${where.param(args.state)})`);
    if (args.nameContains) where.and(`${table.column('name')} ILIKE ${where.param(likePattern(args.nameContains))}`);
    if (args.targetingType) where.and(`${table.column('targetingType')} = ${where.param(args.targetingType)}`);
    scopeConditions(where, ctx, Campaign, table);
    return paginateRows(ctx, where, args, {
      category: Category.ADVERTISING,
      table,
      sortBy: args.sortBy ?? CampaignSortField.NAME,
      direction: args.direction ?? SortDirection.ASC,
      columns,
    });
  }

  /**
   * `campaignsByIds` as one prebuilt statement with more columns (the planned executor's nested
   * lists): the same rows and scope, hydrated as `getMany` would.
   */
  async campaignRowsByIds(ctx: RequestContext, campaignIds: readonly string[], columns: (where: SqlConditions) => string): Promise<Campaign[]> {
    const table = rawTable(ctx.reads.connection, Campaign, 'c');
    const where = scopeConditions(new SqlConditions(), ctx, Campaign, table);
    where.and(`${table.column('campaignId')} = ANY(${where.param([...campaignIds])})`);
    const extra = columns(where);
    return selectEntities(ctx.reads, table, `SELECT ${table.select}${extra} FROM ${table.from}${where.where()}`, where.params);
  }

  async campaignsByIds(ctx: RequestContext, campaignIds: readonly string[]): Promise<Campaign[]> {
    return scopedRead(ctx, Campaign, 'c').andWhere('c.campaignId = ANY(:ids)', { ids: [...campaignIds] }).getMany();
  }

  async adGroupsOfCampaigns(ctx: RequestContext, campaignIds: readonly string[]): Promise<AdGroup[]> {
    return scopedRead(ctx, AdGroup, 'g').andWhere('g.campaignId = ANY(:ids)', { ids: [...campaignIds] }).orderBy('g.name', 'ASC').addOrderBy('g.id', 'ASC').getMany();
  }

  /** Keywords, product targets or product ads of the given ad groups. */
  async childrenOfAdGroups<T extends Keyword | ProductTarget | ProductAd>(
    ctx: RequestContext,
    entity: new () => T,
    adGroupIds: readonly string[],
  ): Promise<T[]> {
    return (scopedRead(ctx, entity, 'x') as SelectQueryBuilder<T>).andWhere('x.adGroupId = ANY(:ids)', { ids: [...adGroupIds] }).orderBy('x.id', 'ASC').getMany();
  }
}

export const campaignService = new CampaignService();
