import type { EntityManager } from 'typeorm';
import { DEMO_TODAY, type DemoCatalog } from './demo-catalog';
import type { DemoRandom } from './demo-random';

/** Demo accounts, marketplaces, products and listings. */
export async function seedCatalogDemo(manager: EntityManager, rng: DemoRandom): Promise<DemoCatalog> {
  void manager;
  void rng;
  return { accounts: [], listings: [], today: DEMO_TODAY };
}
