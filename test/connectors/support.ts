// A demo seller with stored credentials, the stand-in for Amazon, and a sync against it.
import { UNRESTRICTED_SCOPE } from '../../src/auth/principal';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AmazonCredentialKind } from '../../entities/gateway/amazon-credential.entity';
import { loadConfig } from '../../src/config';
import { runSync, type SyncOptions, type SyncReport } from '../../src/connectors/sync';
import { registerAccount } from '../../src/ingest/seller-accounts';
import { createCredentialVault, type CredentialVault } from '../../src/security/credentials/vault';
import { AmazonStandIn, type StandInSeller } from './stand-in/amazon-stand-in';

/** The seller of the sandbox examples (listTransactions names it). */
export const SELLER = 'A3TH9S8BH6GOGM';
export const US = 'ATVPDKIKX0DER';

export const DEMO_SELLER: StandInSeller = {
  sellerId: SELLER,
  refreshToken: `Atzr|${randomBytes(12).toString('hex')}`,
  clientId: 'amzn1.application-oa2-client.demo',
  clientSecret: `amzn1.oa2-cs.v1.${randomBytes(12).toString('hex')}`,
  marketplaces: [US],
  adsProfileId: '3312910465837761',
};

/** The key ring the test credentials are stored under (pass it to commands and gateways). */
export const CREDENTIAL_KEYS = `k1:${randomBytes(32).toString('base64')}`;
export const vault: CredentialVault = createCredentialVault(loadConfig({ NODE_ENV: 'test', CREDENTIAL_KEYS }));

/** Configuration pointing the connectors at the stand-in. */
export function standInEnv(standIn: AmazonStandIn): Record<string, string> {
  return { CREDENTIAL_KEYS, SPAPI_ENDPOINT: standIn.baseUrl, ADS_API_ENDPOINT: `${standIn.baseUrl}/ads`, LWA_ENDPOINT: standIn.baseUrl, SYNC_POLL_MS: '20', SYNC_INITIAL_DAYS: String(60 * 365) };
}

export async function registerDemoSeller(dataSource: DataSource, seller = DEMO_SELLER): Promise<void> {
  await registerAccount(dataSource, { sellerId: seller.sellerId, name: 'Demo seller', marketplaces: seller.marketplaces });
  const values: [AmazonCredentialKind, string][] = [
    [AmazonCredentialKind.LWA_CLIENT_ID, seller.clientId],
    [AmazonCredentialKind.LWA_CLIENT_SECRET, seller.clientSecret],
    [AmazonCredentialKind.REFRESH_TOKEN, seller.refreshToken],
  ];
  for (const [kind, secret] of values) {
    await dataSource.transaction((manager) => vault.set(manager, { sellerAccountId: seller.sellerId, kind, secret, actor: 'test' }));
  }
}

export async function startStandIn(sellers = [DEMO_SELLER]): Promise<AmazonStandIn> {
  const standIn = new AmazonStandIn(sellers);
  await standIn.start();
  return standIn;
}

export function sync(dataSource: DataSource, standIn: AmazonStandIn, options: Partial<SyncOptions> = {}): Promise<SyncReport> {
  return runSync(dataSource, vault, {
    endpoints: { spApi: standIn.baseUrl, adsApi: `${standIn.baseUrl}/ads`, lwa: standIn.baseUrl },
    principalId: 'test:connectors',
    scope: UNRESTRICTED_SCOPE,
    trigger: 'cli',
    initialDays: 60 * 365,
    pollMs: 20,
    client: { startingDelayMs: 20, maxDelayMs: 200 },
    ...options,
  });
}

/** Every data row the connectors can write, without provenance columns (run ids, times, source). */
export async function dataRows(dataSource: DataSource): Promise<Record<string, unknown[]>> {
  const tables = ['listing', 'product', 'amazon_order', 'order_item', 'shipment', 'order_return', 'inventory_snapshot', 'replenishment_recommendation', 'fee_estimate', 'settlement', 'settlement_line', 'refund', 'campaign', 'ad_group', 'keyword', 'product_target', 'product_ad', 'ad_daily_metric'];
  const out: Record<string, unknown[]> = {};
  const provenance = new Set(['id', 'import_run_id', 'source', 'created_at', 'updated_at', 'imported_at', 'first_import_run_id', 'last_import_run_id', 'ingested_at']);
  for (const table of tables) {
    const columns: { column_name: string }[] = await dataSource.query("SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY column_name", [table]);
    const kept = columns.map((c) => c.column_name).filter((c) => !provenance.has(c) && !/_id$/.test(c) || /^(seller_account|marketplace|amazon_order|campaign|ad_group|keyword|target|ad|order_item|settlement|listing)_id$/.test(c));
    const rows: { t: string }[] = await dataSource.query(`SELECT row_to_json(r)::text AS t FROM (SELECT ${kept.map((c) => `"${c}"`).join(', ')} FROM "${table}") r`);
    out[table] = rows.map((r) => r.t).sort();
  }
  return out;
}
