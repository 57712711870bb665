// Sponsored Products entities as the API shows them. Ads ids are strings (they exceed 2^53).
// Each field declares its sensitivity beside it (DESIGN.md "Sensitivity of a field").
import { GraphQLLocalDate } from 'graphql-scalars';
import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { AdState, KeywordMatchType, TargetingType } from '../../entities/advertising';
import { Classified, DataCategory } from '../../src/policy/classification';
import { Category, MaskKind, Sensitivity } from '../../src/policy/taxonomy';
import { Connection } from '../common/connection.type';
import { DecimalScalar } from '../common/decimal.scalar';

registerEnumType(AdState, { name: 'AdState', description: 'State of a campaign, ad group, keyword, target or ad' });
registerEnumType(TargetingType, { name: 'TargetingType', description: 'MANUAL (keywords, product targets) or AUTO' });
registerEnumType(KeywordMatchType, { name: 'KeywordMatchType' });

// Federation 2 entity: other subgraphs may reference it by its key.
@Directive('@key(fields: "id")')
@ObjectType('Campaign', { description: 'A Sponsored Products campaign' })
@DataCategory(Category.ADVERTISING)
export class CampaignType {
  @Field(() => ID) @Classified(Sensitivity.INTERNAL) id: string;
  @Field() @Classified(Sensitivity.INTERNAL) campaignId: string;
  @Field() @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM }) sellerAccountId: string;
  @Field() @Classified(Sensitivity.INTERNAL) marketplaceId: string;
  @Field() @Classified(Sensitivity.INTERNAL) name: string;
  @Field(() => AdState) @Classified(Sensitivity.INTERNAL) state: AdState;
  @Field(() => TargetingType) @Classified(Sensitivity.INTERNAL) targetingType: TargetingType;
  @Field(() => DecimalScalar) @Classified(Sensitivity.INTERNAL, { mask: MaskKind.ROUND }) dailyBudget: string;
  @Field(() => GraphQLLocalDate) @Classified(Sensitivity.INTERNAL) startDate: string;
  @Field(() => GraphQLLocalDate, { nullable: true }) @Classified(Sensitivity.INTERNAL) endDate: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) portfolioId: string | null;
}

@ObjectType('AdGroup', { description: 'An ad group of a Sponsored Products campaign' })
@DataCategory(Category.ADVERTISING)
export class AdGroupType {
  @Field(() => ID) @Classified(Sensitivity.INTERNAL) id: string;
  @Field() @Classified(Sensitivity.INTERNAL) adGroupId: string;
  @Field() @Classified(Sensitivity.INTERNAL) campaignId: string;
  @Field() @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM }) sellerAccountId: string;
  @Field() @Classified(Sensitivity.INTERNAL) marketplaceId: string;
  @Field() @Classified(Sensitivity.INTERNAL) name: string;
  @Field(() => AdState) @Classified(Sensitivity.INTERNAL) state: AdState;
  @Field(() => DecimalScalar) @Classified(Sensitivity.INTERNAL, { mask: MaskKind.ROUND }) defaultBid: string;
}

@ObjectType('Keyword', { description: 'A keyword of a manual ad group' })
@DataCategory(Category.ADVERTISING)
export class KeywordType {
  @Field(() => ID) @Classified(Sensitivity.INTERNAL) id: string;
  @Field() @Classified(Sensitivity.INTERNAL) keywordId: string;
  @Field() @Classified(Sensitivity.INTERNAL) adGroupId: string;
  @Field() @Classified(Sensitivity.INTERNAL) campaignId: string;
  @Field() @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM }) sellerAccountId: string;
  @Field() @Classified(Sensitivity.INTERNAL) marketplaceId: string;
  @Field() @Classified(Sensitivity.INTERNAL) keywordText: string;
  @Field(() => KeywordMatchType) @Classified(Sensitivity.INTERNAL) matchType: KeywordMatchType;
  @Field(() => DecimalScalar) @Classified(Sensitivity.INTERNAL, { mask: MaskKind.ROUND }) bid: string;
  @Field(() => AdState) @Classified(Sensitivity.INTERNAL) state: AdState;
}

@ObjectType('TargetExpressionClause', { description: 'One clause of a targeting expression, e.g. ASIN_SAME_AS B0...' })
@DataCategory(Category.ADVERTISING)
export class TargetExpressionClauseType {
  @Field() @Classified(Sensitivity.INTERNAL) type: string;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) value?: string | null;
}

@ObjectType('ProductTarget', { description: 'A product target (ASIN or category) or an auto-targeting group' })
@DataCategory(Category.ADVERTISING)
export class ProductTargetType {
  @Field(() => ID) @Classified(Sensitivity.INTERNAL) id: string;
  @Field() @Classified(Sensitivity.INTERNAL) targetId: string;
  @Field() @Classified(Sensitivity.INTERNAL) adGroupId: string;
  @Field() @Classified(Sensitivity.INTERNAL) campaignId: string;
  @Field() @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM }) sellerAccountId: string;
  @Field() @Classified(Sensitivity.INTERNAL) marketplaceId: string;
  @Field(() => [TargetExpressionClauseType]) @Classified(Sensitivity.INTERNAL) expression: TargetExpressionClauseType[];
  @Field({ description: 'As the console prints it, e.g. asin="B0..." or close-match' }) @Classified(Sensitivity.INTERNAL) expressionText: string;
  @Field(() => TargetingType) @Classified(Sensitivity.INTERNAL) expressionType: TargetingType;
  @Field(() => DecimalScalar, { nullable: true, description: "Null: the ad group's default bid applies" })
  @Classified(Sensitivity.INTERNAL, { mask: MaskKind.ROUND })
  bid: string | null;
  @Field(() => AdState) @Classified(Sensitivity.INTERNAL) state: AdState;
}

@ObjectType('ProductAd', { description: 'An advertised product in an ad group' })
@DataCategory(Category.ADVERTISING)
export class ProductAdType {
  @Field(() => ID) @Classified(Sensitivity.INTERNAL) id: string;
  @Field() @Classified(Sensitivity.INTERNAL) adId: string;
  @Field() @Classified(Sensitivity.INTERNAL) adGroupId: string;
  @Field() @Classified(Sensitivity.INTERNAL) campaignId: string;
  @Field() @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM }) sellerAccountId: string;
  @Field() @Classified(Sensitivity.INTERNAL) marketplaceId: string;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) sku: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.PUBLIC) asin: string | null;
  @Field(() => AdState) @Classified(Sensitivity.INTERNAL) state: AdState;
}

export const CampaignConnection = Connection(CampaignType, 'Campaign');
