// Stock, replenishment, fees, settlements and refunds as the API shows them; each field declares
// its sensitivity beside it. Day-only values use the LocalDate scalar (`YYYY-MM-DD`).
import { GraphQLLocalDate } from 'graphql-scalars';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { Classified, DataCategory } from '../../src/policy/classification';
import { Category, MaskKind, Sensitivity } from '../../src/policy/taxonomy';
import { Connection } from '../common/connection.type';
import { DecimalScalar } from '../common/decimal.scalar';

@ObjectType('InventorySnapshot', { description: 'FBA stock of one SKU on one day' })
@DataCategory(Category.INVENTORY_FINANCE)
export class InventorySnapshotType {
  @Field(() => ID) @Classified(Sensitivity.INTERNAL) id: string;
  @Field(() => GraphQLLocalDate) @Classified(Sensitivity.INTERNAL) snapshotDate: string;
  @Field() @Classified(Sensitivity.INTERNAL) sku: string;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) fnsku: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.PUBLIC) asin: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) condition: string | null;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) fulfillable: number;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) inboundWorking: number;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) inboundShipped: number;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) inboundReceiving: number;
  @Field(() => Int, { description: 'Working + shipped + receiving' }) @Classified(Sensitivity.INTERNAL) inbound: number;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) reserved: number;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) unfulfillable: number;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) total: number;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM }) sellerAccountId: string;
  @Field() @Classified(Sensitivity.INTERNAL) marketplaceId: string;
}

@ObjectType('ReplenishmentRecommendation', { description: 'Restock recommendation for one SKU' })
@DataCategory(Category.INVENTORY_FINANCE)
export class ReplenishmentRecommendationType {
  @Field(() => ID) @Classified(Sensitivity.INTERNAL) id: string;
  @Field(() => GraphQLLocalDate) @Classified(Sensitivity.INTERNAL) recommendationDate: string;
  @Field() @Classified(Sensitivity.INTERNAL) sku: string;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.PUBLIC) asin: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) fnsku: string | null;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) recommendedQuantity: number;
  @Field(() => DecimalScalar, { nullable: true }) @Classified(Sensitivity.INTERNAL) daysOfSupply: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) alert: string | null;
  @Field(() => GraphQLLocalDate, { nullable: true }) @Classified(Sensitivity.INTERNAL) recommendedShipDate: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) recommendedAction: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM }) sellerAccountId: string;
  @Field() @Classified(Sensitivity.INTERNAL) marketplaceId: string;
}

@ObjectType('FeeEstimate', { description: 'Estimated Amazon fees per unit of one SKU' })
@DataCategory(Category.INVENTORY_FINANCE)
export class FeeEstimateType {
  @Field(() => ID) @Classified(Sensitivity.INTERNAL) id: string;
  @Field(() => GraphQLLocalDate) @Classified(Sensitivity.INTERNAL) estimateDate: string;
  @Field() @Classified(Sensitivity.INTERNAL) sku: string;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.PUBLIC) asin: string | null;
  @Field(() => DecimalScalar, { nullable: true }) @Classified(Sensitivity.CONFIDENTIAL, { mask: MaskKind.ROUND }) estimatedFeeTotal: string | null;
  @Field(() => DecimalScalar, { nullable: true }) @Classified(Sensitivity.CONFIDENTIAL, { mask: MaskKind.ROUND }) referralFee: string | null;
  @Field(() => DecimalScalar, { nullable: true }) @Classified(Sensitivity.CONFIDENTIAL, { mask: MaskKind.ROUND }) fulfillmentFee: string | null;
  @Field() @Classified(Sensitivity.INTERNAL) currency: string;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM }) sellerAccountId: string;
  @Field() @Classified(Sensitivity.INTERNAL) marketplaceId: string;
}

// Federation 2 entity: other subgraphs may reference it by its key.
@Directive('@key(fields: "id")')
@ObjectType('Settlement', { description: 'One settlement (payout period) of a seller account' })
@DataCategory(Category.INVENTORY_FINANCE)
export class SettlementType {
  @Field(() => ID) @Classified(Sensitivity.INTERNAL) id: string;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.LAST4 }) settlementId: string;
  @Field() @Classified(Sensitivity.INTERNAL) startDate: Date;
  @Field() @Classified(Sensitivity.INTERNAL) endDate: Date;
  @Field(() => Date, { nullable: true }) @Classified(Sensitivity.INTERNAL) depositDate: Date | null;
  @Field(() => DecimalScalar, { nullable: true }) @Classified(Sensitivity.CONFIDENTIAL, { mask: MaskKind.ROUND }) totalAmount: string;
  @Field() @Classified(Sensitivity.INTERNAL) currency: string;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM }) sellerAccountId: string;
  @Field() @Classified(Sensitivity.INTERNAL) marketplaceId: string;
}

@ObjectType('SettlementLine', { description: 'One amount component of a settlement' })
@DataCategory(Category.INVENTORY_FINANCE)
export class SettlementLineType {
  @Field(() => ID) @Classified(Sensitivity.INTERNAL) id: string;
  @Field(() => Int, { description: 'Row number in the settlement file' }) @Classified(Sensitivity.INTERNAL) lineNumber: number;
  @Field() @Classified(Sensitivity.INTERNAL) transactionType: string;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.LAST4 }) orderId: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) sku: string | null;
  @Field() @Classified(Sensitivity.INTERNAL) amountType: string;
  @Field() @Classified(Sensitivity.INTERNAL) amountDescription: string;
  @Field(() => DecimalScalar, { nullable: true }) @Classified(Sensitivity.CONFIDENTIAL, { mask: MaskKind.ROUND }) amount: string;
  @Field(() => Date, { nullable: true }) @Classified(Sensitivity.INTERNAL) postedDate: Date | null;
  @Field(() => Int, { nullable: true }) @Classified(Sensitivity.INTERNAL) quantity: number | null;
}

@ObjectType('Refund', { description: 'A refund posted for an order line' })
@DataCategory(Category.INVENTORY_FINANCE)
export class RefundType {
  @Field(() => ID) @Classified(Sensitivity.INTERNAL) id: string;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.LAST4 }) orderId: string;
  @Field() @Classified(Sensitivity.INTERNAL) sku: string;
  @Field() @Classified(Sensitivity.INTERNAL) postedDate: Date;
  @Field(() => DecimalScalar, { nullable: true }) @Classified(Sensitivity.CONFIDENTIAL, { mask: MaskKind.ROUND }) amount: string;
  @Field() @Classified(Sensitivity.INTERNAL) currency: string;
  @Field() @Classified(Sensitivity.INTERNAL) refundType: string;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM }) sellerAccountId: string;
  @Field() @Classified(Sensitivity.INTERNAL) marketplaceId: string;
}

export const InventorySnapshotConnection = Connection(InventorySnapshotType, 'InventorySnapshot');
export const ReplenishmentRecommendationConnection = Connection(ReplenishmentRecommendationType, 'ReplenishmentRecommendation');
export const FeeEstimateConnection = Connection(FeeEstimateType, 'FeeEstimate');
export const SettlementConnection = Connection(SettlementType, 'Settlement');
export const RefundConnection = Connection(RefundType, 'Refund');
