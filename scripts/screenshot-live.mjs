// Takes docs/live.png, the README's picture of the Live tab, from a dashboard that is streaming
// (for example `shopstream demo` a minute or two after it started: the Live tab shows the last
// ten minutes of stream time, so a replay that has only just begun draws little).
// Usage: node scripts/screenshot-live.mjs [URL]   (default http://127.0.0.1:8088/)
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { chromium } = createRequire(path.join(REPO, 'web', 'package.json'))('playwright-core');
const url = process.argv[2] || 'http://127.0.0.1:8088/';
const profile = mkdtempSync(path.join(tmpdir(), 'shopstream-shot-'));

const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  viewport: { width: 1440, height: 1000 },
});
try {
  const page = browser.pages()[0] || await browser.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto(url);
  await page.click('.tab[data-tab="live"]');
  await page.waitForSelector('#tab-live:not([hidden])');
  await page.waitForFunction(() => window.shopstreamLive && window.shopstreamLive.data !== null);
  await page.waitForTimeout(3000);  // a picture, not a test: let the charts' entry animation end
  const out = path.join(REPO, 'docs', 'live.png');
  await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
