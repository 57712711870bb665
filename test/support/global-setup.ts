// One embedded PostgreSQL per jest worker (PGlite cannot load inside a test VM, and all its
// connections share one session, so workers never share one). With DATABASE_URL the tests use
// that server instead: one migrated template database for the run, a copy per test file.
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded';
import { createTemplateDatabase } from './database';

declare global {
  // eslint-disable-next-line no-var
  var __embeddedPostgres: EmbeddedPostgres[] | undefined;
  // eslint-disable-next-line no-var
  var __templateDatabase: { name: string; drop(): Promise<void> } | undefined;
}

export default async function globalSetup(config: { maxWorkers: number }): Promise<void> {
  process.env.NODE_ENV = 'test';
  if (process.env.DATABASE_URL) {
    globalThis.__templateDatabase = await createTemplateDatabase(process.env.DATABASE_URL);
    process.env.SELLERGATE_TEST_TEMPLATE = globalThis.__templateDatabase.name;
    return;
  }
  const count = Math.max(1, config.maxWorkers);
  const instances = await Promise.all(Array.from({ length: count }, () => startEmbeddedPostgres()));
  globalThis.__embeddedPostgres = instances;
  process.env.SELLERGATE_TEST_DB_URLS = instances.map((instance) => instance.url).join(' ');
}
