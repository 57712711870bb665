// The Data Deletion page and the console in headless Chromium, with the demo data: a request
// filed on the public page (reference, status) shows up in the console's queue; every console
// screen loads from the gateway alone; a role without the grant sees the API's refusal only.
import { existsSync, readFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { BROWSER_ARGS, CHROMIUM, demoUserJwt, startConsoleDemo, type ConsoleDemo } from './console-demo';

describe('console and Data Deletion page in Chromium', () => {
  let demo: ConsoleDemo;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
    demo = await startConsoleDemo();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  /** A page that may reach the gateway only; outside requests and page errors are collected. */
  async function openPage(javaScript = true, bypassCSP = false): Promise<{ page: Page; outside: string[]; errors: string[] }> {
    const context = await browser.newContext({ javaScriptEnabled: javaScript, bypassCSP });
    const page = await context.newPage();
    const outside: string[] = [];
    const errors: string[] = [];
    await page.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.origin === new URL(demo.gateway.url).origin) return route.continue();
      outside.push(url.href);
      return route.abort();
    });
    page.on('pageerror', (error) => errors.push(error.message));
    return { page, outside, errors };
  }

  /** Accessibility violations (axe-core, WCAG 2.1 A and AA rules) of serious or critical impact on the page as shown. */
  async function accessibilityViolations(page: Page): Promise<string[]> {
    await page.addScriptTag({ content: readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8') });
    const result = await page.evaluate(async () => {
      // Runs in the page (no DOM types in the tests' compilation).
      const page = globalThis as unknown as { document: unknown; axe: { run(context: unknown, options: unknown): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } };
      return page.axe.run(page.document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    });
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}${v.nodes.length > 3 ? ` and ${v.nodes.length - 3} more` : ''}`);
  }

  async function signIn(page: Page, token: string, purpose = 'AUDIT'): Promise<void> {
    await page.goto(`${demo.gateway.url}/console`);
    await page.getByLabel('API token or JWT').fill(token);
    await page.getByLabel('Purpose for reading the audit and system logs').selectOption(purpose);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Screens' }).waitFor();
  }

  it('files a request on the Data Deletion page without JavaScript, shows its status, and the console queue lists it', async () => {
    const { page, outside } = await openPage(false);
    await page.goto(`${demo.gateway.url}/data-deletion`);
    await page.getByLabel(/Your name/).fill('Erin Requester');
    await page.getByLabel(/Email address/).fill('erin@example.com');
    await page.getByLabel(/Amazon order IDs/).fill(demo.orders[1].amazonOrderId);
    await page.getByLabel(/Details/).fill('Please delete the order <b>now</b>');
    await page.getByRole('button', { name: 'Send deletion request' }).click();
    const reference = (await page.locator('#reference-number').innerText()).trim();
    expect(reference).toMatch(/^DR-/);
    await page.getByRole('button', { name: 'Check status' }).click();
    await expect(page.locator('#request-status').innerText()).resolves.toContain('Received: awaiting verification');
    expect(outside).toEqual([]);
    await page.context().close();

    const console = await openPage();
    await signIn(console.page, demo.tokens.compliance);
    await console.page.goto(`${demo.gateway.url}/console#/deletions`);
    const row = console.page.locator('#deletion-requests tr', { hasText: 'Erin Requester' });
    await row.waitFor();
    await expect(row.innerText()).resolves.toContain('PUBLIC_FORM');
    await expect(row.innerText()).resolves.toContain('Please delete the order <b>now</b>');
    // Compliance verifies and approves it in the console.
    await row.getByLabel(/Decision reason/).fill('Requester verified by email');
    await row.getByRole('button', { name: 'Approve' }).click();
    await console.page.getByRole('status').filter({ hasText: 'approved' }).waitFor();
    await console.page.locator('#deletion-requests tr', { hasText: 'Erin Requester' }).filter({ hasText: 'approved' }).waitFor();
    // An executed request's certificate downloads as JSON.
    const download = console.page.waitForEvent('download');
    await console.page.getByRole('button', { name: 'Download certificate' }).first().click();
    expect((await download).suggestedFilename()).toMatch(/^deletion-certificate-.+\.json$/);
    // ... and the gateway checks it: signature, contents, the request it was issued for.
    await console.page.getByRole('button', { name: 'Verify certificate' }).first().click();
    await console.page.getByRole('status').filter({ hasText: 'verified: signature and contents valid' }).waitFor();
    expect(console.outside).toEqual([]);
    expect(console.errors).toEqual([]);
    await console.page.context().close();
  });

  it('shows every screen with the demo data, each from the gateway alone', async () => {
    const screens: [string, string, string][] = [
      // screen, token's role, what shows its data
      ['audit', 'compliance', '#audit-records tbody tr'],
      ['activity', 'compliance', '.chart canvas'],
      ['policy', 'compliance', '#policy-matrix tbody tr'],
      ['access-review', 'compliance', '#access-review tbody tr'],
      ['deletions', 'compliance', '#deletion-requests tbody tr'],
      ['exports', 'compliance', '#exports tbody tr'],
      ['retention', 'compliance', 'section.panel table'],
      ['suspensions', 'admin', '#suspensions tbody tr'],
      ['holds', 'admin', '#holds tbody tr'],
    ];
    const { page, outside, errors } = await openPage();
    let signedInAs = '';
    for (const [screen, role, selector] of screens) {
      if (signedInAs !== role) {
        if (signedInAs) await page.getByRole('button', { name: 'Sign out' }).click();
        await signIn(page, demo.tokens[role as keyof ConsoleDemo['tokens']], 'AUDIT');
        signedInAs = role;
      }
      await page.goto(`${demo.gateway.url}/console#/${screen}`);
      await page.locator(selector).first().waitFor({ timeout: 30_000 });
      expect({ screen, refusals: await page.locator('.refusal').allInnerTexts() }).toEqual({ screen, refusals: screen === 'exports' || screen === 'activity' ? expect.any(Array) : [] });
    }
    // Still signed in as admin: place a legal hold, then release it.
    await page.getByLabel('Reason', { exact: true }).fill('Dispute 2026-118');
    await page.getByLabel('Amazon order ids').fill(demo.orders[2].amazonOrderId);
    await page.getByRole('button', { name: 'Place hold' }).click();
    const placed = page.locator('#holds tr', { hasText: 'Dispute 2026-118' });
    await placed.waitFor();
    await placed.getByLabel(/Release reason/).fill('Dispute settled');
    await placed.getByRole('button', { name: 'Release' }).click();
    await page.locator('#holds tr', { hasText: 'Dispute settled' }).waitFor();
    // The audit record's detail, with its place in the chain, and the chain's status.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, demo.tokens.compliance);
    await page.goto(`${demo.gateway.url}/console#/audit`);
    await expect(page.locator('#chain-status').innerText()).resolves.toMatch(/^Intact: \d+ records checked/);
    await page.getByLabel('Principal').fill('analyst');
    await page.locator('#audit-records tbody button').first().click();
    await expect(page.locator('#audit-detail').innerText()).resolves.toContain('Previous hash');
    // Explain a cell of the policy matrix.
    await page.goto(`${demo.gateway.url}/console#/policy`);
    await page.getByRole('button', { name: 'Explain analyst BUSINESS_ANALYSIS ORDERS PERSONAL: deny' }).click();
    await expect(page.locator('#explanation').innerText()).resolves.toContain('deny');
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('can be used with the keyboard alone and passes the WCAG 2.1 AA checks of axe-core', async () => {
    // The checker is injected into the page, so this context lets its script past the page's CSP.
    const { page } = await openPage(true, true);
    await page.goto(`${demo.gateway.url}/data-deletion`);
    expect(await accessibilityViolations(page)).toEqual([]);
    // Keyboard only: Tab from the top reaches the form's fields in order; Enter sends it.
    await page.locator('#name').focus();
    await page.keyboard.type('Kim Keyboard');
    await page.keyboard.press('Tab');
    await page.keyboard.type('kim@example.com');
    await page.keyboard.press('Tab');
    await page.keyboard.type('A1B2C3D4E5');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document.activeElement?.textContent)).resolves.toBe('Send deletion request');
    await page.keyboard.press('Enter');
    await page.locator('#reference-number').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    // A submission the server refuses (no account or order named): errors tied to their fields.
    await page.goto(`${demo.gateway.url}/data-deletion`);
    await page.getByLabel(/Your name/).fill('Kim Keyboard');
    await page.getByLabel(/Email address/).fill('kim@example.com');
    await page.getByRole('button', { name: 'Send deletion request' }).click();
    await page.locator('[aria-invalid="true"]').first().waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.goto(`${demo.gateway.url}/console`);
    expect(await accessibilityViolations(page)).toEqual([]);
    await signIn(page, demo.tokens.compliance);
    for (const [screen, ready] of [['audit', '#audit-records'], ['deletions', '#deletion-requests'], ['policy', '#policy-matrix'], ['access-review', '#access-review']]) {
      await page.goto(`${demo.gateway.url}/console#/${screen}`);
      await page.locator(ready).waitFor();
      expect({ screen, violations: await accessibilityViolations(page) }).toEqual({ screen, violations: [] });
    }
    await page.context().close();
  });

  it('signs a single sign-on user in with its JWT; shows a role without the grant the API refusal, and no data', async () => {
    const { page } = await openPage();
    await signIn(page, await demoUserJwt('carol@company.example', 'compliance'));
    await page.locator('#audit-records tbody tr').first().waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();

    await signIn(page, demo.tokens.analyst, 'AUDIT');
    // The analyst may not declare AUDIT: the API's message, no records.
    await page.locator('.refusal').first().waitFor();
    await expect(page.locator('.refusal').first().innerText()).resolves.toContain('Purpose AUDIT is not granted');
    expect(await page.locator('#audit-records').count()).toBe(0);
    await page.goto(`${demo.gateway.url}/console#/deletions`);
    await expect(page.locator('.refusal').first().innerText()).resolves.toContain('MANAGE_DELETION_REQUESTS');
    expect(await page.locator('#deletion-requests').count()).toBe(0);
    // A bad token is refused at sign-in.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token or JWT').fill('sg_not_a_token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('#sign-in-error').innerText()).resolves.toContain('Authentication required');
    await page.context().close();
  });
});
