// How long shopstream's own dashboard page takes to draw, in headless Chromium (Debian's, driven by
// playwright-core): each of N page loads (after one to warm the browser's cache) timed from its start until the page's first refresh has
// fetched every answer and drawn every chart (the page writes "updated ..." last). JSON on stdout.
// Used by bench/sections/superset.py beside Superset's board on the same store.
//   node bench/dashboard_render.mjs URL [--repeat N] [--timeout SECONDS]
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { chromium } = createRequire(path.join(REPO, 'web', 'package.json'))('playwright-core');

const argv = process.argv.slice(2);
const url = argv[0];
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const repeat = option('--repeat', 3);
const timeout = option('--timeout', 300) * 1000;
if (!url || url.startsWith('-')) {
  console.error('usage: node bench/dashboard_render.mjs URL [--repeat N] [--timeout SECONDS]');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1200 } });
  const loads = [];
  // One load first, not counted: the browser's cache then holds the page and its scripts, as
  // for the Superset pages measured beside it (bench/sections/superset.py).
  for (let i = -1; i < repeat; i++) {
    await page.goto('about:blank');
    const started = Date.now();
    await page.goto(url, { timeout });
    await page.waitForFunction(() => document.getElementById('updated').textContent !== '',
      null, { timeout, polling: 50 });
    const ms = Date.now() - started;
    const notice = await page.locator('#notice').innerText();
    const revenue = await page.getAttribute('#kpi-revenue', 'data-value');
    if (i >= 0) loads.push({ ms, notice, revenue });
  }
  process.stdout.write(JSON.stringify({ loads }) + '\n');
} finally {
  await browser.close();
}
