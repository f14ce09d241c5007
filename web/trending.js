// The board's Trending tab: the top and fastest-rising products, brands and departments over
// the last 15 minutes, hour or 24 hours of stream time, by views, carts, purchases or revenue,
// each with its change against the window before (/api/trending). Reads after every refresh of
// the board while its tab is shown. Names from the data reach the page through textContent only.
'use strict';

(function () {
  const U = window.ShopstreamUtil;
  const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
  const DIMENSIONS = ['product', 'brand', 'department'];
  const trending = { data: null, loads: 0 };
  window.shopstreamTrending = trending;

  function el(id) { return document.getElementById(id); }
  function shown() { const panel = el('tab-trending'); return panel && !panel.hidden; }

  function changeText(item) {
    if (item.change === null) return item.value > 0 && item.previous === 0 ? 'new' : '–';
    const pct = item.change * 100;
    return (pct > 0 ? '+' : '') + pct.toFixed(1) + ' %';
  }

  function fillTable(tbody, items, withDepartment) {
    tbody.replaceChildren();
    if (items.length === 0) {
      const row = tbody.insertRow();
      const cell = row.insertCell();
      cell.colSpan = 4;
      cell.textContent = 'Nothing in this window';
      return;
    }
    for (const item of items) {
      const row = tbody.insertRow();
      const name = row.insertCell();
      name.textContent = withDepartment ? item.name + ' (' + item.department + ')' : item.name;
      for (const [text, cls] of [[count.format(item.value), 'num'], [count.format(item.previous), 'num'],
                                 [changeText(item), 'num']]) {
        const cell = row.insertCell();
        cell.className = cls;
        cell.textContent = text;
      }
    }
  }

  function draw() {
    if (!trending.data) return;
    for (const dimension of DIMENSIONS) {
      const d = trending.data[dimension];
      fillTable(el('trend-top-' + dimension).tBodies[0], d.top, dimension === 'product');
      fillTable(el('trend-rising-' + dimension).tBodies[0], d.rising, dimension === 'product');
    }
    const any = trending.data.product;
    const tz = U.readView(window.location.search).tz;
    el('trend-window').textContent = any.from
      ? 'Counted: departments ' + U.formatTime(U.bucketStart(trending.data.department.from), tz) + ' to ' +
        U.formatTime(U.bucketStart(trending.data.department.to), tz) + '; products and brands by whole hours, ' +
        U.formatTime(U.bucketStart(any.from), tz) + ' to ' + U.formatTime(U.bucketStart(any.to), tz) +
        ' (the newest hour still filling).'
      : 'No data yet.';
  }

  async function load() {
    if (!shown()) return;
    const params = { window: el('trend-window-pick').value, by: el('trend-by').value, limit: '10' };
    try {
      const answers = await Promise.all(DIMENSIONS.map(async (dimension) => {
        const query = new URLSearchParams(Object.assign({ dimension }, params)).toString();
        const res = await fetch('/api/trending?' + query, { cache: 'no-store' });
        const body = await res.json();
        if (!res.ok) throw new Error(body && body.error ? body.error : String(res.status));
        return body;
      }));
      trending.data = Object.fromEntries(DIMENSIONS.map((d, i) => [d, answers[i]]));
      el('trend-error').hidden = true;
      draw();
      trending.loads += 1;
    } catch (err) {
      el('trend-error').textContent = 'Could not load trends: ' + err.message;
      el('trend-error').hidden = false;
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    el('trend-window-pick').addEventListener('change', load);
    el('trend-by').addEventListener('change', load);
  });
  window.addEventListener('shopstream:refresh', load);
  window.addEventListener('shopstream:tab', load);
})();
