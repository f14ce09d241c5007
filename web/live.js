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

  // A line whose newest point is the bucket the stream is still writing (stream time cannot
  // tell it from a finished replay's last bucket), so its low count would read as a collapse:
  // that point is drawn apart, dashed and faded, labelled "in progress", never as a drop, and
  // the note under the chart says so.
  function partialLineChart(id, noteId, bucket, labels, values, unit, format, color) {
    const last = values.length - 1;
    const note = el(noteId);
    note.hidden = last < 0;
    note.textContent = last < 0 ? '' : 'The newest ' + bucket + ' (' + labels[last] + ') is still filling: drawn dashed, it is not a drop.';
    if (!shown()) return;
    const series = [{ id: 'complete', type: 'line', name: unit, showSymbol: false, areaStyle: { opacity: 0.15 },
                      itemStyle: { color }, animation: false, data: values.map((v, i) => (i === last ? '-' : v)) }];
    if (last >= 0) {
      series.push({
        id: 'partial', type: 'line', name: unit + ' (in progress)', animation: false, itemStyle: { color, opacity: 0.6 },
        lineStyle: { type: 'dashed', opacity: 0.6 }, symbol: 'emptyCircle', showSymbol: true,
        data: values.map((v, i) => (i >= last - 1 ? v : '-')),
        markArea: { silent: true, itemStyle: { color: 'rgba(120, 128, 140, 0.12)' },
                    label: { show: true, position: 'insideTop', color: '#3d4451', formatter: 'in progress' },
                    data: [[{ xAxis: labels[last] }, { xAxis: labels[last] }]] },
      });
    }
    chart(id).setOption({
      grid: { left: 56, right: 40, top: 16, bottom: 40 },  // room for the newest point's label
      tooltip: { trigger: 'axis', formatter: (items) => {
        const i = items[0].dataIndex;
        return labels[i] + '<br>' + format(values[i]) + ' ' + unit + (i === last ? ' (in progress)' : '');
      } },
      xAxis: { type: 'category', data: labels, axisLabel: { hideOverlap: true } },
      yAxis: { type: 'value', minInterval: 1 },
      series,
    }, true);
  }

  // Events per second in ten-second buckets; the newest bucket is still filling, so the number
  // is the rate of the one before it, the last complete bucket (the chart's last solid point).
  function drawPulse(pulse) {
    if (!pulse) return;
    const points = pulse.points || [];
    const complete = points.length > 1 ? points[points.length - 2] : null;
    const eps = el('live-eps');
    eps.textContent = complete ? rate.format(complete.per_second) : '–';
    eps.dataset.bucket = complete ? complete.bucket : '';
    const from = complete ? U.formatSeconds(U.bucketStart(complete.bucket), tz()) : '';
    el('live-eps-window').textContent = 'the last complete 10 s' + (complete ? ', from ' + from : '');
    el('live-eps-kpi').title = 'Events per second over the last complete ten-second bucket' +
      (complete ? ' (' + from + ')' : '') + '; the newer bucket is still filling and is left out (dashed in the chart below).';
    el('live-as-of').textContent = pulse.as_of ? U.formatSeconds(U.bucketStart(pulse.as_of), tz()) : 'no data yet';
    partialLineChart('chart-live-pulse', 'live-pulse-note', 'ten-second bucket',
                     points.map((p) => U.formatSeconds(U.bucketStart(p.bucket), tz())),
                     points.map((p) => p.per_second), 'events/s', (v) => rate.format(v), '#0b7a94');
  }

  // Users per minute; the newest minute is still filling.
  function drawPeople(people) {
    for (const key of ['users_5m', 'sessions_5m', 'users_30m', 'sessions_30m']) {
      el('live-' + key.replace('_', '-')).textContent = people.as_of ? count.format(people[key]) : '–';
    }
    const minutes = people.users_per_minute || [];
    partialLineChart('chart-live-users', 'live-users-note', 'minute',
                     minutes.map((m) => U.formatTime(U.bucketStart(m.bucket), tz())),
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
