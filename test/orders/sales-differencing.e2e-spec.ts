// k-anonymity that differencing cannot undo: as `analyst` (sales only in groups of at least k
// orders) no combination of salesSummary answers — overlapping ranges, different groupings,
// differences of totals — gives the figures of a day bin under k orders, on the demo data.
import { OrderStatus } from '../../entities/orders/order.entity';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestDemo, testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';

jest.setTimeout(180_000);

const K = 5;
const DAY = 86_400_000;
const iso = (time: number) => new Date(time).toISOString();

interface Bin {
  day: string;
  account: string;
  marketplace: string;
  currency: string;
  orders: number;
  cents: number;
}

describe('salesSummary under a k-anonymous grant', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let analyst: string;
  let finance: string;
  let bins: Bin[];

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestDemo(db.dataSource);
    analyst = await testTokenFor(db.dataSource, 'analyst');
    finance = await testTokenFor(db.dataSource, 'finance');
    gateway = await startTestGateway(db);
    const rows: { day: string; account: string; marketplace: string; currency: string; orders: number; cents: string }[] = await db.dataSource.query(
      `SELECT to_char(o.purchase_date AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, o.seller_account_id AS account, o.marketplace_id AS marketplace,
              o.currency, count(DISTINCT o.id)::int AS orders, round(sum(i.item_price) * 100)::text AS cents
         FROM order_item i JOIN amazon_order o ON o.id = i.order_id WHERE o.status <> $1 GROUP BY 1, 2, 3, 4`,
      [OrderStatus.CANCELED],
    );
    bins = rows.map((row) => ({ ...row, cents: Number(row.cents) }));
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  type Group = { key: string; currency: string | null; orders: number; sales: string };
  const summary = async (token: string, groupBy: string, from: number, to: number, marketplace?: string) => {
    const response = await gateway.post(
      'query($g: SalesGroupBy!, $from: DateTimeISO!, $to: DateTimeISO!, $m: String) { salesSummary(groupBy: $g, from: $from, to: $to, marketplace: $m) { groups { key currency orders sales } suppressedGroups suppressedBins } }',
      { token, purpose: 'OPERATIONAL_REPORTING', variables: { g: groupBy, from: iso(from), to: iso(to), m: marketplace ?? null } },
    );
    return response.body;
  };
  const sales = async (groupBy: string, from: number, to: number, marketplace?: string): Promise<Group[]> => {
    const body = await summary(analyst, groupBy, from, to, marketplace);
    expect(body.errors ?? []).toEqual([]);
    return (body.data!.salesSummary as { groups: Group[] }).groups;
  };
  const cents = (groups: Group[], currency: string, key?: string) =>
    groups.filter((g) => g.currency === currency && (key === undefined || g.key === key)).reduce((sum, g) => sum + Math.round(Number(g.sales) * 100), 0);
  const start = (day: string) => Date.parse(`${day}T00:00:00Z`);
  /** Sales of the released (>= k orders) day bins matching `match`. */
  const releasedCents = (match: (bin: Bin) => boolean) => bins.filter((bin) => match(bin) && bin.orders >= K).reduce((sum, bin) => sum + bin.cents, 0);

  it('the issue\'s attack: MARKETPLACE totals over [day-3, day+1) minus [day-3, day) give no small day bin', async () => {
    const small = bins.filter((bin) => bin.orders < K && bin.cents !== 0);
    expect(small.length).toBeGreaterThan(0);
    // A few small bins whose marketplace has large bins around them (the interesting case).
    const targets = small.filter((bin) => bins.some((other) => other.marketplace === bin.marketplace && other.currency === bin.currency && other.orders >= K)).slice(0, 6);
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) {
      const day = start(target.day);
      const wide = await sales('MARKETPLACE', day - 3 * DAY, day + DAY);
      const narrow = await sales('MARKETPLACE', day - 3 * DAY, day);
      const difference = cents(wide, target.currency, target.marketplace) - cents(narrow, target.currency, target.marketplace);
      // What the difference holds: the released bins of that day and marketplace, nothing else.
      expect(difference).toBe(releasedCents((bin) => bin.day === target.day && bin.marketplace === target.marketplace && bin.currency === target.currency));
      // Filtering by marketplace, or asking by day or week, gives the same: the small bin is in no figure.
      const byDay = await sales('DAY', day, day + DAY, target.marketplace);
      expect(cents(byDay, target.currency)).toBe(difference);
      const weekWide = await sales('WEEK', day - 7 * DAY, day + DAY, target.marketplace);
      const weekNarrow = await sales('WEEK', day - 7 * DAY, day, target.marketplace);
      expect(cents(weekWide, target.currency) - cents(weekNarrow, target.currency)).toBe(difference);
    }
  });

  it('overlapping ranges and every order grouping add up to the same released bins', async () => {
    const days = [...new Set(bins.map((bin) => bin.day))].sort();
    const from = start(days[Math.floor(days.length / 3)]);
    const to = from + 17 * DAY;
    const inRange = (bin: Bin) => start(bin.day) >= from && start(bin.day) < to;
    const currencies = [...new Set(bins.filter(inRange).map((bin) => bin.currency))];
    for (const groupBy of ['DAY', 'WEEK', 'MONTH', 'MARKETPLACE']) {
      const groups = await sales(groupBy, from, to);
      for (const currency of currencies) expect({ groupBy, currency, cents: cents(groups, currency) }).toEqual({ groupBy, currency, cents: releasedCents((bin) => inRange(bin) && bin.currency === currency) });
    }
    // Two overlapping ranges: their difference is the released bins of the non-overlap.
    const a = await sales('MONTH', from, to);
    const b = await sales('MONTH', from + 5 * DAY, to);
    for (const currency of currencies) {
      expect(cents(a, currency) - cents(b, currency)).toBe(releasedCents((bin) => bin.currency === currency && start(bin.day) >= from && start(bin.day) < from + 5 * DAY));
    }
  });

  it('item groupings: a day bin\'s total minus its SKU or ASIN groups is a whole day bin or nothing', async () => {
    const candidates = bins.filter((bin) => bin.orders >= K).slice(0, 4);
    for (const target of candidates) {
      const day = start(target.day);
      const total = cents(await sales('MARKETPLACE', day, day + DAY, target.marketplace), target.currency);
      for (const groupBy of ['SKU', 'ASIN']) {
        // Only this marketplace's one day: the item groups cover whole day bins (all or nothing).
        const items = cents(await sales(groupBy, day, day + DAY, target.marketplace), target.currency);
        const dayBins = bins.filter((bin) => bin.day === target.day && bin.marketplace === target.marketplace && bin.currency === target.currency && bin.orders >= K);
        const wholeBinSums = new Set<number>();
        for (let mask = 0; mask < 1 << dayBins.length; mask += 1) wholeBinSums.add(dayBins.reduce((sum, bin, i) => sum + (mask & (1 << i) ? bin.cents : 0), 0));
        expect({ groupBy, day: target.day, wholeBins: wholeBinSums.has(total - items) }).toEqual({ groupBy, day: target.day, wholeBins: true });
      }
    }
  });

  it('a range not on whole UTC days is refused, naming the rule; a grant with sales in full is not bound by it', async () => {
    const day = start(bins[0].day);
    const refused = await summary(analyst, 'MARKETPLACE', day - 3 * DAY, day + 1);
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', rule: 'WHOLE_UTC_DAYS', argumentName: 'to' });
    expect(refused.errors?.[0].message).toMatch(/whole UTC days/);
    const full = await summary(finance, 'MARKETPLACE', day - 3 * DAY, day + 1);
    expect(full.errors ?? []).toEqual([]);
    expect((full.data!.salesSummary as { suppressedBins: number }).suppressedBins).toBe(0);
  });
});
