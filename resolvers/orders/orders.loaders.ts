// Per-request DataLoaders for the order relations: one SQL statement per relation level, however
// many orders are on the page. They hold raw rows; masking happens at the field.
import DataLoader from 'dataloader';
import type { OrderItem, OrderReturn, Shipment } from '../../entities/orders';
import type { RequestContext } from '../../src/context';
import { Category } from '../../src/policy/taxonomy';
import { orderService } from './order.service';

export function groupBy<K, T>(keys: readonly K[], rows: T[], keyOf: (row: T) => K): T[][] {
  const groups = new Map<K, T[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}

export function orderItemsLoader(ctx: RequestContext): DataLoader<string, OrderItem[]> {
  return ctx.loaders.get('orders.itemsByOrderId', () => new DataLoader<string, OrderItem[]>(async (orderIds) => {
    const rows = await orderService.itemsOfOrders(ctx, orderIds);
    ctx.governance.countRows(Category.ORDERS, rows.length);
    return groupBy(orderIds, rows, (row) => row.orderId);
  }));
}

export function orderShipmentsLoader(ctx: RequestContext): DataLoader<string, Shipment[]> {
  return ctx.loaders.get('orders.shipmentsByOrderId', () => new DataLoader<string, Shipment[]>(async (orderIds) => {
    const rows = await orderService.shipmentsOfOrders(ctx, orderIds);
    ctx.governance.countRows(Category.ORDERS, rows.length);
    return groupBy(orderIds, rows, (row) => row.orderId ?? '');
  }));
}

export function orderReturnsLoader(ctx: RequestContext): DataLoader<string, OrderReturn[]> {
  return ctx.loaders.get('orders.returnsByAmazonOrderId', () => new DataLoader<string, OrderReturn[]>(async (amazonOrderIds) => {
    const rows = await orderService.returnsOfOrders(ctx, amazonOrderIds);
    ctx.governance.countRows(Category.ORDERS, rows.length);
    return groupBy(amazonOrderIds, rows, (row) => row.amazonOrderId);
  }));
}
