// The baseline's data work: the benchmark queries answered with the SQL the gateway runs for them
// (same tables, order and limits) through a pg.Pool, and the JSON the gateway puts under `data`.
// No GraphQL, no authentication, no governance, no audit. Used by the baseline server
// (baseline-server.ts) and, in process, by the planned-run benchmark (planned-run.bench.ts).
import type { Pool } from 'pg';
import { OrderStatus } from '../entities/orders/order.entity';
import type { BenchQueryName } from './bench-queries';

const PAGE = 20;
// GraphQL enums serialize as the enum key (`SHIPPED`), the database holds the value (`Shipped`).
const STATUS_NAME = new Map<string, string>(Object.entries(OrderStatus).map(([key, value]) => [value, key]));

// The statements the gateway's paginate() and DataLoaders issue for these queries (all columns,
// as TypeORM selects whole entities; one row more than the page to learn hasNextPage).
const SQL = {
  campaigns: 'SELECT c.* FROM campaign c ORDER BY c.name ASC, c.id ASC LIMIT $1',
  orders: 'SELECT o.* FROM amazon_order o ORDER BY o.purchase_date DESC, o.id DESC LIMIT $1',
  items:
    'SELECT i.* FROM order_item i INNER JOIN amazon_order o ON o.id = i.order_id WHERE i.order_id = ANY($1) ORDER BY i.order_id ASC, i.id ASC',
  shipments: 'SELECT s.* FROM shipment s WHERE s.order_id = ANY($1) ORDER BY s.ship_date ASC, s.id ASC',
  settlements: 'SELECT st.* FROM settlement st ORDER BY st.end_date DESC, st.id DESC LIMIT $1',
  lines:
    'SELECT sl.* FROM settlement_line sl INNER JOIN settlement st ON st.id = sl.settlement_row_id WHERE sl.settlement_row_id = ANY($1) ORDER BY sl.settlement_row_id ASC, sl.line_number ASC',
};

const SETTLEMENT_PAGE = 3;

type Row = Record<string, unknown>;

function byKey(rows: Row[], key: string): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const value = String(row[key]);
    let group = groups.get(value);
    if (!group) groups.set(value, (group = []));
    group.push(row);
  }
  return groups;
}

async function campaigns(pool: Pool): Promise<unknown> {
  const { rows } = await pool.query<Row>(SQL.campaigns, [PAGE + 1]);
  return {
    campaigns: { nodes: rows.slice(0, PAGE).map((c) => ({ campaignId: c.campaign_id, name: c.name, state: c.state })) },
  };
}

async function orders(pool: Pool): Promise<unknown> {
  const { rows } = await pool.query<Row>(SQL.orders, [PAGE + 1]);
  const page = rows.slice(0, PAGE);
  const ids = page.map((o) => String(o.id));
  const [items, shipments] =
    ids.length === 0
      ? [[], []]
      : await Promise.all([pool.query<Row>(SQL.items, [ids]).then((r) => r.rows), pool.query<Row>(SQL.shipments, [ids]).then((r) => r.rows)]);
  const itemsOf = byKey(items, 'order_id');
  const shipmentsOf = byKey(shipments, 'order_id');
  return {
    orders: {
      nodes: page.map((o) => ({
        amazonOrderId: o.amazon_order_id,
        purchaseDate: (o.purchase_date as Date).toISOString(),
        status: STATUS_NAME.get(String(o.status)) ?? null,
        items: (itemsOf.get(String(o.id)) ?? []).map((i) => ({ sku: i.sku, asin: i.asin, quantity: i.quantity, itemPrice: i.item_price })),
        shipments: (shipmentsOf.get(String(o.id)) ?? []).map((s) => ({ carrier: s.carrier })),
      })),
    },
  };
}

async function settlements(pool: Pool): Promise<unknown> {
  const { rows } = await pool.query<Row>(SQL.settlements, [SETTLEMENT_PAGE + 1]);
  const page = rows.slice(0, SETTLEMENT_PAGE);
  const ids = page.map((st) => String(st.id));
  const lines = ids.length === 0 ? [] : (await pool.query<Row>(SQL.lines, [ids])).rows;
  const linesOf = byKey(lines, 'settlement_row_id');
  return {
    settlements: {
      nodes: page.map((st) => ({
        settlementId: st.settlement_id,
        startDate: (st.start_date as Date).toISOString(),
        endDate: (st.end_date as Date).toISOString(),
        totalAmount: st.total_amount,
        currency: st.currency,
        lines: (linesOf.get(String(st.id)) ?? []).map((l) => ({
          lineNumber: l.line_number,
          transactionType: l.transaction_type,
          amountType: l.amount_type,
          amountDescription: l.amount_description,
          amount: l.amount,
          sku: l.sku,
        })),
      })),
    },
  };
}

export const HANDLERS: Record<BenchQueryName, (pool: Pool) => Promise<unknown>> = { list: campaigns, nested: orders, settlements };
