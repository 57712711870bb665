// `npm run screenshots`: a PNG of each console screen and of the Data Deletion page, with the
// demo data, under docs/console/ (run by jest for its database and TypeScript set-up; not part of
// the test suite, whose files end in .spec.ts).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { BROWSER_ARGS, CHROMIUM, startConsoleDemo, type ConsoleDemo } from './console-demo';

const OUT = join(__dirname, '..', '..', 'docs', 'console');

describe('screenshots', () => {
  let demo: ConsoleDemo;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    demo = await startConsoleDemo();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  async function shot(page: Page, name: string): Promise<void> {
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
  }

  async function signIn(page: Page, token: string): Promise<void> {
    await page.goto(`${demo.gateway.url}/console`);
    if (await page.getByRole('button', { name: 'Sign out' }).count()) await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token or JWT').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Screens' }).waitFor();
  }

  it('writes docs/console/*.png', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${demo.gateway.url}/data-deletion`);
    await shot(page, 'data-deletion');
    await page.getByLabel(/Your name/).fill('Erin Requester');
    await page.getByLabel(/Email address/).fill('erin@example.com');
    await page.getByLabel(/Amazon order IDs/).fill(demo.orders[1].amazonOrderId);
    await page.getByRole('button', { name: 'Send deletion request' }).click();
    await shot(page, 'data-deletion-received');
    await page.getByRole('button', { name: 'Check status' }).click();
    await shot(page, 'data-deletion-status');

    await page.goto(`${demo.gateway.url}/console`);
    await shot(page, 'sign-in');
    const screens: [string, keyof ConsoleDemo['tokens'], string][] = [
      ['audit', 'compliance', '#audit-records tbody tr'],
      ['activity', 'compliance', '.chart canvas'],
      ['policy', 'compliance', '#policy-matrix tbody tr'],
      ['access-review', 'compliance', '#access-review tbody tr'],
      ['deletions', 'compliance', '#deletion-requests tbody tr'],
      ['retention', 'compliance', 'section.panel table'],
      ['exports', 'compliance', '#exports tbody tr'],
      ['suspensions', 'admin', '#suspensions tbody tr'],
      ['holds', 'admin', '#holds tbody tr'],
    ];
    let as = '';
    for (const [screen, role, ready] of screens) {
      if (as !== role) {
        await signIn(page, demo.tokens[role]);
        as = role;
      }
      await page.goto(`${demo.gateway.url}/console#/${screen}`);
      await page.locator(ready).first().waitFor({ timeout: 30_000 });
      if (screen === 'audit') {
        await page.locator('#audit-records tbody button').nth(2).click();
        await page.locator('#audit-detail').waitFor();
      }
      if (screen === 'policy') {
        await page.getByRole('button', { name: 'Explain analyst BUSINESS_ANALYSIS ORDERS CONFIDENTIAL' }).click();
        await page.locator('#explanation').waitFor();
      }
      await shot(page, screen);
    }
    // A role without the grant: the API's refusal, nothing else.
    await signIn(page, demo.tokens.analyst);
    await page.goto(`${demo.gateway.url}/console#/deletions`);
    await page.locator('.refusal').first().waitFor();
    await shot(page, 'refusal');
    await page.close();
  });
});
