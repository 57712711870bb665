// Orders and returns: lists, lookups and the relation batches the loaders use. Row scope is
// applied in SQL by every query here.
import type { SelectQueryBuilder } from 'typeorm';
import { Order, OrderItem, OrderReturn, Shipment } from '../../entities/orders';
import type { ConnectionShape } from '../../schema/common/connection.type';
import { OrderSortField, ReturnSortField, type OrdersArgs, type ReturnsArgs } from '../../schema/orders/order-args.type';
import type { RequestContext } from '../../src/context';
import { paginate, paginateRows, scopedRowBy, type RawPaginateOptions } from '../../src/db/paginate';
import { type RawTable, SqlConditions, rawTable, selectEntities } from '../../src/db/raw-rows';
import { scopeConditions, scopedRead } from '../../src/db/scoped';
import { badUserInput } from '../../src/errors';
import { Category } from '../../src/policy/taxonomy';
import { accountFilter, fullReadFilter, requireFullRead } from '../../src/policy/argument-access';

interface RangeFilter {
  account?: string | null;
  marketplace?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/**
 * Account, marketplace and half-open date range on `alias`'s own columns. `account` is the seller
 * id resolved by `accountFilter` (src/policy/aggregate-access.ts), never the raw argument.
 */
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

/** `applyRangeFilter` for a prebuilt statement on `table`'s own columns. */
export function rangeConditions<T>(where: SqlConditions, table: RawTable<T>, dateProperty: keyof T & string, args: RangeFilter): SqlConditions {
  if (args.from && args.to && args.from >= args.to) {
    throw badUserInput('`from` must be before `to`', { argumentName: 'from' });
  }
  const columns = table as RawTable<{ sellerAccountId: string; marketplaceId: string }>;
  if (args.account) where.and(`${columns.column('sellerAccountId')} = ${where.param(args.account)}`);
  if (args.marketplace) where.and(`${columns.column('marketplaceId')} = ${where.param(args.marketplace)}`);
  if (args.from) where.and(`${table.column(dateProperty)} >= ${where.param(args.from)}`);
  if (args.to) where.and(`${table.column(dateProperty)} < ${where.param(args.to)}`);
  return where;
}

function scopedOrders(ctx: RequestContext): SelectQueryBuilder<Order> {
  return scopedRead(ctx, Order, 'o');
}

export class OrderService {
  /** `columns`: more columns for each order row (the planned executor's nested lists). */
  async list(ctx: RequestContext, args: OrdersArgs, columns?: RawPaginateOptions<Order>['columns']): Promise<ConnectionShape<Order>> {
    const sortBy = args.sortBy ?? OrderSortField.PURCHASE_DATE;
    // The last update is when an order was delivered, mostly (policy derivations): sorting or a
    // range on it needs it in full.
    if (sortBy === OrderSortField.LAST_UPDATE_DATE) requireFullRead(ctx, 'Order.lastUpdateDate', 'sortBy: LAST_UPDATE_DATE');
    // The account as the caller sees Order.sellerAccountId (its pseudonym when masked).
    const account = await accountFilter(ctx, 'Order.sellerAccountId', args.account);
    const table = rawTable(ctx.reads.connection, Order, 'o');
    const where = scopeConditions(new SqlConditions(), ctx, Order, table);
    rangeConditions(where, table, sortBy, { ...args, account });
    if (args.status?.length) where.and(`${table.column('status')} = ANY(${where.param([...args.status])})`);
    if (args.fulfillmentChannel) where.and(`${table.column('fulfillmentChannel')} = ${where.param(args.fulfillmentChannel)}`);
    if (args.sku) {
      where.and(`EXISTS (SELECT 1 FROM order_item fi WHERE fi.order_id = ${table.column('id')} AND fi.sku = ${where.param(args.sku)})`);
    }
    if (args.asin) {
      where.and(`EXISTS (SELECT 1 FROM order_item fa WHERE fa.order_id = ${table.column('id')} AND fa.asin = ${where.param(args.asin)})`);
    }
    return paginateRows(ctx, where, args, { category: Category.ORDERS, table, sortBy, direction: args.direction ?? 'DESC', columns });
  }

  async byAmazonOrderId(ctx: RequestContext, amazonOrderId: string): Promise<Order | null> {
    // A lookup by the order id confirms it: only for requests that read it in full.
    requireFullRead(ctx, 'Order.amazonOrderId', 'amazonOrderId');
    const order = await scopedOrders(ctx).andWhere('o.amazonOrderId = :amazonOrderId', { amazonOrderId }).getOne();
    if (order) ctx.governance.countRows(Category.ORDERS, 1);
    return order;
  }

  /**
   * `byAmazonOrderId` as one prebuilt statement with more columns (the planned executor's nested
   * lists): the same row, scope and count, hydrated as `getOne` would.
   */
  async byAmazonOrderIdRow(ctx: RequestContext, amazonOrderId: string, columns: (where: SqlConditions) => string): Promise<Order | null> {
    requireFullRead(ctx, 'Order.amazonOrderId', 'amazonOrderId');
    return scopedRowBy(ctx, Order, 'o', 'amazonOrderId', amazonOrderId, { category: Category.ORDERS, columns });
  }

  async listReturns(ctx: RequestContext, args: ReturnsArgs): Promise<ConnectionShape<OrderReturn>> {
    const sortBy = args.sortBy ?? ReturnSortField.RETURN_DATE;
    const account = await accountFilter(ctx, 'OrderReturn.sellerAccountId', args.account);
    const qb = scopedRead(ctx, OrderReturn, 'r');
    applyRangeFilter(qb, 'r', sortBy, { ...args, account });
    if (args.sku) qb.andWhere('r.sku = :sku', { sku: args.sku });
    if (args.asin) qb.andWhere('r.asin = :asin', { asin: args.asin });
    if (args.sourceKind) qb.andWhere('r.sourceKind = :sourceKind', { sourceKind: args.sourceKind });
    const amazonOrderId = fullReadFilter(ctx, 'OrderReturn.amazonOrderId', 'amazonOrderId', args.amazonOrderId);
    if (amazonOrderId) qb.andWhere('r.amazonOrderId = :amazonOrderId', { amazonOrderId });
    return paginate(ctx, qb, args, { category: Category.ORDERS, alias: 'r', sortBy, direction: args.direction ?? 'DESC' });
  }

  /** Items of many orders in one query, scoped through their order. */
  itemsOfOrders(ctx: RequestContext, orderIds: readonly string[]): Promise<OrderItem[]> {
    const items = rawTable(ctx.reads.connection, OrderItem, 'i');
    const orders = rawTable(ctx.reads.connection, Order, 'o');
    const where = new SqlConditions().and(`${items.column('orderId')} = ANY($1)`);
    where.params.push([...orderIds]);
    // Items are scoped by their order's account and marketplace: the order's table is joined only
    // when the principal's scope limits orders (every item has its order: foreign key).
    const scope = scopeConditions(new SqlConditions(where.params), ctx, Order, orders);
    for (const condition of scope.conditions) where.and(condition);
    const from = scope.conditions.length > 0 ? `${items.from} INNER JOIN ${orders.from} ON ${orders.column('id')} = ${items.column('orderId')}` : items.from;
    const sql = `SELECT ${items.select} FROM ${from}${where.where()} ORDER BY ${items.column('orderId')} ASC, ${items.column('id')} ASC`;
    return selectEntities(ctx.reads, items, sql, where.params);
  }

  /** Shipments of many orders in one query, scoped by the shipment's own account and marketplace. */
  shipmentsOfOrders(ctx: RequestContext, orderIds: readonly string[]): Promise<Shipment[]> {
    const table = rawTable(ctx.reads.connection, Shipment, 's');
    const where = new SqlConditions().and(`${table.column('orderId')} = ANY($1)`);
    where.params.push([...orderIds]);
    scopeConditions(where, ctx, Shipment, table);
    const sql = `SELECT ${table.select} FROM ${table.from}${where.where()} ORDER BY ${table.column('shipDate')} ASC, ${table.column('id')} ASC`;
    return selectEntities(ctx.reads, table, sql, where.params);
  }

  /** Returns of many orders (by Amazon order id) in one query, scoped by their own columns. */
  returnsOfOrders(ctx: RequestContext, amazonOrderIds: readonly string[]): Promise<OrderReturn[]> {
    return scopedRead(ctx, OrderReturn, 'r')
      .andWhere('r.amazonOrderId = ANY(:amazonOrderIds)', { amazonOrderIds: [...amazonOrderIds] })
      .orderBy('r.returnDate')
      .addOrderBy('r.id')
      .getMany();
  }
}

export const orderService = new OrderService();
