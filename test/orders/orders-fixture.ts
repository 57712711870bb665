// A small demo catalog of its own (two accounts, three marketplaces) and the orders and
// inventory-finance demo data on top of it, so these tests do not depend on the catalog seed.
import type { DataSource } from 'typeorm';
import { Marketplace, SellerAccount } from '../../entities/catalog';
import { DEMO_TODAY, type DemoCatalog, type DemoListing } from '../../src/db/demo/demo-catalog';
import { DemoRandom } from '../../src/db/demo/demo-random';
import { seedInventoryFinanceDemo } from '../../src/db/demo/inventory-finance.seed';
import { seedOrdersDemo } from '../../src/db/demo/orders.seed';

export const US = 'ATVPDKIKX0DER';
export const CA = 'A2EUQ1WTGCTBG2';
export const DE = 'A1PA6795UKMFR9';
export const ACCOUNT_NA = 'A1TESTNA00001';
export const ACCOUNT_EU = 'A2TESTEU00002';

const MARKETPLACES: Marketplace[] = [
  { marketplaceId: US, countryCode: 'US', currencyCode: 'USD', salesChannel: 'Amazon.com' },
  { marketplaceId: CA, countryCode: 'CA', currencyCode: 'CAD', salesChannel: 'Amazon.ca' },
  { marketplaceId: DE, countryCode: 'DE', currencyCode: 'EUR', salesChannel: 'Amazon.de' },
];

export function testCatalog(rng: DemoRandom): DemoCatalog {
  const shops = [
    { sellerId: ACCOUNT_NA, marketplaceId: US, currency: 'USD', count: 12 },
    { sellerId: ACCOUNT_NA, marketplaceId: CA, currency: 'CAD', count: 6 },
    { sellerId: ACCOUNT_EU, marketplaceId: DE, currency: 'EUR', count: 8 },
  ];
  const listings: DemoListing[] = shops.flatMap((shop) =>
    Array.from({ length: shop.count }, (_, i) => ({
      sellerAccountId: shop.sellerId,
      marketplaceId: shop.marketplaceId,
      sku: `T-${shop.marketplaceId.slice(0, 3)}-${i}`,
      asin: `B0TEST${String(i).padStart(4, '0')}`,
      price: rng.money(8, 90),
      currency: shop.currency,
    })),
  );
  return {
    accounts: [
      { sellerId: ACCOUNT_NA, marketplaceIds: [US, CA] },
      { sellerId: ACCOUNT_EU, marketplaceIds: [DE] },
    ],
    listings,
    today: DEMO_TODAY,
  };
}

/** Accounts, marketplaces, then the orders and inventory-finance demo data. */
export async function seedTestData(dataSource: DataSource, options: { inventoryFinance?: boolean } = {}): Promise<DemoCatalog> {
  return dataSource.transaction(async (manager) => {
    await manager.getRepository(Marketplace).insert(MARKETPLACES);
    await manager.getRepository(SellerAccount).insert([
      { sellerId: ACCOUNT_NA, name: 'Test North America' },
      { sellerId: ACCOUNT_EU, name: 'Test Europe' },
    ]);
    const rng = new DemoRandom(7);
    const catalog = testCatalog(rng);
    await seedOrdersDemo(manager, rng, catalog);
    if (options.inventoryFinance !== false) await seedInventoryFinanceDemo(manager, rng, catalog);
    return catalog;
  });
}
