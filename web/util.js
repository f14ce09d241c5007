// Pure helpers of the dashboard page, kept apart from the drawing so that they read (and test)
// on their own: CSV that a spreadsheet cannot turn into a formula, bucket texts as times in the
// viewer's zone or in UTC, and the page's view (tab, range, filters, zone) as URL parameters.
// Loaded before app.js; defines window.ShopstreamUtil and nothing else.
'use strict';

(function (root) {
  // ---- CSV ---------------------------------------------------------------------------------
  // A text cell that starts like a formula (= + - @, or a tab or carriage return that some
  // spreadsheets skip before one) gets a leading apostrophe, so that a brand named
  // "=HYPERLINK(...)" stays text (OWASP's advice for CSV injection). Numbers stay numbers.
  const FORMULA_START = /^[=+\-@\t\r]/;

  function csvCell(value) {
    if (value === null || value === undefined) return '';
    if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
    let text = String(value);
    if (FORMULA_START.test(text)) text = "'" + text;
    if (/[",\r\n]/.test(text)) text = '"' + text.replace(/"/g, '""') + '"';
    return text;
  }

  // RFC 4180 text: a header row, then the rows, CRLF line ends.
  function toCsv(header, rows) {
    return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
  }

  // ---- times -------------------------------------------------------------------------------
  // Bucket texts are UTC: "YYYY-MM-DD HH:MM:SS" (ten-second points), "YYYY-MM-DD HH:MM",
  // "YYYY-MM-DD HH", "YYYY-MM-DD", "YYYY-MM", "YYYY".
  function bucketStart(bucket) {
    const [date, time] = bucket.split(' ');
    const [y, m, d] = date.split('-').map(Number);
    const [hh, mm, ss] = (time || '').split(':').map(Number);
    return new Date(Date.UTC(y, (m || 1) - 1, d || 1, hh || 0, mm || 0, ss || 0));
  }

  // The first instant after the bucket (of `granularity`, `step` of them per point).
  function bucketEnd(bucket, granularity, step) {
    const start = bucketStart(bucket);
    const n = step || 1;
    switch (granularity) {
      case 'second': return new Date(start.getTime() + n * 1000);
      case 'minute': return new Date(start.getTime() + n * 60000);
      case 'hour': return new Date(start.getTime() + n * 3600000);
      case 'day': return new Date(start.getTime() + n * 86400000);
      case 'month': return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + n, 1));
      default: return new Date(Date.UTC(start.getUTCFullYear() + n, 0, 1));
    }
  }

  // The viewer's zone ("local") or UTC, as Intl wants it.
  function zoneOf(tz) { return tz === 'utc' ? 'UTC' : undefined; }

  // How the zone is named on the page: "UTC", or "Europe/Madrid (UTC+01:00)".
  function zoneLabel(tz, at) {
    if (tz === 'utc') return 'UTC';
    const name = Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';
    const minutes = -(at || new Date()).getTimezoneOffset();
    const sign = minutes >= 0 ? '+' : '-';
    const abs = Math.abs(minutes);
    const offset = sign + String(Math.floor(abs / 60)).padStart(2, '0') + ':' + String(abs % 60).padStart(2, '0');
    return name === 'UTC' ? 'UTC' : name + ' (UTC' + offset + ')';
  }

  // "YYYY-MM-DD HH:MM" of a Date in the zone.
  function formatTime(date, tz) {
    const parts = {};
    for (const p of new Intl.DateTimeFormat('en-CA', {
      timeZone: zoneOf(tz), year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }).formatToParts(date)) parts[p.type] = p.value;
    return parts.year + '-' + parts.month + '-' + parts.day + ' ' + parts.hour + ':' + parts.minute;
  }

  // "YYYY-MM-DD HH:MM:SS" of a Date in the zone.
  function formatSeconds(date, tz) {
    const parts = {};
    for (const p of new Intl.DateTimeFormat('en-CA', {
      timeZone: zoneOf(tz), year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    }).formatToParts(date)) parts[p.type] = p.value;
    return parts.year + '-' + parts.month + '-' + parts.day + ' ' + parts.hour + ':' + parts.minute + ':' + parts.second;
  }

  // A point's label: seconds, minutes and hours as times in the zone; days, months and years
  // stay the UTC calendar's (a day bucket is a UTC day, whatever the zone).
  function bucketLabel(bucket, granularity, tz) {
    if (granularity === 'second') return formatSeconds(bucketStart(bucket), tz);
    if (granularity === 'minute' || granularity === 'hour') return formatTime(bucketStart(bucket), tz);
    return bucket;
  }

  // ---- the view in the URL -----------------------------------------------------------------
  const TABS = ['overview', 'live', 'trending', 'products', 'funnel', 'deadletters'];
  const RANGES = ['15', '60', '1440', '10080', '43200', 'all'];

  // The view a URL's query names; anything unknown falls back to the default.
  function readView(search) {
    const q = new URLSearchParams(search);
    const pick = (value, allowed, fallback) => (allowed.includes(value) ? value : fallback);
    return {
      tab: pick(q.get('tab'), TABS, 'overview'),
      range: pick(q.get('range'), RANGES, 'all'),
      department: q.get('department') || '',
      brand: q.get('brand') || '',
      tz: q.get('tz') === 'utc' ? 'utc' : 'local',
    };
  }

  // The query of a view: defaults left out, so that the plain address is the default view.
  function writeView(view) {
    const q = new URLSearchParams();
    if (view.tab !== 'overview') q.set('tab', view.tab);
    if (view.range !== 'all') q.set('range', view.range);
    if (view.department) q.set('department', view.department);
    if (view.brand) q.set('brand', view.brand);
    if (view.tz === 'utc') q.set('tz', 'utc');
    const text = q.toString();
    return text ? '?' + text : '';
  }

  // Change against the previous period: +0.123 for 12.3 % more; null when undefined.
  function change(now, before) {
    if (now === null || now === undefined || before === null || before === undefined) return null;
    if (before === 0) return now === 0 ? 0 : null;
    return (now - before) / Math.abs(before);
  }

  root.ShopstreamUtil = {
    csvCell, toCsv, bucketStart, bucketEnd, zoneLabel, formatTime, formatSeconds, bucketLabel, readView,
    writeView, change, TABS, RANGES,
  };
})(window);
