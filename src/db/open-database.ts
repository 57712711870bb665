// Opens the gateway's database: the DATABASE_URL server, or the embedded PostgreSQL (PGlite)
// keeping its data under DATA_DIR. Migrations run on open unless told otherwise. Servers open it
// with `readReplica` so DATABASE_READ_URL takes the data reads; the CLI (audit verification,
// tokens, imports, retention) always works on the primary alone. On the embedded database, the
// gateway (`serveEmbedded`) shares its PostgreSQL, and other commands connect through it while it runs.
import { join, resolve } from 'node:path';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { logger } from '../logger';
import { connectAndMigrate, createDataSource, onConnectionError } from './data-source';
import { runningEmbeddedUrl, startEmbeddedPostgres, type EmbeddedPostgres } from './embedded';

export interface OpenDatabase {
  dataSource: DataSource;
  embedded: boolean;
  /** Connected through the embedded PostgreSQL of a running gateway (its data directory). */
  viaGateway?: boolean;
  /** Migrations applied by this open (names). */
  applied: string[];
  close(): Promise<void>;
}

export async function openDatabase(
  settings: Config,
  options: { migrate?: boolean; readReplica?: boolean; sessionTimeouts?: boolean; serveEmbedded?: boolean } = {},
): Promise<OpenDatabase> {
  const migrate = options.migrate ?? true;
  let embedded: EmbeddedPostgres | undefined;
  let url = settings.DATABASE_URL;
  let viaGateway = false;
  if (!url) {
    const dataDir = join(resolve(settings.DATA_DIR), 'pg');
    url = options.serveEmbedded ? undefined : await runningEmbeddedUrl(dataDir);
    viaGateway = Boolean(url);
    if (!url) {
      embedded = await startEmbeddedPostgres({ dataDir, share: options.serveEmbedded });
      url = embedded.url;
    }
  }
  const readUrl = options.readReplica && settings.DATABASE_URL ? settings.DATABASE_READ_URL : undefined;
  // Servers bound every session (statement and lock timeouts, pool acquire): a stalled database
  // makes requests fail fast (503) instead of piling up. A dead connection is logged and dropped.
  const timeouts = options.sessionTimeouts
    ? { statementTimeoutMs: settings.DATABASE_STATEMENT_TIMEOUT_MS, lockTimeoutMs: settings.DATABASE_LOCK_TIMEOUT_MS, acquireTimeoutMs: settings.DATABASE_ACQUIRE_TIMEOUT_MS }
    : {};
  onConnectionError((error) => logger().warn({ err: error }, 'database connection lost; it is dropped from the pool'));
  const dbSettings = { url, embedded: Boolean(embedded) || viaGateway, readUrl, poolSize: settings.DATABASE_POOL_SIZE, preparedStatements: settings.DATABASE_PREPARED_STATEMENTS, ...timeouts };
  try {
    let dataSource: DataSource;
    let applied: string[] = [];
    if (migrate) {
      ({ dataSource, applied } = await connectAndMigrate(dbSettings));
    } else {
      dataSource = createDataSource(dbSettings);
      await dataSource.initialize();
    }
    return {
      dataSource,
      embedded: Boolean(embedded) || viaGateway,
      viaGateway,
      applied,
      async close() {
        if (dataSource.isInitialized) await dataSource.destroy();
        await embedded?.stop();
      },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}
