import { OrderItem } from './order-item.entity';
import { OrderReturn, ReturnSourceKind } from './order-return.entity';
import { FulfillmentChannel, Order, OrderStatus } from './order.entity';
import { Shipment } from './shipment.entity';

export { FulfillmentChannel, Order, OrderItem, OrderReturn, OrderStatus, ReturnSourceKind, Shipment };
export const ordersEntities: Function[] = [Order, OrderItem, Shipment, OrderReturn];
