// Small data sets and credentials for end-to-end tests.
import type { DataSource } from 'typeorm';
import { createToken } from '../../src/auth/api-token.service';
import { seedCatalogDemo } from '../../src/db/demo/catalog.seed';
import type { DemoCatalog } from '../../src/db/demo/demo-catalog';
import { DemoRandom } from '../../src/db/demo/demo-random';
import { seedDemo } from '../../src/db/demo/seed-demo';
import { defaultPolicy } from '../../src/policy/default-policy';
import type { Purpose } from '../../src/policy/taxonomy';

/** Accounts, marketplaces, products and listings of the demo data set. */
export async function seedTestCatalog(dataSource: DataSource): Promise<DemoCatalog> {
  return dataSource.transaction((manager) => seedCatalogDemo(manager, new DemoRandom()));
}

/** The whole demo data set. */
export async function seedTestDemo(dataSource: DataSource): Promise<void> {
  await seedDemo(dataSource);
}

/** A fresh API token of `role` under the default policy (all the role's purposes unless narrowed). */
export async function testTokenFor(
  dataSource: DataSource,
  role: string,
  options: { purposes?: Purpose[]; accounts?: string[]; marketplaces?: string[]; partner?: boolean; expiresInDays?: number } = {},
): Promise<string> {
  const created = await createToken(dataSource.manager, defaultPolicy(), { role, createdBy: 'test', ...options });
  return created.token;
}
