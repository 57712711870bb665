// A migrated test database holding the catalog and advertising demo data (seeded directly, so
// these tests do not depend on the other categories' demo seeds).
import { seedAdvertisingDemo } from '../../src/db/demo/advertising.seed';
import { seedCatalogDemo } from '../../src/db/demo/catalog.seed';
import type { DemoCatalog } from '../../src/db/demo/demo-catalog';
import { DemoRandom } from '../../src/db/demo/demo-random';
import { createTestDatabase, type TestDatabase } from '../support/database';

export async function createDemoDatabase(options: { advertising?: boolean } = {}): Promise<TestDatabase & { catalog: DemoCatalog }> {
  const db = await createTestDatabase();
  const catalog = await db.dataSource.transaction(async (manager) => {
    const rng = new DemoRandom();
    const seeded = await seedCatalogDemo(manager, rng);
    if (options.advertising ?? true) await seedAdvertisingDemo(manager, rng, seeded);
    return seeded;
  });
  return { ...db, catalog };
}
