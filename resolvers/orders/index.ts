// Resolvers of the orders category: this list alone can serve the category as a subgraph.
import { OrderResolver } from './order.resolver';
import { OrderReturnResolver } from './return.resolver';
import { SalesSummaryResolver } from './sales-summary.resolver';

export const ordersResolvers: Function[] = [OrderResolver, OrderReturnResolver, SalesSummaryResolver];
