// Settlement flat files: GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE (36 columns, one fee/price pair
// per kind of amount) and GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2 (amount-type /
// amount-description / amount). The first data row is the settlement summary; each following
// amount becomes one settlement line. Line numbers are `file line x 10 + position of the amount
// in the row`, so a row holding several amounts keeps one line each. Amounts may use a decimal
// comma (EU); V2 `posted-date` is ambiguous (MM/DD/YY or DD/MM/YY), so `posted-date-time` wins.
import { DataSourceKind } from '../../../entities/common/provenance';
import { Settlement } from '../../../entities/inventory-finance/settlement.entity';
import { SettlementLine } from '../../../entities/inventory-finance/settlement-line.entity';
import { Cells, RowError, type Emit, type FlatDefinition, type MapContext } from '../report';
import type { TableTarget } from '../table-writer';

const SETTLEMENT: TableTarget = { entity: Settlement, key: ['settlementId'], noun: 'settlement' };
const LINE: TableTarget = {
  entity: SettlementLine,
  key: ['settlementRowId', 'lineNumber'],
  noun: 'settlement line',
  parent: { property: 'settlementRowId', parent: Settlement, parentKey: 'settlementId', via: '_settlement', noun: 'settlement (summary row)' },
};

const COMMON_FIELDS = {
  'settlement-id': [],
  'settlement-start-date': [],
  'settlement-end-date': [],
  'deposit-date': [],
  'total-amount': [],
  currency: [],
  'transaction-type': [],
  'order-id': [],
  'marketplace-name': [],
  'posted-date': [],
  'posted-date-time': [],
  sku: [],
  'quantity-purchased': [],
};

// V1: amount columns with the column naming their kind.
const V1_PAIRS: [string, string | null, string][] = [
  ['price-amount', 'price-type', 'ItemPrice'],
  ['item-related-fee-amount', 'item-related-fee-type', 'ItemFees'],
  ['shipment-fee-amount', 'shipment-fee-type', 'ShipmentFees'],
  ['order-fee-amount', 'order-fee-type', 'OrderFees'],
  ['promotion-amount', 'promotion-type', 'Promotion'],
  ['direct-payment-amount', 'direct-payment-type', 'DirectPayment'],
  ['misc-fee-amount', null, 'MiscFee'],
  ['other-fee-amount', 'other-fee-reason-description', 'OtherFee'],
  ['other-amount', null, 'Other'],
];

function summary(c: Cells, ctx: MapContext, settlementId: string, marketplaceId: string): Emit | null {
  const start = c.timestamp('settlement-start-date');
  if (!start) return null;
  return {
    target: 0,
    values: {
      settlementId,
      startDate: start,
      endDate: c.need('settlement-end-date', c.timestamp('settlement-end-date')),
      depositDate: c.timestamp('deposit-date'),
      totalAmount: c.need('total-amount', c.decimal('total-amount')),
      currency: c.need('currency', c.text('currency')),
      sellerAccountId: ctx.sellerAccountId,
      marketplaceId,
    },
  };
}

function settlementReport(type: string, label: string, v2: boolean): FlatDefinition {
  const fields: Record<string, string[]> = { ...COMMON_FIELDS };
  if (v2) Object.assign(fields, { 'amount-type': [], 'amount-description': [], amount: [] });
  else for (const [amount, kind] of V1_PAIRS) Object.assign(fields, { [amount]: [], ...(kind ? { [kind]: [] } : {}) });
  return {
    kind: 'flat',
    type,
    label,
    source: DataSourceKind.SELLER_CENTRAL_REPORT,
    targets: [SETTLEMENT, LINE],
    fields,
    required: ['settlement-id', 'settlement-start-date', 'total-amount', ...(v2 ? ['amount-type', 'amount'] : ['price-amount'])],
    signature: v2
      ? ['settlement-id', 'settlement-start-date', 'deposit-date', 'total-amount', 'amount-type', 'amount-description', 'amount', 'posted-date-time']
      : ['settlement-id', 'settlement-start-date', 'deposit-date', 'total-amount', 'price-type', 'price-amount', 'item-related-fee-type', 'shipment-fee-type'],
    map(row, ctx) {
      const fallback = ctx.marketplaceFor();
      const c = new Cells(row, { decimalComma: fallback.decimalComma, dateOrder: fallback.dateOrder });
      const settlementId = c.need('settlement-id', c.id('settlement-id'));
      const mp = c.text('marketplace-name') ? ctx.marketplaceFor(c.text('marketplace-name')) : fallback;
      const head = summary(c, ctx, settlementId, mp.marketplaceId);
      if (head) return [head];
      const posted = c.timestamp('posted-date-time') ?? c.timestamp('posted-date');
      const base = {
        _settlement: settlementId,
        transactionType: c.text('transaction-type') ?? 'Other',
        orderId: c.id('order-id'),
        sku: c.id('sku'),
        postedDate: posted,
        quantity: c.integer('quantity-purchased'),
      };
      const emits: Emit[] = [];
      const add = (amount: string, amountType: string, amountDescription: string) =>
        emits.push({ target: 1, values: { ...base, lineNumber: row.line * 10 + emits.length, amountType, amountDescription, amount } });
      if (v2) {
        const amount = c.decimal('amount');
        if (amount !== null && amount !== undefined) {
          add(amount, c.need('amount-type', c.text('amount-type')), c.text('amount-description') ?? c.need('amount-type', c.text('amount-type')));
        }
      } else {
        for (const [amountColumn, kindColumn, amountType] of V1_PAIRS) {
          const amount = c.decimal(amountColumn);
          if (amount === null || amount === undefined) continue;
          add(amount, amountType, (kindColumn ? c.text(kindColumn) : null) ?? amountType);
        }
      }
      if (emits.length > 10) throw new RowError('more than ten amounts in one row');
      // A row without an amount (e.g. the quantity row of an order) carries nothing to store.
      if (emits.length === 0) ctx.skip('rows without an amount');
      return emits;
    },
  };
}

export const settlementV1Report = settlementReport('GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE', 'Settlement report (flat file)', false);
export const settlementV2Report = settlementReport('GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2', 'Settlement report (flat file V2)', true);
