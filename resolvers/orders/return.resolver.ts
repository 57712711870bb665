import { Args, Ctx, Query, Resolver } from 'type-graphql';
import { ReturnsArgs } from '../../schema/orders/order-args.type';
import { OrderReturnConnection, OrderReturnType } from '../../schema/orders/order.type';
import type { RequestContext } from '../../src/context';
import { Classified } from '../../src/policy/classification';
import { Category, Sensitivity } from '../../src/policy/taxonomy';
import { orderService } from './order.service';

@Resolver(() => OrderReturnType)
export class OrderReturnResolver {
  @Query(() => OrderReturnConnection, { description: 'Customer returns (FBA and MFN) within the caller\'s scope' })
  @Classified(Sensitivity.INTERNAL, { category: Category.ORDERS })
  returns(@Ctx() ctx: RequestContext, @Args() args: ReturnsArgs) {
    return orderService.listReturns(ctx, args);
  }
}
