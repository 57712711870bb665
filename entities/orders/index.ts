import { OrderItem } from './order-item.entity';
import { OrderReturn, ReturnSourceKind } from './order-return.entity';
import { FulfillmentChannel, Order, OrderStatus } from './order.entity';
import { OrderSalesSummary, SalesSummaryKind } from './order-sales-summary.entity';
import { Shipment } from './shipment.entity';

export { FulfillmentChannel, Order, OrderItem, OrderReturn, OrderStatus, ReturnSourceKind, Shipment };
export { OrderSalesSummary, SalesSummaryKind };
export const ordersEntities: Function[] = [Order, OrderItem, Shipment, OrderReturn, OrderSalesSummary];
