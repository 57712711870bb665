import type { EntityManager, ObjectLiteral } from 'typeorm';
import { Listing, ListingStatus, Marketplace, Product, SellerAccount } from '../../../entities/catalog';
import { DataSourceKind } from '../../../entities/common/provenance';
import { DEMO_TODAY, type DemoCatalog, type DemoListing } from './demo-catalog';
import type { DemoRandom } from './demo-random';

const DAY_MS = 86_400_000;

export const DEMO_MARKETPLACES: readonly Marketplace[] = [
  { marketplaceId: 'ATVPDKIKX0DER', countryCode: 'US', currencyCode: 'USD', salesChannel: 'Amazon.com' },
  { marketplaceId: 'A2EUQ1WTGCTBG2', countryCode: 'CA', currencyCode: 'CAD', salesChannel: 'Amazon.ca' },
  { marketplaceId: 'A1F83G8C2ARO7P', countryCode: 'GB', currencyCode: 'GBP', salesChannel: 'Amazon.co.uk' },
  { marketplaceId: 'A1PA6795UKMFR9', countryCode: 'DE', currencyCode: 'EUR', salesChannel: 'Amazon.de' },
  { marketplaceId: 'A1VC38T7YXB528', countryCode: 'JP', currencyCode: 'JPY', salesChannel: 'Amazon.co.jp' },
];

/** Demo accounts: how many of the demo products each lists, and in how many per marketplace. */
const DEMO_ACCOUNTS = [
  { sellerId: 'A1SGDEMOUS0001', name: 'Demo North America', products: 150, listings: { ATVPDKIKX0DER: 150, A2EUQ1WTGCTBG2: 80 } },
  { sellerId: 'A2SGDEMOEU0002', name: 'Demo Europe', products: 110, listings: { A1F83G8C2ARO7P: 100, A1PA6795UKMFR9: 90 } },
  { sellerId: 'A3SGDEMOJP0003', name: 'Demo Japan', products: 80, listings: { A1VC38T7YXB528: 80 } },
] as const;

const PRODUCT_COUNT = 300;
const BRANDS = ['Northwind', 'Aurora Home', 'Kestrel', 'Tidepool', 'Brightleaf', 'Copperline', 'Sundial', 'Fjordware', 'Pinecrest', 'Lumen & Co'];
const KINDS = [
  { category: 'KITCHEN', nouns: ['Chef Knife', 'Cutting Board', 'Pour-Over Kettle', 'Spice Grinder', 'Mixing Bowl Set', 'Silicone Spatula'] },
  { category: 'HOME', nouns: ['Throw Blanket', 'Desk Lamp', 'Storage Basket', 'Wall Clock', 'Scented Candle', 'Door Mat'] },
  { category: 'SPORTS', nouns: ['Yoga Mat', 'Water Bottle', 'Resistance Bands', 'Jump Rope', 'Gym Towel', 'Foam Roller'] },
  { category: 'ELECTRONICS', nouns: ['USB-C Cable', 'Wireless Charger', 'Power Bank', 'Phone Stand', 'Bluetooth Speaker', 'Laptop Sleeve'] },
  { category: 'PET_SUPPLIES', nouns: ['Dog Leash', 'Cat Scratcher', 'Pet Bowl', 'Chew Toy', 'Grooming Brush', 'Pet Bed'] },
];
const ADJECTIVES = ['Classic', 'Compact', 'Premium', 'Eco', 'Pro', 'Everyday', 'Travel', 'Deluxe'];
const VARIANTS = ['Black', 'White', 'Blue', 'Green', 'Grey', 'Large', 'Small', '2-Pack', '3-Pack', 'Oak'];

/** Price factor from a USD price, and decimals, per currency (JPY has none). */
const CURRENCY_FACTOR: Record<string, { factor: number; whole: boolean }> = {
  USD: { factor: 1, whole: false },
  CAD: { factor: 1.35, whole: false },
  GBP: { factor: 0.8, whole: false },
  EUR: { factor: 0.92, whole: false },
  JPY: { factor: 150, whole: true },
};

const FBA_CHANNEL: Record<string, string> = {
  ATVPDKIKX0DER: 'AMAZON_NA',
  A2EUQ1WTGCTBG2: 'AMAZON_NA',
  A1F83G8C2ARO7P: 'AMAZON_EU',
  A1PA6795UKMFR9: 'AMAZON_EU',
  A1VC38T7YXB528: 'AMAZON_FE',
};

/** Inserts rows in chunks (one statement each), without reading generated columns back. */
export async function insertInChunks<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: new () => T,
  rows: Partial<T>[],
  chunkSize = 1000,
): Promise<void> {
  for (let start = 0; start < rows.length; start += chunkSize) {
    await manager
      .createQueryBuilder()
      .insert()
      .into(entity)
      .values(rows.slice(start, start + chunkSize) as never)
      .updateEntity(false)
      .execute();
  }
}

/**
 * Inserts many rows with one `INSERT ... SELECT FROM unnest($1::type[], ...)` per chunk: a fixed
 * number of parameters whatever the chunk size, several times faster than a VALUES list on the
 * embedded database. Columns come from the entity metadata; omitted ones take their defaults.
 */
export async function insertByColumns<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: new () => T,
  rows: Partial<T>[],
  chunkSize = 10_000,
): Promise<void> {
  if (rows.length === 0) return;
  const metadata = manager.connection.getMetadata(entity);
  const columns = metadata.columns.filter((column) => rows[0][column.propertyName as keyof T] !== undefined);
  const names = columns.map((column) => `"${column.databaseName}"`).join(', ');
  const casts = columns.map((column, i) => `$${i + 1}::${manager.connection.driver.normalizeType(column)}[]`).join(', ');
  const sql = `INSERT INTO "${metadata.tableName}" (${names}) SELECT * FROM unnest(${casts})`;
  for (let start = 0; start < rows.length; start += chunkSize) {
    const chunk = rows.slice(start, start + chunkSize);
    await manager.query(sql, columns.map((column) => chunk.map((row) => row[column.propertyName as keyof T] ?? null)));
  }
}

/** Converts a USD demo price to another currency, as an exact decimal string. */
export function demoPrice(usd: number, currency: string): string {
  const { factor, whole } = CURRENCY_FACTOR[currency];
  const value = usd * factor;
  return whole ? `${Math.round(value / 10) * 10}.00` : (Math.round(value * 100) / 100).toFixed(2);
}

export function uniqueCode(seen: Set<string>, make: () => string): string {
  for (;;) {
    const code = make();
    if (!seen.has(code)) {
      seen.add(code);
      return code;
    }
  }
}

export function pickDistinct<T>(rng: DemoRandom, items: readonly T[], count: number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < count && pool.length > 0) out.push(pool.splice(Math.floor(rng.next() * pool.length), 1)[0]);
  return out;
}

/** Demo accounts, marketplaces, products and listings. */
export async function seedCatalogDemo(manager: EntityManager, rng: DemoRandom): Promise<DemoCatalog> {
  await manager.createQueryBuilder().insert().into(Marketplace).values([...DEMO_MARKETPLACES]).orIgnore().updateEntity(false).execute();
  for (const account of DEMO_ACCOUNTS) {
    await manager.getRepository(SellerAccount).save({
      sellerId: account.sellerId,
      name: account.name,
      authorized: true,
      marketplaces: DEMO_MARKETPLACES.filter((m) => m.marketplaceId in account.listings),
    });
  }

  const asins = new Set<string>();
  const products: (Partial<Product> & { usdPrice: number })[] = [];
  for (let i = 0; i < PRODUCT_COUNT; i += 1) {
    const kind = rng.pick(KINDS);
    const brand = rng.pick(BRANDS);
    const asin = uniqueCode(asins, () => `B0${rng.code(8)}`);
    const title = `${brand} ${rng.pick(ADJECTIVES)} ${rng.pick(kind.nouns)}, ${rng.pick(VARIANTS)}`;
    products.push({
      asin,
      title,
      brand,
      category: kind.category,
      imageUrl: `https://m.media-amazon.com/images/I/${asin}._SL500_.jpg`,
      attributes: { item_name: [{ value: title }], brand: [{ value: brand }], condition_type: [{ value: 'new_new' }] },
      source: DataSourceKind.DEMO,
      usdPrice: rng.int(599, 12_999) / 100,
    });
  }
  await insertInChunks(manager, Product, products.map(({ usdPrice: _price, ...product }) => product));

  const skus = new Set<string>();
  const listings: Partial<Listing>[] = [];
  const demoListings: DemoListing[] = [];
  const accounts: DemoCatalog['accounts'] = [];
  for (const account of DEMO_ACCOUNTS) {
    const marketplaceIds = Object.keys(account.listings);
    accounts.push({ sellerId: account.sellerId, marketplaceIds });
    const assortment = pickDistinct(rng, products, account.products).map((product) => ({
      product,
      sku: uniqueCode(skus, () => `SG-${rng.code(4)}-${rng.code(4)}`),
    }));
    for (const marketplaceId of marketplaceIds) {
      const count = (account.listings as Record<string, number>)[marketplaceId];
      const currency = DEMO_MARKETPLACES.find((m) => m.marketplaceId === marketplaceId)!.currencyCode;
      for (const { product, sku } of assortment.slice(0, count)) {
        const fba = rng.chance(0.6);
        const roll = rng.next();
        const status = roll < 0.85 ? ListingStatus.ACTIVE : roll < 0.97 ? ListingStatus.INACTIVE : ListingStatus.INCOMPLETE;
        const openDate = new Date(DEMO_TODAY.getTime() - rng.int(1, 3 * 365) * DAY_MS - rng.int(0, DAY_MS / 1000 - 1) * 1000);
        const price = demoPrice(product.usdPrice, currency);
        const listingId = `${String(openDate.getUTCMonth() + 1).padStart(2, '0')}${String(openDate.getUTCDate()).padStart(2, '0')}Z${rng.code(6)}`;
        listings.push({
          sellerAccountId: account.sellerId,
          marketplaceId,
          sellerSku: sku,
          asin: product.asin,
          listingId,
          itemName: product.title,
          price,
          currency,
          quantity: fba ? null : rng.int(0, 400),
          status,
          fulfillmentChannel: fba ? FBA_CHANNEL[marketplaceId] : 'DEFAULT',
          itemCondition: '11',
          openDate,
          source: DataSourceKind.DEMO,
        });
        if (status === ListingStatus.ACTIVE) {
          demoListings.push({ sellerAccountId: account.sellerId, marketplaceId, sku, asin: product.asin!, price, currency });
        }
      }
    }
  }
  await insertInChunks(manager, Listing, listings);
  return { accounts, listings: demoListings, today: DEMO_TODAY };
}
