// Filters and sort of the campaign list. Sort field values are entity properties.
import { ArgsType, Field, registerEnumType } from 'type-graphql';
import { AdState, TargetingType } from '../../entities/advertising';
import { PageArgs } from '../common/connection.type';
import { SortDirection } from '../common/sort-direction.type';

export enum CampaignSortField {
  NAME = 'name',
  DAILY_BUDGET = 'dailyBudget',
  START_DATE = 'startDate',
}
registerEnumType(CampaignSortField, { name: 'CampaignSortField' });

@ArgsType()
export class CampaignsArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Seller account id, as the caller sees it: its pseudonym where sellerAccountId is masked' })
  account?: string;

  @Field(() => String, { nullable: true, description: 'Marketplace id, e.g. ATVPDKIKX0DER' })
  marketplace?: string;

  @Field(() => [AdState], { nullable: true, description: 'Any of these states' })
  state?: AdState[];

  @Field(() => String, { nullable: true, description: 'Words the name contains (case-insensitive)' })
  nameContains?: string;

  @Field(() => TargetingType, { nullable: true })
  targetingType?: TargetingType;

  @Field(() => CampaignSortField, { nullable: true, description: 'Default NAME' })
  sortBy?: CampaignSortField;

  @Field(() => SortDirection, { nullable: true, description: 'Default ASC' })
  direction?: SortDirection;
}
