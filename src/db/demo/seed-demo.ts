// Loads the deterministic demo data set into an empty database, in one transaction.
import type { DataSource } from 'typeorm';
import { SellerAccount } from '../../../entities/catalog';
import { seedAdvertisingDemo } from './advertising.seed';
import { seedCatalogDemo } from './catalog.seed';
import { DemoRandom } from './demo-random';
import { seedInventoryFinanceDemo } from './inventory-finance.seed';
import { seedOrdersDemo } from './orders.seed';
import { seedSystemLogsDemo } from './system-logs.seed';

export async function isDatabaseEmpty(dataSource: DataSource): Promise<boolean> {
  return (await dataSource.getRepository(SellerAccount).count()) === 0;
}

/**
 * Seeds the demo data; returns false (and writes nothing) when the database already holds data.
 * `trustedLoad` (the embedded database, where each foreign-key check is a query run in WASM, a third
 * of the load time): the generated rows' foreign keys are not checked one by one while loading.
 * Tests and servers load with every check on, so a generator bug still fails there.
 */
export async function seedDemo(dataSource: DataSource, log: (message: string) => void = () => {}, options: { trustedLoad?: boolean } = {}): Promise<boolean> {
  if (!(await isDatabaseEmpty(dataSource))) return false;
  await dataSource.transaction(async (manager) => {
    if (options.trustedLoad) {
      // Foreign keys are enforced by triggers, which `replica` mode skips (superusers only; the embedded database's user is one).
      const [{ superuser }] = (await manager.query(`SELECT current_setting('is_superuser') AS superuser`)) as { superuser: string }[];
      if (superuser === 'on') await manager.query(`SET LOCAL session_replication_role = replica`);
    }
    const rng = new DemoRandom();
    log('demo data: catalog');
    const catalog = await seedCatalogDemo(manager, rng);
    log('demo data: advertising');
    await seedAdvertisingDemo(manager, rng, catalog);
    log('demo data: orders');
    await seedOrdersDemo(manager, rng, catalog);
    log('demo data: inventory and finance');
    await seedInventoryFinanceDemo(manager, rng, catalog);
    log('demo data: system logs');
    await seedSystemLogsDemo(manager, rng, catalog);
  });
  return true;
}
