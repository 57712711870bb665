// Orders and returns: lists, lookups and the relation batches the loaders use. Row scope is
// applied in SQL by every query here.
import type { SelectQueryBuilder } from 'typeorm';
import { Order, OrderItem, OrderReturn, Shipment } from '../../entities/orders';
import type { ConnectionShape } from '../../schema/common/connection.type';
import { OrderSortField, ReturnSortField, type OrdersArgs, type ReturnsArgs } from '../../schema/orders/order-args.type';
import type { RequestContext } from '../../src/context';
import { paginate } from '../../src/db/paginate';
import { applyRowScope } from '../../src/db/row-scope';
import { badUserInput } from '../../src/errors';
import { Category } from '../../src/policy/taxonomy';

interface RangeFilter {
  account?: string | null;
  marketplace?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/** Account, marketplace and half-open date range on `alias`'s own columns. */
export function applyRangeFilter<T extends object>(qb: SelectQueryBuilder<T>, alias: string, dateProperty: string, args: RangeFilter): SelectQueryBuilder<T> {
  if (args.from && args.to && args.from >= args.to) {
    throw badUserInput('`from` must be before `to`', { argumentName: 'from' });
  }
  if (args.account) qb.andWhere(`${alias}.sellerAccountId = :filterAccount`, { filterAccount: args.account });
  if (args.marketplace) qb.andWhere(`${alias}.marketplaceId = :filterMarketplace`, { filterMarketplace: args.marketplace });
  if (args.from) qb.andWhere(`${alias}.${dateProperty} >= :filterFrom`, { filterFrom: args.from });
  if (args.to) qb.andWhere(`${alias}.${dateProperty} < :filterTo`, { filterTo: args.to });
  return qb;
}

function scopedOrders(ctx: RequestContext): SelectQueryBuilder<Order> {
  const qb = ctx.reads.getRepository(Order).createQueryBuilder('o');
  return applyRowScope(qb, ctx.scope, { account: 'o.sellerAccountId', marketplace: 'o.marketplaceId' });
}

export class OrderService {
  list(ctx: RequestContext, args: OrdersArgs): Promise<ConnectionShape<Order>> {
    const sortBy = args.sortBy ?? OrderSortField.PURCHASE_DATE;
    const qb = applyRangeFilter(scopedOrders(ctx), 'o', sortBy, args);
    if (args.status?.length) qb.andWhere('o.status IN (:...statuses)', { statuses: args.status });
    if (args.fulfillmentChannel) qb.andWhere('o.fulfillmentChannel = :channel', { channel: args.fulfillmentChannel });
    if (args.sku) {
      qb.andWhere('EXISTS (SELECT 1 FROM order_item fi WHERE fi.order_id = o.id AND fi.sku = :itemSku)', { itemSku: args.sku });
    }
    if (args.asin) {
      qb.andWhere('EXISTS (SELECT 1 FROM order_item fa WHERE fa.order_id = o.id AND fa.asin = :itemAsin)', { itemAsin: args.asin });
    }
    return paginate(ctx, qb, args, { category: Category.ORDERS, alias: 'o', sortBy, direction: args.direction ?? 'DESC' });
  }

  async byAmazonOrderId(ctx: RequestContext, amazonOrderId: string): Promise<Order | null> {
    const order = await scopedOrders(ctx).andWhere('o.amazonOrderId = :amazonOrderId', { amazonOrderId }).getOne();
    if (order) ctx.governance.countRows(Category.ORDERS, 1);
    return order;
  }

  listReturns(ctx: RequestContext, args: ReturnsArgs): Promise<ConnectionShape<OrderReturn>> {
    const sortBy = args.sortBy ?? ReturnSortField.RETURN_DATE;
    const qb = ctx.reads.getRepository(OrderReturn).createQueryBuilder('r');
    applyRowScope(qb, ctx.scope, { account: 'r.sellerAccountId', marketplace: 'r.marketplaceId' });
    applyRangeFilter(qb, 'r', sortBy, args);
    if (args.sku) qb.andWhere('r.sku = :sku', { sku: args.sku });
    if (args.asin) qb.andWhere('r.asin = :asin', { asin: args.asin });
    if (args.sourceKind) qb.andWhere('r.sourceKind = :sourceKind', { sourceKind: args.sourceKind });
    if (args.amazonOrderId) qb.andWhere('r.amazonOrderId = :amazonOrderId', { amazonOrderId: args.amazonOrderId });
    return paginate(ctx, qb, args, { category: Category.ORDERS, alias: 'r', sortBy, direction: args.direction ?? 'DESC' });
  }

  /** Items of many orders in one query, scoped through their order. */
  itemsOfOrders(ctx: RequestContext, orderIds: readonly string[]): Promise<OrderItem[]> {
    const qb = ctx.reads
      .getRepository(OrderItem)
      .createQueryBuilder('i')
      .innerJoin(Order, 'o', 'o.id = i.orderId')
      .where('i.orderId = ANY(:orderIds)', { orderIds: [...orderIds] })
      .orderBy('i.orderId')
      .addOrderBy('i.id');
    return applyRowScope(qb, ctx.scope, { account: 'o.sellerAccountId', marketplace: 'o.marketplaceId' }).getMany();
  }

  /** Shipments of many orders in one query, scoped by the shipment's own account and marketplace. */
  shipmentsOfOrders(ctx: RequestContext, orderIds: readonly string[]): Promise<Shipment[]> {
    const qb = ctx.reads
      .getRepository(Shipment)
      .createQueryBuilder('s')
      .where('s.orderId = ANY(:orderIds)', { orderIds: [...orderIds] })
      .orderBy('s.shipDate')
      .addOrderBy('s.id');
    return applyRowScope(qb, ctx.scope, { account: 's.sellerAccountId', marketplace: 's.marketplaceId' }).getMany();
  }

  /** Returns of many orders (by Amazon order id) in one query, scoped by their own columns. */
  returnsOfOrders(ctx: RequestContext, amazonOrderIds: readonly string[]): Promise<OrderReturn[]> {
    const qb = ctx.reads
      .getRepository(OrderReturn)
      .createQueryBuilder('r')
      .where('r.amazonOrderId = ANY(:amazonOrderIds)', { amazonOrderIds: [...amazonOrderIds] })
      .orderBy('r.returnDate')
      .addOrderBy('r.id');
    return applyRowScope(qb, ctx.scope, { account: 'r.sellerAccountId', marketplace: 'r.marketplaceId' }).getMany();
  }
}

export const orderService = new OrderService();
