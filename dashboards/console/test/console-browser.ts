/// <reference lib="dom" />
import axe from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CONSOLE_DASHBOARDS } from '../../../service/src/console/catalog';
import type { Identity } from '../../../service/test/support/identities';

// The console in a real browser (Debian's chromium through playwright-core), for the browser tests and the
// console benchmark: sign in as a person would, open a dashboard and wait until every panel answered.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Every page of the console, in its order. */
export const DASHBOARD_IDS = CONSOLE_DASHBOARDS.map((d) => d.id);

export type Theme = 'light' | 'dark';

export interface ConsoleBrowser {
  readonly page: Page;
  /** Uncaught exceptions and console errors of the page so far. */
  readonly pageErrors: readonly string[];
  /** Opens /ops and signs in with password and TOTP, until the first dashboard has loaded. */
  signIn(who: Identity): Promise<void>;
  /** Navigates to a dashboard and waits until every panel answered (drawn, empty or failed). */
  openDashboard(id: string): Promise<void>;
  setTheme(theme: Theme): Promise<void>;
  /** Opens every page in the light theme, then in the dark one, and runs `visit` on each once loaded. */
  everyPageInBothThemes(visit: (id: string, theme: Theme) => Promise<void>): Promise<void>;
  /** axe-core's WCAG 2.1 A/AA violations on the page as it is now, as `rule: targets`. */
  axeViolations(): Promise<string[]>;
  close(): Promise<void>;
}

export async function openConsoleBrowser(
  baseUrl: string,
  viewport = { width: 1280, height: 900 },
): Promise<ConsoleBrowser> {
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`${message.text()} ${message.location().url}`);
  });
  const setTheme = (theme: Theme) =>
    page.evaluate((t) => {
      document.documentElement.dataset.theme = t;
    }, theme);
  const loaded = () => page.waitForSelector('main[data-loaded="true"]', { timeout: 60_000 });

  const self: ConsoleBrowser = {
    page,
    pageErrors,
    async signIn(who) {
      await page.goto(`${baseUrl}/ops`);
      await page.fill('#field-email', who.email);
      await page.fill('#field-password', who.password);
      await page.click('button[type="submit"]');
      await page.waitForSelector('#field-code');
      await page.fill('#field-code', (await who.nextTotpCode()) ?? '');
      await page.click('button[type="submit"]');
      await loaded();
    },
    async openDashboard(id) {
      await page.evaluate((hash) => {
        window.location.hash = hash;
      }, `#/${id}`);
      await page.waitForSelector(`nav a[aria-current="page"][href="#/${id}"]`);
      await loaded();
    },
    setTheme,
    async everyPageInBothThemes(visit) {
      for (const theme of ['light', 'dark'] as const) {
        await setTheme(theme);
        for (const id of DASHBOARD_IDS) {
          await self.openDashboard(id);
          await visit(id, theme);
        }
      }
    },
    async axeViolations() {
      // Evaluated through the DevTools protocol: the page's CSP (rightly) refuses an injected script tag.
      if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source);
      const results = await page.evaluate(() =>
        (window as unknown as { axe: typeof axe }).axe.run(document, {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
        }),
      );
      return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    },
    close: () => browser.close(),
  };
  return self;
}
