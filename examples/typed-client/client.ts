// A typed sellergate client: operations typed by GraphQL Code Generator (client preset, see
// codegen.yml), sent by graphql-request. Custom scalars are strings, so money stays exact.
//   SELLERGATE_URL=http://localhost:4000/graphql SELLERGATE_TOKEN=sg_... [SELLERGATE_PURPOSE=OPERATIONAL_REPORTING] \
//     node examples/typed-client/dist/client.js [from] [to]
import { ClientError, GraphQLClient } from 'graphql-request';
import { MonthlySalesDocument, WhoAmIDocument } from './generated/graphql.js';

const url = process.env.SELLERGATE_URL ?? 'http://localhost:4000/graphql';
const headers: Record<string, string> = { Authorization: `Bearer ${process.env.SELLERGATE_TOKEN ?? ''}` };
if (process.env.SELLERGATE_PURPOSE) headers['X-Purpose'] = process.env.SELLERGATE_PURPOSE;
const client = new GraphQLClient(url, { headers });

try {
  const { me } = await client.request(WhoAmIDocument);
  const [from = '2026-01-01T00:00:00.000Z', to = '2027-01-01T00:00:00.000Z'] = process.argv.slice(2);
  const { salesSummary } = await client.request(MonthlySalesDocument, { from, to });
  // Typed: `sales` is `string | null` (Decimal), `orders` is `number | null`.
  const months = salesSummary.groups.map((group) => ({ month: group.key, currency: group.currency, orders: group.orders, sales: group.sales }));
  const total: string | null = salesSummary.groups[0]?.sales ?? null;
  console.log(JSON.stringify({ role: me.role, purposes: me.purposes, months, firstSales: total, suppressedGroups: salesSummary.suppressedGroups }));
} catch (error) {
  if (error instanceof ClientError) {
    console.error(JSON.stringify({ status: error.response.status, codes: (error.response.errors ?? []).map((e) => e.extensions?.code) }));
    process.exit(2);
  }
  throw error;
}
