// The demo the console's browser tests and `npm run screenshots` run against: the demo data set,
// a token per role, a week of audited activity by several roles (some of it masked or refused),
// an export, a legal hold, a retention run, a suspension and a request filed on the public page.
import { readFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import { join } from 'node:path';
import { registerAccount } from '../../src/ingest/seller-accounts';
import { buildConsole } from '../../src/console/build-console';
import { consoleBuilt } from '../../src/console/console-assets';
import { SuspensionService } from '../../src/security/suspension.service';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestDemo, testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';

export interface ConsoleDemo {
  db: TestDatabase;
  gateway: TestGateway;
  tokens: Record<'compliance' | 'admin' | 'analyst' | 'security' | 'operations' | 'finance', string>;
  orders: { amazonOrderId: string; sellerAccountId: string }[];
  stop(): Promise<void>;
}

export const BROWSER_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const DAY = 86_400_000;
/** Single sign-on of the demo: user JWTs signed with this secret (HS256). */
export const DEMO_JWT_SECRET = 'console-demo-jwt-secret-of-32-characters!';

/** A user JWT from the demo's single sign-on. */
export function demoUserJwt(subject: string, role: string): Promise<string> {
  return new SignJWT({ role, name: subject })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(subject)
    .setAudience('sellergate')
    .setIssuer('https://sso.example.test')
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(DEMO_JWT_SECRET));
}
const LISTINGS = join(__dirname, '..', 'fixtures', 'amazon', 'GET_FLAT_FILE_OPEN_LISTINGS_DATA', 'mws-rs_report.tdff.tsv');

export async function startConsoleDemo(options: { activity?: boolean } = {}): Promise<ConsoleDemo> {
  if (!consoleBuilt()) await buildConsole();
  const db = await createTestDatabase();
  await seedTestDemo(db.dataSource);
  let offset = 0;
  // The gateway's clock, moved back to spread the demo's activity over the past week.
  const gateway = await startTestGateway(db, { now: () => new Date(Date.now() - offset), env: { JWT_SECRET: DEMO_JWT_SECRET, JWT_AUDIENCE: 'sellergate', JWT_ISSUER: 'https://sso.example.test' } });
  const roles = ['compliance', 'admin', 'analyst', 'security', 'operations', 'finance'] as const;
  const tokens = Object.fromEntries(await Promise.all(roles.map(async (role) => [role, await testTokenFor(db.dataSource, role)]))) as ConsoleDemo['tokens'];
  const orders = (await db.dataSource.query('SELECT amazon_order_id AS "amazonOrderId", seller_account_id AS "sellerAccountId" FROM amazon_order ORDER BY amazon_order_id LIMIT 3')) as ConsoleDemo['orders'];

  try {
    if (options.activity ?? true) await demoActivity();
  } catch (error) {
    await gateway.stop();
    await db.close();
    throw error;
  }
  async function demoActivity(): Promise<void> {
    await registerAccount(db.dataSource, { sellerId: 'A1CONSOLEDEMO1', marketplaces: ['ATVPDKIKX0DER'], name: 'Console demo' });
    for (let daysAgo = 6; daysAgo >= 0; daysAgo -= 1) {
      offset = daysAgo * DAY;
      const n = 1 + ((daysAgo * 5) % 3);
      for (let i = 0; i < n; i += 1) {
        // Masked: the order total (CONFIDENTIAL) under AFTER_SALES, settlement ids and amounts under BUSINESS_ANALYSIS.
        await gateway.post('{ orders(first: 5) { nodes { amazonOrderId status orderTotal } } }', { token: tokens.operations, purpose: 'AFTER_SALES' });
        await gateway.post('{ settlements(first: 5) { nodes { settlementId totalAmount } } }', { token: tokens.analyst, purpose: 'BUSINESS_ANALYSIS' });
        // Denied: order ids are outside BUSINESS_ANALYSIS.
        if (i === 0) await gateway.post('{ orders(first: 5) { nodes { amazonOrderId orderTotal } } }', { token: tokens.analyst, purpose: 'BUSINESS_ANALYSIS' });
        await gateway.post('{ settlements(first: 3) { nodes { settlementId totalAmount } } }', { token: tokens.finance, purpose: 'ACCOUNTING' });
      }
      if (daysAgo % 2 === 0) await gateway.post('{ auditRecords(first: 1) { totalCount } }', { token: tokens.analyst, purpose: 'BUSINESS_ANALYSIS' });
      await gateway.post('{ auditRecords(first: 5) { totalCount nodes { id principalId } } }', { token: tokens.security, purpose: 'SECURITY' });
      await gateway.post('{ orders(first: 2) { nodes { amazonOrderId } } }', { token: tokens.compliance, purpose: 'COMPLIANCE_REVIEW' });
      // Import runs: a listings report every other day, and one for a marketplace the account is not authorized for.
      if (daysAgo % 2 === 0 || daysAgo === 3) {
        const marketplace = daysAgo === 3 ? 'A1F83G8C2ARO7P' : 'ATVPDKIKX0DER';
        await fetch(`${gateway.url}/imports?account=A1CONSOLEDEMO1&marketplace=${marketplace}&fileName=listings.tsv`, {
          method: 'POST',
          headers: { 'content-type': 'text/tab-separated-values', authorization: `Bearer ${tokens.admin}` },
          body: readFileSync(LISTINGS),
        });
      }
    }
    offset = 0;
    const exported = await gateway.post('mutation { createExport(document: "{ orders(first: 20) { nodes { amazonOrderId status } } }", format: CSV) { id } }', { token: tokens.compliance, purpose: 'COMPLIANCE_REVIEW' });
    if (exported.body.errors) throw new Error(`demo export: ${JSON.stringify(exported.body.errors)}`);
    const hold = await gateway.post(`mutation { placeLegalHold(input: { reason: "Tax audit 2026", sellerAccountId: "${orders[0].sellerAccountId}" }) { id } }`, { token: tokens.admin });
    if (hold.body.errors) throw new Error(`demo hold: ${JSON.stringify(hold.body.errors)}`);
    // Deletion requests in each state: one from Amazon waiting, one executed with its certificate
    // (requested, approved and executed by three different principals).
    const other = (await db.dataSource.query('SELECT amazon_order_id AS id FROM amazon_order WHERE seller_account_id <> $1 ORDER BY amazon_order_id LIMIT 2', [orders[0].sellerAccountId])) as { id: string }[];
    const secondCompliance = await testTokenFor(db.dataSource, 'compliance');
    const request = async (orderId: string, source: string) => {
      const filed = await gateway.post(`mutation { requestDeletion(input: { amazonOrderIds: ["${orderId}"], reason: "Buyer erasure request", requester: "Amazon Seller Support case 4411", source: ${source} }) { id } }`, { token: tokens.admin });
      if (filed.body.errors) throw new Error(`demo deletion request: ${JSON.stringify(filed.body.errors)}`);
      return (filed.body.data as { requestDeletion: { id: string } }).requestDeletion.id;
    };
    if (other.length === 2) {
      await request(other[0].id, 'AMAZON');
      const done = await request(other[1].id, 'COMPANY');
      await gateway.post(`mutation { decideDeletionRequest(id: "${done}", decision: APPROVED, reason: "Order belongs to the requesting buyer") { id } }`, { token: tokens.compliance });
      const executed = await gateway.post(`mutation { executeDeletionRequest(id: "${done}") { id } }`, { token: secondCompliance });
      if (executed.body.errors) throw new Error(`demo deletion: ${JSON.stringify(executed.body.errors)}`);
    }
    const run = await gateway.post('mutation { runRetention { runId } }', { token: tokens.admin });
    if (run.body.errors) throw new Error(`demo retention run: ${JSON.stringify(run.body.errors)}`);
    const suspensions = new SuspensionService(db.dataSource, { cacheMs: 0 });
    await suspensions.suspend({ principalId: 'demo-partner-token', principalKind: 'token', principalRole: 'analyst', rule: 'BULK_READ', reason: '12000 rows read in 60 s (threshold 10000)' });
    // Every demo request must have been answered as intended (a typo would leave the charts empty).
    const refusedData = await gateway.post('{ auditRecords(filter: { outcome: invalid }) { totalCount } }', { token: tokens.compliance, purpose: 'AUDIT' });
    if ((refusedData.body.data as { auditRecords: { totalCount: number } }).auditRecords.totalCount > 0) throw new Error('demo activity holds invalid operations');
  }
  return {
    db,
    gateway,
    tokens,
    orders,
    async stop() {
      await gateway.stop();
      await db.close();
    },
  };
}
