// Child process of `npm run bench:planned`: migrates and seeds the benchmark database
// (DATABASE_URL) and sends the API tokens to its parent. Seeding allocates and drops hundreds of
// megabytes; done in the measuring process, it leaves V8 deciding to allocate some short-lived
// objects straight in the old generation (allocation-site pretenuring), which then costs every
// operation measured after it (docs/benchmarks.md, "Young-generation garbage").
import 'reflect-metadata';
import { loadConfig } from '../src/config';
import { prepareBenchData } from './bench-database';

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url || !process.send) throw new Error('run by prepareBenchDataInChild, with DATABASE_URL set');
  const tokens = await prepareBenchData(url, loadConfig(), (message) => process.stderr.write(`[bench data] ${message}\n`));
  process.send(tokens);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
