// GraphiQL loads from the gateway alone and runs a query in headless Chromium while every
// request to anything but the gateway is blocked.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { testTokenFor } from '../support/fixtures';
import { seedTestData } from '../orders/orders-fixture';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('GraphiQL', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let browser: Browser;
  let token: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
    db = await createTestDatabase();
    await seedTestData(db.dataSource, { inventoryFinance: false });
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

  it('documents sensitivity, autocompletes, switches the purpose and marks masked values', async () => {
    const page = await browser.newPage();
    await page.route('**/*', (route) => (new URL(route.request().url()).origin === new URL(gateway.url).origin ? route.continue() : route.abort()));
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${gateway.url}/graphiql`);
    await page.waitForSelector('.graphiql-execute-button', { timeout: 30000 });

    // Docs: Query.orders with its sensitivity and the purposes that grant it.
    await page.locator('button[aria-label*="Documentation Explorer"]').first().click();
    await page.locator('.graphiql-doc-explorer-root-type').first().waitFor({ timeout: 30000 });
    await page.locator('.graphiql-doc-explorer-type-name', { hasText: /^Query$/ }).first().click();
    await page.locator('.graphiql-doc-explorer-field-name', { hasText: /^orders$/ }).first().click();
    const docs = page.locator('.graphiql-doc-explorer');
    await docs.getByText(/Sensitivity: INTERNAL/).first().waitFor({ timeout: 30000 });
    expect(await docs.innerText()).toMatch(/Purposes that grant it: .*OPERATIONAL_REPORTING \(full: [^)]*analyst/);
    // The Docs are the analyst's: a field it can never read is marked so.
    await docs.locator('.graphiql-doc-explorer-type-name', { hasText: /^OrderConnection$/ }).first().click();
    await page.locator('.graphiql-doc-explorer-field-name', { hasText: /^nodes$/ }).first().click();
    await docs.locator('.graphiql-doc-explorer-type-name', { hasText: /^Order$/ }).first().click();
    await page.locator('.graphiql-doc-explorer-field-name', { hasText: /^shipPostalCode$/ }).first().click();
    await docs.getByText(/Not available to you/).first().waitFor({ timeout: 30000 });
    expect(await docs.innerText()).toMatch(/Not available to you under any of your purposes/);

    // Autocomplete suggests a field of the schema.
    await page.locator('.graphiql-query-editor .CodeMirror').first().click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type('{ ord');
    await page.locator('.CodeMirror-hints li', { hasText: /^orders$/ }).first().waitFor({ timeout: 30000 });
    await page.keyboard.press('Escape');

    // The purpose picker lists the analyst's purposes (from me) and switches the X-Purpose header.
    const picker = page.locator('#sg-purpose');
    await picker.locator('option[value="OPERATIONAL_REPORTING"]').waitFor({ state: 'attached', timeout: 30000 });
    expect(await picker.locator('option').allInnerTexts()).toEqual(expect.arrayContaining(['BUSINESS_ANALYSIS', 'OPERATIONAL_REPORTING']));
    await picker.selectOption('OPERATIONAL_REPORTING');
    // (Page scripts as strings: the test's TypeScript has no DOM types.)
    const headers = await page.evaluate<string>(
      "[...document.querySelectorAll('.graphiql-editor-tool .CodeMirror')].map((editor) => editor.CodeMirror.getValue()).join('\\n')",
    );
    expect(headers).toContain('"X-Purpose": "OPERATIONAL_REPORTING"');

    // A masked value is marked in the result.
    await page.evaluate("document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue('query Masked { orders(first: 2) { nodes { amazonOrderId status shipState } } }')");
    // CodeMirror draws only the lines in view: read the marks through its API.
    const marksScript = `(() => {
      const cm = document.querySelector('.result-window .CodeMirror').CodeMirror;
      const marks = [];
      for (let line = 0; line < cm.lineCount(); line += 1) {
        const info = cm.lineInfo(line);
        if (info.bgClass) marks.push({ text: info.text.trim(), bgClass: info.bgClass, notes: (info.widgets || []).map((w) => w.node.textContent) });
      }
      return JSON.stringify({ value: cm.getValue(), marks });
    })()`;
    let marked: { value: string; marks: { text: string; bgClass: string; notes: string[] }[] } = { value: '', marks: [] };
    for (let attempt = 0; attempt < 150 && !(marked.marks.some((mark) => mark.bgClass.includes('sg-masked')) && marked.marks.some((mark) => mark.bgClass.includes('sg-denied'))); attempt += 1) {
      // GraphiQL takes the new operation's name from the editor a moment after the change: run
      // again until the result is this operation's.
      if (attempt % 15 === 0) await page.click('.graphiql-execute-button');
      await page.waitForTimeout(200);
      marked = JSON.parse(await page.evaluate<string>(marksScript)) as typeof marked;
    }
    expect(marked.value).toContain('"purpose": "OPERATIONAL_REPORTING"');
    const masked = marked.marks.filter((mark) => mark.bgClass.includes('sg-masked'));
    expect(masked.length).toBeGreaterThan(0);
    expect(masked[0].text).toMatch(/^"amazonOrderId": "\*\*\*-\*\*\*\*\*\*\*-\d{4}",?$/);
    expect(masked[0].notes).toEqual(['masked: Order.amazonOrderId']);
    // A denied value (PERSONAL for the analyst) is marked too.
    const denied = marked.marks.filter((mark) => mark.bgClass.includes('sg-denied'));
    expect(denied[0]).toMatchObject({ text: expect.stringMatching(/^"shipState": null/), notes: ['denied: Order.shipState'] });
    // Unmarked lines stay unmarked.
    expect(marked.marks.every((mark) => /amazonOrderId|shipState/.test(mark.text))).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
