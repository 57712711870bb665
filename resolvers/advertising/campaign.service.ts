// Campaign structure reads: the campaign list and the batched child lookups the loaders use.
// Row scope in SQL on every query, by each row's own account and marketplace.
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { AdGroup, Campaign, Keyword, ProductAd, ProductTarget } from '../../entities/advertising';
import { CampaignSortField, type CampaignsArgs } from '../../schema/advertising/advertising-args.type';
import type { ConnectionShape } from '../../schema/common/connection.type';
import { SortDirection } from '../../schema/common/sort-direction.type';
import type { RequestContext } from '../../src/context';
import { paginate } from '../../src/db/paginate';
import { applyRowScope } from '../../src/db/row-scope';
import { Category } from '../../src/policy/taxonomy';
import { likePattern } from '../catalog/catalog.service';

function scoped<T extends ObjectLiteral>(ctx: RequestContext, qb: SelectQueryBuilder<T>, alias: string): SelectQueryBuilder<T> {
  return applyRowScope(qb, ctx.scope, { account: `${alias}.sellerAccountId`, marketplace: `${alias}.marketplaceId` });
}

export class CampaignService {
  async list(ctx: RequestContext, args: CampaignsArgs): Promise<ConnectionShape<Campaign>> {
    const qb = ctx.reads.getRepository(Campaign).createQueryBuilder('c');
    if (args.account) qb.andWhere('c.sellerAccountId = :account', { account: args.account });
    if (args.marketplace) qb.andWhere('c.marketplaceId = :marketplace', { marketplace: args.marketplace });
    if (args.state?.length) qb.andWhere('c.state = ANY(:state)', { state: args.state });
    if (args.nameContains) qb.andWhere('c.name ILIKE :name', { name: likePattern(args.nameContains) });
    if (args.targetingType) qb.andWhere('c.targetingType = :targetingType', { targetingType: args.targetingType });
    scoped(ctx, qb, 'c');
    const connection = await paginate(ctx, qb, args, {
      category: Category.ADVERTISING,
      alias: 'c',
      sortBy: args.sortBy ?? CampaignSortField.NAME,
      direction: args.direction ?? SortDirection.ASC,
    });
    return connection;
  }

  async campaignsByIds(ctx: RequestContext, campaignIds: readonly string[]): Promise<Campaign[]> {
    const qb = ctx.reads.getRepository(Campaign).createQueryBuilder('c').where('c.campaignId = ANY(:ids)', { ids: [...campaignIds] });
    return scoped(ctx, qb, 'c').getMany();
  }

  async adGroupsOfCampaigns(ctx: RequestContext, campaignIds: readonly string[]): Promise<AdGroup[]> {
    const qb = ctx.reads
      .getRepository(AdGroup)
      .createQueryBuilder('g')
      .where('g.campaignId = ANY(:ids)', { ids: [...campaignIds] })
      .orderBy('g.name', 'ASC')
      .addOrderBy('g.id', 'ASC');
    return scoped(ctx, qb, 'g').getMany();
  }

  /** Keywords, product targets or product ads of the given ad groups. */
  async childrenOfAdGroups<T extends Keyword | ProductTarget | ProductAd>(
    ctx: RequestContext,
    entity: new () => T,
    adGroupIds: readonly string[],
  ): Promise<T[]> {
    const qb = ctx.reads
      .getRepository(entity)
      .createQueryBuilder('x')
      .where('x.adGroupId = ANY(:ids)', { ids: [...adGroupIds] })
      .orderBy('x.id', 'ASC');
    return scoped(ctx, qb as SelectQueryBuilder<T>, 'x').getMany();
  }
}

export const campaignService = new CampaignService();
