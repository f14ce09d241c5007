// The Funnel tab's session funnel with a conversion window: sessions that viewed, then carted,
// then bought the same product within 5, 30 or 60 minutes (/api/session_funnel), and the time
// from the first view of the bought product to the purchase. Follows the board's range; reads
// after every refresh while its tab is shown. Text reaches the page through textContent only.
'use strict';

(function () {
  const count = new Intl.NumberFormat('en-US');
  const funnel = { data: null, loads: 0 };
  window.shopstreamSessionFunnel = funnel;
  const charts = {};

  function el(id) { return document.getElementById(id); }
  function shown() { const panel = el('tab-funnel'); return panel && !panel.hidden; }
  function percent(v) { return v === null || v === undefined ? '–' : (v * 100).toFixed(2) + ' %'; }
  function minutes(s) { return s < 60 ? s + ' s' : (s / 60) + ' min'; }
  function delayLabel(b) {
    return b.to_seconds === null ? '≥ ' + minutes(b.from_seconds) : minutes(b.from_seconds) + '–' + minutes(b.to_seconds);
  }

  function chart(id) {
    if (!charts[id]) charts[id] = window.echarts.init(el(id));
    return charts[id];
  }

  function draw() {
    const d = funnel.data;
    if (!d || !window.echarts) return;
    el('sfunnel-view-to-cart').textContent = percent(d.view_to_cart);
    el('sfunnel-cart-to-purchase').textContent = percent(d.cart_to_purchase);
    el('sfunnel-view-to-purchase').textContent = percent(d.view_to_purchase);
    el('sfunnel-hours').textContent = d.from_hour
      ? 'Hours counted (UTC): ' + d.from_hour + ':00 to ' + d.to_hour + ':59; window ' + d.window_minutes + ' minutes.'
      : 'All hours; window ' + d.window_minutes + ' minutes.';
    const steps = d.steps.slice().reverse();
    chart('chart-sfunnel').setOption({
      animation: false,
      grid: { left: 80, right: 60, top: 10, bottom: 30 },
      xAxis: { type: 'value' },
      yAxis: { type: 'category', data: steps.map((s) => s.stage) },
      series: [{ type: 'bar', data: steps.map((s) => s.sessions), label: { show: true, position: 'right' } }],
      tooltip: {},
    }, true);
    chart('chart-sfunnel-delay').setOption({
      animation: false,
      grid: { left: 50, right: 20, top: 10, bottom: 50 },
      xAxis: { type: 'category', data: d.delays.map(delayLabel), axisLabel: { rotate: 30 } },
      yAxis: { type: 'value', name: 'sessions' },
      series: [{ type: 'bar', data: d.delays.map((b) => b.sessions), label: { show: true, position: 'top' } }],
      tooltip: {},
    }, true);
  }

  async function load() {
    if (!shown()) return;
    const dash = window.shopstreamDashboard;
    const range = dash && dash.data ? dash.data.range : null;
    const params = new URLSearchParams({ window: el('sfunnel-window').value });
    if (range && range.from) params.set('from', range.from);
    if (range && range.to) params.set('to', range.to);
    try {
      const res = await fetch('/api/session_funnel?' + params.toString(), { cache: 'no-store' });
      const body = await res.json();
      if (!res.ok) throw new Error(body && body.error ? body.error : String(res.status));
      funnel.data = body;
      el('sfunnel-error').hidden = true;
      draw();
      funnel.loads += 1;
    } catch (err) {
      el('sfunnel-error').textContent = 'Could not load the session funnel: ' + err.message;
      el('sfunnel-error').hidden = false;
    }
  }

  function csv() {
    const d = funnel.data;
    if (!d) return;
    const lines = ['step,sessions,window_minutes'];
    for (const s of d.steps) lines.push(s.stage + ',' + s.sessions + ',' + d.window_minutes);
    lines.push('', 'delay_from_seconds,delay_to_seconds,sessions');
    for (const b of d.delays) lines.push(b.from_seconds + ',' + (b.to_seconds === null ? '' : b.to_seconds) + ',' + b.sessions);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([lines.join('\r\n') + '\r\n'], { type: 'text/csv' }));
    link.download = 'session-funnel-' + d.window_minutes + 'min.csv';
    link.click();
    URL.revokeObjectURL(link.href);
  }

  document.addEventListener('DOMContentLoaded', () => {
    el('sfunnel-window').addEventListener('change', load);
    el('sfunnel-csv').addEventListener('click', csv);
  });
  window.addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()));
  window.addEventListener('shopstream:refresh', load);
  window.addEventListener('shopstream:tab', load);
})();
