// GraphiQL loads from the gateway alone and runs a query in headless Chromium while every
// request to anything but the gateway is blocked.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { seedTestCatalog, testTokenFor } from '../support/fixtures';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('GraphiQL', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let browser: Browser;
  let token: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
    db = await createTestDatabase();
    await seedTestCatalog(db.dataSource);
    token = await testTokenFor(db.dataSource, 'analyst');
    gateway = await startTestGateway(db, {
      env: { MAX_QUERY_COST: '25000' },
      graphiqlHeaders: () => ({ Authorization: `Bearer ${token}`, 'X-Purpose': 'BUSINESS_ANALYSIS' }),
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await db?.close();
  });

  it('loads with no outside request and runs the default query', async () => {
    const page = await browser.newPage();
    const outside: string[] = [];
    await page.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.origin === new URL(gateway.url).origin) return route.continue();
      outside.push(url.href);
      return route.abort();
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    const introspections: { status: number; authorization: string | undefined }[] = [];
    page.on('response', (response) => {
      if (response.url().endsWith('/graphql') && (response.request().postData() ?? '').includes('__schema')) {
        introspections.push({ status: response.status(), authorization: response.request().headers().authorization });
      }
    });

    await page.goto(`${gateway.url}/graphiql`);
    await page.waitForSelector('.graphiql-execute-button', { timeout: 30000 });
    // The schema loads on the first request, with the pre-filled headers, under the default limits.
    await page.locator('button[aria-label*="Documentation Explorer"]').first().click();
    await page.locator('.graphiql-doc-explorer-root-type').first().waitFor({ timeout: 30000 });
    expect(await page.locator('.graphiql-doc-explorer-error').count()).toBe(0);
    expect(introspections[0]).toEqual({ status: 200, authorization: `Bearer ${token}` });
    await page.click('.graphiql-execute-button');
    const result = page.locator('.result-window');
    await result.getByText('"totalCount"').waitFor({ timeout: 30000 });
    const text = await result.innerText();

    expect(text).toContain('"products"');
    expect(text).not.toContain('"errors"');
    expect(outside).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
