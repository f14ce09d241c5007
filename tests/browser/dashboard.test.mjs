// The dashboard in a real browser (Debian's chromium driven by playwright-core), on a store that
// the real processor wrote from the 10K sample: every chart draws data; the KPIs (revenue,
// events, unique users and sessions) equal figures computed from the CSV with Python's csv
// module; a department picked in the filter bar or clicked in a chart changes every KPI to that
// department's figures; a shared URL reloads the same view; times show in the viewer's zone
// (the browser runs in America/New_York) with UTC a click away; CSV downloads hold the
// chart's data with formula-looking names defused; live mode updates the page without a reload;
// the point still filling is drawn as partial; a brand that looks like markup shows as text;
// axe-core finds no serious or critical accessibility violation on any tab.
// Screenshots go into $SHOPSTREAM_SCREENSHOTS (CTest: the build dir; else a temporary dir);
// docs/dashboard.png is rewritten only with SHOPSTREAM_UPDATE_SCREENSHOT=1, so that test runs
// leave the clone clean.
// Run: node --test tests/browser/   (SHOPSTREAM_UPDATE_SCREENSHOT=1 to refresh the docs' picture)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const webRequire = createRequire(path.join(REPO, 'web', 'package.json'));
const { chromium } = webRequire('playwright-core');
const AXE_SOURCE = readFileSync(webRequire.resolve('axe-core/axe.min.js'), 'utf8');
const BIN = process.env.SHOPSTREAM_BIN || path.join(REPO, 'build', 'src', 'cli', 'shopstream');
const SAMPLE = process.env.SHOPSTREAM_SAMPLE_ZIP ||
  path.join(REPO, '..', 'shared', 'data', '2019-Nov_10KSample.zip');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.SHOPSTREAM_SCREENSHOTS || path.join(tmpdir(), 'shopstream-screenshots');
const UPDATE_DOCS_PICTURE = process.env.SHOPSTREAM_UPDATE_SCREENSHOT === '1';
const ZONE = 'America/New_York';
const EVIL_BRAND = '<img src=x onerror=alert(1)>';
const FORMULA_BRAND = '=1+2,"x"';
const EXTRA_PURCHASES = 3;
const EXTRA_PRICE = 2000.5;
const SKETCH_TOLERANCE = 0.02;  // the people sketches' promise

let work, server, browser, page, baseUrl, expected;
const dialogs = [];
const pageErrors = [];

function sh(args) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 600_000 });
  assert.equal(r.status, 0, `shopstream ${args.join(' ')} failed: ${r.stderr}`);
}

// Processes a CSV into the test's store: at its original times, or at `now` (--rate max).
function ingest(csv, { now = false } = {}) {
  const pacing = now ? ['--rate', 'max'] : ['--speedup', '100000000'];
  sh(['produce', '-i', csv, '--to', `sqlite://${work}/log.db`, ...pacing]);
  sh(['process', '--from', `sqlite://${work}/log.db`, '--raw', `sqlite://${work}/store.db`,
      '--processed', `sqlite://${work}/store.db`, '--idle-exit', '1']);
}

// What the board should show for the sample, computed with Python's zipfile and csv modules and
// the seed's cleaning rules (no shopstream code): totals, per department, distinct users and
// sessions.
function independentFigures() {
  const py = String.raw`
import csv, io, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1]); text = z.read(z.namelist()[0]).decode()
def blank():
    return {"events": 0, "views": 0, "carts": 0, "purchases": 0, "revenue": 0.0, "users": set(), "sessions": set()}
total, depts = blank(), {}
for r in csv.DictReader(io.StringIO(text)):
    code = r["category_code"]
    dept = (code.split(".")[0] if code else "other").replace("NaN", "other") or "other"
    for g in (total, depts.setdefault(dept, blank())):
        g["events"] += 1
        g[{"view": "views", "cart": "carts", "purchase": "purchases"}[r["event_type"]]] += 1
        if r["event_type"] == "purchase":
            g["revenue"] += float(r["price"])
        g["users"].add(r["user_id"])
        if r["user_session"]:
            g["sessions"].add(r["user_session"])
def out(g):
    return dict(g, users=len(g["users"]), sessions=len(g["sessions"]))
print(json.dumps({"total": out(total), "departments": {k: out(v) for k, v in depts.items()}}))
`;
  const r = spawnSync('python3', ['-c', py, SAMPLE], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

async function kpi(id) {
  return Number(await page.getAttribute(`#kpi-${id}`, 'data-value'));
}

// Resolves after the page has drawn a refresh that started after `action`.
async function refreshed(action) {
  const count = await page.evaluate(() => window.shopstreamDashboard.refreshCount);
  await action();
  await page.waitForFunction((c) => window.shopstreamDashboard.refreshCount > c && !window.shopstreamDashboard.inFlight,
                             count);
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
    return chart.getOption().series.map((s) => s.data.map((d) => (d !== null && typeof d === 'object' ? d.value : d)));
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

// Clicks the (first series') bar of `name` in a horizontal bar chart, where a user would.
async function clickBar(id, name) {
  await page.locator(`#${id}`).scrollIntoViewIfNeeded();
  const point = await page.evaluate(([chartId, label]) => {
    const chart = echarts.getInstanceByDom(document.getElementById(chartId));
    const option = chart.getOption();
    const index = option.yAxis[0].data.indexOf(label);
    if (index < 0) return null;
    const datum = option.series[0].data[index];
    const value = typeof datum === 'object' ? datum.value : datum;
    return chart.convertToPixel({ seriesIndex: 0 }, [value / 2, index]);
  }, [id, name]);
  assert.ok(point, `${name} is not a bar of ${id}`);
  const box = await page.locator(`#${id}`).boundingBox();
  await page.mouse.click(box.x + point[0], box.y + point[1]);
}

function assertNear(got, want, tolerance, what) {
  assert.ok(Math.abs(got - want) <= tolerance * want, `${what}: ${got} is not within ${tolerance * 100} % of ${want}`);
}

before(async () => {
  assert.ok(existsSync(BIN), `shopstream binary not found at ${BIN} (set SHOPSTREAM_BIN)`);
  assert.ok(existsSync(SAMPLE), `the 10K sample is expected at ${SAMPLE}`);
  work = mkdtempSync(path.join(tmpdir(), 'shopstream-browser-'));
  ingest(SAMPLE);
  expected = independentFigures();

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
    timezoneId: ZONE,
    acceptDownloads: true,
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

test('every chart draws data and the KPIs equal the CSV', async () => {
  await page.goto(baseUrl + '/', { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => document.getElementById('kpi-users').dataset.value !== undefined);
  const total = expected.total;
  assert.ok(Math.abs(total.revenue - 41989.74) < 0.01);
  assert.equal(total.users, 9941);
  assert.equal(total.sessions, 10022);
  assert.ok(Math.abs((await kpi('revenue')) - total.revenue) < 0.01, `KPI ${await kpi('revenue')} vs ${total.revenue}`);
  assert.equal(await kpi('events'), 10034);
  assert.equal((await page.textContent('#kpi-revenue')).trim(), '41,989.74');
  assertNear(await kpi('users'), total.users, SKETCH_TOLERANCE, 'unique users');
  assertNear(await kpi('sessions'), total.sessions, SKETCH_TOLERANCE, 'sessions');
  assertNear(await kpi('events-per-session'), 10034 / total.sessions, SKETCH_TOLERANCE, 'events per session');
  assert.equal((await page.textContent('#kpi-revenue-change')).trim(), 'no earlier period');

  await assertChartsHaveData(['chart-revenue-time', 'chart-events-time', 'chart-dept-revenue',
                              'chart-dept-events', 'chart-mix']);
  await showTab('products');
  await assertChartsHaveData(['chart-brands-revenue', 'chart-brands-views',
                              'chart-products-revenue', 'chart-products-views']);
  assert.equal(await page.locator('#table-brands tbody tr').count(), 10);
  await showTab('funnel');
  await assertChartsHaveData(['chart-funnel', 'chart-funnel-sessions']);
  // The funnel's bars are the counts themselves, so their widths are proportional.
  const [steps] = await seriesData('chart-funnel');
  assert.deepEqual(steps, [total.views, total.carts, total.purchases]);
  await showTab('overview');
  assert.deepEqual(pageErrors, []);

  // The picture in docs/dashboard.md: the sample's last 7 days (with their change against the
  // week before), before the tests below add rows.
  await refreshed(() => page.selectOption('#range', '10080'));
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(1000);  // let the charts' entry animation finish
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, 'overview.png'), fullPage: true });
  if (UPDATE_DOCS_PICTURE) {
    await page.screenshot({ path: path.join(REPO, 'docs', 'dashboard.png'), fullPage: true });
  }
  for (const tab of ['live', 'trending', 'products', 'funnel', 'deadletters']) {  // the other tabs, for a look by hand
    await showTab(tab);
    await page.waitForTimeout(1000);
    await page.screenshot({ path: path.join(SHOTS, `${tab}.png`), fullPage: true });
  }
  await showTab('overview');
  await refreshed(() => page.selectOption('#range', 'all'));
});

test('a department picked in the filter bar or clicked in a chart filters every KPI', async () => {
  // The filter bar, by keyboard.
  await page.focus('#filter-department');
  await refreshed(() => page.selectOption('#filter-department', 'electronics'));
  let want = expected.departments.electronics;
  assert.equal(await kpi('events'), want.events);
  assert.equal(await kpi('views'), want.views);
  assert.equal(await kpi('carts'), want.carts);
  assert.equal(await kpi('purchases'), want.purchases);
  assert.ok(Math.abs((await kpi('revenue')) - want.revenue) < 0.01);
  assertNear(await kpi('users'), want.users, SKETCH_TOLERANCE, 'electronics users');
  assertNear(await kpi('sessions'), want.sessions, SKETCH_TOLERANCE, 'electronics sessions');
  assert.match(page.url(), /department=electronics/);
  // The departments chart keeps its neighbours and highlights the one picked.
  const names = await page.evaluate(() =>
    echarts.getInstanceByDom(document.getElementById('chart-dept-revenue')).getOption().yAxis[0].data);
  assert.ok(names.length > 5 && names.includes('apparel'));

  // A click on another department's bar.
  await refreshed(() => clickBar('chart-dept-events', 'apparel'));
  want = expected.departments.apparel;
  assert.equal(await kpi('events'), want.events);
  assert.ok(Math.abs((await kpi('revenue')) - want.revenue) < 0.01);
  assert.equal(await page.inputValue('#filter-department'), 'apparel');
  assert.match(await page.textContent('#filter-text'), /department apparel/);
  assert.deepEqual(pageErrors, []);
});

test('a shared URL reloads the same view', async () => {
  await showTab('products');
  await refreshed(() => page.selectOption('#range', '1440'));
  await refreshed(async () => {
    await page.fill('#filter-brand', 'samsung');
    await page.press('#filter-brand', 'Enter');
  });
  await refreshed(() => page.selectOption('#filter-department', 'electronics'));
  const url = page.url();
  for (const part of ['tab=products', 'range=1440', 'department=electronics', 'brand=samsung']) {
    assert.ok(url.includes(part), `${part} missing from ${url}`);
  }
  const before = { events: await kpi('events'), revenue: await kpi('revenue'), users: await kpi('users') };
  const table = await page.locator('#table-brands tbody td:first-child').allTextContents();

  const other = await browser.newPage();
  try {
    await other.goto(url, { waitUntil: 'domcontentloaded' });
    await other.waitForFunction(() => window.shopstreamDashboard.refreshCount > 0);
    assert.equal(await other.isVisible('#tab-products'), true);
    assert.equal(await other.getAttribute('.tab[data-tab="products"]', 'aria-selected'), 'true');
    assert.equal(await other.inputValue('#range'), '1440');
    assert.equal(await other.inputValue('#filter-department'), 'electronics');
    assert.equal(await other.inputValue('#filter-brand'), 'samsung');
    for (const [key, value] of Object.entries(before)) {
      assert.equal(Number(await other.getAttribute(`#kpi-${key}`, 'data-value')), value, key);
    }
    assert.deepEqual(await other.locator('#table-brands tbody td:first-child').allTextContents(), table);
  } finally {
    await other.close();
  }
  await refreshed(() => page.click('#filter-clear'));
  await refreshed(() => page.selectOption('#range', 'all'));
  assert.equal(new URL(page.url()).search, '?tab=products');
  await showTab('overview');
});

test('times show in the viewer\'s zone, UTC a click away', async () => {
  await refreshed(() => page.selectOption('#range', '60'));
  const { bucket, label } = await page.evaluate(() => {
    const d = window.shopstreamDashboard.data;
    const chart = echarts.getInstanceByDom(document.getElementById('chart-revenue-time'));
    return { bucket: d.timeseries.points[0].bucket, label: chart.getOption().xAxis[0].data[0] };
  });
  // The same instant in New York, by the platform's own clock arithmetic. An hour has
  // ten-second points ("YYYY-MM-DD HH:MM:SS"), labelled to the second.
  assert.equal(bucket.length, 19, bucket);
  const local = new Date(bucket.replace(' ', 'T') + 'Z').toLocaleString('sv-SE', { timeZone: ZONE }).slice(0, 19);
  assert.equal(label, local);
  assert.match(await page.textContent('#range-text'), /America\/New_York \(UTC-05:00\)/);
  await page.click('#zone');
  await page.waitForFunction(() => document.getElementById('zone').getAttribute('aria-pressed') === 'true');
  const utc = await page.evaluate(() =>
    echarts.getInstanceByDom(document.getElementById('chart-revenue-time')).getOption().xAxis[0].data[0]);
  assert.equal(utc, bucket);
  assert.match(await page.textContent('#range-text'), /times in UTC/);
  assert.match(page.url(), /tz=utc/);
  await page.click('#zone');
  await refreshed(() => page.selectOption('#range', 'all'));
});

test('live mode updates the KPIs without a reload when new rows are processed', async () => {
  assert.equal(await page.isChecked('#live'), true, 'live mode is on by default');
  await page.waitForSelector('#live-state.on');
  await page.evaluate(() => {
    window.__sameDocument = true;
    window.__pulses = 0;  // the pulse the server pushes after each commit (live.js draws it)
    window.addEventListener('shopstream:pulse', () => { window.__pulses += 1; });
  });
  const before = await kpi('revenue');

  const rows = ['event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session'];
  for (let i = 0; i < EXTRA_PURCHASES; i++) {
    rows.push(`2019-11-15 10:0${i}:00 UTC,purchase,${9000 + i},1,electronics.smartphone,${EVIL_BRAND},${EXTRA_PRICE},7,s${i}`);
    rows.push(`2019-11-15 11:0${i}:00 UTC,purchase,${9100 + i},1,electronics.smartphone,"${FORMULA_BRAND.replace(/"/g, '""')}",${EXTRA_PRICE},8,t${i}`);
  }
  const csv = path.join(work, 'more.csv');
  writeFileSync(csv, rows.join('\n') + '\n');
  ingest(csv);

  const want = before + 2 * EXTRA_PURCHASES * EXTRA_PRICE;
  await page.waitForFunction((w) => Math.abs(Number(document.getElementById('kpi-revenue').dataset.value) - w) < 0.01,
                             want, { timeout: 120_000 });
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was reloaded');
  await page.waitForFunction(() => window.__pulses > 0, null, { timeout: 120_000 });
});

test('the Live tab draws events per second and who is on the site, as /api/live says', async () => {
  await showTab('live');
  await page.waitForFunction(() => window.shopstreamLive.data !== null);
  await assertChartsHaveData(['chart-live-pulse', 'chart-live-users']);
  const live = await (await page.request.get(baseUrl + '/api/live')).json();
  assert.equal(live.pulse.points.length, 60);
  assert.equal(live.people.users_per_minute.length, 30);
  // The newest bucket of each chart (ten seconds, a minute) is still filling: drawn apart
  // (dashed, "in progress"), not as the line's drop.
  const assertNewestPartial = async (id, noteId, values) => {
    const drawn = await seriesData(id);
    assert.deepEqual(drawn[0], values.slice(0, -1).concat(['-']), `${id}: the finished points`);
    assert.deepEqual(drawn[1].slice(-2), values.slice(-2), `${id}: the point still filling`);
    assert.ok(drawn[1].slice(0, -2).every((v) => v === '-'), `${id}: only the newest point is partial`);
    const partial = await page.evaluate((chartId) => {
      const option = echarts.getInstanceByDom(document.getElementById(chartId)).getOption();
      const s = option.series.find((x) => x.id === 'partial');
      return { dashed: s.lineStyle.type, label: s.markArea.label.formatter, area: s.markArea.data[0][0].xAxis,
               lastLabel: option.xAxis[0].data[option.xAxis[0].data.length - 1] };
    }, id);
    assert.equal(partial.dashed, 'dashed', `${id}: the newest point is not dashed`);
    assert.equal(partial.label, 'in progress');
    assert.equal(partial.area, partial.lastLabel);
    const note = await page.textContent('#' + noteId);
    assert.ok(note.includes('(' + partial.lastLabel + ') is still filling'), `${noteId}: ${note}`);
  };
  await assertNewestPartial('chart-live-pulse', 'live-pulse-note', live.pulse.points.map((p) => p.per_second));
  // The number is the last complete bucket's rate (the chart's last solid point), not the
  // newest bucket's, which is still filling and would read low; the line under it and its
  // tooltip say so.
  const complete = live.pulse.points[live.pulse.points.length - 2];
  assert.equal(await page.getAttribute('#live-eps', 'data-bucket'), complete.bucket);
  assert.equal(await page.textContent('#live-eps'),
               complete.per_second.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 }));
  assert.match(await page.textContent('#live-eps-window'), /^the last complete 10 s, from /);
  assert.match(await page.getAttribute('#live-eps-kpi', 'title'), /last complete ten-second bucket .*still filling/);
  await assertNewestPartial('chart-live-users', 'live-users-note', live.people.users_per_minute.map((m) => m.users));
  assert.equal(await page.textContent('#live-users-30m'), live.people.users_30m.toLocaleString('en-US'));
  assert.equal(await page.textContent('#live-sessions-5m'), live.people.sessions_5m.toLocaleString('en-US'));
  await showTab('overview');
});

test('the Funnel tab draws the session funnel of /api/session_funnel for the window picked', async () => {
  await showTab('funnel');
  await page.waitForFunction(() => window.shopstreamSessionFunnel.loads > 0);
  const loads = await page.evaluate(() => window.shopstreamSessionFunnel.loads);
  await page.selectOption('#sfunnel-window', '5');
  await page.waitForFunction((n) => window.shopstreamSessionFunnel.loads > n, loads);
  const range = await page.evaluate(() => window.shopstreamDashboard.data.range);
  const query = new URLSearchParams({ window: '5', ...(range.from ? { from: range.from, to: range.to } : {}) });
  const api = await (await page.request.get(`${baseUrl}/api/session_funnel?${query}`)).json();
  assert.equal(api.window_minutes, 5);
  assert.ok(api.steps[0].sessions > 0, 'no session viewed');
  const [bars] = await seriesData('chart-sfunnel');
  assert.deepEqual(bars, api.steps.map((s) => s.sessions).reverse());
  const [delays] = await seriesData('chart-sfunnel-delay');
  assert.deepEqual(delays, api.delays.map((b) => b.sessions));
  await page.selectOption('#sfunnel-window', '30');
  await showTab('overview');
});

test('the Trending tab lists what /api/trending ranks, for the window and measure picked', async () => {
  await showTab('trending');
  await page.waitForFunction(() => window.shopstreamTrending.loads > 0);
  const loads = await page.evaluate(() => window.shopstreamTrending.loads);
  await page.selectOption('#trend-window-pick', '1440');
  await page.waitForFunction((n) => window.shopstreamTrending.loads > n, loads);
  const loadsThen = await page.evaluate(() => window.shopstreamTrending.loads);
  await page.selectOption('#trend-by', 'views');
  await page.waitForFunction((n) => window.shopstreamTrending.loads > n, loadsThen);
  for (const dimension of ['product', 'brand', 'department']) {
    const api = await (await page.request.get(`${baseUrl}/api/trending?dimension=${dimension}&window=1440&by=views&limit=10`)).json();
    assert.ok(api.top.length > 0, `${dimension}: nothing viewed in the last day of the sample`);
    const names = await page.$$eval(`#trend-top-${dimension} tbody tr td:first-child`, (cells) => cells.map((c) => c.textContent));
    assert.deepEqual(names, api.top.map((t) => (dimension === 'product' ? `${t.name} (${t.department})` : t.name)));
    const values = await page.$$eval(`#trend-top-${dimension} tbody tr td:nth-child(2)`, (cells) => cells.map((c) => c.textContent));
    assert.deepEqual(values, api.top.map((t) => t.value.toLocaleString('en-US')));
  }
  await showTab('overview');
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
  // Nothing may fire: the page keeps running for a moment with no dialog and no error.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 300))));
  assert.deepEqual(dialogs, []);
  assert.deepEqual(pageErrors, []);
});

test('CSV downloads hold each chart\'s data, formulas defused', async () => {
  // The table's CSV: the brands it shows, in order; the formula-looking name as text.
  const [download] = await Promise.all([page.waitForEvent('download'),
                                        page.click('#table-brands >> xpath=.. >> button.csv')]);
  assert.match(download.suggestedFilename(), /^shopstream_brands-table_all-time\.csv$/);
  const text = readFileSync(await download.path(), 'utf8');
  const lines = text.trimEnd().split('\r\n');
  assert.equal(lines[0], 'rank,brand,events,views,carts,purchases,revenue');
  assert.equal(lines.length, 11);
  const shown = await page.locator('#table-brands tbody td:first-child').allTextContents();
  assert.ok(lines[1].startsWith(`1,${shown[0]},`), lines[1]);
  assert.ok(lines.some((l) => l.startsWith(`${1 + shown.indexOf(FORMULA_BRAND)},"'=1+2,""x""",`)),
            `the formula brand is not defused:\n${text}`);
  assert.ok(lines.some((l) => l.includes(`,${EVIL_BRAND},`)));

  // The time series' CSV: one row per point, its UTC bucket and its time in the zone.
  await showTab('overview');
  const [series] = await Promise.all([page.waitForEvent('download'),
                                      page.click('#chart-revenue-time >> xpath=.. >> button.csv')]);
  const rows = readFileSync(await series.path(), 'utf8').trimEnd().split('\r\n');
  assert.equal(rows[0], `bucket_utc,start (${ZONE} (UTC-05:00)),events,views,carts,purchases,revenue,in_progress`);
  const points = await page.evaluate(() => window.shopstreamDashboard.data.timeseries.points.length);
  assert.equal(rows.length, points + 1);
  const sum = rows.slice(1).reduce((s, r) => s + Number(r.split(',')[2]), 0);
  assert.equal(sum, await kpi('events'));
});

test('the point still filling is drawn as partial, not as a drop', async () => {
  // Events at the current time (produce --rate max stamps them now): the last minute of the
  // last 15 minutes is still going on.
  const rows = ['event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session'];
  for (let i = 0; i < 5; i++) rows.push(`2019-11-15 10:00:00 UTC,view,${9200 + i},1,apparel.shoes,nike,10,9,u${i}`);
  const csv = path.join(work, 'now.csv');
  writeFileSync(csv, rows.join('\n') + '\n');
  // The last point is partial only while its minute lasts: when the clock passes into the next
  // minute between the events and the drawing (a busy machine), ingest again in the new one.
  let drawn;
  for (let attempt = 0; attempt < 3; attempt++) {
    const minute = Math.floor(Date.now() / 60_000);
    ingest(csv, { now: true });
    await refreshed(() => page.selectOption('#range', attempt === 0 ? '15' : '60'));
    if (attempt > 0) await refreshed(() => page.selectOption('#range', '15'));
    drawn = await page.evaluate(() => {
      const chart = echarts.getInstanceByDom(document.getElementById('chart-revenue-time'));
      const option = chart.getOption();
      const partial = option.series.find((s) => s.id === 'partial');
      const points = window.shopstreamDashboard.data.timeseries.points;
      return {
        last: points.length - 1,
        state: window.shopstreamDashboard.partial,
        dashed: partial && partial.lineStyle.type,
        smooth: option.series.map((s) => s.smooth),
        label: partial && partial.markArea.label.formatter,
        area: partial && partial.markArea.data[0][0].xAxis,
        lastLabel: option.xAxis[0].data[points.length - 1],
      };
    });
    if (Math.floor(Date.now() / 60_000) === minute) break;
  }
  assert.equal(drawn.state && drawn.state.index, drawn.last, 'the last point is not marked partial');
  assert.equal(drawn.dashed, 'dashed');
  assert.equal(drawn.label, 'in progress');
  assert.equal(drawn.area, drawn.lastLabel);
  assert.deepEqual(drawn.smooth, [false, false]);
  assert.equal(await page.isVisible('#partial-note'), true);
  assert.match(await page.textContent('#partial-note'), /still filling/);
  await refreshed(() => page.selectOption('#range', 'all'));
});

test('keyboard, labels and contrast: axe finds nothing serious on any tab; a favicon', async () => {
  // The tabs follow the arrow keys.
  await page.focus('.tab[data-tab="overview"]');
  await page.keyboard.press('ArrowRight');
  await page.waitForSelector('#tab-live:not([hidden])');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.tab), 'live');
  // Every control is reachable with Tab.
  const reached = new Set();
  for (let i = 0; i < 60 && reached.size < 8; i++) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => document.activeElement.id);
    if (['range', 'refresh', 'live', 'zone', 'filter-department', 'filter-brand', 'filter-clear', 'copy-link'].includes(id)) {
      reached.add(id);
    }
  }
  assert.equal(reached.size, 8, `reached only ${[...reached]}`);

  await page.evaluate(AXE_SOURCE);  // DevTools evaluation: not a script the page's CSP governs
  for (const tab of ['overview', 'live', 'trending', 'products', 'funnel', 'deadletters']) {
    await showTab(tab);
    const violations = await page.evaluate(async () => {
      const result = await axe.run(document, { resultTypes: ['violations'] });
      return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    });
    assert.deepEqual(violations, [], `${tab}: ${violations.join('\n')}`);
  }
  const icon = await page.request.get(baseUrl + '/favicon.ico');
  assert.equal(icon.status(), 200);
  assert.equal(icon.headers()['content-type'], 'image/svg+xml');
  assert.deepEqual(pageErrors, []);
});
