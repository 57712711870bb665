// Amazon Fulfilled Shipments (GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL) and the two returns
// reports (FBA customer returns, MFN returns by return date). The shipments report is the one
// heavy with buyer data: names, e-mails, phones, street lines, billing columns and the city are
// dropped at the door; only shipment facts are stored.
import { DataSourceKind } from '../../../entities/common/provenance';
import { Order } from '../../../entities/orders/order.entity';
import { OrderReturn } from '../../../entities/orders/order-return.entity';
import { Shipment } from '../../../entities/orders/shipment.entity';
import { Cells, type FlatDefinition } from '../report';
import type { TableTarget } from '../table-writer';

const SHIPMENT: TableTarget = {
  entity: Shipment,
  key: ['shipmentId', 'shipmentItemId'],
  noun: 'shipment',
  parent: { property: 'orderId', parent: Order, parentKey: 'amazonOrderId', via: '_order', noun: 'order', optional: true },
};

export const fulfilledShipmentsReport: FlatDefinition = {
  kind: 'flat',
  type: 'GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL',
  label: 'Amazon Fulfilled Shipments report',
  source: DataSourceKind.SELLER_CENTRAL_REPORT,
  targets: [SHIPMENT],
  fields: {
    'amazon-order-id': ['注文番号', 'Bestellnummer'],
    'shipment-id': ['出荷ID'],
    'shipment-item-id': ['出荷商品ID'],
    'amazon-order-item-id': ['注文商品ID'],
    'purchase-date': ['購入日'],
    'shipment-date': ['出荷日'],
    sku: ['SKU'],
    'quantity-shipped': ['出荷数'],
    carrier: ['配送業者'],
    'tracking-number': ['お問い合わせ伝票番号'],
    'estimated-arrival-date': ['お届け予定日'],
    'fulfillment-center-id': ['フルフィルメントセンターID'],
  },
  required: ['amazon-order-id', 'shipment-id', 'shipment-item-id', 'sku', 'quantity-shipped', 'shipment-date'],
  signature: ['amazon-order-id', 'shipment-id', 'shipment-item-id', 'amazon-order-item-id', 'shipment-date', 'quantity-shipped', 'tracking-number', 'fulfillment-center-id'],
  idColumns: ['amazon-order-item-id'],
  map(row, ctx) {
    const mp = ctx.marketplaceFor();
    const c = new Cells(row, { dateOrder: mp.dateOrder });
    // Validated although not stored: a broken purchase date or order item id marks a damaged row.
    c.timestamp('purchase-date');
    const amazonOrderId = c.need('amazon-order-id', c.id('amazon-order-id'));
    return [
      {
        target: 0,
        values: {
          _order: amazonOrderId,
          shipmentId: c.need('shipment-id', c.id('shipment-id')),
          shipmentItemId: c.need('shipment-item-id', c.id('shipment-item-id')),
          amazonOrderId,
          sku: c.need('sku', c.id('sku')),
          quantityShipped: c.need('quantity-shipped', c.integer('quantity-shipped')),
          carrier: c.text('carrier'),
          trackingNumber: c.id('tracking-number'),
          shipDate: c.need('shipment-date', c.timestamp('shipment-date')),
          estimatedArrival: c.timestamp('estimated-arrival-date'),
          fulfillmentCenterId: c.text('fulfillment-center-id'),
          sellerAccountId: ctx.sellerAccountId,
          marketplaceId: mp.marketplaceId,
        },
      },
    ];
  },
};

const RETURN: TableTarget = { entity: OrderReturn, key: ['sellerAccountId', 'sourceKind', 'returnKey', 'sku'], noun: 'return' };

export const fbaReturnsReport: FlatDefinition = {
  kind: 'flat',
  type: 'GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA',
  label: 'FBA customer returns report',
  source: DataSourceKind.SELLER_CENTRAL_REPORT,
  targets: [RETURN],
  fields: {
    'return-date': ['返品日'],
    'order-id': ['注文番号'],
    sku: ['SKU'],
    asin: ['ASIN'],
    fnsku: ['FNSKU'],
    quantity: ['数量'],
    'fulfillment-center-id': ['フルフィルメントセンターID'],
    'detailed-disposition': ['詳細な区分'],
    reason: ['理由'],
    status: ['ステータス'],
    'license-plate-number': ['LPN'],
    'customer-comments': ['購入者のコメント'],
  },
  required: ['return-date', 'order-id', 'sku', 'quantity'],
  signature: ['return-date', 'order-id', 'sku', 'fnsku', 'detailed-disposition', 'license-plate-number', 'customer-comments', 'fulfillment-center-id'],
  keepPersonal: ['customer-comments'],
  map(row, ctx) {
    const mp = ctx.marketplaceFor();
    const c = new Cells(row, { dateOrder: mp.dateOrder });
    const returnDate = c.need('return-date', c.timestamp('return-date'));
    const amazonOrderId = c.need('order-id', c.id('order-id'));
    const sku = c.need('sku', c.id('sku'));
    const lpn = c.id('license-plate-number');
    return [
      {
        target: 0,
        values: {
          sellerAccountId: ctx.sellerAccountId,
          marketplaceId: mp.marketplaceId,
          sourceKind: 'FBA',
          // Reports without a license plate number: the return is known by order and date.
          returnKey: lpn ?? `${amazonOrderId}/${returnDate}`,
          returnDate,
          amazonOrderId,
          sku,
          asin: c.id('asin'),
          fnsku: c.id('fnsku'),
          quantity: c.need('quantity', c.integer('quantity')),
          reason: c.text('reason'),
          disposition: c.text('detailed-disposition'),
          status: c.text('status'),
          fulfillmentCenterId: c.text('fulfillment-center-id'),
          licensePlateNumber: lpn,
          customerComments: c.text('customer-comments'),
        },
      },
    ];
  },
};

export const mfnReturnsReport: FlatDefinition = {
  kind: 'flat',
  type: 'GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE',
  label: 'Returns report (seller-fulfilled, by return date)',
  source: DataSourceKind.SELLER_CENTRAL_REPORT,
  targets: [RETURN],
  fields: {
    'order-id': ['注文番号'],
    'return-request-date': ['返品リクエスト日'],
    'return-request-status': ['返品リクエストのステータス'],
    'amazon-rma-id': ['Amazon RMA ID'],
    asin: ['ASIN'],
    'merchant-sku': ['出品者SKU'],
    'return-quantity': ['返品数'],
    'return-reason': ['返品理由'],
    resolution: ['解決方法'],
    'order-date': ['注文日'],
    'return-delivery-date': [],
    'tracking-id': [],
  },
  required: ['order-id', 'return-request-date', 'merchant-sku', 'return-quantity'],
  signature: ['order-id', 'order-date', 'return-request-date', 'return-request-status', 'amazon-rma-id', 'merchant-sku', 'return-quantity', 'return-reason'],
  idColumns: ['tracking-id'],
  map(row, ctx) {
    const mp = ctx.marketplaceFor();
    const c = new Cells(row, { dateOrder: mp.dateOrder });
    const returnDate = c.need('return-request-date', c.timestamp('return-request-date'));
    c.date('order-date');
    c.date('return-delivery-date');
    const amazonOrderId = c.need('order-id', c.id('order-id'));
    return [
      {
        target: 0,
        values: {
          sellerAccountId: ctx.sellerAccountId,
          marketplaceId: mp.marketplaceId,
          sourceKind: 'MFN',
          returnKey: c.id('amazon-rma-id') ?? `${amazonOrderId}/${returnDate}`,
          returnDate,
          amazonOrderId,
          sku: c.need('merchant-sku', c.id('merchant-sku')),
          asin: c.id('asin'),
          quantity: c.need('return-quantity', c.integer('return-quantity')),
          reason: c.text('return-reason'),
          disposition: c.text('resolution'),
          status: c.text('return-request-status'),
        },
      },
    ];
  },
};
