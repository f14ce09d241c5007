// The board's Live tab: who is on the site now and events per second over the last ten
// minutes, in stream time (the newest data, so that a replay of old data is live too). Reads
// /api/live after every refresh of the board and redraws the pulse from the `pulse` events the
// server pushes after each commit (app.js forwards them as `shopstream:pulse`). Loaded after
// util.js; draws only while its tab is shown, and keeps to its own elements.
'use strict';

(function () {
  const U = window.ShopstreamUtil;
  const count = new Intl.NumberFormat('en-US');
  const rate = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const live = { data: null, charts: {} };
  window.shopstreamLive = live;

  function el(id) { return document.getElementById(id); }
  function shown() { const panel = el('tab-live'); return panel && !panel.hidden; }
  function tz() { return U.readView(window.location.search).tz; }
  function chart(id) {
    if (!live.charts[id]) live.charts[id] = echarts.init(el(id));
    return live.charts[id];
  }

  function lineChart(id, labels, values, name, format, color) {
    chart(id).setOption({
      grid: { left: 56, right: 16, top: 16, bottom: 40 },
      tooltip: { trigger: 'axis', valueFormatter: (v) => format(v) + ' ' + name },
      xAxis: { type: 'category', data: labels, axisLabel: { hideOverlap: true } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'line', name, data: values, showSymbol: false, areaStyle: { opacity: 0.15 },
                 itemStyle: { color }, animation: false }],
    }, true);
  }

  function drawPulse(pulse) {
    if (!pulse) return;
    const points = pulse.points || [];
    const last = points.length ? points[points.length - 1] : null;
    el('live-eps').textContent = last ? rate.format(last.per_second) : '–';
    el('live-as-of').textContent = pulse.as_of ? U.formatSeconds(U.bucketStart(pulse.as_of), tz()) : 'no data yet';
    if (!shown()) return;
    lineChart('chart-live-pulse', points.map((p) => U.formatSeconds(U.bucketStart(p.bucket), tz())),
              points.map((p) => p.per_second), 'events/s', (v) => rate.format(v), '#0b7a94');
  }

  function drawPeople(people) {
    for (const key of ['users_5m', 'sessions_5m', 'users_30m', 'sessions_30m']) {
      el('live-' + key.replace('_', '-')).textContent = people.as_of ? count.format(people[key]) : '–';
    }
    if (!shown()) return;
    const minutes = people.users_per_minute || [];
    lineChart('chart-live-users', minutes.map((m) => U.formatTime(U.bucketStart(m.bucket), tz())),
              minutes.map((m) => m.users), 'users', (v) => count.format(v), '#5470c6');
  }

  function draw() {
    if (!live.data) return;
    drawPulse(live.data.pulse);
    drawPeople(live.data.people);
    for (const c of Object.values(live.charts)) c.resize();
  }

  async function load() {
    try {
      const res = await fetch('/api/live', { cache: 'no-store' });
      const body = await res.json();
      if (!res.ok) throw new Error(body && body.error ? body.error : String(res.status));
      live.data = body;
      el('live-error').hidden = true;
      draw();
    } catch (err) {
      el('live-error').textContent = 'Could not load the live view: ' + err.message;
      el('live-error').hidden = false;
    }
  }

  window.addEventListener('shopstream:refresh', load);
  window.addEventListener('shopstream:tab', draw);
  window.addEventListener('shopstream:pulse', (e) => {
    if (!live.data) return;
    live.data.pulse = e.detail;
    drawPulse(live.data.pulse);
  });
  window.addEventListener('resize', () => { for (const c of Object.values(live.charts)) c.resize(); });
})();
