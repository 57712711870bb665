// Orders, their items, shipments and returns as the API shows them; each field declares its
// sensitivity beside it (DESIGN.md "Sensitivity of a field").
import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { FulfillmentChannel, OrderStatus, ReturnSourceKind } from '../../entities/orders';
import { Classified, DataCategory } from '../../src/policy/classification';
import { Category, MaskKind, Sensitivity } from '../../src/policy/taxonomy';
import { Connection } from '../common/connection.type';
import { DecimalScalar } from '../common/decimal.scalar';

registerEnumType(OrderStatus, { name: 'OrderStatus', description: 'Order status (Orders API spelling)' });
registerEnumType(FulfillmentChannel, { name: 'FulfillmentChannel', description: 'AFN: fulfilled by Amazon; MFN: by the merchant' });
registerEnumType(ReturnSourceKind, { name: 'ReturnSourceKind', description: 'FBA customer returns or MFN returns report' });

// Federation 2 entity: other subgraphs may reference it by its key.
@Directive('@key(fields: "id")')
@ObjectType('Order', { description: 'An Amazon order (ORDERS); buyer name, address lines and city are never stored' })
@DataCategory(Category.ORDERS)
export class OrderType {
  @Field(() => ID) @Classified(Sensitivity.INTERNAL) id: string;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.LAST4 }) amazonOrderId: string;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.LAST4 }) merchantOrderId: string | null;
  @Field() @Classified(Sensitivity.INTERNAL) purchaseDate: Date;
  // Amazon's last update of a delivered order is mostly its delivery: it derives `deliveredAt`
  // (policy derivations), so it is masked like it where that is masked.
  @Field() @Classified(Sensitivity.INTERNAL, { mask: MaskKind.MONTH }) lastUpdateDate: Date;
  @Field(() => OrderStatus) @Classified(Sensitivity.INTERNAL) status: OrderStatus;
  @Field(() => FulfillmentChannel) @Classified(Sensitivity.INTERNAL) fulfillmentChannel: FulfillmentChannel;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) salesChannel: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) orderChannel: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) shipServiceLevel: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM }) sellerAccountId: string;
  @Field() @Classified(Sensitivity.INTERNAL) marketplaceId: string;
  @Field(() => DecimalScalar, { nullable: true }) @Classified(Sensitivity.CONFIDENTIAL, { mask: MaskKind.ROUND }) orderTotal: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) currency: string | null;
  // State with the order id narrows a buyer down: personal, like the postal code.
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.PERSONAL, { mask: MaskKind.REDACT }) shipState: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) shipCountry: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.PERSONAL, { mask: MaskKind.REDACT }) shipPostalCode: string | null;
  @Field() @Classified(Sensitivity.INTERNAL) isBusinessOrder: boolean;
  @Field(() => Date, { nullable: true }) @Classified(Sensitivity.PERSONAL, { mask: MaskKind.MONTH }) deliveredAt: Date | null;
}

@ObjectType('OrderItem', { description: 'One line of an order' })
@DataCategory(Category.ORDERS)
export class OrderItemType {
  @Field(() => ID) @Classified(Sensitivity.INTERNAL) id: string;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.LAST4 }) orderItemId: string | null;
  @Field() @Classified(Sensitivity.INTERNAL) sku: string;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.PUBLIC) asin: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.PUBLIC) productName: string | null;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) quantity: number;
  @Field(() => DecimalScalar, { nullable: true, description: 'Line total (unit price x quantity)' })
  @Classified(Sensitivity.INTERNAL, { mask: MaskKind.ROUND })
  itemPrice: string | null;
  @Field(() => DecimalScalar, { nullable: true }) @Classified(Sensitivity.CONFIDENTIAL, { mask: MaskKind.ROUND }) itemTax: string | null;
  @Field(() => DecimalScalar, { nullable: true }) @Classified(Sensitivity.INTERNAL, { mask: MaskKind.ROUND }) shippingPrice: string | null;
  @Field(() => DecimalScalar, { nullable: true }) @Classified(Sensitivity.CONFIDENTIAL, { mask: MaskKind.ROUND }) promotionDiscount: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) itemStatus: string | null;
}

@ObjectType('Shipment', { description: 'One shipped item of an order' })
@DataCategory(Category.ORDERS)
export class ShipmentType {
  @Field(() => ID) @Classified(Sensitivity.INTERNAL) id: string;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.LAST4 }) shipmentId: string;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.LAST4 }) shipmentItemId: string;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.LAST4 }) amazonOrderId: string;
  @Field() @Classified(Sensitivity.INTERNAL) sku: string;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) quantityShipped: number;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) carrier: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.LAST4 }) trackingNumber: string | null;
  @Field() @Classified(Sensitivity.INTERNAL) shipDate: Date;
  @Field(() => Date, { nullable: true }) @Classified(Sensitivity.INTERNAL) estimatedArrival: Date | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) fulfillmentCenterId: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM }) sellerAccountId: string;
  @Field() @Classified(Sensitivity.INTERNAL) marketplaceId: string;
}

@ObjectType('OrderReturn', { description: 'A customer return (FBA or MFN returns report)' })
@DataCategory(Category.ORDERS)
export class OrderReturnType {
  @Field(() => ID) @Classified(Sensitivity.INTERNAL) id: string;
  @Field(() => ReturnSourceKind) @Classified(Sensitivity.INTERNAL) sourceKind: ReturnSourceKind;
  @Field() @Classified(Sensitivity.INTERNAL) returnDate: Date;
  @Field(() => String, { nullable: true, description: 'Amazon order id; the order itself may not be imported' })
  @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.LAST4 })
  amazonOrderId: string;
  @Field() @Classified(Sensitivity.INTERNAL) sku: string;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.PUBLIC) asin: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) fnsku: string | null;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) quantity: number;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) reason: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) disposition: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) status: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) fulfillmentCenterId: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.LAST4 }) licensePlateNumber: string | null;
  @Field(() => String, { nullable: true, description: 'Free text typed by the buyer' })
  @Classified(Sensitivity.PERSONAL, { mask: MaskKind.REDACT })
  customerComments: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM }) sellerAccountId: string;
  @Field() @Classified(Sensitivity.INTERNAL) marketplaceId: string;
}

export const OrderConnection = Connection(OrderType, 'Order');
export const OrderReturnConnection = Connection(OrderReturnType, 'OrderReturn');
