import type { EntityManager } from 'typeorm';
import type { DemoCatalog } from './demo-catalog';
import type { DemoRandom } from './demo-random';

/** Demo data of the system-logs category, referring to the demo catalog. */
export async function seedSystemLogsDemo(manager: EntityManager, rng: DemoRandom, catalog: DemoCatalog): Promise<void> {
  void manager;
  void rng;
  void catalog;
}
