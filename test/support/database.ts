// A clean, migrated database for one test file: the embedded PostgreSQL of this jest worker
// (schema reset), or a fresh database on the DATABASE_URL server. Migrations always run: tests
// never use `synchronize`, so the migrations are exercised by every test file.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { connectAndMigrate } from '../../src/db/data-source';

export interface TestDatabase {
  url: string;
  embedded: boolean;
  dataSource: DataSource;
  close(): Promise<void>;
}

function embeddedUrl(): string | undefined {
  const urls = (process.env.SELLERGATE_TEST_DB_URLS ?? '').split(' ').filter(Boolean);
  if (urls.length === 0) return undefined;
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  return urls[(worker - 1) % urls.length];
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const url = embeddedUrl();
    if (!url) throw new Error('No test database: run through jest (global setup) or set DATABASE_URL');
    const admin = new Client({ connectionString: url });
    await admin.connect();
    await admin.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
    await admin.end();
    const { dataSource } = await connectAndMigrate({ url, embedded: true });
    return { url, embedded: true, dataSource, close: () => dataSource.destroy() };
  }
  const name = `sg_test_${process.env.JEST_WORKER_ID ?? '0'}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  // SELLERGATE_TEST_READ_REPLICA=1: replication on, the database its own "replica" (a second
  // pool), so any test can show that the data reads keep working through the read connection.
  const readUrl = process.env.SELLERGATE_TEST_READ_REPLICA === '1' ? url.toString() : undefined;
  const { dataSource } = await connectAndMigrate({ url: url.toString(), readUrl, poolSize: 5 });
  return {
    url: url.toString(),
    embedded: false,
    dataSource,
    async close() {
      await dataSource.destroy();
      const cleanup = new Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
