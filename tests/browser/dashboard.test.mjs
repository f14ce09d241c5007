// The dashboard in a real browser (Debian's chromium driven by playwright-core): every chart
// draws data, the revenue KPI equals the figure computed from the CSV, live mode updates the
// page without a reload when the processor commits, and a brand that looks like markup shows
// as text. Screenshots go into $SHOPSTREAM_SCREENSHOTS (CTest: the build dir; else a temporary
// dir); docs/dashboard.png is rewritten only with SHOPSTREAM_UPDATE_SCREENSHOT=1, so that test
// runs leave the clone clean.
// Run: node --test tests/browser/   (SHOPSTREAM_UPDATE_SCREENSHOT=1 to refresh the docs' picture)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { chromium } = createRequire(path.join(REPO, 'web', 'package.json'))('playwright-core');
const BIN = process.env.SHOPSTREAM_BIN || path.join(REPO, 'build', 'src', 'cli', 'shopstream');
const SAMPLE = process.env.SHOPSTREAM_SAMPLE_ZIP ||
  path.join(REPO, '..', 'shared', 'data', '2019-Nov_10KSample.zip');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.SHOPSTREAM_SCREENSHOTS || path.join(tmpdir(), 'shopstream-screenshots');
const UPDATE_DOCS_PICTURE = process.env.SHOPSTREAM_UPDATE_SCREENSHOT === '1';
const EVIL_BRAND = '<img src=x onerror=alert(1)>';
const EXTRA_PURCHASES = 3;
const EXTRA_PRICE = 2000.5;

let work, server, browser, page, baseUrl;
const dialogs = [];
const pageErrors = [];

function sh(args) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 600_000 });
  assert.equal(r.status, 0, `shopstream ${args.join(' ')} failed: ${r.stderr}`);
}

// Replays a CSV at its original times into the test's log and processes it into the store.
function ingest(csv) {
  sh(['produce', '-i', csv, '--to', `sqlite://${work}/log.db`, '--speedup', '100000000']);
  sh(['process', '--from', `sqlite://${work}/log.db`, '--raw', `sqlite://${work}/store.db`,
      '--processed', `sqlite://${work}/store.db`, '--idle-exit', '1']);
}

// Purchase revenue of the sample, read with Python's zipfile and csv modules (no shopstream code).
function independentRevenue() {
  const py = 'import csv,io,sys,zipfile\n' +
    'z=zipfile.ZipFile(sys.argv[1]); t=z.read(z.namelist()[0]).decode()\n' +
    'print(sum(float(r["price"]) for r in csv.DictReader(io.StringIO(t)) if r["event_type"]=="purchase"))';
  const r = spawnSync('python3', ['-c', py, SAMPLE], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

async function kpiRevenue() {
  return Number(await page.getAttribute('#kpi-revenue', 'data-value'));
}

async function showTab(name) {
  await page.click(`.tab[data-tab="${name}"]`);
  await page.waitForSelector(`#tab-${name}:not([hidden])`);
}

// The ECharts series of a chart, read through the page's own echarts instance.
async function seriesData(id) {
  return page.evaluate((chartId) => {
    const chart = echarts.getInstanceByDom(document.getElementById(chartId));
    if (!chart) return null;
    return chart.getOption().series.map((s) => s.data.map((d) => (typeof d === 'object' ? d.value : d)));
  }, id);
}

async function assertChartsHaveData(ids) {
  for (const id of ids) {
    const series = await seriesData(id);
    assert.ok(series && series.length > 0, `${id} has no series`);
    const values = series.flat().filter((v) => typeof v === 'number' && v > 0);
    assert.ok(values.length > 0, `${id} draws no data`);
    const box = await page.locator(`#${id} canvas`).first().boundingBox();
    assert.ok(box && box.width > 100 && box.height > 100, `${id} has no drawn canvas`);
  }
}

before(async () => {
  assert.ok(existsSync(BIN), `shopstream binary not found at ${BIN} (set SHOPSTREAM_BIN)`);
  assert.ok(existsSync(SAMPLE), `the 10K sample is expected at ${SAMPLE}`);
  work = mkdtempSync(path.join(tmpdir(), 'shopstream-browser-'));
  ingest(SAMPLE);

  server = spawn(BIN, ['serve', '--store', `sqlite://${work}/store.db`, '--listen', '127.0.0.1:0'],
                 { stdio: ['ignore', 'pipe', 'inherit'] });
  baseUrl = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+/);
      if (m) resolve(m[0]);
    });
    server.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });

  // A new, empty profile; playwright takes it as userDataDir rather than as a flag.
  browser = await chromium.launchPersistentContext(path.join(work, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1440, height: 1000 },
  });
  page = browser.pages()[0] || await browser.newPage();
  // Generous bounds: a loaded CI machine is slow, and these are limits, not measurements.
  page.setDefaultTimeout(120_000);
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.kill('SIGTERM');
  if (work) rmSync(work, { recursive: true, force: true });
});

test('every chart draws data and the revenue KPI equals the CSV', async () => {
  await page.goto(baseUrl + '/', { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => document.getElementById('kpi-revenue').dataset.value !== undefined);
  const expected = independentRevenue();
  assert.ok(Math.abs(expected - 41989.74) < 0.01);
  assert.ok(Math.abs((await kpiRevenue()) - expected) < 0.01, `KPI ${await kpiRevenue()} vs ${expected}`);
  assert.equal(Number(await page.getAttribute('#kpi-events', 'data-value')), 10034);
  assert.equal((await page.textContent('#kpi-revenue')).trim(), '41,989.74');

  await assertChartsHaveData(['chart-revenue-time', 'chart-events-time', 'chart-dept-revenue',
                              'chart-dept-events', 'chart-mix']);
  await showTab('products');
  await assertChartsHaveData(['chart-brands-revenue', 'chart-brands-views',
                              'chart-products-revenue', 'chart-products-views']);
  assert.equal(await page.locator('#table-brands tbody tr').count(), 10);
  await showTab('funnel');
  await assertChartsHaveData(['chart-funnel']);
  await showTab('overview');
  assert.deepEqual(pageErrors, []);

  // The picture in docs/dashboard.md: the sample alone, before the tests below add rows.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(1000);  // let the charts' entry animation finish
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, 'overview.png'), fullPage: true });
  if (UPDATE_DOCS_PICTURE) {
    await page.screenshot({ path: path.join(REPO, 'docs', 'dashboard.png'), fullPage: true });
  }
  for (const tab of ['products', 'funnel']) {  // the other tabs, for a look by hand
    await showTab(tab);
    await page.waitForTimeout(1000);
    await page.screenshot({ path: path.join(SHOTS, `${tab}.png`), fullPage: true });
  }
  await showTab('overview');
});

test('live mode updates the KPIs without a reload when new rows are processed', async () => {
  assert.equal(await page.isChecked('#live'), true, 'live mode is on by default');
  await page.waitForSelector('#live-state.on');
  await page.evaluate(() => { window.__sameDocument = true; });
  const before = await kpiRevenue();

  const rows = ['event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session'];
  for (let i = 0; i < EXTRA_PURCHASES; i++) {
    rows.push(`2019-11-15 10:0${i}:00 UTC,purchase,${9000 + i},1,electronics.smartphone,${EVIL_BRAND},${EXTRA_PRICE},7,s${i}`);
  }
  const csv = path.join(work, 'more.csv');
  writeFileSync(csv, rows.join('\n') + '\n');
  ingest(csv);

  const want = before + EXTRA_PURCHASES * EXTRA_PRICE;
  await page.waitForFunction((w) => Math.abs(Number(document.getElementById('kpi-revenue').dataset.value) - w) < 0.01,
                             want, { timeout: 120_000 });
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was reloaded');
});

test('a brand that looks like markup shows as text and runs nothing', async () => {
  await showTab('products');
  const cells = await page.locator('#table-brands tbody td:first-child').allTextContents();
  assert.ok(cells.includes(EVIL_BRAND), `brand not shown as text: ${cells}`);
  // Hover its bar: the tooltip (HTML) must show the name as text too.
  const index = await page.evaluate((name) => {
    const chart = echarts.getInstanceByDom(document.getElementById('chart-brands-revenue'));
    const names = chart.getOption().yAxis[0].data;
    const i = names.indexOf(name);
    chart.dispatchAction({ type: 'showTip', seriesIndex: 0, dataIndex: i });
    return i;
  }, EVIL_BRAND);
  assert.ok(index >= 0, 'the brand is in the top brands chart');
  const tooltip = page.locator('#chart-brands-revenue div').filter({ hasText: EVIL_BRAND }).last();
  await tooltip.waitFor({ state: 'attached', timeout: 10_000 });
  assert.equal(await page.locator('img').count(), 0, 'markup from the data became an element');
  await page.waitForTimeout(500);  // give a handler the chance to fire, were there one
  assert.deepEqual(dialogs, []);
  assert.deepEqual(pageErrors, []);
});
