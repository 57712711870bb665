// Developer tool: writes a migration for the difference between the entities and the schema the
// existing migrations build. Runs against a throwaway database on a PostgreSQL server.
//   npm run build && npm run migration:generate -- <Name> [--only catalog,orders] [--url postgres://...]
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ALL_ENTITIES } from '../../entities';
import { advertisingEntities } from '../../entities/advertising';
import { catalogEntities } from '../../entities/catalog';
import { gatewayEntities } from '../../entities/gateway';
import { inventoryFinanceEntities } from '../../entities/inventory-finance';
import { ordersEntities } from '../../entities/orders';
import { systemLogsEntities } from '../../entities/system-logs';
import { dataSourceOptions } from './data-source';

const BY_CATEGORY: Record<string, Function[]> = {
  catalog: catalogEntities,
  advertising: advertisingEntities,
  orders: ordersEntities,
  'inventory-finance': inventoryFinanceEntities,
  'system-logs': systemLogsEntities,
  gateway: gatewayEntities,
};

function escape(sql: string): string {
  return sql.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const name = args.find((arg) => !arg.startsWith('--') && args[args.indexOf(arg) - 1] !== '--only' && args[args.indexOf(arg) - 1] !== '--url');
  if (!name || !/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new Error('usage: migration:generate <PascalCaseName> [--only cat,...] [--url URL]');
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : null;
  const serverUrl = args.includes('--url') ? args[args.indexOf('--url') + 1] : 'postgres://postgres@127.0.0.1:5432/postgres';
  const entities = only ? [...new Set([...catalogEntities, ...only.flatMap((c) => BY_CATEGORY[c] ?? [])])] : ALL_ENTITIES;

  const database = `sg_migration_${process.pid}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const dataSource = new DataSource({ ...dataSourceOptions({ url: url.toString() }), entities } as never);
  try {
    await dataSource.initialize();
    await dataSource.runMigrations();
    const sql = await dataSource.driver.createSchemaBuilder().log();
    if (sql.upQueries.length === 0) {
      console.log('No changes: the migrations already match the entities.');
      return;
    }
    const timestamp = Date.now();
    const className = `${name}${timestamp}`;
    const fileBase = `${timestamp}-${name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}`;
    const up = sql.upQueries.map((q) => `    await queryRunner.query(\`${escape(q.query)}\`);`).join('\n');
    const down = [...sql.downQueries].reverse().map((q) => `    await queryRunner.query(\`${escape(q.query)}\`);`).join('\n');
    const source = `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(queryRunner: QueryRunner): Promise<void> {
${up}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${down}
  }
}
`;
    const file = join(__dirname, '..', '..', '..', 'src', 'db', 'migrations', `${fileBase}.ts`);
    writeFileSync(file, source);
    console.log(`Wrote ${file}\nAdd ${className} to src/db/migrations/index.ts.`);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
