// `npm run bench:import`: generates an All Orders report of 1,000,000 item rows (about 400,000
// orders), imports it into a fresh database on the DATABASE_URL server (default: the local
// PostgreSQL) and prints rows/s and peak RSS. Aim: >= 20,000 rows/s, peak RSS < 300 MB.
//   ROWS=200000 npm run bench:import      (a shorter run)
//   BATCH_SIZE=5000 npm run bench:import  (rows per batched upsert; default: the importer's)
//   REIMPORT=1 npm run bench:import       (then imports the same file again: every row unchanged)
import { UNRESTRICTED_SCOPE } from '../src/auth/principal';
import 'reflect-metadata';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Client } from 'pg';
import { connectAndMigrate } from '../src/db/data-source';
import { importFile } from '../src/ingest/import-file';
import { registerAccount } from '../src/ingest/seller-accounts';

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROWS = Number(process.env.ROWS ?? 1_000_000);
const BATCH_SIZE = process.env.BATCH_SIZE ? Number(process.env.BATCH_SIZE) : undefined;
const REIMPORT = process.env.REIMPORT === '1';
const SELLER = 'A1BENCHSELLER1';
const US = 'ATVPDKIKX0DER';

const HEADER = [
  'amazon-order-id', 'merchant-order-id', 'purchase-date', 'last-updated-date', 'order-status', 'fulfillment-channel', 'sales-channel',
  'order-channel', 'ship-service-level', 'product-name', 'sku', 'asin', 'item-status', 'quantity', 'currency', 'item-price', 'item-tax',
  'shipping-price', 'shipping-tax', 'gift-wrap-price', 'gift-wrap-tax', 'item-promotion-discount', 'ship-promotion-discount', 'ship-city',
  'ship-state', 'ship-postal-code', 'ship-country', 'promotion-ids', 'cpf', 'is-business-order', 'purchase-order-number', 'price-designation',
];
const STATES = ['CA', 'TX', 'NY', 'FL', 'WA', 'IL', 'GA', 'OH'];
const STATUSES = ['Shipped', 'Shipped', 'Shipped', 'Pending', 'Cancelled'];

async function generate(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(`${HEADER.join('\t')}\n`);
  let written = 0;
  let order = 0;
  let buffer = '';
  while (written < rows) {
    order++;
    const id = `1${String(order % 100).padStart(2, '0')}-${String(order).padStart(7, '0')}-${String((order * 7919) % 10_000_000).padStart(7, '0')}`;
    const purchase = new Date(Date.UTC(2024, 0, 1) + order * 61_000);
    const status = STATUSES[order % STATUSES.length];
    const items = 1 + (order % 4 === 0 ? 2 : order % 3 === 0 ? 1 : 0);
    for (let i = 0; i < items && written < rows; i++, written++) {
      const sku = `SKU-${(order * 31 + i * 17) % 5000}-${i}`;
      const price = ((order % 9000) / 100 + 5).toFixed(2);
      buffer +=
        [
          id, '', purchase.toISOString().replace('.000Z', '+00:00'), new Date(purchase.getTime() + 86_400_000).toISOString().replace('.000Z', '+00:00'),
          status, order % 2 ? 'Amazon' : 'Merchant', 'Amazon.com', 'WebsiteOrderChannel', 'Standard', `Bench product ${sku}`, sku,
          `B0${String((order * 13 + i) % 100_000_000).padStart(8, '0')}`, status === 'Cancelled' ? 'Cancelled' : 'Shipped', String(1 + (i % 2)), 'USD',
          price, '0.50', '3.99', '0.00', '', '', '', '', 'TOWN', STATES[order % STATES.length], `${String(10000 + (order % 89999))}`, 'US', '', '', 'false', '', '',
        ].join('\t') + '\n';
    }
    if (buffer.length > 1 << 20) {
      await write(buffer);
      buffer = '';
    }
  }
  await write(buffer);
  out.end();
  await once(out, 'finish');
}

async function onServer(sql: string): Promise<void> {
  const client = new Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-import-bench-'));
  const file = join(dir, 'all-orders.tsv');
  const database = `sg_import_bench_${process.pid}`;
  const url = new URL(SERVER_URL);
  url.pathname = `/${database}`;
  try {
    let t = Date.now();
    await generate(file, ROWS);
    console.log(`generated ${ROWS.toLocaleString('en-US')} All Orders rows (${(statSync(file).size / 1e6).toFixed(1)} MB) in ${((Date.now() - t) / 1000).toFixed(1)} s`);

    await onServer(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await onServer(`CREATE DATABASE ${database}`);
    const { dataSource } = await connectAndMigrate({ url: url.toString(), poolSize: 2 });
    try {
      await registerAccount(dataSource, { sellerId: SELLER, name: 'Benchmark seller', marketplaces: [US] });
      // Peak RSS of the import itself: sampled, since the generator above also used memory.
      let peak = process.memoryUsage().rss;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
      t = Date.now();
      const summary = await importFile(dataSource, { path: file, account: SELLER, marketplace: US, importedBy: 'bench', scope: UNRESTRICTED_SCOPE, batchSize: BATCH_SIZE });
      const seconds = (Date.now() - t) / 1000;
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage().rss);
      if (summary.status !== 'SUCCEEDED') throw new Error(`import failed: ${summary.error?.message}`);
      const rate = summary.rowsRead / seconds;
      console.log(`imported ${summary.rowsRead.toLocaleString('en-US')} rows in ${seconds.toFixed(1)} s: ${Math.round(rate).toLocaleString('en-US')} rows/s`);
      console.log(`tables: ${Object.entries(summary.tables).map(([name, c]) => `${name} +${c.inserted} ~${c.updated} =${c.unchanged}`).join(', ')}`);
      console.log(`peak RSS during the import: ${(peak / 1024 / 1024).toFixed(0)} MB (process max RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB)`);
      console.log(`aim: >= 20,000 rows/s ${rate >= 20_000 ? 'met' : 'NOT met'}; peak RSS < 300 MB ${peak < 300 * 1024 * 1024 ? 'met' : 'NOT met'}`);
      if (REIMPORT) {
        t = Date.now();
        const again = await importFile(dataSource, { path: file, account: SELLER, marketplace: US, importedBy: 'bench', scope: UNRESTRICTED_SCOPE, batchSize: BATCH_SIZE });
        const againSeconds = (Date.now() - t) / 1000;
        if (again.status !== 'SUCCEEDED') throw new Error(`re-import failed: ${again.error?.message}`);
        console.log(`re-imported the same file in ${againSeconds.toFixed(1)} s: ${Math.round(again.rowsRead / againSeconds).toLocaleString('en-US')} rows/s (inserted ${again.rowsInserted}, updated ${again.rowsUpdated}, unchanged ${again.rowsUnchanged})`);
      }
    } finally {
      await dataSource.destroy();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await onServer(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
