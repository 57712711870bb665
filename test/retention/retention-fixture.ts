// A small, explicit data set for retention: each row's age is chosen against NOW so every rule
// has rows that must go and rows that must stay. Ids are returned so tests can follow them.
import type { DataSource, EntityManager } from 'typeorm';
import { Marketplace, SellerAccount } from '../../entities/catalog';
import { DataSourceKind } from '../../entities/common/provenance';
import { FeeEstimate, Refund, Settlement, SettlementLine } from '../../entities/inventory-finance';
import { FulfillmentChannel, Order, OrderItem, OrderReturn, OrderStatus, ReturnSourceKind, Shipment } from '../../entities/orders';
import { ApiCallLog } from '../../entities/system-logs';
import { AuditWriter } from '../../src/audit/audit.writer';
import { auditEntry } from '../audit/audit-fixtures';

export const NOW = new Date('2026-06-01T12:00:00Z');
export const US = 'ATVPDKIKX0DER';
export const ACCOUNT = 'A1RETENTION001';
export const OTHER_ACCOUNT = 'A2RETENTION002';
export const AUDIT_KEY = 'retention-test-checkpoint-key-0123';

const DAY = 86_400_000;
export const daysAgo = (days: number): Date => new Date(NOW.getTime() - days * DAY);
const day = (date: Date): string => date.toISOString().slice(0, 10);

/** Amazon order ids by role in the tests. */
export const ORDERS = {
  recentDelivered: '111-0000001-0000001', // delivered 10 days ago: postal code stays
  oldDelivered: '111-0000002-0000002', // delivered 40 days ago: postal code cleared
  ancient: '111-0000003-0000003', // bought 30 months ago: aggregated
  ancientCanceled: '111-0000004-0000004', // canceled 30 months ago: deleted, not in sales
  ancientOther: '111-0000005-0000005', // other account, 26 months ago: aggregated
  target: '111-0000006-0000006', // the subject of deletion requests
  neighbour: '111-0000007-0000007', // same settlement as the target: stays
};

const provenance = { source: DataSourceKind.INTERNAL_UPLOAD, importRunId: null };

async function order(manager: EntityManager, amazonOrderId: string, options: { account?: string; purchased: Date; delivered?: Date | null; status?: OrderStatus; items: [string, number, string][] }) {
  const saved = await manager.save(
    manager.create(Order, {
      ...provenance,
      amazonOrderId,
      merchantOrderId: `M-${amazonOrderId.slice(-4)}`,
      purchaseDate: options.purchased,
      lastUpdateDate: options.purchased,
      status: options.status ?? OrderStatus.SHIPPED,
      fulfillmentChannel: FulfillmentChannel.AFN,
      salesChannel: 'Amazon.com',
      sellerAccountId: options.account ?? ACCOUNT,
      marketplaceId: US,
      orderTotal: options.items.reduce((sum, [, , price]) => sum + Number(price), 0).toFixed(2),
      currency: 'USD',
      shipState: 'WA',
      shipCountry: 'US',
      shipPostalCode: '98101',
      deliveredAt: options.delivered ?? null,
    }),
  );
  for (const [sku, quantity, price] of options.items) {
    await manager.insert(OrderItem, { ...provenance, orderId: saved.id, sku, asin: `B0${sku.padEnd(8, '0')}`, quantity, itemPrice: price });
  }
  await manager.insert(Shipment, {
    ...provenance,
    shipmentId: `S-${amazonOrderId}`,
    shipmentItemId: '1',
    orderId: saved.id,
    amazonOrderId,
    sku: options.items[0][0],
    quantityShipped: options.items[0][1],
    trackingNumber: `1Z${amazonOrderId.replace(/-/g, '')}`,
    shipDate: new Date(options.purchased.getTime() + DAY),
    sellerAccountId: options.account ?? ACCOUNT,
    marketplaceId: US,
  });
  return saved;
}

async function settlement(manager: EntityManager, settlementId: string, ended: Date, orderIds: string[], account = ACCOUNT) {
  const saved = await manager.save(
    manager.create(Settlement, { ...provenance, settlementId, startDate: new Date(ended.getTime() - 14 * DAY), endDate: ended, depositDate: null, totalAmount: '100.00', currency: 'USD', sellerAccountId: account, marketplaceId: US }),
  );
  let line = 0;
  for (const orderId of orderIds) {
    line += 1;
    await manager.insert(SettlementLine, { ...provenance, settlementRowId: saved.id, lineNumber: line, transactionType: 'Order', orderId, sku: 'SKU-A', amountType: 'ItemPrice', amountDescription: 'Principal', amount: '50.00', postedDate: ended, quantity: 1 });
  }
  line += 1;
  await manager.insert(SettlementLine, { ...provenance, settlementRowId: saved.id, lineNumber: line, transactionType: 'Subscription Fee', orderId: null, sku: null, amountType: 'Other', amountDescription: 'Subscription', amount: '-39.99', postedDate: ended, quantity: null });
  return saved;
}

export interface RetentionFixture {
  orderIds: Record<keyof typeof ORDERS, string>;
}

/** Seeds the explicit data set, and audit records 8 years, 2 years and 10 days old. */
export async function seedRetentionData(dataSource: DataSource): Promise<RetentionFixture> {
  const ids = await dataSource.transaction(async (manager) => {
    await manager.insert(Marketplace, { marketplaceId: US, countryCode: 'US', currencyCode: 'USD', salesChannel: 'Amazon.com' });
    await manager.insert(SellerAccount, [
      { sellerId: ACCOUNT, name: 'Retention test' },
      { sellerId: OTHER_ACCOUNT, name: 'Retention other' },
    ]);
    const orderIds = {} as Record<keyof typeof ORDERS, string>;
    orderIds.recentDelivered = (await order(manager, ORDERS.recentDelivered, { purchased: daysAgo(15), delivered: daysAgo(10), items: [['SKU-A', 1, '20.00']] })).id;
    orderIds.oldDelivered = (await order(manager, ORDERS.oldDelivered, { purchased: daysAgo(45), delivered: daysAgo(40), items: [['SKU-A', 2, '40.00'], ['SKU-B', 1, '15.50']] })).id;
    orderIds.ancient = (await order(manager, ORDERS.ancient, { purchased: daysAgo(912), delivered: daysAgo(908), items: [['SKU-A', 3, '60.00'], ['SKU-B', 1, '15.50']] })).id;
    orderIds.ancientCanceled = (await order(manager, ORDERS.ancientCanceled, { purchased: daysAgo(912), status: OrderStatus.CANCELED, items: [['SKU-A', 1, '20.00']] })).id;
    orderIds.ancientOther = (await order(manager, ORDERS.ancientOther, { account: OTHER_ACCOUNT, purchased: daysAgo(790), delivered: daysAgo(786), items: [['SKU-C', 5, '99.95']] })).id;
    orderIds.target = (await order(manager, ORDERS.target, { purchased: daysAgo(20), delivered: daysAgo(18), items: [['SKU-A', 1, '20.00'], ['SKU-C', 2, '39.98']] })).id;
    orderIds.neighbour = (await order(manager, ORDERS.neighbour, { purchased: daysAgo(21), delivered: daysAgo(19), items: [['SKU-B', 1, '15.50']] })).id;

    const ret = (returnKey: string, amazonOrderId: string, returned: Date) =>
      manager.insert(OrderReturn, { ...provenance, sourceKind: ReturnSourceKind.FBA, returnKey, returnDate: returned, amazonOrderId, sku: 'SKU-A', quantity: 1, reason: 'DEFECTIVE', customerComments: 'Arrived broken', licensePlateNumber: `LPN${returnKey}`, sellerAccountId: ACCOUNT, marketplaceId: US });
    await ret('R1', ORDERS.oldDelivered, daysAgo(35)); // delivered 40 days ago: comment cleared
    await ret('R2', ORDERS.recentDelivered, daysAgo(5)); // delivered 10 days ago: comment stays
    await ret('R3', ORDERS.ancient, daysAgo(900)); // goes with the aggregated order
    await ret('R4', ORDERS.target, daysAgo(10)); // subject of the deletion request

    await settlement(manager, 'S-RECENT', daysAgo(16), [ORDERS.target, ORDERS.neighbour]);
    await settlement(manager, 'S-4Y', daysAgo(4 * 365 + 10), ['111-9999999-0000001']);
    await settlement(manager, 'S-8Y', daysAgo(8 * 365 + 10), ['111-9999999-0000002']);

    const refund = (orderId: string, posted: Date, amount: string) =>
      manager.insert(Refund, { ...provenance, orderId, sku: 'SKU-A', postedDate: posted, amount, currency: 'USD', refundType: 'CUSTOMER_RETURN', sellerAccountId: ACCOUNT, marketplaceId: US });
    await refund(ORDERS.target, daysAgo(9), '-20.00');
    await refund(ORDERS.neighbour, daysAgo(9), '-15.50');
    await refund('111-9999999-0000001', daysAgo(4 * 365 + 5), '-11.00');
    await refund('111-9999999-0000002', daysAgo(8 * 365 + 5), '-12.00');

    const fee = (sku: string, date: Date) =>
      manager.insert(FeeEstimate, { ...provenance, sku, estimateDate: day(date), estimatedFeeTotal: '4.20', currency: 'USD', sellerAccountId: ACCOUNT, marketplaceId: US });
    await fee('SKU-A', daysAgo(3));
    await fee('SKU-A', daysAgo(4 * 365));
    await fee('SKU-A', daysAgo(8 * 365));

    const call = (requestId: string, time: Date) =>
      manager.insert(ApiCallLog, { requestId, time, principalId: 'user:ana', accountId: ACCOUNT, operationName: 'Orders', method: 'POST', path: '/graphql', httpStatus: 200, latencyMs: 12, errorCode: null });
    await call('call-old', daysAgo(500));
    await call('call-kept', daysAgo(100));
    await call('call-new', daysAgo(1));
    return orderIds;
  });

  const writer = new AuditWriter(dataSource, { flushIntervalMs: 1 });
  for (const [count, age] of [[3, 8 * 365 + 30], [4, 2 * 365], [2, 10]] as const) {
    for (let i = 0; i < count; i += 1) await writer.append(auditEntry({ timestamp: new Date(daysAgo(age).getTime() + i * 1000), requestId: `req-${age}-${i}`, operationName: `Op${age}x${i}` }));
  }
  await writer.stop();
  return { orderIds: ids };
}

/** Row counts of every table retention touches (the whole picture for "nothing changed"). */
export async function rowCounts(dataSource: DataSource): Promise<Record<string, number>> {
  const tables = [
    'amazon_order', 'order_item', 'shipment', 'order_return', 'order_sales_summary', 'settlement', 'settlement_line', 'refund', 'fee_estimate',
    'api_call_log', 'audit_record', 'audit_checkpoint', 'retention_archive', 'retention_run', 'retention_run_rule', 'retention_batch', 'user_action',
    'legal_hold', 'deletion_request', 'deletion_certificate',
  ];
  const counts: Record<string, number> = {};
  for (const table of tables) counts[table] = Number((await dataSource.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n);
  return counts;
}
