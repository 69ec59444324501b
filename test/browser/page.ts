// Helpers for the browser tests: Debian's Chromium driven by playwright-core (never a browser download),
// headless and without the sandbox (CI runs as root), and screenshots kept where the README shows them.
import fs from 'node:fs';
import path from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { ROOT } from '../processes';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}

/** Screenshots go to .data/screenshots; with UPDATE_SCREENSHOTS=1 to dashboard/screenshots (committed, shown in the README). */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir =
    process.env.UPDATE_SCREENSHOTS === '1' ? path.join(ROOT, 'dashboard', 'screenshots') : path.join(ROOT, '.data', 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`) });
}

/** The pods of namespace `ns` the Cluster view draws (chips not leaving), by name. */
export const podsShown = (page: Page, ns: string): Promise<string[]> =>
  page.evaluate(
    `[...document.querySelectorAll('#panel-cluster .pod-chip')].map((b) => b.dataset.pod).filter((k) => k.startsWith(${JSON.stringify(`${ns}/`)})).filter((k, i, all) => all.indexOf(k) === i).map((k) => k.slice(${ns.length + 1}))`,
  ) as Promise<string[]>;

/**
 * Waits until `expression` is truthy in the page, asking every 50 ms (page.waitForFunction would evaluate
 * a string in the page, which the dashboard's Content-Security-Policy forbids).
 */
export async function waitInPage<T>(page: Page, expression: string, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = (await page.evaluate(expression)) as T;
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
