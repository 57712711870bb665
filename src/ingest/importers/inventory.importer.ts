// Inventory and fees: Manage FBA Inventory (GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA), the FBA
// Inventory API summaries, Restock recommendations and the FBA Fee Preview. These reports carry
// no date of their own: a row is the state on the import's as-of day.
import { DataSourceKind } from '../../../entities/common/provenance';
import { FeeEstimate } from '../../../entities/inventory-finance/fee-estimate.entity';
import { InventorySnapshot } from '../../../entities/inventory-finance/inventory-snapshot.entity';
import { ReplenishmentRecommendation } from '../../../entities/inventory-finance/replenishment-recommendation.entity';
import { Cells, json, type FlatDefinition, type JsonDefinition } from '../report';
import type { TableTarget } from '../table-writer';

const SNAPSHOT: TableTarget = { entity: InventorySnapshot, key: ['sellerAccountId', 'marketplaceId', 'sku', 'snapshotDate'], noun: 'inventory snapshot' };

const sum = (...values: (number | null | undefined)[]) => values.reduce<number>((total, v) => total + (v ?? 0), 0);

export const manageFbaInventoryReport: FlatDefinition = {
  kind: 'flat',
  type: 'GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA',
  label: 'Manage FBA Inventory report',
  source: DataSourceKind.SELLER_CENTRAL_REPORT,
  targets: [SNAPSHOT],
  fields: {
    sku: ['出品者SKU'],
    fnsku: ['FNSKU'],
    asin: ['ASIN'],
    condition: ['コンディション'],
    'afn-fulfillable-quantity': [],
    'afn-fulfillable-quantity-local': [],
    'afn-unsellable-quantity': [],
    'afn-reserved-quantity': [],
    'afn-total-quantity': [],
    'afn-inbound-working-quantity': [],
    'afn-inbound-shipped-quantity': [],
    'afn-inbound-receiving-quantity': [],
  },
  required: ['sku', 'afn-total-quantity'],
  signature: ['sku', 'fnsku', 'afn-listing-exists', 'afn-warehouse-quantity', 'afn-fulfillable-quantity', 'afn-total-quantity', 'afn-inbound-working-quantity', 'mfn-listing-exists'],
  map(row, ctx) {
    const mp = ctx.marketplaceFor();
    const c = new Cells(row);
    const working = c.integer('afn-inbound-working-quantity') ?? 0;
    const shipped = c.integer('afn-inbound-shipped-quantity') ?? 0;
    const receiving = c.integer('afn-inbound-receiving-quantity') ?? 0;
    return [
      {
        target: 0,
        values: {
          sellerAccountId: ctx.sellerAccountId,
          marketplaceId: mp.marketplaceId,
          snapshotDate: ctx.asOfDate,
          sku: c.need('sku', c.id('sku')),
          fnsku: c.id('fnsku'),
          asin: c.id('asin'),
          condition: c.text('condition'),
          fulfillable: c.integer('afn-fulfillable-quantity') ?? c.integer('afn-fulfillable-quantity-local') ?? 0,
          inboundWorking: working,
          inboundShipped: shipped,
          inboundReceiving: receiving,
          inbound: working + shipped + receiving,
          reserved: c.integer('afn-reserved-quantity') ?? 0,
          unfulfillable: c.integer('afn-unsellable-quantity') ?? 0,
          total: c.need('afn-total-quantity', c.integer('afn-total-quantity')),
        },
      },
    ];
  },
};

function summaries(doc: unknown): Record<string, unknown>[] {
  const payload = json.object(json.object(doc).payload);
  return Array.isArray(payload.inventorySummaries) ? payload.inventorySummaries.map(json.object) : [];
}

export const fbaInventoryApi: JsonDefinition = {
  kind: 'json',
  type: 'SPAPI_FBA_INVENTORY_SUMMARIES_V1',
  label: 'FBA Inventory API v1 summaries',
  source: DataSourceKind.SP_API,
  targets: [SNAPSHOT],
  matches: (doc) => Array.isArray(json.object(json.object(doc).payload).inventorySummaries),
  records: (doc) => summaries(doc).map((record, i) => ({ line: i + 1, record })),
  scope: (doc) => {
    const granularity = json.object(json.object(json.object(doc).payload).granularity);
    return granularity.granularityType === 'Marketplace' ? { marketplaceId: json.text(granularity.granularityId) ?? undefined } : {};
  },
  map(s, ctx) {
    const mp = ctx.marketplaceFor();
    const d = json.object(s.inventoryDetails);
    const q = (path: string, value: unknown) => json.integer(path, value) ?? 0;
    const working = q('inboundWorkingQuantity', d.inboundWorkingQuantity);
    const shipped = q('inboundShippedQuantity', d.inboundShippedQuantity);
    const receiving = q('inboundReceivingQuantity', d.inboundReceivingQuantity);
    return [
      {
        target: 0,
        values: {
          sellerAccountId: ctx.sellerAccountId,
          marketplaceId: mp.marketplaceId,
          snapshotDate: ctx.asOfDate,
          sku: json.need('sellerSku', json.id('sellerSku', s.sellerSku)),
          fnsku: json.id('fnSku', s.fnSku),
          asin: json.id('asin', s.asin),
          condition: json.text(s.condition),
          fulfillable: q('fulfillableQuantity', d.fulfillableQuantity),
          inboundWorking: working,
          inboundShipped: shipped,
          inboundReceiving: receiving,
          inbound: working + shipped + receiving,
          reserved: q('reservedQuantity', json.object(d.reservedQuantity).totalReservedQuantity),
          unfulfillable: q('unfulfillableQuantity', json.object(d.unfulfillableQuantity).totalUnfulfillableQuantity),
          total: json.integer('totalQuantity', s.totalQuantity) ?? sum(working, shipped, receiving),
        },
      },
    ];
  },
};

export const restockReport: FlatDefinition = {
  kind: 'flat',
  type: 'GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT',
  label: 'Restock Inventory recommendations report',
  source: DataSourceKind.SELLER_CENTRAL_REPORT,
  targets: [{ entity: ReplenishmentRecommendation, key: ['sellerAccountId', 'marketplaceId', 'sku', 'recommendationDate'], noun: 'recommendation' }],
  fields: {
    country: ['国', 'Land'],
    'merchant-sku': ['出品者SKU', 'Händler-SKU'],
    asin: ['ASIN'],
    fnsku: ['FNSKU'],
    'recommended-replenishment-qty': [],
    'total-days-of-supply-(including-units-from-open-shipments)': [],
    alert: [],
    'recommended-ship-date': [],
    'recommended-action': [],
  },
  required: ['merchant-sku', 'recommended-replenishment-qty'],
  signature: ['merchant-sku', 'fnsku', 'recommended-replenishment-qty', 'recommended-ship-date', 'recommended-action', 'alert', 'country'],
  map(row, ctx) {
    const c = new Cells(row);
    const mp = ctx.marketplaceFor(c.text('country'));
    const shipDate = c.text('recommended-ship-date');
    return [
      {
        target: 0,
        values: {
          sellerAccountId: ctx.sellerAccountId,
          marketplaceId: mp.marketplaceId,
          recommendationDate: ctx.asOfDate,
          sku: c.need('merchant-sku', c.id('merchant-sku')),
          asin: c.id('asin'),
          fnsku: c.id('fnsku'),
          recommendedQuantity: c.integer('recommended-replenishment-qty') ?? 0,
          daysOfSupply: c.decimal('total-days-of-supply-(including-units-from-open-shipments)'),
          alert: c.text('alert'),
          // `none` when Amazon recommends no shipment.
          recommendedShipDate: shipDate && shipDate.toLowerCase() !== 'none' ? c.date('recommended-ship-date') : null,
          recommendedAction: c.text('recommended-action'),
        },
      },
    ];
  },
};

export const feePreviewReport: FlatDefinition = {
  kind: 'flat',
  type: 'GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA',
  label: 'FBA Fee Preview report',
  source: DataSourceKind.SELLER_CENTRAL_REPORT,
  targets: [{ entity: FeeEstimate, key: ['sellerAccountId', 'marketplaceId', 'sku', 'estimateDate'], noun: 'fee estimate' }],
  fields: {
    sku: [],
    asin: [],
    currency: [],
    'estimated-fee-total': [],
    'estimated-referral-fee-per-unit': [],
    'expected-fulfillment-fee-per-unit': ['expected-domestic-fulfilment-fee-per-unit', 'expected-domestic-fulfillment-fee-per-unit'],
  },
  required: ['sku', 'estimated-fee-total'],
  signature: ['sku', 'fnsku', 'product-group', 'your-price', 'estimated-fee-total', 'estimated-referral-fee-per-unit', 'longest-side', 'unit-of-weight'],
  map(row, ctx) {
    const mp = ctx.marketplaceFor();
    const c = new Cells(row, { decimalComma: mp.decimalComma });
    return [
      {
        target: 0,
        values: {
          sellerAccountId: ctx.sellerAccountId,
          marketplaceId: mp.marketplaceId,
          estimateDate: ctx.asOfDate,
          sku: c.need('sku', c.id('sku')),
          asin: c.id('asin'),
          estimatedFeeTotal: c.decimal('estimated-fee-total'),
          referralFee: c.decimal('estimated-referral-fee-per-unit'),
          fulfillmentFee: c.decimal('expected-fulfillment-fee-per-unit'),
          currency: c.text('currency') ?? mp.currencyCode,
        },
      },
    ];
  },
};
