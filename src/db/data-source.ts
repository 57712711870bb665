import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ALL_ENTITIES } from '../../entities';
import { MIGRATIONS } from './migrations';
import { SnakeNamingStrategy } from './naming-strategy';

export interface DataSourceSettings {
  url: string;
  /** Embedded PostgreSQL shares one session across connections: use a single connection. */
  embedded?: boolean;
  poolSize?: number;
  logging?: boolean;
}

export function dataSourceOptions(settings: DataSourceSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities: ALL_ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    uuidExtension: 'pgcrypto',
    logging: settings.logging ?? false,
    extra: { max: settings.embedded ? 1 : (settings.poolSize ?? 10) },
  };
}

export function createDataSource(settings: DataSourceSettings): DataSource {
  return new DataSource(dataSourceOptions(settings));
}

/** Connects and applies pending migrations; returns the names of those applied. */
export async function connectAndMigrate(settings: DataSourceSettings): Promise<{ dataSource: DataSource; applied: string[] }> {
  const dataSource = createDataSource(settings);
  await dataSource.initialize();
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return { dataSource, applied: applied.map((migration) => migration.name) };
}
