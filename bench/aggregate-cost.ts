// What k-anonymous sales (resolvers/orders/sales-bins.ts) cost on the demo data: per grouping of
// salesSummary over the whole demo period, the bins and groups left out and the share of orders
// and sales the released figures no longer include, next to plain per-group suppression (which
// differencing could undo). Runs on a throwaway database of the PostgreSQL server:
//   npm run build --silent && node dist/bench/aggregate-cost.js   (DATABASE_URL: the server, default 127.0.0.1:5432)
import { UNRESTRICTED_SCOPE } from '../src/auth/principal';
import { config } from '../src/config';
import { connectAndMigrate } from '../src/db/data-source';
import { seedDemo } from '../src/db/demo/seed-demo';
import { loadGatewayPolicy } from '../src/server/components';
import { binnedGroups, readSalesBins } from '../resolvers/orders/sales-bins';
import { SalesGroupBy } from '../schema/orders/sales-summary.type';
import { createBenchDatabase, DEFAULT_SERVER_URL } from './bench-database';

const DAY = 86_400_000;
const pct = (part: number, whole: number) => (whole === 0 ? '0.0%' : `${((100 * part) / whole).toFixed(1)}%`);

async function main(): Promise<void> {
  const server = process.env.DATABASE_URL ?? DEFAULT_SERVER_URL;
  const database = await createBenchDatabase(server);
  const { dataSource } = await connectAndMigrate({ url: database.url, poolSize: 2 });
  try {
    await seedDemo(dataSource);
    const k = loadGatewayPolicy(config()).aggregates.k;
    const [range] = await dataSource.query('SELECT min(purchase_date) AS first, max(purchase_date) AS last, count(*)::int AS orders FROM amazon_order');
    const from = new Date(Math.floor(new Date(range.first).getTime() / DAY) * DAY);
    const to = new Date(Math.floor(new Date(range.last).getTime() / DAY) * DAY + DAY);
    const lines = [
      `demo data: ${range.orders} orders, ${from.toISOString().slice(0, 10)} .. ${to.toISOString().slice(0, 10)} (exclusive), k = ${k}`,
      '',
      'grouping     bins  suppressed   groups  suppressed: per group only -> with bins   orders left out   sales left out',
    ];
    for (const groupBy of Object.values(SalesGroupBy)) {
      const args = { groupBy, from, to };
      const bins = await readSalesBins(dataSource.manager, UNRESTRICTED_SCOPE, args);
      const all = binnedGroups(bins, groupBy, 0);
      const released = binnedGroups(bins, groupBy, k);
      const perGroupOnly = all.groups.filter((group) => group.orders < k).length;
      const orders = (groups: typeof all.groups) => groups.reduce((sum, group) => sum + group.orders, 0);
      const cents = (groups: typeof all.groups) => groups.reduce((sum, group) => sum + Math.round(Number(group.sales) * 100), 0);
      const totalGroups = all.groups.length;
      const withBins = totalGroups - released.groups.length;
      lines.push(
        `${groupBy.padEnd(12)} ${String(bins.length).padStart(5)}  ${`${released.suppressedBins} (${pct(released.suppressedBins, bins.length)})`.padStart(12)}  ${String(totalGroups).padStart(6)}  ${`${perGroupOnly} -> ${withBins}`.padStart(36)}  ${pct(orders(all.groups) - orders(released.groups), orders(all.groups)).padStart(16)}  ${pct(cents(all.groups) - cents(released.groups), cents(all.groups)).padStart(15)}`,
      );
    }
    lines.push('', 'bins: UTC day x account x marketplace x currency (item groupings: x ASIN, or x ASIN x SKU); "left out": not in any released figure');
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await dataSource.destroy();
    await database.drop();
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
