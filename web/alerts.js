// Alerts (docs/alerts.md): a banner above the tabs while a rule fires, and the history of
// changes in the Live tab, from /api/alerts after every refresh of the board. A store whose
// processor runs without --alerts has no alerts table: the banner stays hidden and the history
// says so. Loaded after util.js; keeps to its own elements.
'use strict';

(function () {
  const U = window.ShopstreamUtil;
  const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

  function el(id) { return document.getElementById(id); }
  function tz() { return U.readView(window.location.search).tz; }
  function when(streamTime) { return U.formatSeconds(U.bucketStart(streamTime), tz()); }

  function describe(a) {
    return a.rule + ' (' + a.metric + ' ' + number.format(a.value) + ', threshold ' +
      number.format(a.threshold) + ') since ' + when(a.stream_time);
  }

  function drawBanner(firing) {
    const banner = el('alert-banner');
    banner.hidden = firing.length === 0;
    banner.textContent = firing.length ? 'Alert: ' + firing.map(describe).join('; ') : '';
  }

  function drawHistory(history, note) {
    const body = el('alerts-history').querySelector('tbody');
    body.replaceChildren();
    for (const a of history) {
      const tr = document.createElement('tr');
      for (const text of [when(a.stream_time), a.rule, a.state, a.metric, number.format(a.value),
                          number.format(a.threshold), number.format(a.baseline)]) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
    el('alerts-note').textContent = note;
  }

  async function load() {
    try {
      const res = await fetch('/api/alerts?limit=20', { cache: 'no-store' });
      const body = await res.json();
      if (!res.ok) throw new Error(body && body.error ? body.error : String(res.status));
      drawBanner(body.firing || []);
      drawHistory(body.history || [], (body.history || []).length ? '' : 'No alert has fired yet.');
    } catch (err) {
      drawBanner([]);
      drawHistory([], 'No alerts: ' + err.message + ' (run `shopstream process --alerts default` to keep them).');
    }
  }

  window.addEventListener('shopstream:refresh', load);
})();
