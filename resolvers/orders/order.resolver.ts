import { Arg, Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Order } from '../../entities/orders';
import { OrdersArgs } from '../../schema/orders/order-args.type';
import { OrderConnection, OrderItemType, OrderReturnType, OrderType, ShipmentType } from '../../schema/orders/order.type';
import type { RequestContext } from '../../src/context';
import { Classified } from '../../src/policy/classification';
import { Category, Sensitivity } from '../../src/policy/taxonomy';
import { orderService } from './order.service';
import { orderItemsLoader, orderReturnsLoader, orderShipmentsLoader } from './orders.loaders';

@Resolver(() => OrderType)
export class OrderResolver {
  @Query(() => OrderConnection, { description: 'Orders within the caller\'s accounts and marketplaces' })
  @Classified(Sensitivity.INTERNAL, { category: Category.ORDERS })
  orders(@Ctx() ctx: RequestContext, @Args() args: OrdersArgs) {
    return orderService.list(ctx, args);
  }

  @Query(() => OrderType, { nullable: true, description: 'One order by Amazon order id (null when absent or out of scope)' })
  @Classified(Sensitivity.INTERNAL, { category: Category.ORDERS })
  order(@Ctx() ctx: RequestContext, @Arg('amazonOrderId') amazonOrderId: string) {
    return orderService.byAmazonOrderId(ctx, amazonOrderId);
  }

  @FieldResolver(() => [OrderItemType])
  @Classified(Sensitivity.INTERNAL)
  items(@Root() order: Order, @Ctx() ctx: RequestContext) {
    return orderItemsLoader(ctx).load(order.id);
  }

  @FieldResolver(() => [ShipmentType])
  @Classified(Sensitivity.INTERNAL)
  shipments(@Root() order: Order, @Ctx() ctx: RequestContext) {
    return orderShipmentsLoader(ctx).load(order.id);
  }

  @FieldResolver(() => [OrderReturnType], { description: 'Returns recorded against this order id' })
  @Classified(Sensitivity.INTERNAL)
  returns(@Root() order: Order, @Ctx() ctx: RequestContext) {
    return orderReturnsLoader(ctx).load(order.amazonOrderId);
  }
}
