// Demo orders over the 90 days before the demo's today: items, shipments and some returns, all
// referring to the demo catalog's active listings. Postal codes and comments are made up.
import type { EntityManager, ObjectLiteral } from 'typeorm';
import { DataSourceKind } from '../../../entities/common/provenance';
import { FulfillmentChannel, Order, OrderItem, OrderReturn, OrderStatus, ReturnSourceKind, Shipment } from '../../../entities/orders';
import type { DemoCatalog, DemoListing } from './demo-catalog';
import type { DemoRandom } from './demo-random';

export const DEMO_ORDER_COUNT = 3000;
const DAY_MS = 86_400_000;
const HISTORY_DAYS = 90;

/**
 * Inserts rows with one `INSERT ... SELECT FROM unnest($1::type[], ...)` per chunk: a fixed number
 * of parameters whatever the chunk size, fast on the embedded database. Generated columns are
 * left out; columns come from the entity metadata.
 */
export async function insertRows<T extends ObjectLiteral>(manager: EntityManager, entity: new () => T, rows: Partial<T>[], chunkSize = 2000): Promise<void> {
  if (rows.length === 0) return;
  const metadata = manager.connection.getMetadata(entity);
  const columns = metadata.columns.filter((column) => !column.isGenerated && rows[0][column.propertyName as keyof T] !== undefined);
  const names = columns.map((column) => `"${column.databaseName}"`).join(', ');
  // char(n) columns travel as text: a cast to `character[]` would cut values to one character.
  const typeOf = (type: string) => (type.startsWith('character') ? 'text' : type);
  const casts = columns.map((column, i) => `$${i + 1}::${typeOf(manager.connection.driver.normalizeType(column))}[]`).join(', ');
  const sql = `INSERT INTO "${metadata.tableName}" (${names}) SELECT * FROM unnest(${casts})`;
  for (let start = 0; start < rows.length; start += chunkSize) {
    const chunk = rows.slice(start, start + chunkSize);
    await manager.query(sql, columns.map((column) => chunk.map((row) => row[column.propertyName as keyof T] ?? null)));
  }
}

/** Exact money arithmetic on cents. */
export const cents = (amount: string): number => Math.round(Number(amount) * 100);
export const money = (value: number): string => (value / 100).toFixed(2);

interface Market {
  tax: number;
  states: string[];
  postal: (rng: DemoRandom) => string;
  carriers: string[];
  centers: string[];
}

const MARKETS: Record<string, Market> = {
  US: { tax: 0.08, states: ['CA', 'TX', 'NY', 'FL', 'WA', 'IL', 'GA', 'OH'], postal: (r) => r.code(5, '0123456789'), carriers: ['AMZN_US', 'UPS', 'USPS'], centers: ['LEX1', 'PHX6', 'ONT8', 'BFI4', 'MDW2'] },
  CA: { tax: 0.13, states: ['ON', 'BC', 'QC', 'AB'], postal: (r) => `${r.code(1, 'KLMNV')}${r.code(1, '0123456789')}${r.code(1, 'ABCEG')} ${r.code(1, '0123456789')}${r.code(1, 'ABCEG')}${r.code(1, '0123456789')}`, carriers: ['AMZN_CA', 'Canada Post'], centers: ['YYZ4', 'YVR2'] },
  GB: { tax: 0, states: ['London', 'Greater Manchester', 'West Midlands', 'Kent'], postal: (r) => `${r.code(2, 'ENSWMB')}${r.int(1, 20)} ${r.int(1, 9)}${r.code(2, 'ABDEFGHJ')}`, carriers: ['AMZN_UK', 'Royal Mail'], centers: ['LTN4', 'BHX4'] },
  DE: { tax: 0, states: ['Bayern', 'Berlin', 'Hessen', 'Nordrhein-Westfalen'], postal: (r) => r.code(5, '0123456789'), carriers: ['AMZN_DE', 'DHL'], centers: ['FRA7', 'MUC3', 'LEJ1'] },
  JP: { tax: 0, states: ['東京都', '大阪府', '神奈川県', '埼玉県'], postal: (r) => `${r.code(3, '0123456789')}-${r.code(4, '0123456789')}`, carriers: ['YAMATO', 'SAGAWA'], centers: ['HND3', 'FSZ1', 'KIX2'] },
};
const COUNTRY_OF: Record<string, string> = {
  ATVPDKIKX0DER: 'US',
  A2EUQ1WTGCTBG2: 'CA',
  A1F83G8C2ARO7P: 'GB',
  A1PA6795UKMFR9: 'DE',
  A1VC38T7YXB528: 'JP',
};
const SALES_CHANNEL: Record<string, string> = { US: 'Amazon.com', CA: 'Amazon.ca', GB: 'Amazon.co.uk', DE: 'Amazon.de', JP: 'Amazon.co.jp' };

const FBA_REASONS = ['NOT_COMPATIBLE', 'DEFECTIVE', 'UNWANTED_ITEM', 'NOT_AS_DESCRIBED', 'ORDERED_WRONG_ITEM', 'DAMAGED_BY_CARRIER'];
const FBA_DISPOSITIONS = ['SELLABLE', 'CUSTOMER_DAMAGED', 'DEFECTIVE', 'CARRIER_DAMAGED'];
const FBA_STATUSES = ['Unit returned to inventory', 'Reimbursed', 'IMMEDIATE_DONATION'];
const MFN_REASONS = ['AMZ-PG-BAD-DESC', 'AMZ-PG-APP-TOO-SMALL', 'CR-UNWANTED_ITEM', 'CR-DEFECTIVE'];
// Made-up buyer comments; one holds a fictional 555-01xx phone number, as real comments may.
const COMMENTS = [
  'Did not fit my device.',
  'Arrived with a cracked corner.',
  'Color was different from the pictures.',
  'Ordered two by mistake.',
  'Stopped working after a week.',
  'Please call me about the refund at 555-0147.',
  'Smaller than expected.',
];

function marketOf(marketplaceId: string): { country: string; market: Market } {
  const country = COUNTRY_OF[marketplaceId] ?? 'US';
  return { country, market: MARKETS[country] };
}

function orderStatus(rng: DemoRandom, ageDays: number): OrderStatus {
  if (rng.chance(0.04)) return OrderStatus.CANCELED;
  if (ageDays < 0.5) return rng.chance(0.5) ? OrderStatus.PENDING : OrderStatus.UNSHIPPED;
  if (ageDays < 2) return rng.pick([OrderStatus.UNSHIPPED, OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.SHIPPED]);
  return OrderStatus.SHIPPED;
}

function trackingNumber(rng: DemoRandom, carrier: string): string {
  if (carrier.startsWith('AMZN')) return `TBA${rng.code(12, '0123456789')}`;
  if (carrier === 'UPS') return `1Z${rng.code(16)}`;
  return rng.code(rng.pick([12, 20, 22]), '0123456789');
}

/** Demo data of the orders category, referring to the demo catalog. */
export async function seedOrdersDemo(manager: EntityManager, rng: DemoRandom, catalog: DemoCatalog): Promise<void> {
  if (catalog.listings.length === 0) return;
  const today = catalog.today.getTime();
  const byShop = new Map<string, DemoListing[]>();
  for (const listing of catalog.listings) {
    const key = `${listing.sellerAccountId}|${listing.marketplaceId}`;
    byShop.set(key, [...(byShop.get(key) ?? []), listing]);
  }

  const orderIds = new Set<string>();
  const orders: Partial<Order>[] = [];
  const pendingItems: { amazonOrderId: string; item: Partial<OrderItem> }[] = [];
  const shipments: (Partial<Shipment> & { amazonOrderId: string })[] = [];
  const returns: Partial<OrderReturn>[] = [];

  for (let n = 0; n < DEMO_ORDER_COUNT; n += 1) {
    const anchor = rng.pick(catalog.listings);
    const shop = byShop.get(`${anchor.sellerAccountId}|${anchor.marketplaceId}`)!;
    const { country, market } = marketOf(anchor.marketplaceId);
    const purchaseDate = new Date(today - Math.floor(rng.next() * HISTORY_DAYS * DAY_MS) - 60_000);
    const ageDays = (today - purchaseDate.getTime()) / DAY_MS;
    const status = orderStatus(rng, ageDays);
    const channel = rng.chance(0.75) ? FulfillmentChannel.AFN : FulfillmentChannel.MFN;
    let amazonOrderId = '';
    do amazonOrderId = `${rng.int(111, 114)}-${rng.code(7, '0123456789')}-${rng.code(7, '0123456789')}`;
    while (orderIds.has(amazonOrderId));
    orderIds.add(amazonOrderId);

    const lines = [anchor];
    for (const extra of [0.3, 0.1]) {
      const candidate = rng.pick(shop);
      if (rng.chance(extra) && !lines.includes(candidate)) lines.push(candidate);
    }
    const priced = status !== OrderStatus.PENDING;
    const shipAt = new Date(purchaseDate.getTime() + rng.int(2, 40) * 3_600_000);
    const shipped = (status === OrderStatus.SHIPPED || status === OrderStatus.PARTIALLY_SHIPPED) && shipAt.getTime() < today;
    const deliveredAt = status === OrderStatus.SHIPPED && shipped ? new Date(shipAt.getTime() + rng.int(20, 120) * 3_600_000) : null;
    const delivered = deliveredAt !== null && deliveredAt.getTime() < today ? deliveredAt : null;
    const carrier = rng.pick(market.carriers);
    const center = channel === FulfillmentChannel.AFN ? rng.pick(market.centers) : null;
    const shipmentId = `D${rng.code(8, 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz0123456789')}`;
    const tracking = trackingNumber(rng, carrier);

    let total = 0;
    lines.forEach((listing, index) => {
      const quantity = rng.chance(0.8) ? 1 : rng.int(2, 3);
      const price = cents(listing.price) * quantity;
      const tax = Math.round(price * market.tax);
      const shipping = channel === FulfillmentChannel.MFN && rng.chance(0.4) ? cents(listing.currency === 'JPY' ? '500.00' : '4.99') : 0;
      const promotion = rng.chance(0.1) ? Math.round(price * 0.1) : 0;
      total += price + tax + shipping - promotion;
      const itemShipped = shipped && (status === OrderStatus.SHIPPED || index === 0);
      pendingItems.push({
        amazonOrderId,
        item: {
          orderItemId: rng.code(14, '0123456789'),
          sku: listing.sku,
          asin: listing.asin,
          productName: null,
          quantity,
          itemPrice: priced ? money(price) : null,
          itemTax: priced ? money(tax) : null,
          shippingPrice: priced ? money(shipping) : null,
          promotionDiscount: priced ? money(promotion) : null,
          itemStatus: itemShipped ? 'Shipped' : status === OrderStatus.CANCELED ? 'Cancelled' : 'Unshipped',
          source: DataSourceKind.DEMO,
        },
      });
      if (itemShipped) {
        shipments.push({
          shipmentId,
          shipmentItemId: `D${rng.code(8, 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz0123456789')}`,
          amazonOrderId,
          sku: listing.sku,
          quantityShipped: quantity,
          carrier,
          trackingNumber: tracking,
          shipDate: shipAt,
          estimatedArrival: new Date(shipAt.getTime() + 3 * DAY_MS),
          fulfillmentCenterId: center,
          sellerAccountId: listing.sellerAccountId,
          marketplaceId: listing.marketplaceId,
          source: DataSourceKind.DEMO,
        });
      }
      const returnDate = delivered ? new Date(delivered.getTime() + rng.int(2, 20) * DAY_MS + rng.int(0, 86_399) * 1000) : null;
      if (returnDate && returnDate.getTime() < today && rng.chance(0.06)) {
        const fba = channel === FulfillmentChannel.AFN;
        const lpn = fba ? `LPN${rng.code(9)}` : null;
        returns.push({
          sourceKind: fba ? ReturnSourceKind.FBA : ReturnSourceKind.MFN,
          returnKey: lpn ?? `D${rng.code(9)}RMA`,
          returnDate,
          amazonOrderId,
          sku: listing.sku,
          asin: listing.asin,
          fnsku: fba ? `X00${rng.code(7)}` : null,
          quantity: 1,
          reason: rng.pick(fba ? FBA_REASONS : MFN_REASONS),
          disposition: fba ? rng.pick(FBA_DISPOSITIONS) : 'StandardRefund',
          status: fba ? rng.pick(FBA_STATUSES) : 'Approved',
          fulfillmentCenterId: fba ? center : null,
          licensePlateNumber: lpn,
          customerComments: rng.chance(0.5) ? rng.pick(COMMENTS) : null,
          sellerAccountId: listing.sellerAccountId,
          marketplaceId: listing.marketplaceId,
          source: DataSourceKind.DEMO,
        });
      }
    });

    const lastUpdate = Math.min(today - 1000, (delivered ?? shipAt).getTime() + 3_600_000);
    orders.push({
      amazonOrderId,
      merchantOrderId: channel === FulfillmentChannel.MFN ? `M-${rng.code(8, '0123456789')}` : null,
      purchaseDate,
      lastUpdateDate: new Date(Math.max(purchaseDate.getTime(), lastUpdate)),
      status,
      fulfillmentChannel: channel,
      salesChannel: SALES_CHANNEL[country],
      orderChannel: null,
      shipServiceLevel: rng.pick(['Standard', 'Standard', 'Expedited', 'SecondDay']),
      sellerAccountId: anchor.sellerAccountId,
      marketplaceId: anchor.marketplaceId,
      orderTotal: priced ? money(total) : null,
      currency: anchor.currency,
      shipState: rng.pick(market.states),
      shipCountry: country,
      shipPostalCode: market.postal(rng),
      isBusinessOrder: rng.chance(0.08),
      deliveredAt: delivered,
      source: DataSourceKind.DEMO,
    });
  }

  await insertRows(manager, Order, orders);
  // Identity ids are generated by the database: read them back once to link the children.
  const ids = new Map<string, string>(
    (await manager.query(`SELECT id, amazon_order_id FROM amazon_order WHERE amazon_order_id = ANY($1)`, [[...orderIds]])).map(
      (row: { id: string; amazon_order_id: string }) => [row.amazon_order_id, String(row.id)],
    ),
  );
  await insertRows(manager, OrderItem, pendingItems.map(({ amazonOrderId, item }) => ({ ...item, orderId: ids.get(amazonOrderId)! })));
  await insertRows(manager, Shipment, shipments.map((shipment) => ({ ...shipment, orderId: ids.get(shipment.amazonOrderId)! })));
  await insertRows(manager, OrderReturn, returns);
}
