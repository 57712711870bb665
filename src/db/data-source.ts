import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ALL_ENTITIES } from '../../entities';
import { MIGRATIONS } from './migrations';
import { SnakeNamingStrategy } from './naming-strategy';

export interface DataSourceSettings {
  url: string;
  /**
   * Read replica of `url` (DATABASE_READ_URL). Only the reads of `replicaReads(dataSource)` go
   * there (src/db/read-replica.ts); every other statement, read or write, goes to `url`.
   */
  readUrl?: string;
  /** Embedded PostgreSQL shares one session across connections: use a single connection. */
  embedded?: boolean;
  poolSize?: number;
  logging?: boolean;
}

/** `application_name` of the two pools (a URL's own `application_name` parameter wins). */
export const PRIMARY_APPLICATION_NAME = 'sellergate';
export const REPLICA_APPLICATION_NAME = 'sellergate-read';

export function dataSourceOptions(settings: DataSourceSettings): DataSourceOptions {
  if (settings.readUrl && settings.embedded) throw new Error('The embedded database has no read replica: DATABASE_READ_URL needs DATABASE_URL');
  const connection = settings.readUrl
    ? {
        // TypeORM replication: SELECTs default to the primary too ('master'); only
        // replicaReads(dataSource) opts in to the replica.
        replication: {
          master: { url: settings.url, applicationName: PRIMARY_APPLICATION_NAME },
          slaves: [{ url: settings.readUrl, applicationName: REPLICA_APPLICATION_NAME }],
          defaultMode: 'master' as const,
        },
      }
    : {};
  return {
    type: 'postgres',
    // Kept with replication too (TypeORM then connects through `replication`): readers of the options find the primary here.
    url: settings.url,
    ...connection,
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
