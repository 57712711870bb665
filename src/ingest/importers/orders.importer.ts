// Orders: the All Orders flat-file reports (by order date / by last update), Orders API v0
// (getOrders, getOrderItems, and connector record streams `Orders` / `OrderItems`) and Orders API
// 2026-01-01 (searchOrders / getOrder). Buyer names, e-mails, phones, street lines and city are
// never read; ship state and country are kept, the ship postal code only in its PERSONAL column.
import { DataSourceKind } from '../../../entities/common/provenance';
import { Order } from '../../../entities/orders/order.entity';
import { OrderItem } from '../../../entities/orders/order-item.entity';
import { personalPaths } from '../json-documents';
import { Cells, RowError, fulfillmentChannelOf, json, orderStatusOf, type Emit, type FlatDefinition, type JsonDefinition } from '../report';
import type { TableTarget } from '../table-writer';

const ORDER: TableTarget = { entity: Order, key: ['amazonOrderId'], noun: 'order' };
const ORDER_ITEM: TableTarget = {
  entity: OrderItem,
  key: ['orderId', 'sku'],
  noun: 'order item',
  parent: { property: 'orderId', parent: Order, parentKey: 'amazonOrderId', via: '_order', noun: 'order' },
};

export const ALL_ORDERS_FIELDS = {
  'amazon-order-id': ['注文番号', 'Bestellnummer'],
  'merchant-order-id': ['出品者注文番号'],
  'purchase-date': ['購入日', 'Bestelldatum'],
  'last-updated-date': ['最終更新日'],
  'order-status': ['注文ステータス', 'Bestellstatus'],
  'fulfillment-channel': ['フルフィルメント・チャネル'],
  'sales-channel': ['販売チャネル', 'Vertriebskanal'],
  'order-channel': [],
  'ship-service-level': ['配送サービスレベル'],
  'product-name': ['商品名', 'Produktname'],
  sku: ['SKU'],
  asin: ['ASIN'],
  'item-status': ['商品ステータス'],
  quantity: ['数量', 'Menge'],
  currency: ['通貨', 'Währung'],
  'item-price': ['商品価格', 'Artikelpreis'],
  'item-tax': ['商品税'],
  'shipping-price': ['配送料'],
  'shipping-tax': [],
  'item-promotion-discount': [],
  'ship-state': ['お届け先都道府県', 'Lieferbundesland'],
  'ship-postal-code': ['お届け先郵便番号', 'Lieferpostleitzahl'],
  'ship-country': ['お届け先国', 'Lieferland'],
  'is-business-order': [],
};

function allOrders(type: string, label: string): FlatDefinition {
  return {
    kind: 'flat',
    type,
    label,
    source: DataSourceKind.SELLER_CENTRAL_REPORT,
    targets: [ORDER, ORDER_ITEM],
    fields: ALL_ORDERS_FIELDS,
    required: ['amazon-order-id', 'purchase-date', 'order-status', 'sku', 'quantity'],
    signature: ['amazon-order-id', 'merchant-order-id', 'purchase-date', 'last-updated-date', 'order-status', 'sales-channel', 'item-status', 'item-price', 'ship-postal-code'],
    keepPersonal: ['ship-postal-code'],
    map(row, ctx) {
      const c = new Cells(row);
      const mp = ctx.marketplaceFor(c.text('sales-channel'));
      const amazonOrderId = c.need('amazon-order-id', c.id('amazon-order-id'));
      const purchaseDate = c.need('purchase-date', c.timestamp('purchase-date'));
      const order: Emit = {
        target: 0,
        values: {
          amazonOrderId,
          merchantOrderId: c.id('merchant-order-id'),
          purchaseDate,
          lastUpdateDate: c.timestamp('last-updated-date') ?? purchaseDate,
          status: c.need('order-status', orderStatusOf(c.text('order-status'))),
          fulfillmentChannel: c.need('fulfillment-channel', fulfillmentChannelOf(c.text('fulfillment-channel'))),
          salesChannel: c.text('sales-channel'),
          orderChannel: c.text('order-channel'),
          shipServiceLevel: c.text('ship-service-level'),
          sellerAccountId: ctx.sellerAccountId,
          marketplaceId: mp.marketplaceId,
          currency: c.text('currency') ?? undefined,
          shipState: c.text('ship-state'),
          shipCountry: c.text('ship-country'),
          shipPostalCode: c.text('ship-postal-code'),
          isBusinessOrder: c.boolean('is-business-order') ?? false,
        },
      };
      const item: Emit = {
        target: 1,
        values: {
          _order: amazonOrderId,
          sku: c.need('sku', c.id('sku')),
          asin: c.id('asin'),
          productName: c.text('product-name'),
          quantity: c.need('quantity', c.integer('quantity')),
          itemPrice: c.decimal('item-price'),
          itemTax: c.decimal('item-tax'),
          shippingPrice: c.decimal('shipping-price'),
          promotionDiscount: c.decimal('item-promotion-discount'),
          itemStatus: c.text('item-status'),
        },
      };
      return [order, item];
    },
  };
}

export const allOrdersByOrderDate = allOrders('GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL', 'All Orders report (by order date)');
export const allOrdersByLastUpdate = allOrders('GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL', 'All Orders report (by last update)');

// --- Orders API v0 ---------------------------------------------------------------------------

const V0_PERSONAL = [
  'BuyerInfo.BuyerEmail',
  'BuyerInfo.BuyerName',
  'BuyerInfo.BuyerCounty',
  'BuyerInfo.BuyerTaxInfo',
  'BuyerInfo.PurchaseOrderNumber',
  'BuyerInfo.GiftMessageText',
  'BuyerInfo.BuyerCustomizedInfo',
  'ShippingAddress.Name',
  'ShippingAddress.CompanyName',
  'ShippingAddress.AddressLine1',
  'ShippingAddress.AddressLine2',
  'ShippingAddress.AddressLine3',
  'ShippingAddress.City',
  'ShippingAddress.County',
  'ShippingAddress.District',
  'ShippingAddress.Phone',
  'ShippingAddress.ExtendedFields',
  'BuyerTaxInformation',
  'BuyerEmail',
  'BuyerName',
];

const amount = (path: string, money: unknown) => json.decimal(`${path}.Amount`, json.object(money).Amount);

function v0Order(o: Record<string, unknown>, ctx: Parameters<JsonDefinition['map']>[1]): Emit {
  const address = json.object(o.ShippingAddress);
  const total = json.object(o.OrderTotal);
  const mp = ctx.marketplaceFor(json.text(o.MarketplaceId));
  const purchaseDate = json.need('PurchaseDate', json.timestamp('PurchaseDate', o.PurchaseDate));
  return {
    target: 0,
    values: {
      amazonOrderId: json.need('AmazonOrderId', json.id('AmazonOrderId', o.AmazonOrderId)),
      merchantOrderId: json.id('SellerOrderId', o.SellerOrderId),
      purchaseDate,
      lastUpdateDate: json.timestamp('LastUpdateDate', o.LastUpdateDate) ?? purchaseDate,
      status: json.need('OrderStatus', orderStatusOf(json.text(o.OrderStatus))),
      fulfillmentChannel: json.need('FulfillmentChannel', fulfillmentChannelOf(json.text(o.FulfillmentChannel))),
      salesChannel: json.text(o.SalesChannel),
      orderChannel: json.text(o.OrderChannel),
      shipServiceLevel: json.text(o.ShipServiceLevel),
      sellerAccountId: ctx.sellerAccountId,
      marketplaceId: mp.marketplaceId,
      orderTotal: amount('OrderTotal', total),
      currency: json.text(total.CurrencyCode),
      shipState: json.text(address.StateOrRegion),
      shipCountry: json.text(address.CountryCode),
      shipPostalCode: json.text(address.PostalCode),
      isBusinessOrder: json.boolean('IsBusinessOrder', o.IsBusinessOrder) ?? false,
    },
  };
}

function v0Item(item: Record<string, unknown>, amazonOrderId: unknown): Emit {
  return {
    target: 1,
    values: {
      _order: json.need('AmazonOrderId', json.id('AmazonOrderId', amazonOrderId)),
      orderItemId: json.id('OrderItemId', item.OrderItemId),
      sku: json.need('SellerSKU', json.id('SellerSKU', item.SellerSKU)),
      asin: json.id('ASIN', item.ASIN),
      productName: json.text(item.Title),
      quantity: json.need('QuantityOrdered', json.integer('QuantityOrdered', item.QuantityOrdered)),
      itemPrice: amount('ItemPrice', item.ItemPrice),
      itemTax: amount('ItemTax', item.ItemTax),
      shippingPrice: amount('ShippingPrice', item.ShippingPrice),
      promotionDiscount: amount('PromotionDiscount', item.PromotionDiscount),
    },
  };
}

function v0Records(doc: unknown): { kind: 'order' | 'item'; data: Record<string, unknown>; orderId?: unknown }[] {
  const payload = json.object(json.object(doc).payload);
  if (Array.isArray(payload.Orders)) return payload.Orders.map((o) => ({ kind: 'order' as const, data: json.object(o) }));
  if (Array.isArray(payload.OrderItems)) {
    return payload.OrderItems.map((i) => ({ kind: 'item' as const, data: json.object(i), orderId: payload.AmazonOrderId }));
  }
  return [];
}

export const ordersApiV0: JsonDefinition = {
  kind: 'json',
  type: 'SPAPI_ORDERS_V0',
  label: 'Orders API v0 response (orders and order items)',
  source: DataSourceKind.SP_API,
  targets: [ORDER, ORDER_ITEM],
  matches: (doc) => {
    const o = json.object(doc);
    if (o.stream === 'Orders' || o.stream === 'OrderItems') return true;
    return v0Records(doc).some((r) => r.kind === 'order');
  },
  records: (doc) => {
    const o = json.object(doc);
    if (o.stream === 'Orders') return [{ line: 0, record: { kind: 'order', data: json.object(o.data) } }];
    if (o.stream === 'OrderItems') {
      const data = json.object(o.data);
      return [{ line: 0, record: { kind: 'item', data, orderId: data.AmazonOrderId } }];
    }
    return v0Records(doc).map((record, i) => ({ line: i + 1, record }));
  },
  dropped: (doc) => personalPaths(doc, V0_PERSONAL),
  map(record, ctx) {
    const data = json.object(record.data);
    return record.kind === 'order' ? [v0Order(data, ctx)] : [v0Item(data, record.orderId)];
  },
};

export const orderItemsApiV0: JsonDefinition = {
  ...ordersApiV0,
  type: 'SPAPI_ORDER_ITEMS_V0',
  label: 'Orders API v0 getOrderItems response',
  matches: (doc) => v0Records(doc).some((r) => r.kind === 'item'),
};

// --- Orders API 2026-01-01 -------------------------------------------------------------------

const V2026_PERSONAL = [
  'buyer.buyerName',
  'buyer.buyerEmail',
  'buyer.buyerCompanyName',
  'buyer.buyerPurchaseOrderNumber',
  'deliveryAddress.name',
  'deliveryAddress.companyName',
  'deliveryAddress.addressLine1',
  'deliveryAddress.addressLine2',
  'deliveryAddress.addressLine3',
  'deliveryAddress.city',
  'deliveryAddress.districtOrCounty',
  'deliveryAddress.municipality',
  'deliveryAddress.phone',
  'deliveryAddress.extendedFields',
  'deliveryPreference.addressInstruction',
  'giftOption.giftMessage',
  'customization.customizedUrl',
  'taxRegistrations.legalName',
  'taxRegistrations.taxRegistrationNumber',
  'taxRegistrations.taxRegistrationAddress',
];

function orders2026(doc: unknown): Record<string, unknown>[] {
  const o = json.object(doc);
  if (Array.isArray(o.orders)) return o.orders.map(json.object);
  if (o.order && typeof o.order === 'object') return [json.object(o.order)];
  return [];
}

const money = (path: string, value: unknown) => json.decimal(`${path}.amount`, json.object(value).amount);

function breakdown(item: Record<string, unknown>, type: string): string | null {
  const entry = json
    .array(json.object(item.proceeds).breakdowns)
    .map(json.object)
    .find((b) => b.type === type);
  return entry ? money(`proceeds.${type}`, entry.subtotal) : null;
}

const FULFILLED_BY: Record<string, string> = { AMAZON: 'AFN', MERCHANT: 'MFN' };

export const ordersApi2026: JsonDefinition = {
  kind: 'json',
  type: 'SPAPI_ORDERS_2026_01_01',
  label: 'Orders API 2026-01-01 response',
  source: DataSourceKind.SP_API,
  targets: [ORDER, ORDER_ITEM],
  matches: (doc) => orders2026(doc).some((o) => typeof o.orderId === 'string'),
  records: (doc) => orders2026(doc).map((record, i) => ({ line: i + 1, record })),
  dropped: (doc) => personalPaths(doc, V2026_PERSONAL),
  map(o, ctx) {
    const channel = json.object(o.salesChannel);
    const mp = ctx.marketplaceFor(json.text(channel.marketplaceId));
    const fulfillment = json.object(o.fulfillment);
    const address = json.object(json.object(o.recipient).deliveryAddress);
    const total = json.object(json.object(o.proceeds).grandTotal);
    const amazonOrderId = json.need('orderId', json.id('orderId', o.orderId));
    const created = json.need('createdTime', json.timestamp('createdTime', o.createdTime));
    const fulfilledBy = FULFILLED_BY[String(fulfillment.fulfilledBy ?? '')];
    if (!fulfilledBy) throw new RowError('fulfillment.fulfilledBy: unknown');
    const alias = json
      .array(o.orderAliases)
      .map(json.object)
      .find((a) => a.aliasType === 'SELLER_ORDER_ID');
    const emits: Emit[] = [
      {
        target: 0,
        values: {
          amazonOrderId,
          merchantOrderId: alias ? json.id('orderAliases.aliasId', alias.aliasId) : null,
          purchaseDate: created,
          lastUpdateDate: json.timestamp('lastUpdatedTime', o.lastUpdatedTime) ?? created,
          status: json.need('fulfillment.fulfillmentStatus', orderStatusOf(json.text(fulfillment.fulfillmentStatus))),
          fulfillmentChannel: fulfilledBy,
          salesChannel: json.text(channel.marketplaceName),
          shipServiceLevel: json.text(fulfillment.fulfillmentServiceLevel),
          sellerAccountId: ctx.sellerAccountId,
          marketplaceId: mp.marketplaceId,
          orderTotal: money('proceeds.grandTotal', total),
          currency: json.text(total.currencyCode),
          shipState: json.text(address.stateOrRegion),
          shipCountry: json.text(address.countryCode),
          shipPostalCode: json.text(address.postalCode),
          isBusinessOrder: json.array(o.programs).includes('AMAZON_BUSINESS'),
        },
      },
    ];
    for (const raw of json.array(o.orderItems)) {
      const item = json.object(raw);
      const product = json.object(item.product);
      const discount = breakdown(item, 'DISCOUNT');
      emits.push({
        target: 1,
        values: {
          _order: amazonOrderId,
          orderItemId: json.id('orderItems.orderItemId', item.orderItemId),
          sku: json.need('orderItems.product.sellerSku', json.id('orderItems.product.sellerSku', product.sellerSku)),
          asin: json.id('orderItems.product.asin', product.asin),
          productName: json.text(product.title),
          quantity: json.need('orderItems.quantityOrdered', json.integer('orderItems.quantityOrdered', item.quantityOrdered)),
          itemPrice: breakdown(item, 'ITEM'),
          itemTax: breakdown(item, 'TAX'),
          shippingPrice: breakdown(item, 'SHIPPING'),
          promotionDiscount: discount,
        },
      });
    }
    return emits;
  },
};
