// Demo stock (daily snapshots for the last two weeks), restock recommendations, fee previews,
// refunds for the demo returns and fortnightly settlements whose lines reference demo orders.
import type { EntityManager } from 'typeorm';
import { DataSourceKind } from '../../../entities/common/provenance';
import {
  FeeEstimate,
  InventorySnapshot,
  Refund,
  ReplenishmentRecommendation,
  Settlement,
  SettlementLine,
} from '../../../entities/inventory-finance';
import type { DemoCatalog } from './demo-catalog';
import type { DemoRandom } from './demo-random';
import { cents, insertRows, money } from './orders.seed';

const DAY_MS = 86_400_000;
const SNAPSHOT_DAYS = 14;
const SETTLEMENT_DAYS = 14;
const SETTLEMENT_PERIODS = 3;

const day = (time: number): string => new Date(time).toISOString().slice(0, 10);

interface SoldLine {
  amazonOrderId: string;
  sellerAccountId: string;
  marketplaceId: string;
  currency: string;
  channel: string;
  sku: string;
  quantity: number;
  itemPrice: string;
  itemTax: string;
  shippingPrice: string;
  promotionDiscount: string;
  shipDate: Date;
}

interface ReturnedLine {
  amazonOrderId: string;
  sellerAccountId: string;
  marketplaceId: string;
  currency: string;
  sku: string;
  quantity: number;
  itemQuantity: number;
  itemPrice: string;
  returnDate: Date;
}

function seedStock(rng: DemoRandom, catalog: DemoCatalog) {
  const today = catalog.today.getTime();
  const snapshots: Partial<InventorySnapshot>[] = [];
  const recommendations: Partial<ReplenishmentRecommendation>[] = [];
  const fees: Partial<FeeEstimate>[] = [];
  for (const listing of catalog.listings) {
    const fnsku = `X00${rng.code(7)}`;
    const dailySales = rng.int(0, 8);
    let fulfillable = rng.int(0, 400);
    for (let d = SNAPSHOT_DAYS; d >= 1; d -= 1) {
      fulfillable = Math.max(0, fulfillable - rng.int(0, dailySales * 2));
      const receiving = rng.chance(0.1) ? rng.int(20, 120) : 0;
      fulfillable += Math.floor(receiving / 2);
      const inboundWorking = rng.chance(0.2) ? rng.int(0, 60) : 0;
      const inboundShipped = rng.chance(0.2) ? rng.int(0, 80) : 0;
      const reserved = rng.int(0, 10);
      const unfulfillable = rng.chance(0.15) ? rng.int(1, 4) : 0;
      const inbound = inboundWorking + inboundShipped + receiving;
      snapshots.push({
        snapshotDate: day(today - d * DAY_MS),
        sku: listing.sku,
        fnsku,
        asin: listing.asin,
        condition: 'NewItem',
        fulfillable,
        inboundWorking,
        inboundShipped,
        inboundReceiving: receiving,
        inbound,
        reserved,
        unfulfillable,
        total: fulfillable + inbound + reserved + unfulfillable,
        sellerAccountId: listing.sellerAccountId,
        marketplaceId: listing.marketplaceId,
        source: DataSourceKind.DEMO,
      });
    }
    const supply = dailySales === 0 ? null : fulfillable / dailySales;
    const recommended = supply !== null && supply < 30 ? Math.ceil((45 - supply) * dailySales) : 0;
    recommendations.push({
      recommendationDate: day(today - DAY_MS),
      sku: listing.sku,
      asin: listing.asin,
      fnsku,
      recommendedQuantity: recommended,
      daysOfSupply: supply === null ? null : supply.toFixed(1),
      alert: fulfillable === 0 ? 'out_of_stock' : recommended > 0 ? 'reorder_now' : null,
      recommendedShipDate: recommended > 0 ? day(today + rng.int(0, 7) * DAY_MS) : null,
      recommendedAction: recommended > 0 ? 'Create shipping plan' : 'No action required',
      sellerAccountId: listing.sellerAccountId,
      marketplaceId: listing.marketplaceId,
      source: DataSourceKind.DEMO,
    });
    const referral = Math.round(cents(listing.price) * 0.15);
    const fulfillment = Math.round(cents(listing.price) * (0.1 + rng.next() * 0.15));
    fees.push({
      estimateDate: day(today - DAY_MS),
      sku: listing.sku,
      asin: listing.asin,
      estimatedFeeTotal: money(referral + fulfillment),
      referralFee: money(referral),
      fulfillmentFee: money(fulfillment),
      currency: listing.currency,
      sellerAccountId: listing.sellerAccountId,
      marketplaceId: listing.marketplaceId,
      source: DataSourceKind.DEMO,
    });
  }
  return { snapshots, recommendations, fees };
}

/** Demo data of the inventory-finance category, referring to the demo catalog and demo orders. */
export async function seedInventoryFinanceDemo(manager: EntityManager, rng: DemoRandom, catalog: DemoCatalog): Promise<void> {
  if (catalog.listings.length === 0) return;
  const today = catalog.today.getTime();
  const stock = seedStock(rng, catalog);
  await insertRows(manager, InventorySnapshot, stock.snapshots);
  await insertRows(manager, ReplenishmentRecommendation, stock.recommendations);
  await insertRows(manager, FeeEstimate, stock.fees);

  const returned: ReturnedLine[] = await manager.query(
    `SELECT r.amazon_order_id AS "amazonOrderId", r.seller_account_id AS "sellerAccountId", r.marketplace_id AS "marketplaceId",
            o.currency, r.sku, r.quantity, i.quantity AS "itemQuantity", i.item_price AS "itemPrice", r.return_date AS "returnDate"
       FROM order_return r
       JOIN amazon_order o ON o.amazon_order_id = r.amazon_order_id
       JOIN order_item i ON i.order_id = o.id AND i.sku = r.sku
      WHERE i.item_price IS NOT NULL
      ORDER BY r.id`,
  );
  const refunds: Partial<Refund>[] = [];
  for (const line of returned) {
    const postedDate = new Date(new Date(line.returnDate).getTime() + rng.int(1, 48) * 3_600_000);
    if (postedDate.getTime() >= today) continue;
    refunds.push({
      orderId: line.amazonOrderId,
      sku: line.sku,
      postedDate,
      amount: money(-Math.round((cents(line.itemPrice) * line.quantity) / line.itemQuantity)),
      currency: line.currency,
      refundType: 'CUSTOMER_RETURN',
      sellerAccountId: line.sellerAccountId,
      marketplaceId: line.marketplaceId,
      source: DataSourceKind.DEMO,
    });
  }
  await insertRows(manager, Refund, refunds);

  const sold: SoldLine[] = await manager.query(
    `SELECT o.amazon_order_id AS "amazonOrderId", o.seller_account_id AS "sellerAccountId", o.marketplace_id AS "marketplaceId",
            o.currency, o.fulfillment_channel AS channel, i.sku, i.quantity, i.item_price AS "itemPrice", i.item_tax AS "itemTax",
            i.shipping_price AS "shippingPrice", i.promotion_discount AS "promotionDiscount", s.ship_date AS "shipDate"
       FROM amazon_order o
       JOIN order_item i ON i.order_id = o.id
       JOIN shipment s ON s.order_id = o.id AND s.sku = i.sku
      WHERE o.purchase_date >= $1 AND i.item_price IS NOT NULL
      ORDER BY s.ship_date, i.id`,
    [new Date(today - (SETTLEMENT_PERIODS * SETTLEMENT_DAYS + 3) * DAY_MS)],
  );
  await seedSettlements(manager, rng, catalog, sold, refunds);
}

async function seedSettlements(manager: EntityManager, rng: DemoRandom, catalog: DemoCatalog, sold: SoldLine[], refunds: Partial<Refund>[]): Promise<void> {
  const today = catalog.today.getTime();
  const shops = new Map<string, { sellerAccountId: string; marketplaceId: string; currency: string }>();
  for (const listing of catalog.listings) shops.set(`${listing.sellerAccountId}|${listing.marketplaceId}`, listing);
  const settlementIds = new Set<string>();
  const settlements: Partial<Settlement>[] = [];
  const linesBySettlement = new Map<string, Partial<SettlementLine>[]>();

  for (const shop of shops.values()) {
    for (let period = SETTLEMENT_PERIODS; period >= 1; period -= 1) {
      const end = today - DAY_MS - (period - 1) * SETTLEMENT_DAYS * DAY_MS;
      const start = end - SETTLEMENT_DAYS * DAY_MS;
      let settlementId = '';
      do settlementId = `1${rng.code(10, '0123456789')}`;
      while (settlementIds.has(settlementId));
      settlementIds.add(settlementId);
      const inPeriod = (time: number) => time >= start && time < end;
      const mine = (row: { sellerAccountId?: string; marketplaceId?: string }) =>
        row.sellerAccountId === shop.sellerAccountId && row.marketplaceId === shop.marketplaceId;
      const lines: Partial<SettlementLine>[] = [];
      const add = (line: Omit<Partial<SettlementLine>, 'lineNumber' | 'source'>) =>
        lines.push({ ...line, lineNumber: lines.length + 1, source: DataSourceKind.DEMO });

      for (const row of sold.filter((s) => mine(s) && inPeriod(new Date(s.shipDate).getTime()))) {
        const base = { transactionType: 'Order', orderId: row.amazonOrderId, sku: row.sku, postedDate: new Date(row.shipDate), quantity: row.quantity };
        add({ ...base, amountType: 'ItemPrice', amountDescription: 'Principal', amount: row.itemPrice });
        if (cents(row.itemTax) > 0) add({ ...base, amountType: 'ItemPrice', amountDescription: 'Tax', amount: row.itemTax });
        if (cents(row.shippingPrice) > 0) add({ ...base, amountType: 'ItemPrice', amountDescription: 'Shipping', amount: row.shippingPrice });
        if (cents(row.promotionDiscount) > 0) add({ ...base, amountType: 'Promotion', amountDescription: 'Principal', amount: money(-cents(row.promotionDiscount)) });
        add({ ...base, amountType: 'ItemFees', amountDescription: 'Commission', amount: money(-Math.round(cents(row.itemPrice) * 0.15)) });
        if (row.channel === 'AFN') {
          add({ ...base, amountType: 'ItemFees', amountDescription: 'FBAPerUnitFulfillmentFee', amount: money(-Math.round(cents(row.itemPrice) * 0.12)) });
        }
      }
      for (const refund of refunds.filter((r) => mine(r) && inPeriod(r.postedDate!.getTime()))) {
        const base = { transactionType: 'Refund', orderId: refund.orderId!, sku: refund.sku!, postedDate: refund.postedDate!, quantity: 1 };
        add({ ...base, amountType: 'ItemPrice', amountDescription: 'Principal', amount: refund.amount! });
        add({ ...base, amountType: 'ItemFees', amountDescription: 'RefundCommission', amount: money(Math.round(-cents(refund.amount!) * 0.12)) });
      }
      add({
        transactionType: 'Subscription Fee',
        orderId: null,
        sku: null,
        postedDate: new Date(start + DAY_MS),
        quantity: null,
        amountType: 'other-transaction',
        amountDescription: 'Subscription Fee',
        amount: shop.currency === 'JPY' ? '-4900.00' : '-39.99',
      });

      const total = lines.reduce((sum, line) => sum + cents(line.amount!), 0);
      const deposit = end + 2 * DAY_MS;
      settlements.push({
        settlementId,
        startDate: new Date(start),
        endDate: new Date(end),
        depositDate: deposit < today ? new Date(deposit) : null,
        totalAmount: money(total),
        currency: shop.currency,
        sellerAccountId: shop.sellerAccountId,
        marketplaceId: shop.marketplaceId,
        source: DataSourceKind.DEMO,
      });
      linesBySettlement.set(settlementId, lines);
    }
  }

  await insertRows(manager, Settlement, settlements);
  const ids: { id: string; settlement_id: string }[] = await manager.query(`SELECT id, settlement_id FROM settlement WHERE settlement_id = ANY($1)`, [[...settlementIds]]);
  const lines = ids.flatMap(({ id, settlement_id }) => linesBySettlement.get(settlement_id)!.map((line) => ({ ...line, settlementRowId: String(id) })));
  await insertRows(manager, SettlementLine, lines);
}
