// The shopstream dashboard: fetches the JSON API, draws with ECharts, refreshes on a timer
// and, in live mode, whenever the server's event stream says the store has new data.
// The view (tab, range, filters, time zone) lives in the URL, so a reload or a shared link
// shows the same board. Clicking a department or a brand filters every chart and KPI but the
// chart clicked, which keeps showing its neighbours with the picked one highlighted.
// Every string from the data is untrusted: it reaches the DOM only through textContent, form
// values and attributes, or through ECharts (canvas), and tooltips are built by escapeHtml().
'use strict';

(function () {
  const U = window.ShopstreamUtil;
  const state = {
    view: U.readView(window.location.search),  // tab, range, department, brand, tz
    data: null,          // the last successful fetch, by endpoint
    charts: {},          // id -> ECharts instance
    refreshTimer: null,
    source: null,        // EventSource in live mode
    inFlight: false,
    pending: false,
    refreshCount: 0,
    partial: null,       // the time series' point still filling: {index, bucket}, or null
    lastCsv: null,       // {name, text} of the last download, for tests and the curious
  };
  window.shopstreamDashboard = state;

  const TYPE_COLORS = { view: '#5470c6', cart: '#d4a20a', purchase: '#3f9a2f' };
  const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const count = new Intl.NumberFormat('en-US');
  const decimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const RANGE_NAMES = { 15: '15 minutes', 60: 'hour', 1440: '24 hours', 10080: '7 days', 43200: '30 days' };

  function escapeHtml(value) {
    return String(value).replace(/[&<>"'`=\/]/g, (c) => '&#' + c.charCodeAt(0) + ';');
  }
  function percent(v) { return v === null || v === undefined ? '–' : (v * 100).toFixed(2) + ' %'; }
  function el(id) { return document.getElementById(id); }

  // ---- time range -------------------------------------------------------------------------
  function formatUtc(date) {  // Date -> "YYYY-MM-DD HH:MM" (UTC), as the API takes it
    return date.toISOString().slice(0, 16).replace('T', ' ');
  }
  // "Last N minutes" ends at the newest minute with data, so that replays of old data
  // (the 2019 data set at its original times) show something too.
  function currentRange(extent) {
    const choice = state.view.range;
    if (choice === 'all' || !extent || !extent.last_minute) return { from: '', to: '' };
    const end = new Date(U.bucketStart(extent.last_minute).getTime() + 60000);
    const start = new Date(end.getTime() - Number(choice) * 60000);
    return { from: formatUtc(start), to: formatUtc(end) };
  }
  // The range of equal length just before, for the KPIs' change; null for all time.
  function previousRange(range) {
    if (!range.from) return null;
    const from = U.bucketStart(range.from), to = U.bucketStart(range.to);
    return { from: formatUtc(new Date(2 * from.getTime() - to.getTime())), to: range.from };
  }

  // ---- fetching ---------------------------------------------------------------------------
  function filterParams(which) {
    const out = {};
    if (which !== 'brand' && state.view.department) out.department = state.view.department;
    if (which !== 'department' && state.view.brand) out.brand = state.view.brand;
    return out;
  }

  async function getJson(path, range, extra) {
    const params = new URLSearchParams(extra || {});
    if (range && range.from) params.set('from', range.from);
    if (range && range.to) params.set('to', range.to);
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
      const extent = await getJson('/api/extent');
      const range = currentRange(extent);
      const previous = previousRange(range);
      const both = filterParams();
      const none = Promise.resolve(null);
      const [kpis, people, kpisBefore, peopleBefore, timeseries, departments, brands, products, mix, status,
             deadletters] =
        await Promise.all([
          getJson('/api/kpis', range, both),
          getJson('/api/people', range, both),
          previous ? getJson('/api/kpis', previous, both) : none,
          previous ? getJson('/api/people', previous, both) : none,
          getJson('/api/timeseries', range, both),
          // A chart does not filter itself: departments follow the brand only, brands the
          // department only, and show the picked one among its neighbours.
          getJson('/api/departments', range, filterParams('brand')),
          getJson('/api/brands', range, Object.assign({ limit: 100 }, filterParams('department'))),
          getJson('/api/products', range, Object.assign({ limit: 10 }, both)),
          getJson('/api/mix', range, both),
          getJson('/api/status'),
          // A store whose dead letters have no code yet answers an error: the rest still shows.
          getJson('/api/deadletters', null, { limit: 20 }).catch(() => null),
        ]);
      state.data = { extent, range, previous, kpis, people, kpisBefore, peopleBefore, timeseries,
                     departments, brands, products, mix, status, deadletters,
                     view: Object.assign({}, state.view) };
      showNotice('');
      render();
      state.refreshCount += 1;
      el('updated').textContent = '· updated ' + new Date().toLocaleTimeString();
      window.dispatchEvent(new CustomEvent('shopstream:refresh'));  // the Live tab (live.js)
    } catch (err) {
      showNotice('Could not load data: ' + err.message);
    } finally {
      state.inFlight = false;
      if (state.pending) { state.pending = false; refresh(); }
    }
  }

  function showNotice(text) {
    const notice = el('notice');
    notice.textContent = text;
    notice.hidden = !text;
  }

  // ---- rendering helpers ------------------------------------------------------------------
  function chart(id) {
    if (!state.charts[id]) {
      state.charts[id] = echarts.init(el(id));
      bindClicks(id, state.charts[id]);
    }
    return state.charts[id];
  }

  function setText(id, text, value) {
    const node = el(id);
    node.textContent = text;
    if (value !== undefined) node.dataset.value = value === null ? '' : String(value);
  }

  // The change of a KPI against the previous range of equal length. Rates change in
  // percentage points, counts and amounts in percent.
  function setChange(id, now, before, isRate) {
    const node = el(id + '-change');
    node.className = 'delta';
    const d = state.data;
    if (!d.previous) {
      node.textContent = 'no earlier period';
      node.dataset.change = '';
      return;
    }
    const span = RANGE_NAMES[d.view.range] || 'period';
    let diff = null, text;
    if (isRate) {
      if (now !== null && now !== undefined && before !== null && before !== undefined) diff = now - before;
      text = diff === null ? '–' : (diff > 0 ? '+' : diff < 0 ? '−' : '±') + Math.abs(diff * 100).toFixed(2) + ' pt';
    } else {
      diff = U.change(now, before);
      text = diff === null ? 'new' : (diff > 0 ? '+' : diff < 0 ? '−' : '±') + Math.abs(diff * 100).toFixed(1) + ' %';
    }
    const arrow = diff === null || diff === 0 ? '' : diff > 0 ? '▲ ' : '▼ ';
    node.textContent = arrow + text;
    const context = document.createElement('span');
    context.className = 'visually-hidden';
    context.textContent = ' vs the previous ' + span;
    node.appendChild(context);
    node.title = 'Change against the previous ' + span;
    node.dataset.change = diff === null ? '' : String(diff);
    if (diff) node.classList.add(diff > 0 ? 'up' : 'down');
  }

  // Tooltips render HTML, so they are built here from escaped parts only.
  function axisTooltip(valueFormat) {
    return function (params) {
      const list = (Array.isArray(params) ? params : [params]).filter((p) => p.value !== '-' && p.value !== undefined);
      if (!list.length) return '';
      const index = list[0].dataIndex;
      const partial = state.partial && state.partial.index === index && list[0].seriesId !== 'ranking';
      const lines = ['<b>' + escapeHtml(list[0].axisValueLabel || list[0].name) + '</b>' +
                     (partial ? ' (in progress)' : '')];
      const seen = new Set();
      for (const p of list) {
        const name = String(p.seriesName).replace(' (in progress)', '');
        if (seen.has(name)) continue;
        seen.add(name);
        const raw = Array.isArray(p.value) ? p.value[1] : (p.value && p.value.value !== undefined ? p.value.value : p.value);
        lines.push(p.marker + escapeHtml(name) + ': <b>' + escapeHtml(valueFormat(raw)) + '</b>');
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

  // Bars of a picked name stand out; the others fade (a filter is on) or all are plain.
  function emphasis(color, picked, name) {
    if (!picked) return { color };
    return { color, opacity: name === picked ? 1 : 0.35 };
  }

  // ---- overview ---------------------------------------------------------------------------
  function renderKpis(d) {
    const k = d.kpis, kb = d.kpisBefore || {}, p = d.people, pb = d.peopleBefore || {};
    setText('kpi-revenue', money.format(k.revenue), k.revenue);
    setChange('kpi-revenue', k.revenue, kb.revenue);
    for (const key of ['events', 'views', 'carts', 'purchases']) {
      setText('kpi-' + key, count.format(k[key]), k[key]);
      setChange('kpi-' + key, k[key], kb[key]);
    }
    setText('kpi-users', count.format(p.users), p.users);
    setChange('kpi-users', p.users, pb.users);
    setText('kpi-sessions', count.format(p.sessions), p.sessions);
    setChange('kpi-sessions', p.sessions, pb.sessions);
    setText('kpi-events-per-session', p.events_per_session === null ? '–' : decimal.format(p.events_per_session),
            p.events_per_session);
    setChange('kpi-events-per-session', p.events_per_session, pb.events_per_session);
    setText('kpi-session-conversion', percent(p.session_conversion), p.session_conversion);
    setChange('kpi-session-conversion', p.session_conversion, pb.session_conversion, true);
    setText('kpi-view-to-cart', percent(k.view_to_cart), k.view_to_cart);
    setChange('kpi-view-to-cart', k.view_to_cart, kb.view_to_cart, true);
    setText('kpi-cart-to-purchase', percent(k.cart_to_purchase), k.cart_to_purchase);
    setChange('kpi-cart-to-purchase', k.cart_to_purchase, kb.cart_to_purchase, true);
  }

  // The point still filling: the last one, when its bucket ends after now. It is drawn as
  // partial (dashed, hatched, labelled), never as a drop.
  function partialPoint(series) {
    const points = series.points;
    if (!points.length) return null;
    const last = points[points.length - 1];
    if (U.bucketEnd(last.bucket, series.granularity, series.step).getTime() <= Date.now()) return null;
    return { index: points.length - 1, bucket: last.bucket };
  }

  function renderSeries(d) {
    const s = d.timeseries, tz = d.view.tz;
    const labels = s.points.map((p) => U.bucketLabel(p.bucket, s.granularity, tz));
    const partial = partialPoint(s);
    state.partial = partial;
    const axisName = ['second', 'minute', 'hour'].includes(s.granularity) ? '' : 'UTC ' + s.granularity + 's';
    const xAxis = { type: 'category', data: labels, name: axisName, nameLocation: 'end' };
    const revenue = s.points.map((p) => p.revenue);
    const complete = revenue.map((v, i) => (partial && i === partial.index ? '-' : v));
    const series = [{ id: 'complete', name: 'Revenue', type: 'line', smooth: false, showSymbol: s.points.length < 60,
                      color: TYPE_COLORS.purchase, areaStyle: { opacity: 0.12 }, data: complete }];
    if (partial) {
      series.push({
        id: 'partial', name: 'Revenue (in progress)', type: 'line', smooth: false, color: TYPE_COLORS.purchase,
        lineStyle: { type: 'dashed' }, symbol: 'emptyCircle', showSymbol: true,
        data: revenue.map((v, i) => (i >= partial.index - 1 ? v : '-')),
        markArea: { silent: true, itemStyle: { color: 'rgba(120, 128, 140, 0.12)' },
                    label: { show: true, position: 'insideTop', color: '#3d4451', formatter: 'in progress' },
                    data: [[{ xAxis: labels[partial.index] }, { xAxis: labels[partial.index] }]] },
      });
    }
    chart('chart-revenue-time').setOption({
      tooltip: { trigger: 'axis', formatter: axisTooltip((v) => money.format(v)) },
      grid: baseGrid, xAxis, yAxis: { type: 'value', name: 'revenue' }, series,
    }, true);

    const hatched = { decal: { symbol: 'rect', symbolSize: 1, dashArrayX: [1, 0], dashArrayY: [2, 4], rotation: -Math.PI / 4,
                               color: 'rgba(255, 255, 255, 0.75)' } };
    chart('chart-events-time').setOption({
      tooltip: { trigger: 'axis', formatter: axisTooltip((v) => count.format(v)) },
      legend: { top: 0 },
      grid: baseGrid, xAxis, yAxis: { type: 'value', name: 'events' },
      series: [['Views', 'views', 'view'], ['Carts', 'carts', 'cart'], ['Purchases', 'purchases', 'purchase']]
        .map(([name, key, type]) => ({
          name, type: 'bar', stack: 'events', color: TYPE_COLORS[type],
          data: s.points.map((p, i) => (partial && i === partial.index
            ? { value: p[key], itemStyle: Object.assign({ opacity: 0.6 }, hatched) } : p[key])),
        })),
    }, true);

    const note = el('partial-note');
    note.hidden = !partial;
    note.textContent = partial
      ? 'The last point (' + labels[partial.index] + ', ' + U.zoneLabel(tz) + ') is still filling: ' +
        'drawn dashed and hatched, it is not a drop.'
      : '';
  }

  function renderDepartments(d) {
    const picked = d.view.department;
    const depts = d.departments.departments;
    const byRevenue = depts.slice().sort((a, b) => b.revenue - a.revenue);
    chart('chart-dept-revenue').setOption({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: axisTooltip((v) => money.format(v)) },
      grid: baseGrid,
      xAxis: { type: 'value' },
      yAxis: { type: 'category', inverse: true, data: byRevenue.map((x) => x.name) },
      series: [{ id: 'ranking', name: 'Revenue', type: 'bar', cursor: 'pointer', color: TYPE_COLORS.purchase,
                 data: byRevenue.map((x) => ({ value: x.revenue, itemStyle: emphasis(TYPE_COLORS.purchase, picked, x.name) })) }],
    }, true);
    const byEvents = depts.slice().sort((a, b) => b.events - a.events);
    chart('chart-dept-events').setOption({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: axisTooltip((v) => count.format(v)) },
      legend: { top: 0 },
      grid: baseGrid,
      xAxis: { type: 'value' },
      yAxis: { type: 'category', inverse: true, data: byEvents.map((x) => x.name) },
      series: [['Views', 'views', 'view'], ['Carts', 'carts', 'cart'], ['Purchases', 'purchases', 'purchase']]
        .map(([name, key, type]) => ({ name, type: 'bar', stack: 'events', cursor: 'pointer', color: TYPE_COLORS[type],
                                       data: byEvents.map((x) => ({ value: x[key], itemStyle: emphasis(TYPE_COLORS[type], picked, x.name) })) })),
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

  // ---- products & brands ------------------------------------------------------------------
  function rankingChart(id, rows, key, label, format, color, picked) {
    const names = rows.map((r) => (r.department !== undefined ? r.department + ' · ' + r.name : r.name));
    chart(id).setOption({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: axisTooltip(format) },
      grid: baseGrid,
      xAxis: { type: 'value' },
      yAxis: { type: 'category', inverse: true, data: names, axisLabel: { width: 160, overflow: 'truncate' } },
      series: [{ id: 'ranking', name: label, type: 'bar', cursor: 'pointer', color,
                 data: rows.map((r) => ({ value: r[key], itemStyle: emphasis(color, picked, r.name) })) }],
    }, true);
  }

  function topBrands(d, key) { return d.brands[key].slice(0, 10); }

  function renderProducts(d) {
    const picked = d.view.brand;
    rankingChart('chart-brands-revenue', topBrands(d, 'by_revenue'), 'revenue', 'Revenue', (v) => money.format(v),
                 TYPE_COLORS.purchase, picked);
    rankingChart('chart-brands-views', topBrands(d, 'by_views'), 'views', 'Views', (v) => count.format(v),
                 TYPE_COLORS.view, picked);
    rankingChart('chart-products-revenue', d.products.by_revenue, 'revenue', 'Revenue', (v) => money.format(v),
                 TYPE_COLORS.purchase, '');
    rankingChart('chart-products-views', d.products.by_views, 'views', 'Views', (v) => count.format(v),
                 TYPE_COLORS.view, '');

    const rows = topBrands(d, 'by_revenue').map((b) => {
      const tr = document.createElement('tr');
      const name = document.createElement('td');
      const pick = document.createElement('button');
      pick.type = 'button';
      pick.className = 'linklike';
      pick.textContent = b.name;
      pick.setAttribute('aria-label', 'Filter by brand ' + b.name);
      pick.addEventListener('click', () => setFilter({ brand: b.name === state.view.brand ? '' : b.name }));
      name.appendChild(pick);
      tr.appendChild(name);
      for (const text of [count.format(b.views), count.format(b.carts), count.format(b.purchases), money.format(b.revenue)]) {
        const td = document.createElement('td');
        td.textContent = text;
        td.className = 'num';
        tr.appendChild(td);
      }
      return tr;
    });
    el('table-brands').querySelector('tbody').replaceChildren(...rows);
  }

  // ---- funnel -----------------------------------------------------------------------------
  // Steps as horizontal bars whose lengths are the counts, each labelled with its count and
  // its rate from the step before.
  function funnelSteps(d) {
    const k = d.kpis, p = d.people;
    return {
      events: [['Viewed', k.views, null, 'view'], ['Added to cart', k.carts, k.view_to_cart, 'cart'],
               ['Purchased', k.purchases, k.cart_to_purchase, 'purchase']],
      sessions: [['Sessions that viewed', p.sessions_viewing, null, 'view'],
                 ['Sessions that carted', p.sessions_carting, p.view_to_cart, 'cart'],
                 ['Sessions that bought', p.sessions_buying, p.cart_to_purchase, 'purchase']],
    };
  }

  function funnelChart(id, steps, unit) {
    chart(id).setOption({
      tooltip: { trigger: 'item', formatter: itemTooltip((v) => count.format(v)) },
      grid: { left: 8, right: 170, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: 'value', name: unit, nameLocation: 'end' },
      yAxis: { type: 'category', inverse: true, data: steps.map((s) => s[0]) },
      series: [{ name: unit, type: 'bar', barWidth: '55%',
                 label: { show: true, position: 'right', color: '#1f2430', fontWeight: 600,
                          formatter: (q) => {
                            const rate = steps[q.dataIndex][2];
                            return count.format(q.value) + (rate === null ? '' : '  ·  ' + percent(rate) + ' of the step before');
                          } },
                 data: steps.map((s) => ({ name: s[0], value: s[1], itemStyle: { color: TYPE_COLORS[s[3]] } })) }],
    }, true);
  }

  function renderFunnel(d) {
    const k = d.kpis, p = d.people;
    setText('funnel-view-to-cart', percent(k.view_to_cart), k.view_to_cart);
    setText('funnel-cart-to-purchase', percent(k.cart_to_purchase), k.cart_to_purchase);
    const viewToPurchase = k.views ? k.purchases / k.views : null;
    setText('funnel-view-to-purchase', percent(viewToPurchase), viewToPurchase);
    setText('funnel-session-view-to-cart', percent(p.view_to_cart), p.view_to_cart);
    setText('funnel-session-cart-to-purchase', percent(p.cart_to_purchase), p.cart_to_purchase);
    setText('funnel-session-conversion', percent(p.session_conversion), p.session_conversion);
    const steps = funnelSteps(d);
    funnelChart('chart-funnel', steps.events, 'events');
    funnelChart('chart-funnel-sessions', steps.sessions, 'sessions');
  }

  // ---- dead letters -----------------------------------------------------------------------
  function cells(texts) {
    const tr = document.createElement('tr');
    for (const [text, cls] of texts) {
      const td = document.createElement('td');
      td.textContent = text;  // messages are anything that arrived: text only
      if (cls) td.className = cls;
      tr.appendChild(td);
    }
    return tr;
  }

  function renderDeadLetters(d) {
    const report = d.deadletters || { counts: [], by_hour: [], newest: [] };
    const hours = [...new Set(report.by_hour.map((h) => h.hour))].sort();
    const codes = [...new Set(report.by_hour.map((h) => h.code))].sort();
    const series = codes.map((code) => ({
      name: code, type: 'bar', stack: 'codes',
      data: hours.map((hour) => {
        const hit = report.by_hour.find((h) => h.hour === hour && h.code === code);
        return hit ? hit.count : 0;
      }),
    }));
    chart('chart-deadletters').setOption({
      tooltip: { trigger: 'axis', formatter: (ps) => escapeHtml(ps[0].axisValue) + '<br>' +
        ps.filter((p) => p.value).map((p) => escapeHtml(p.seriesName) + ': ' + count.format(p.value)).join('<br>') },
      legend: { type: 'scroll', top: 0 },
      grid: { left: 50, right: 20, top: 40, bottom: 40 },
      xAxis: { type: 'category', data: hours },
      yAxis: { type: 'value', minInterval: 1 },
      series,
    }, true);
    el('table-deadletter-counts').querySelector('tbody').replaceChildren(...report.counts.map((c) =>
      cells([[c.code], [c.field || '–'], [c.stream], [c.state], [count.format(c.count), 'num']])));
    el('table-deadletters').querySelector('tbody').replaceChildren(...report.newest.map((n) =>
      cells([[n.recorded_at], [n.code + (n.field ? ' (' + n.field + ')' : '')],
             [n.stream + ' / ' + n.partition + ' / ' + n.offset], [n.state], [n.reason],
             [n.message.length > 300 ? n.message.slice(0, 300) + '…' : n.message, 'message']])));
  }

  // ---- the frame: range text, filters, footer ---------------------------------------------
  function timeText(bucket, tz) { return U.formatTime(U.bucketStart(bucket), tz); }

  function renderFrame(d) {
    const tz = d.view.tz;
    const s = d.status;
    const parts = [];
    for (const st of s.streams) {
      parts.push(st.stream + ': ' + count.format(st.events) + ' events in ' + count.format(st.batches) +
                 ' batches, lag ' + count.format(st.lag) + ', last batch ' + st.last_batch_ms.toFixed(1) + ' ms');
    }
    parts.push('dead letters: ' + count.format(s.dead_letters_stored));
    el('footer').textContent = parts.join(' · ');

    const zone = U.zoneLabel(tz);
    const r = d.range;
    let text;
    if (r.from) {
      text = timeText(r.from, tz) + ' – ' + timeText(r.to, tz);
    } else if (d.extent.first_minute) {
      const end = new Date(U.bucketStart(d.extent.last_minute).getTime() + 60000);
      text = timeText(d.extent.first_minute, tz) + ' – ' + U.formatTime(end, tz) + ' (all data)';
    } else {
      text = 'no data yet';
    }
    const p = d.previous;
    el('range-text').textContent = text + ' · times in ' + zone +
      (p ? ' · changes against ' + timeText(p.from, tz) + ' – ' + timeText(p.to, tz) : '');
    const zoneButton = el('zone');
    zoneButton.setAttribute('aria-pressed', String(tz === 'utc'));

    const since = d.people.counted_since;
    el('people-note').textContent = since && d.extent.first_minute && since > d.extent.first_minute
      ? '· users and sessions are counted from ' + timeText(since, tz) + ' on (this store was kept by an older shopstream before)'
      : '';

    // The filter bar: the departments of the range, the brands ranked, the picked ones kept.
    const select = el('filter-department');
    const names = d.departments.departments.map((x) => x.name).sort();
    if (d.view.department && !names.includes(d.view.department)) names.unshift(d.view.department);
    const wanted = [''].concat(names);
    const have = Array.from(select.options).map((o) => o.value);
    if (wanted.join('\u0000') !== have.join('\u0000')) {
      select.replaceChildren(...wanted.map((name) => {
        const option = document.createElement('option');
        option.value = name;
        option.textContent = name || 'All departments';
        return option;
      }));
    }
    select.value = d.view.department;
    const brandNames = new Set(d.brands.by_revenue.map((b) => b.name).concat(d.brands.by_views.map((b) => b.name)));
    el('brand-options').replaceChildren(...Array.from(brandNames).sort().map((name) => {
      const option = document.createElement('option');
      option.value = name;
      return option;
    }));
    const brandInput = el('filter-brand');
    if (document.activeElement !== brandInput) brandInput.value = d.view.brand;
    const shown = [];
    if (d.view.department) shown.push('department ' + d.view.department);
    if (d.view.brand) shown.push('brand ' + d.view.brand);
    el('filter-text').textContent = shown.length
      ? 'Showing ' + shown.join(' and ') + (d.view.brand ? ' (a brand counts whole hours)' : '')
      : 'Showing everything';
  }

  function render() {
    const d = state.data;
    if (!d) return;
    renderFrame(d);
    renderKpis(d);
    if (state.view.tab === 'overview') { renderSeries(d); renderDepartments(d); }
    if (state.view.tab === 'products') renderProducts(d);
    if (state.view.tab === 'funnel') renderFunnel(d);
    if (state.view.tab === 'deadletters') renderDeadLetters(d);
    for (const c of Object.values(state.charts)) c.resize();
  }

  // ---- CSV downloads ----------------------------------------------------------------------
  const BREAKDOWN = ['events', 'views', 'carts', 'purchases', 'revenue'];
  function breakdownOf(row) { return BREAKDOWN.map((k) => row[k]); }

  // The data of each chart and table, as a header and rows.
  const CSV = {
    timeseries(d) {
      const s = d.timeseries, zone = U.zoneLabel(d.view.tz);
      return [['bucket_utc', 'start (' + zone + ')', ...BREAKDOWN, 'in_progress'],
              s.points.map((p, i) => [p.bucket, U.bucketLabel(p.bucket, s.granularity, d.view.tz), ...breakdownOf(p),
                                      state.partial && state.partial.index === i ? 'yes' : 'no'])];
    },
    departments(d) { return [['department', ...BREAKDOWN], d.departments.departments.map((x) => [x.name, ...breakdownOf(x)])]; },
    mix(d) { return [['event_type', 'events'], d.mix.mix.map((m) => [m.event_type, m.events])]; },
    'brands-revenue'(d) { return [['rank', 'brand', ...BREAKDOWN], topBrands(d, 'by_revenue').map((b, i) => [i + 1, b.name, ...breakdownOf(b)])]; },
    'brands-views'(d) { return [['rank', 'brand', ...BREAKDOWN], topBrands(d, 'by_views').map((b, i) => [i + 1, b.name, ...breakdownOf(b)])]; },
    'brands-table'(d) { return CSV['brands-revenue'](d); },
    'products-revenue'(d) { return [['rank', 'department', 'product', ...BREAKDOWN], d.products.by_revenue.map((p, i) => [i + 1, p.department, p.name, ...breakdownOf(p)])]; },
    'products-views'(d) { return [['rank', 'department', 'product', ...BREAKDOWN], d.products.by_views.map((p, i) => [i + 1, p.department, p.name, ...breakdownOf(p)])]; },
    'funnel-events'(d) { return [['step', 'events', 'rate_from_step_before'], funnelSteps(d).events.map((s) => [s[0], s[1], s[2]])]; },
    'funnel-sessions'(d) { return [['step', 'sessions', 'rate_from_step_before'], funnelSteps(d).sessions.map((s) => [s[0], s[1], s[2]])]; },
  };

  function fileName(key, d) {
    const r = d.range.from ? d.range.from + '_' + d.range.to : 'all-time';
    const parts = ['shopstream', key, r];
    if (d.view.department) parts.push('department-' + d.view.department);
    if (d.view.brand) parts.push('brand-' + d.view.brand);
    return parts.join('_').replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 150) + '.csv';
  }

  function download(key) {
    const d = state.data;
    if (!d || !CSV[key]) return;
    const [header, rows] = CSV[key](d);
    const text = U.toCsv(header, rows);
    const name = fileName(key, d);
    state.lastCsv = { name, text };
    const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // ---- the view: URL, filters, tabs, zone -------------------------------------------------
  function saveView() {
    window.history.replaceState(null, '', window.location.pathname + U.writeView(state.view));
  }

  function setFilter(change) {
    Object.assign(state.view, change);
    saveView();
    refresh();
  }

  // Clicks on a department's or a brand's bars filter the board; clicking the picked one again
  // clears its filter.
  function bindClicks(id, instance) {
    const key = { 'chart-dept-revenue': 'department', 'chart-dept-events': 'department',
                  'chart-brands-revenue': 'brand', 'chart-brands-views': 'brand',
                  'chart-products-revenue': 'product', 'chart-products-views': 'product' }[id];
    if (!key) return;
    instance.on('click', (p) => {
      const d = state.data;
      if (!d) return;
      if (key === 'product') {  // a product picks its department
        const row = (id === 'chart-products-revenue' ? d.products.by_revenue : d.products.by_views)[p.dataIndex];
        if (row) setFilter({ department: row.department });
        return;
      }
      const name = p.name;
      setFilter({ [key]: state.view[key] === name ? '' : name });
    });
  }

  function showTab(name, focus) {
    state.view.tab = name;
    saveView();
    for (const b of document.querySelectorAll('.tab')) {
      const active = b.dataset.tab === name;
      b.classList.toggle('active', active);
      b.setAttribute('aria-selected', String(active));
      b.tabIndex = active ? 0 : -1;
      if (active && focus) b.focus();
    }
    for (const p of document.querySelectorAll('.tabpanel')) p.hidden = p.id !== 'tab-' + name;
    render();
    window.dispatchEvent(new CustomEvent('shopstream:tab'));
  }

  function setAutoRefresh(seconds) {
    clearInterval(state.refreshTimer);
    state.refreshTimer = seconds > 0 ? setInterval(refresh, seconds * 1000) : null;
  }

  function setLive(on) {
    const indicator = el('live-state');
    const say = (cls, text) => {
      indicator.className = 'live-state ' + cls;
      indicator.title = text;
      el('live-state-text').textContent = text;
    };
    if (state.source) { state.source.close(); state.source = null; }
    say('off', 'Live updates off');
    if (!on) return;
    const source = new EventSource('/api/events');
    let reconnecting = false;
    source.addEventListener('hello', () => {
      say('on', 'Live: connected');
      if (reconnecting) refresh();  // commits made while disconnected sent no tick
      reconnecting = false;
    });
    source.addEventListener('tick', () => refresh());
    source.addEventListener('pulse', (e) => {
      window.dispatchEvent(new CustomEvent('shopstream:pulse', { detail: JSON.parse(e.data) }));
    });
    source.onerror = () => {
      reconnecting = true;
      say('error', 'Live: reconnecting');
    };
    state.source = source;
  }

  document.addEventListener('DOMContentLoaded', () => {
    const tabs = Array.from(document.querySelectorAll('.tab'));
    for (const b of tabs) {
      b.addEventListener('click', () => showTab(b.dataset.tab));
      // Arrow keys move between tabs, as the ARIA tabs pattern has it.
      b.addEventListener('keydown', (e) => {
        const i = tabs.indexOf(b);
        const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
        if (next === undefined) return;
        e.preventDefault();
        showTab(tabs[(next + tabs.length) % tabs.length].dataset.tab, true);
      });
    }
    el('range').value = state.view.range;
    el('range').addEventListener('change', (e) => { state.view.range = e.target.value; saveView(); refresh(); });
    el('refresh').addEventListener('change', (e) => setAutoRefresh(Number(e.target.value)));
    el('live').addEventListener('change', (e) => setLive(e.target.checked));
    el('zone').addEventListener('click', () => {
      state.view.tz = state.view.tz === 'utc' ? 'local' : 'utc';
      saveView();
      if (state.data) state.data.view.tz = state.view.tz;
      render();
    });
    el('filter-department').addEventListener('change', (e) => setFilter({ department: e.target.value }));
    el('filter-brand').addEventListener('change', (e) => setFilter({ brand: e.target.value.trim() }));
    el('filter-clear').addEventListener('click', () => setFilter({ department: '', brand: '' }));
    el('copy-link').addEventListener('click', async () => {
      const button = el('copy-link');
      try {
        await navigator.clipboard.writeText(window.location.href);
        button.textContent = 'Link copied';
      } catch (err) {
        button.textContent = 'Copy the address bar';
      }
      setTimeout(() => { button.textContent = 'Copy link to this view'; }, 2000);
    });
    for (const b of document.querySelectorAll('[data-csv]')) {
      const title = b.closest('.card').querySelector('h2').textContent;
      b.setAttribute('aria-label', 'Download ' + title + ' as CSV');
      b.addEventListener('click', () => download(b.dataset.csv));
    }
    window.addEventListener('resize', () => { for (const c of Object.values(state.charts)) c.resize(); });
    saveView();  // the address shows the view as it is read, unknown parameters dropped
    showTab(state.view.tab);
    setLive(el('live').checked);
    refresh();
  });
})();
