import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ALL_ENTITIES } from '../../entities';
import { MIGRATIONS } from './migrations';
import { SnakeNamingStrategy } from './naming-strategy';
import { DEFAULT_PREPARED_STATEMENTS } from '../config';
import { prepareStatements } from './prepared-statements';

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
  /** `statement_timeout` of every session (ms; 0: none). Not on the embedded database. */
  statementTimeoutMs?: number;
  /** `lock_timeout` of every session (ms; 0: none): a lock wait fails instead of stalling requests. */
  lockTimeoutMs?: number;
  /** Longest wait for a pooled connection, or for a new one to connect (ms; 0: none). */
  acquireTimeoutMs?: number;
  /**
   * Hot statement texts sent as prepared statements (src/db/prepared-statements.ts), at most this
   * many per data source (default 200; 0: none). Never on the embedded database.
   */
  preparedStatements?: number;
}

/** Told of a pooled connection's error (a terminated backend, a dropped socket); the connection is dropped. */
let connectionErrorListener: (error: Error) => void = () => {};
/** Errors of pooled connections seen by this process (for /metrics). */
export const connectionErrors = { count: 0 };

export function onConnectionError(listener: (error: Error) => void): void {
  connectionErrorListener = listener;
}

function connectionError(error: Error): void {
  connectionErrors.count += 1;
  try {
    connectionErrorListener(error);
  } catch {
    // a listener never takes the process down
  }
}

/**
 * `pg` pool options. Each new connection gets an 'error' listener for its whole life: a
 * connection that dies while TypeORM holds it (between two statements of a transaction, or a
 * query runner kept for a request) would otherwise emit an unhandled 'error' and end the process.
 * The pool drops such a connection when it is released (pg-pool checks it is still queryable).
 */
export function poolOptions(settings: DataSourceSettings): Record<string, unknown> {
  const server = !settings.embedded;
  const positive = (value: number | undefined) => (value !== undefined && value > 0 ? value : undefined);
  const options: Record<string, unknown> = {
    max: settings.embedded ? 1 : (settings.poolSize ?? 10),
    onConnect: (client: { on(event: 'error', listener: (error: Error) => void): void }) => {
      client.on('error', connectionError);
    },
  };
  if (server && positive(settings.statementTimeoutMs)) options.statement_timeout = settings.statementTimeoutMs;
  if (server && positive(settings.lockTimeoutMs)) options.lock_timeout = settings.lockTimeoutMs;
  if (positive(settings.acquireTimeoutMs)) options.connectionTimeoutMillis = settings.acquireTimeoutMs;
  return options;
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
    extra: poolOptions(settings),
    poolErrorHandler: (error: Error) => connectionError(error),
  };
}

export function createDataSource(settings: DataSourceSettings): DataSource {
  const dataSource = new DataSource(dataSourceOptions(settings));
  if (!settings.embedded) prepareStatements(dataSource, settings.preparedStatements ?? DEFAULT_PREPARED_STATEMENTS);
  return dataSource;
}

/** Connects and applies pending migrations; returns the names of those applied. */
export async function connectAndMigrate(settings: DataSourceSettings): Promise<{ dataSource: DataSource; applied: string[] }> {
  const dataSource = createDataSource(settings);
  await dataSource.initialize();
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return { dataSource, applied: applied.map((migration) => migration.name) };
}
