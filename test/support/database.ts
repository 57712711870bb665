// A clean, migrated database for one test file. Tests never use `synchronize`: every schema is
// built by running the migrations, so the migrations are exercised by every test run.
// - DATABASE_URL server: the global setup migrates one template database per run; each test file
//   gets its own copy (CREATE DATABASE ... TEMPLATE, a file copy instead of ~20 migrations).
// - Embedded PostgreSQL (one per jest worker): the first file of a worker migrates its empty
//   schema and stores a fingerprint of the result; the next files find that schema unchanged and
//   empty its tables (TRUNCATE ... RESTART IDENTITY), or migrate it again from scratch when a test
//   changed the schema (e.g. reverted migrations).
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

/** What the schema is made of (tables, columns, indexes, constraints, triggers, functions, types, views, applied migrations). */
const SCHEMA_FINGERPRINT = `
  SELECT md5(coalesce(string_agg(item, ',' ORDER BY item), '')) AS fingerprint FROM (
    SELECT 'c:' || c.relname || '.' || a.attname || ':' || format_type(a.atttypid, a.atttypmod) || ':' || a.attnotnull::text || ':' || coalesce(pg_get_expr(d.adbin, d.adrelid), '') AS item
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL SELECT 'r:' || relname || ':' || relkind::text FROM pg_class WHERE relnamespace = 'public'::regnamespace
    UNION ALL SELECT 'i:' || indexrelid::regclass::text || ':' || pg_get_indexdef(indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = 'public'::regnamespace
    UNION ALL SELECT 'k:' || conname || ':' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL SELECT 't:' || tgname || ':' || tgenabled::text || ':' || pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal
    UNION ALL SELECT 'f:' || proname || ':' || md5(coalesce(prosrc, '')) FROM pg_proc WHERE pronamespace = 'public'::regnamespace
    UNION ALL SELECT 'y:' || typname FROM pg_type WHERE typnamespace = 'public'::regnamespace
    UNION ALL SELECT 'v:' || viewname || ':' || md5(definition) FROM pg_views WHERE schemaname = 'public'
    UNION ALL SELECT 'p:' || polname || ':' || polrelid::regclass::text FROM pg_policy
    UNION ALL SELECT 'm:' || name FROM public.schema_migrations
  ) items`;

async function fingerprint(client: Client): Promise<string | undefined> {
  const exists = await client.query(`SELECT to_regclass('public.schema_migrations') IS NOT NULL AS exists`);
  if (!exists.rows[0].exists) return undefined;
  return (await client.query(SCHEMA_FINGERPRINT)).rows[0].fingerprint as string;
}

/** Empties every table of the migrated schema and restarts its sequences (triggers such as the audit log's append-only guard are skipped). */
async function emptyTables(client: Client): Promise<void> {
  const tables = (await client.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'`)).rows.map((row) => `"public"."${row.tablename as string}"`);
  const sequences = (await client.query(`SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'`)).rows.map((row) => row.sequencename as string);
  await client.query('BEGIN');
  await client.query(`SET LOCAL session_replication_role = replica`);
  if (tables.length > 0) await client.query(`TRUNCATE ${tables.join(', ')} RESTART IDENTITY CASCADE`);
  for (const sequence of sequences) await client.query(`ALTER SEQUENCE "public"."${sequence}" RESTART`);
  await client.query('COMMIT');
}

async function embeddedTestDatabase(url: string): Promise<TestDatabase> {
  const admin = new Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query('CREATE SCHEMA IF NOT EXISTS sg_test; CREATE TABLE IF NOT EXISTS sg_test.baseline (fingerprint text NOT NULL)');
    const stored = (await admin.query('SELECT fingerprint FROM sg_test.baseline')).rows[0]?.fingerprint as string | undefined;
    const current = stored === undefined ? undefined : await fingerprint(admin);
    if (stored !== undefined && current === stored) {
      await emptyTables(admin);
      const { dataSource } = await connectAndMigrate({ url, embedded: true });
      return { url, embedded: true, dataSource, close: () => dataSource.destroy() };
    }
    await admin.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public; DELETE FROM sg_test.baseline;');
  } finally {
    await admin.end();
  }
  const { dataSource } = await connectAndMigrate({ url, embedded: true });
  const [{ fingerprint: migrated }] = (await dataSource.query(SCHEMA_FINGERPRINT)) as { fingerprint: string }[];
  await dataSource.query('INSERT INTO sg_test.baseline (fingerprint) VALUES ($1)', [migrated]);
  return { url, embedded: true, dataSource, close: () => dataSource.destroy() };
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const url = embeddedUrl();
    if (!url) throw new Error('No test database: run through jest (global setup) or set DATABASE_URL');
    return embeddedTestDatabase(url);
  }
  const name = `sg_test_${process.env.JEST_WORKER_ID ?? '0'}_${randomBytes(4).toString('hex')}`;
  const template = process.env.SELLERGATE_TEST_TEMPLATE;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  // SELLERGATE_TEST_READ_REPLICA=1: replication on, the database its own "replica" (a second
  // pool), so any test can show that the data reads keep working through the read connection.
  const readUrl = process.env.SELLERGATE_TEST_READ_REPLICA === '1' ? url.toString() : undefined;
  // On a copy of the template nothing is pending: this only checks (and migrates a database made without one).
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

/**
 * Global setup with DATABASE_URL: a template database built by running every migration, copied
 * by each test file. Its name is this run's own, so runs in parallel never share one.
 */
export async function createTemplateDatabase(serverUrl: string): Promise<{ name: string; drop(): Promise<void> }> {
  const name = `sg_template_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const { dataSource } = await connectAndMigrate({ url: url.toString(), poolSize: 1 });
  await dataSource.destroy();
  return {
    name,
    async drop() {
      const cleanup = new Client({ connectionString: serverUrl });
      await cleanup.connect();
      try {
        await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}
