// The shopstream dashboard: fetches the JSON API, draws with ECharts, refreshes on a timer
// and, in live mode, whenever the server's event stream says the store has new data.
// Every string from the data is untrusted: it reaches the DOM only through textContent or
// through ECharts (canvas), and tooltips are built by escapeHtml() below.
'use strict';

(function () {
  const state = {
    tab: 'overview',
    data: null,          // the last successful fetch, by endpoint
    charts: {},          // id -> ECharts instance
    refreshTimer: null,
    source: null,        // EventSource in live mode
    inFlight: false,
    pending: false,
    refreshCount: 0,
  };
  window.shopstreamDashboard = state;  // for tests and the curious

  const TYPE_COLORS = { view: '#5470c6', cart: '#fac858', purchase: '#91cc75' };
  const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const count = new Intl.NumberFormat('en-US');

  function escapeHtml(value) {
    return String(value).replace(/[&<>"'`=\/]/g, (c) => '&#' + c.charCodeAt(0) + ';');
  }
  function percent(v) { return v === null || v === undefined ? '–' : (v * 100).toFixed(2) + ' %'; }

  // ---- time range -------------------------------------------------------------------------
  function minuteToDate(bucket) {  // "YYYY-MM-DD HH:MM" (UTC) -> Date
    return new Date(bucket.replace(' ', 'T') + ':00Z');
  }
  function formatUtc(date) {  // Date -> "YYYY-MM-DD HH:MM"
    return date.toISOString().slice(0, 16).replace('T', ' ');
  }
  // "Last N minutes" ends at the newest minute with data, so that replays of old data
  // (the 2019 data set at its original times) show something too.
  function currentRange(extent) {
    const choice = document.getElementById('range').value;
    if (choice === 'all' || !extent || !extent.last_minute) return { from: '', to: '' };
    const end = new Date(minuteToDate(extent.last_minute).getTime() + 60000);
    const start = new Date(end.getTime() - Number(choice) * 60000);
    return { from: formatUtc(start), to: formatUtc(end) };
  }

  // ---- fetching ---------------------------------------------------------------------------
  async function getJson(path, range, extra) {
    const params = new URLSearchParams(extra || {});
    if (range.from) params.set('from', range.from);
    if (range.to) params.set('to', range.to);
    const query = params.toString();
    const res = await fetch(path + (query ? '?' + query : ''), { cache: 'no-store' });
    const body = await res.json();
    if (!res.ok) throw new Error(body && body.error ? body.error : res.status + ' ' + res.statusText);
    return body;
  }

  async function refresh() {
    if (state.inFlight) { state.pending = true; return; }
    state.inFlight = true;
    try {
      const extent = await getJson('/api/extent', {});
      const range = currentRange(extent);
      const [kpis, timeseries, departments, brands, products, mix, funnel, status] = await Promise.all([
        getJson('/api/kpis', range),
        getJson('/api/timeseries', range),
        getJson('/api/departments', range),
        getJson('/api/brands', range, { limit: 10 }),
        getJson('/api/products', range, { limit: 10 }),
        getJson('/api/mix', range),
        getJson('/api/funnel', range),
        getJson('/api/status', {}),
      ]);
      state.data = { extent, range, kpis, timeseries, departments, brands, products, mix, funnel, status };
      showNotice('');
      render();
      state.refreshCount += 1;
      document.getElementById('updated').textContent = '· updated ' + new Date().toLocaleTimeString();
    } catch (err) {
      showNotice('Could not load data: ' + err.message);
    } finally {
      state.inFlight = false;
      if (state.pending) { state.pending = false; refresh(); }
    }
  }

  function showNotice(text) {
    const el = document.getElementById('notice');
    el.textContent = text;
    el.hidden = !text;
  }

  // ---- rendering --------------------------------------------------------------------------
  function chart(id) {
    if (!state.charts[id]) state.charts[id] = echarts.init(document.getElementById(id));
    return state.charts[id];
  }

  function setText(id, text, value) {
    const el = document.getElementById(id);
    el.textContent = text;
    if (value !== undefined) el.dataset.value = String(value);
  }

  // Tooltips render HTML, so they are built here from escaped parts only.
  function axisTooltip(valueFormat) {
    return function (params) {
      const list = Array.isArray(params) ? params : [params];
      if (!list.length) return '';
      const lines = ['<b>' + escapeHtml(list[0].axisValueLabel || list[0].name) + '</b>'];
      for (const p of list) {
        const raw = Array.isArray(p.value) ? p.value[1] : p.value;
        lines.push(p.marker + escapeHtml(p.seriesName) + ': <b>' + escapeHtml(valueFormat(raw)) + '</b>');
      }
      return lines.join('<br>');
    };
  }
  function itemTooltip(valueFormat) {
    return function (p) {
      return p.marker + escapeHtml(p.name) + ': <b>' + escapeHtml(valueFormat(p.value)) + '</b>' +
        (p.percent !== undefined ? ' (' + escapeHtml(p.percent) + ' %)' : '');
    };
  }
  const baseGrid = { left: 8, right: 16, top: 32, bottom: 8, containLabel: true };

  function renderOverview(d) {
    const k = d.kpis;
    setText('kpi-revenue', money.format(k.revenue), k.revenue);
    setText('kpi-events', count.format(k.events), k.events);
    setText('kpi-views', count.format(k.views), k.views);
    setText('kpi-carts', count.format(k.carts), k.carts);
    setText('kpi-purchases', count.format(k.purchases), k.purchases);
    setText('kpi-view-to-cart', percent(k.view_to_cart), k.view_to_cart);
    setText('kpi-cart-to-purchase', percent(k.cart_to_purchase), k.cart_to_purchase);

    const buckets = d.timeseries.points.map((p) => p.bucket);
    chart('chart-revenue-time').setOption({
      tooltip: { trigger: 'axis', formatter: axisTooltip((v) => money.format(v)) },
      grid: baseGrid,
      xAxis: { type: 'category', data: buckets },
      yAxis: { type: 'value', name: 'revenue' },
      series: [{ name: 'Revenue', type: 'line', areaStyle: { opacity: 0.15 }, smooth: true,
                 showSymbol: false, color: '#91cc75',
                 data: d.timeseries.points.map((p) => p.revenue) }],
    }, true);
    chart('chart-events-time').setOption({
      tooltip: { trigger: 'axis', formatter: axisTooltip((v) => count.format(v)) },
      legend: { top: 0 },
      grid: baseGrid,
      xAxis: { type: 'category', data: buckets },
      yAxis: { type: 'value', name: 'events' },
      series: [['Views', 'views', 'view'], ['Carts', 'carts', 'cart'], ['Purchases', 'purchases', 'purchase']]
        .map(([name, key, type]) => ({ name, type: 'bar', stack: 'events', color: TYPE_COLORS[type],
                                       data: d.timeseries.points.map((p) => p[key]) })),
    }, true);

    const depts = d.departments.departments;
    const byRevenue = depts.slice().sort((a, b) => b.revenue - a.revenue);
    chart('chart-dept-revenue').setOption({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: axisTooltip((v) => money.format(v)) },
      grid: baseGrid,
      xAxis: { type: 'value' },
      yAxis: { type: 'category', inverse: true, data: byRevenue.map((x) => x.name) },
      series: [{ name: 'Revenue', type: 'bar', color: '#91cc75', data: byRevenue.map((x) => x.revenue) }],
    }, true);
    const byEvents = depts.slice().sort((a, b) => b.events - a.events);
    chart('chart-dept-events').setOption({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: axisTooltip((v) => count.format(v)) },
      legend: { top: 0 },
      grid: baseGrid,
      xAxis: { type: 'value' },
      yAxis: { type: 'category', inverse: true, data: byEvents.map((x) => x.name) },
      series: [['Views', 'views', 'view'], ['Carts', 'carts', 'cart'], ['Purchases', 'purchases', 'purchase']]
        .map(([name, key, type]) => ({ name, type: 'bar', stack: 'events', color: TYPE_COLORS[type],
                                       data: byEvents.map((x) => x[key]) })),
    }, true);
    const mixTotal = d.mix.mix.reduce((sum, m) => sum + m.events, 0);
    const mixShare = Object.fromEntries(d.mix.mix.map((m) => [m.event_type, mixTotal ? (100 * m.events) / mixTotal : 0]));
    chart('chart-mix').setOption({
      tooltip: { trigger: 'item', formatter: itemTooltip((v) => count.format(v)) },
      // The legend carries the shares: small slices' labels would overlap on the ring.
      legend: { bottom: 0, formatter: (name) => name + '  ' + (mixShare[name] || 0).toFixed(2) + ' %' },
      series: [{ name: 'Events', type: 'pie', radius: ['45%', '72%'], center: ['50%', '45%'],
                 label: { show: false },
                 data: d.mix.mix.map((m) => ({ name: m.event_type, value: m.events,
                                               itemStyle: { color: TYPE_COLORS[m.event_type] } })) }],
    }, true);
  }

  function rankingChart(id, rows, key, label, format, color, withDepartment) {
    const names = rows.map((r) => (withDepartment ? r.department + ' · ' + r.name : r.name));
    chart(id).setOption({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: axisTooltip(format) },
      grid: baseGrid,
      xAxis: { type: 'value' },
      yAxis: { type: 'category', inverse: true, data: names,
               axisLabel: { width: 160, overflow: 'truncate' } },
      series: [{ name: label, type: 'bar', color, data: rows.map((r) => r[key]) }],
    }, true);
  }

  function renderProducts(d) {
    rankingChart('chart-brands-revenue', d.brands.by_revenue, 'revenue', 'Revenue', (v) => money.format(v), '#91cc75', false);
    rankingChart('chart-brands-views', d.brands.by_views, 'views', 'Views', (v) => count.format(v), '#5470c6', false);
    rankingChart('chart-products-revenue', d.products.by_revenue, 'revenue', 'Revenue', (v) => money.format(v), '#91cc75', true);
    rankingChart('chart-products-views', d.products.by_views, 'views', 'Views', (v) => count.format(v), '#5470c6', true);

    const tbody = document.querySelector('#table-brands tbody');
    const rows = d.brands.by_revenue.map((b) => {
      const tr = document.createElement('tr');
      const cells = [b.name, count.format(b.views), count.format(b.carts), count.format(b.purchases), money.format(b.revenue)];
      cells.forEach((text, i) => {
        const td = document.createElement('td');
        td.textContent = text;
        if (i > 0) td.className = 'num';
        tr.appendChild(td);
      });
      return tr;
    });
    tbody.replaceChildren(...rows);
  }

  function renderFunnel(d) {
    const f = d.funnel;
    setText('funnel-view-to-cart', percent(f.view_to_cart), f.view_to_cart);
    setText('funnel-cart-to-purchase', percent(f.cart_to_purchase), f.cart_to_purchase);
    setText('funnel-view-to-purchase', percent(f.view_to_purchase), f.view_to_purchase);
    const labels = { view: 'Viewed', cart: 'Added to cart', purchase: 'Purchased' };
    chart('chart-funnel').setOption({
      tooltip: { trigger: 'item', formatter: itemTooltip((v) => count.format(v)) },
      series: [{ name: 'Funnel', type: 'funnel', sort: 'none', left: '10%', width: '80%',
                 minSize: '30%', gap: 4,
                 label: { show: true, position: 'inside', fontWeight: 600, color: '#1f2430',
                          formatter: (p) => p.name + ': ' + count.format(p.value) },
                 data: f.steps.map((s) => ({ name: labels[s.stage] || s.stage, value: s.events,
                                             itemStyle: { color: TYPE_COLORS[s.stage] } })) }],
    }, true);
  }

  function renderFooter(d) {
    const s = d.status;
    const parts = [];
    for (const st of s.streams) {
      parts.push(st.stream + ': ' + count.format(st.events) + ' events in ' + count.format(st.batches) +
                 ' batches, lag ' + count.format(st.lag) + ', last batch ' + st.last_batch_ms.toFixed(1) + ' ms');
    }
    parts.push('dead letters: ' + count.format(s.dead_letters_stored));
    document.getElementById('footer').textContent = parts.join(' · ');
    const r = d.range;
    document.getElementById('range-text').textContent = r.from
      ? r.from + ' – ' + r.to + ' UTC'
      : (d.extent.first_minute ? d.extent.first_minute + ' – ' + d.extent.last_minute + ' UTC (all data)' : 'no data yet');
  }

  function render() {
    const d = state.data;
    if (!d) return;
    renderFooter(d);
    if (state.tab === 'overview') renderOverview(d);
    if (state.tab === 'products') renderProducts(d);
    if (state.tab === 'funnel') renderFunnel(d);
    for (const c of Object.values(state.charts)) c.resize();
  }

  // ---- controls ---------------------------------------------------------------------------
  function showTab(name) {
    state.tab = name;
    for (const b of document.querySelectorAll('.tab')) {
      const active = b.dataset.tab === name;
      b.classList.toggle('active', active);
      b.setAttribute('aria-selected', String(active));
    }
    for (const p of document.querySelectorAll('.tabpanel')) p.hidden = p.id !== 'tab-' + name;
    render();
  }

  function setAutoRefresh(seconds) {
    clearInterval(state.refreshTimer);
    state.refreshTimer = seconds > 0 ? setInterval(refresh, seconds * 1000) : null;
  }

  function setLive(on) {
    const indicator = document.getElementById('live-state');
    if (state.source) { state.source.close(); state.source = null; }
    indicator.className = 'live-state off';
    indicator.title = 'Live updates off';
    if (!on) return;
    const source = new EventSource('/api/events');
    let reconnecting = false;
    source.addEventListener('hello', () => {
      indicator.className = 'live-state on';
      indicator.title = 'Live: connected';
      if (reconnecting) refresh();  // commits made while disconnected sent no tick
      reconnecting = false;
    });
    source.addEventListener('tick', () => refresh());
    source.onerror = () => {
      reconnecting = true;
      indicator.className = 'live-state error';
      indicator.title = 'Live: reconnecting';
    };
    state.source = source;
  }

  document.addEventListener('DOMContentLoaded', () => {
    for (const b of document.querySelectorAll('.tab')) b.addEventListener('click', () => showTab(b.dataset.tab));
    document.getElementById('range').addEventListener('change', refresh);
    document.getElementById('refresh').addEventListener('change', (e) => setAutoRefresh(Number(e.target.value)));
    document.getElementById('live').addEventListener('change', (e) => setLive(e.target.checked));
    window.addEventListener('resize', () => { for (const c of Object.values(state.charts)) c.resize(); });
    setLive(document.getElementById('live').checked);
    refresh();
  });
})();
