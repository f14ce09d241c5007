// Opens a Superset dashboard in headless Chromium (Debian's, driven by playwright-core), one tab
// at a time, and prints what every chart shows as JSON on stdout: drawn (with the number of a
// big-number chart), an error (with Superset's message), or still loading when the deadline
// passed. Used by tests/integration/test_superset.py and bench/sections/superset.py.
//
//   node tests/browser/superset_dashboard.mjs URL DASHBOARD_PATH [--tabs ID,ID] [--repeat N]
//        [--timeout SECONDS] [--screenshot FILE]
//   SUPERSET_USER (default admin) and SUPERSET_PASSWORD: the login (never on the command line)
//
// Each tab is opened as its own page load (DASHBOARD_PATH#TAB-ID), as a user's bookmark would,
// and timed from the start of the load until its last chart has drawn or failed; Superset
// renders only the charts of the visible tab. --repeat loads each tab N times (in turn).
import { createRequire } from 'node:module';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { chromium } = createRequire(path.join(REPO, 'web', 'package.json'))('playwright-core');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

function parseArgs(argv) {
  const args = { tabs: null, repeat: 1, timeout: 120, screenshot: null, positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--tabs') args.tabs = argv[++i].split(',');
    else if (a === '--repeat') args.repeat = Number(argv[++i]);
    else if (a === '--timeout') args.timeout = Number(argv[++i]);
    else if (a === '--screenshot') args.screenshot = argv[++i];
    else if (a === '-h' || a === '--help') {
      console.log('usage: node superset_dashboard.mjs URL DASHBOARD_PATH [--tabs ID,ID] [--repeat N] ' +
        '[--timeout SECONDS] [--screenshot FILE]\nSUPERSET_USER, SUPERSET_PASSWORD: the login');
      process.exit(0);
    } else args.positional.push(a);
  }
  if (args.positional.length !== 2 || !process.env.SUPERSET_PASSWORD) {
    console.error('usage: node superset_dashboard.mjs URL DASHBOARD_PATH [options] (SUPERSET_PASSWORD in the environment)');
    process.exit(2);
  }
  [args.url, args.dashboard] = args.positional;
  args.url = args.url.replace(/\/$/, '');
  return args;
}

// What each chart of the visible tab shows, read from Superset's own markup. With `settled`,
// instead: whether there are charts and none is loading (for waitForFunction; self-contained,
// since Playwright sends its source to the page).
function chartStates(settled) {
  const visible = (el) => el.offsetParent !== null;
  const states = [...document.querySelectorAll('.chart-slice[data-test-chart-id]')].filter(visible).map((slice) => {
    const alert = slice.querySelector('[role="alert"].ant-alert-error, .ant-alert-error');
    const loading = slice.querySelector('img.loading, [aria-label="Loading"]');
    const container = slice.querySelector('.slice_container');
    const canvas = [...slice.querySelectorAll('canvas')].some((c) => c.width > 0 && c.height > 0);
    const table = slice.querySelector('table tbody tr, [role="table"] table');
    const header = slice.querySelector('.header-line');
    let state = 'loading';
    if (alert) state = 'error';
    else if (container && !loading && (canvas || table || header)) state = 'drawn';
    return {
      id: Number(slice.getAttribute('data-test-chart-id')),
      name: slice.getAttribute('data-test-chart-name'),
      viz: slice.getAttribute('data-test-viz-type'),
      state,
      message: alert ? alert.innerText.replace(/\s+/g, ' ').trim().slice(0, 500) : null,
      number: header ? header.innerText.trim() : null,
    };
  });
  return settled ? states.length > 0 && states.every((s) => s.state !== 'loading') : states;
}

// Superset's login form, filled and sent as a user would, once the page has settled. Up to 3
// tries: on a loaded machine the form was seen to stay on the login page (its script re-drew
// the fields after they were filled), and a user would sign in again.
async function login(page, args) {
  const tries = 3;
  for (let attempt = 1; ; attempt++) {
    await page.goto(`${args.url}/login/`, { waitUntil: 'networkidle', timeout: args.timeout * 1000 });
    await page.fill('#username', process.env.SUPERSET_USER || 'admin');
    await page.fill('#password', process.env.SUPERSET_PASSWORD);
    await page.locator('button[type="submit"], button:has-text("Sign in")').first().click();
    try {
      await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: args.timeout * 1000 / tries });
      return;
    } catch (e) {
      if (attempt < tries) continue;
      const text = (await page.locator('body').innerText()).replace(/\s+/g, ' ').slice(0, 300);
      throw new Error(`the login did not leave the login page after ${tries} tries: ${text}`);
    }
  }
}

// The chart data requests of the page (/api/v1/chart/data): how long each took, from the
// request's start to the end of its answer, its HTTP status, the chart it was for and how many
// rows the answer held (so a test can tell a chart that drew data from an empty one).
function watchChartData(page) {
  const log = [];
  page.on('requestfinished', async (request) => {
    if (!request.url().includes('/api/v1/chart/data')) return;
    const timing = request.timing();
    const response = await request.response();
    const entry = { ms: Math.round(timing.responseEnd), status: response ? response.status() : null,
      chart: sliceId(request.url()), rows: null };
    try {
      const body = await response.json();
      entry.rows = (body.result || []).reduce((n, r) => n + (r.rowcount || 0), 0);
      if (entry.rows <= 50) entry.data = (body.result || []).map((r) => r.data);
    } catch (e) { /* not JSON: the status says what went wrong */ }
    log.push(entry);
  });
  page.on('requestfailed', (request) => {
    if (request.url().includes('/api/v1/chart/data')) log.push({ ms: null, status: 'failed' });
  });
  return log;
}

// Loads the dashboard on one tab and waits, polling the page, until no chart is loading.
async function openTab(page, args, tabId, requests) {
  const anchor = tabId ? `#TAB-${tabId}` : '';
  requests.length = 0;
  const started = Date.now();
  await page.goto('about:blank');
  await page.goto(`${args.url}${args.dashboard}${anchor}`, { timeout: args.timeout * 1000 });
  if (tabId) {
    const tab = page.locator(`[role="tab"][id$="TAB-${tabId}"], [role="tab"][data-node-key="TAB-${tabId}"]`);
    if (await tab.count()) await tab.first().click();
  }
  let settled = true;
  try {
    await page.waitForFunction(chartStates, true, { timeout: args.timeout * 1000, polling: 50 });
  } catch (e) {
    if (!String(e).includes('Timeout')) throw e;
    settled = false;
  }
  const ms = Date.now() - started;
  const title = await page.locator('[role="tab"][aria-selected="true"]').first().innerText().catch(() => null);
  const charts = await page.evaluate(chartStates, false);
  return { tab: tabId, title, ms, settled, charts, requests: [...requests] };
}

// True once every canvas of the page shows what it showed at the previous call.
function canvasesStill() {
  const now = [...document.querySelectorAll('canvas')].map((c) => c.toDataURL()).join('|');
  const still = window.__shopstreamCanvases === now;
  window.__shopstreamCanvases = now;
  return still;
}

function sliceId(url) {
  try {
    const formData = new URL(url).searchParams.get('form_data');
    return formData ? JSON.parse(formData).slice_id ?? null : null;
  } catch (e) {
    return null;
  }
}

async function tabIds(page) {
  return page.$$eval('[role="tab"]', (els) => els.map((e) => {
    const key = e.getAttribute('data-node-key') || e.id || '';
    const m = key.match(/TAB-(.*)$/);
    return m ? m[1] : null;
  }).filter(Boolean));
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const profile = mkdtempSync(path.join(tmpdir(), 'superset-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1600, height: 1200 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const consoleErrors = [];
  try {
    const page = context.pages()[0] || await context.newPage();
    // This machine has no other network; nothing of another host is fetched.
    await page.route((url) => !url.href.startsWith(args.url) && !url.href.startsWith('about:') &&
      !url.href.startsWith('data:') && !url.href.startsWith('blob:'), (route) => route.abort());
    const requests = watchChartData(page);
    page.on('console', (m) => {
      // Superset's page always asks for its usage pixel; the stack's policy refuses it.
      if (m.type() === 'error' && !m.text().includes('scarf.sh')) consoleErrors.push(m.text().slice(0, 300));
    });
    page.on('pageerror', (e) => consoleErrors.push(`page error: ${String(e).slice(0, 300)}`));
    await login(page, args);
    const first = await openTab(page, args, null, requests);
    const tabs = args.tabs || await tabIds(page);
    const results = [];
    for (let round = 0; round < args.repeat; round++) {
      for (const id of tabs) results.push({ round, ...await openTab(page, args, id, requests) });
    }
    if (args.screenshot) {
      const shot = await openTab(page, args, tabs[0], requests);
      // The notice that the dashboard refreshes itself every 10 s would cover a chart.
      await page.addStyleTag({ content: '.ant-message, .toast-container, [data-test="toast-container"] { display: none !important; }' });
      // ECharts grows its bars after drawing: the picture waits until no canvas changes
      // between two polls (at most 10 s), so it shows the figures, not a frame of the animation.
      await page.waitForFunction(canvasesStill, null, { timeout: 10000, polling: 300 }).catch(() => {});
      await page.screenshot({ path: args.screenshot, fullPage: true });
      results.push({ round: 'screenshot', ...shot });
    }
    process.stdout.write(JSON.stringify({ dashboard: await page.title(), first, tabs: results, consoleErrors },
      null, 1) + '\n');
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(String(e.stack || e)); process.exit(1); });
