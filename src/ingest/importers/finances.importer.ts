// Finances API: v0 financial event groups (settlement periods) and refund events, and the
// 2024-06-19 transactions (refunds). Event kinds without a table here (ads payments, service
// fees, rentals...) are counted and reported as skipped, never half-stored.
import { DataSourceKind } from '../../../entities/common/provenance';
import { Refund } from '../../../entities/inventory-finance/refund.entity';
import { Settlement } from '../../../entities/inventory-finance/settlement.entity';
import { RowError, json, type Emit, type JsonDefinition, type MapContext } from '../report';
import type { TableTarget } from '../table-writer';

const SETTLEMENT: TableTarget = { entity: Settlement, key: ['settlementId'], noun: 'settlement' };
const REFUND: TableTarget = { entity: Refund, key: ['sellerAccountId', 'marketplaceId', 'orderId', 'sku', 'postedDate', 'refundType'], noun: 'refund' };

const money = (path: string, value: unknown) => {
  const o = json.object(value);
  return { amount: json.decimal(`${path}.CurrencyAmount`, o.CurrencyAmount ?? o.currencyAmount), currency: json.text(o.CurrencyCode ?? o.currencyCode) };
};

function groupRecord(g: Record<string, unknown>, ctx: MapContext): Emit[] {
  const mp = ctx.marketplaceFor();
  const total = money('OriginalTotal', g.OriginalTotal);
  return [
    {
      target: 0,
      values: {
        settlementId: json.need('FinancialEventGroupId', json.id('FinancialEventGroupId', g.FinancialEventGroupId)),
        startDate: json.need('FinancialEventGroupStart', json.timestamp('FinancialEventGroupStart', g.FinancialEventGroupStart)),
        endDate: json.need('FinancialEventGroupEnd', json.timestamp('FinancialEventGroupEnd', g.FinancialEventGroupEnd)),
        depositDate: json.timestamp('FundTransferDate', g.FundTransferDate),
        totalAmount: json.need('OriginalTotal', total.amount),
        currency: total.currency ?? mp.currencyCode,
        sellerAccountId: ctx.sellerAccountId,
        marketplaceId: mp.marketplaceId,
      },
    },
  ];
}

// One refund per order, SKU, posting and charge type (item charges summed by type).
function refundEvent(e: Record<string, unknown>, ctx: MapContext): Emit[] {
  const mp = ctx.marketplaceFor(json.text(e.MarketplaceName));
  const orderId = json.need('AmazonOrderId', json.id('AmazonOrderId', e.AmazonOrderId));
  const postedDate = json.need('PostedDate', json.timestamp('PostedDate', e.PostedDate));
  const out = new Map<string, { amount: number; currency: string | null; sku: string; type: string }>();
  for (const raw of json.array(e.ShipmentItemAdjustmentList ?? e.ShipmentItemList)) {
    const item = json.object(raw);
    const sku = json.need('SellerSKU', json.id('SellerSKU', item.SellerSKU));
    for (const rawCharge of json.array(item.ItemChargeAdjustmentList ?? item.ItemChargeList)) {
      const charge = json.object(rawCharge);
      const type = json.text(charge.ChargeType) ?? 'Charge';
      const value = money('ChargeAmount', charge.ChargeAmount);
      const key = `${sku}\u0000${type}`;
      const entry = out.get(key) ?? { amount: 0, currency: value.currency, sku, type };
      entry.amount += Math.round(Number(value.amount ?? 0) * 100);
      out.set(key, entry);
    }
  }
  return [...out.values()].map((r) => ({
    target: 1,
    values: {
      sellerAccountId: ctx.sellerAccountId,
      marketplaceId: mp.marketplaceId,
      orderId,
      sku: r.sku,
      postedDate,
      amount: (r.amount / 100).toFixed(2),
      currency: r.currency ?? mp.currencyCode,
      refundType: r.type,
    },
  }));
}

function transactionRefund(t: Record<string, unknown>, ctx: MapContext): Emit[] {
  const meta = json.object(t.sellingPartnerMetadata);
  const mp = ctx.marketplaceFor(json.text(meta.marketplaceId));
  const related = json.array(t.relatedIdentifiers).map(json.object);
  const orderId = related.find((r) => r.relatedIdentifierName === 'ORDER_ID')?.relatedIdentifierValue;
  const items = json.array(t.items).map(json.object);
  const sku = items.map((i) => json.array(i.contexts).map(json.object).find((c) => c.sku)?.sku).find(Boolean);
  if (!sku) throw new RowError('items.contexts.sku is missing');
  const total = money('totalAmount', t.totalAmount);
  return [
    {
      target: 1,
      values: {
        sellerAccountId: ctx.sellerAccountId,
        marketplaceId: mp.marketplaceId,
        orderId: json.need('relatedIdentifiers.ORDER_ID', json.id('relatedIdentifiers.ORDER_ID', orderId)),
        sku: json.id('sku', sku),
        postedDate: json.need('postedDate', json.timestamp('postedDate', t.postedDate)),
        amount: json.need('totalAmount', total.amount),
        currency: total.currency ?? mp.currencyCode,
        refundType: json.text(t.description) ?? 'Refund',
      },
    },
  ];
}

type FinanceRecord = { kind: 'group' | 'refund' | 'transaction' | 'skip'; data: Record<string, unknown>; label: string };

function financeRecords(doc: unknown): FinanceRecord[] {
  const o = json.object(doc);
  if (o.stream === 'ListFinancialEventGroups') return [{ kind: 'group', data: json.object(o.data), label: 'FinancialEventGroup' }];
  const payload = o.stream === 'ListFinancialEvents' ? { FinancialEvents: o.data } : json.object(o.payload);
  const out: FinanceRecord[] = [];
  for (const g of json.array(payload.FinancialEventGroupList)) out.push({ kind: 'group', data: json.object(g), label: 'FinancialEventGroupList' });
  for (const [list, events] of Object.entries(json.object(payload.FinancialEvents))) {
    for (const e of json.array(events)) out.push({ kind: list === 'RefundEventList' ? 'refund' : 'skip', data: json.object(e), label: list });
  }
  for (const t of json.array(payload.transactions)) {
    const data = json.object(t);
    out.push({ kind: data.transactionType === 'Refund' ? 'transaction' : 'skip', data, label: `transactions (${String(data.transactionType ?? 'unknown')})` });
  }
  return out;
}

export const financesApi: JsonDefinition = {
  kind: 'json',
  type: 'SPAPI_FINANCES',
  label: 'Finances API response (event groups, refund events, transactions)',
  source: DataSourceKind.SP_API,
  targets: [SETTLEMENT, REFUND],
  matches: (doc) => {
    const o = json.object(doc);
    if (o.stream === 'ListFinancialEvents' || o.stream === 'ListFinancialEventGroups') return true;
    const payload = json.object(o.payload);
    return 'FinancialEvents' in payload || 'FinancialEventGroupList' in payload || Array.isArray(payload.transactions);
  },
  records: (doc) => financeRecords(doc).map((record, i) => ({ line: i + 1, record })),
  scope: (doc) => {
    const first = json.array(json.object(json.object(doc).payload).transactions).map(json.object)[0];
    const meta = json.object(first?.sellingPartnerMetadata);
    return { sellerAccountId: json.text(meta.sellingPartnerId) ?? undefined };
  },
  map(record, ctx) {
    const data = json.object(record.data);
    switch (record.kind) {
      case 'group':
        return groupRecord(data, ctx);
      case 'refund':
        return refundEvent(data, ctx);
      case 'transaction':
        return transactionRefund(data, ctx);
      default:
        ctx.skip(`${String(record.label)} (not stored)`);
        return [];
    }
  },
};
