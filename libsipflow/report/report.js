/*
 * The sipflow report page: draws everything from #report-data (see
 * libsipflow/render_report.c for its layout).  Lazy on purpose: one page of
 * call rows in the DOM, one ladder (the open call's), the message texts
 * parsed the first time one is shown.  Every capture string goes into the
 * DOM as textContent or an attribute value, never as markup.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('report-data').textContent);
  var TEXTS = null;
  var SVGNS = 'http://www.w3.org/2000/svg';
  var PAGE_SIZES = [50, 100, 250, 500];
  var STATE_COLORS = {
    setup: '#9e9e9e', ringing: '#42a5f5', 'in-call': '#66bb6a', completed: '#2e7d32',
    cancelled: '#fb8c00', busy: '#e53935', diverted: '#8d6e63', rejected: '#b71c1c',
    ok: '#43a047', failed: '#c62828', pending: '#bdbdbd', unknown: '#757575'
  };
  var STATE_ORDER = ['completed', 'in-call', 'ringing', 'setup', 'cancelled', 'busy',
    'rejected', 'diverted', 'ok', 'failed', 'pending', 'unknown'];

  function $(id) { return document.getElementById(id); }
  function texts() {
    if (!TEXTS) TEXTS = JSON.parse(document.getElementById('report-texts').textContent);
    return TEXTS;
  }
  /* An HTML element; text (optional) as textContent. */
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) if (attrs[k] !== null && attrs[k] !== undefined) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function svgEl(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs || {}) if (attrs[k] !== null && attrs[k] !== undefined) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); return e; }

  /* ------------------------------------------------------------- times */

  function pad(n, w) { var s = String(n); while (s.length < w) s = '0' + s; return s; }
  /* t: microseconds since D.t0 -> Date */
  function dateOf(t) { return new Date(Math.floor((D.t0 + t) / 1000)); }
  function ymd(d) { return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1, 2) + '-' + pad(d.getUTCDate(), 2); }
  function hms(d) {
    return pad(d.getUTCHours(), 2) + ':' + pad(d.getUTCMinutes(), 2) + ':' + pad(d.getUTCSeconds(), 2) +
      '.' + pad(d.getUTCMilliseconds(), 3);
  }
  var MULTI_DAY = (function () {
    var lo = Infinity, hi = -Infinity;
    D.calls.forEach(function (c) { lo = Math.min(lo, c.start); hi = Math.max(hi, c.end !== undefined ? c.end : c.start); });
    return lo !== Infinity && ymd(dateOf(lo)) !== ymd(dateOf(hi));
  })();
  function clock(t) { var d = dateOf(t); return (MULTI_DAY ? ymd(d) + ' ' : '') + hms(d); }
  function fullTime(t) { var d = dateOf(t); return ymd(d) + ' ' + hms(d) + ' UTC'; }
  /* "+1.234" / "0.005": seconds, millisecond precision (as the C renderers) */
  function secs(us, plus) {
    var neg = us < 0, ms = Math.floor(Math.abs(us) / 1000);
    return (neg ? '-' : plus ? '+' : '') + Math.floor(ms / 1000) + '.' + pad(ms % 1000, 3);
  }
  /* datetime-local value (UTC) -> microseconds since D.t0, or null */
  function parseUtc(v) {
    var m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,3}))?)?$/.exec(v || '');
    if (!m) return null;
    var ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0), +((m[7] || '0') + '00').slice(0, 3));
    return ms * 1000 - D.t0;
  }
  function utcInput(t) { var d = dateOf(t); return ymd(d) + 'T' + pad(d.getUTCHours(), 2) + ':' + pad(d.getUTCMinutes(), 2) + ':' + pad(d.getUTCSeconds(), 2); }
  function num(v, dec) { return v === null || v === undefined ? '' : Number(v).toFixed(dec || 0); }
  function pct(v) { return v === null || v === undefined ? 'n/a' : Number(v).toFixed(1) + ' %'; }

  /* ------------------------------------------------------------ header */

  var S = D.stats;
  var CALLS = D.calls;
  CALLS.forEach(function (c, i) { c._i = i; });

  function fillHeader() {
    $('report-title').textContent = D.title;
    document.title = D.title;
    if (D.source) $('report-source').textContent = D.source;
    if (CALLS.length) {
      var lo = Infinity, hi = -Infinity;
      CALLS.forEach(function (c) { lo = Math.min(lo, c.start); hi = Math.max(hi, c.end !== undefined ? c.end : c.start); });
      $('report-span').textContent = fullTime(lo) + ' \u2014 ' + fullTime(hi) + '  (' + secs(hi - lo) + ' s)';
    }
  }

  function kpi(key, label, value, detail, bad) {
    var d = el('div', {'class': 'kpi' + (bad ? ' bad' : ''), 'data-kpi': key});
    d.appendChild(el('div', {'class': 'k'}, label));
    d.appendChild(el('div', {'class': 'v'}, value));
    if (detail) d.appendChild(el('div', {'class': 'd'}, detail));
    return d;
  }

  function fillKpis() {
    var box = $('kpis');
    var failed = S ? S.failed : CALLS.filter(function (c) { return c.failure; }).length;
    var n = S ? S.calls : CALLS.length;
    box.appendChild(kpi('calls', 'calls', String(n), S ? S.invite_calls + ' INVITE' : null));
    box.appendChild(kpi('failed', 'failed calls', String(failed),
      n ? (100 * failed / n).toFixed(1) + ' % of calls' : null, failed > 0));
    if (!S) return;
    box.appendChild(kpi('asr', 'ASR', pct(S.asr), S.answered + ' answered of ' + S.invite_calls));
    box.appendChild(kpi('ner', 'NER', pct(S.ner), S.effective + ' effective'));
    box.appendChild(kpi('pdd', 'PDD mean', S.pdd_mean_ms === null ? 'n/a' : num(S.pdd_mean_ms) + ' ms',
      S.pdd_count ? 'p50 ' + num(S.pdd_p50_ms) + ' ms, p95 ' + num(S.pdd_p95_ms) + ' ms, ' + S.pdd_count + ' calls' : null));
    box.appendChild(kpi('acd', 'ACD', S.acd_s === null ? 'n/a' : num(S.acd_s, 1) + ' s',
      S.acd_count ? S.acd_count + ' completed calls' : null));
    box.appendChild(kpi('messages', 'messages', String(S.messages),
      S.retransmissions + ' retransmissions', false));
  }

  /* ------------------------------------------------------------ charts */

  function stateCounts() {
    var counts = {};
    if (S) {
      for (var k in S.calls_by_state) if (S.calls_by_state[k]) counts[k] = S.calls_by_state[k];
    }
    /* rows the library left as unknown, or no stats at all */
    CALLS.forEach(function (c) { if (!S || c.state === 'unknown') counts[c.state] = (counts[c.state] || 0) + 1; });
    return counts;
  }

  function outcomeChart() {
    var counts = stateCounts(), states = STATE_ORDER.filter(function (s) { return counts[s]; });
    var box = $('chart-outcome');
    if (!states.length) { box.appendChild(el('p', {'class': 'hint'}, 'no calls')); return; }
    var max = Math.max.apply(null, states.map(function (s) { return counts[s]; }));
    var W = 420, L = 90, R = 60, H = 22, svg = svgEl('svg', {width: W, height: states.length * H + 8, 'class': 'chart'});
    states.forEach(function (s, i) {
      var w = Math.max(2, Math.round((W - L - R) * counts[s] / max)), y = 4 + i * H;
      var g = svgEl('g', {'class': 'bar', 'data-state': s, tabindex: 0});
      g.appendChild(svgEl('title', null, s + ': ' + counts[s] + ' calls'));
      g.appendChild(svgEl('text', {x: L - 6, y: y + 15, 'text-anchor': 'end', 'font-size': 12}, s));
      g.appendChild(svgEl('rect', {'class': 'fill', x: L, y: y + 2, width: w, height: H - 6, fill: STATE_COLORS[s] || '#777'}));
      g.appendChild(svgEl('text', {x: L + w + 6, y: y + 15, 'font-size': 12}, counts[s]));
      g.addEventListener('click', function () { setStateFilter(s); });
      svg.appendChild(g);
    });
    box.appendChild(svg);
  }

  /* 1, 2, 5 x 10^k at least x */
  function niceStep(x) {
    var p = Math.pow(10, Math.floor(Math.log10(Math.max(x, 1e-9))));
    return x <= p ? p : x <= 2 * p ? 2 * p : x <= 5 * p ? 5 * p : 10 * p;
  }

  function pddChart() {
    var box = $('chart-pdd');
    var v = CALLS.map(function (c) { return c.setup_ms; }).filter(function (x) { return x !== null && x !== undefined; });
    if (!v.length) { box.appendChild(el('p', {'class': 'hint'}, 'no INVITE call reached 180/183')); return; }
    v.sort(function (a, b) { return a - b; });
    /* bins of a round width from the smallest value up to p99; the rest in
     * one last "at least" bin */
    var top = v[Math.min(v.length - 1, Math.floor(v.length * 0.99))];
    var step = niceStep(Math.max(top - v[0], 10) / 10), start = Math.floor(v[0] / step) * step;
    var nb = Math.min(12, Math.floor((top - start) / step) + 1);
    var bins = []; for (var i = 0; i <= nb; i++) bins.push(0);
    v.forEach(function (x) { bins[Math.min(nb, Math.floor((x - start) / step))]++; });
    if (!bins[nb]) bins.pop();
    var W = 420, H = 186, L = 10, B = 34, T = 32, bw = Math.min(60, (W - L - 8) / bins.length);
    var max = Math.max.apply(null, bins);
    var svg = svgEl('svg', {width: W, height: H, 'class': 'chart'});
    svg.appendChild(svgEl('line', {x1: L, y1: H - B, x2: L + bins.length * bw, y2: H - B, stroke: '#999'}));
    bins.forEach(function (n, i) {
      var h = Math.round((H - B - T) * n / max), x = L + i * bw, over = i === nb;
      var lo = start + i * step, label = over ? '\u2265' + lo : lo + '\u2013' + (lo + step);
      var g = svgEl('g', {'class': 'pdd-bin'});
      g.appendChild(svgEl('title', null, label + ' ms: ' + n + ' calls'));
      g.appendChild(svgEl('rect', {x: Math.round(x + 1), y: H - B - h, width: Math.max(1, Math.round(bw - 2)), height: h, fill: over ? '#ef6c00' : '#5c6bc0'}));
      if (n) g.appendChild(svgEl('text', {x: Math.round(x + bw / 2), y: H - B - h - 3, 'text-anchor': 'middle', 'font-size': 10}, n));
      if (i % Math.ceil(bins.length / 6) === 0 || over)
        g.appendChild(svgEl('text', {x: Math.round(x + 1), y: H - B + 13, 'font-size': 10}, over ? '\u2265' + lo : lo));
      svg.appendChild(g);
    });
    svg.appendChild(svgEl('text', {x: W - 4, y: H - 4, 'text-anchor': 'end', 'font-size': 10, fill: '#555'}, 'ms (bins of ' + step + ' ms, ' + v.length + ' calls)'));
    [['p50', S && S.pdd_p50_ms, 10], ['p95', S && S.pdd_p95_ms, 22]].forEach(function (p) {
      if (p[1] === null || p[1] === undefined || p[1] === false) return;
      var x = Math.round(L + Math.max(0, Math.min((p[1] - start) / step, bins.length)) * bw);
      svg.appendChild(svgEl('line', {x1: x, y1: p[2] + 2, x2: x, y2: H - B, stroke: '#333', 'stroke-dasharray': '3 3'}));
      var right = x > W - 80; /* keep the label inside the chart */
      svg.appendChild(svgEl('text', {x: right ? x - 3 : x + 3, y: p[2], 'font-size': 10, 'text-anchor': right ? 'end' : null}, p[0] + ' ' + p[1] + ' ms'));
    });
    box.appendChild(svg);
  }

  function topFailures() {
    var t = $('top-failures');
    var rows = S ? S.top_failures : [];
    if (!rows.length) { t.appendChild(el('caption', {'class': 'hint'}, 'no failed calls')); return; }
    var h = el('tr'); h.appendChild(el('th', null, 'failure')); h.appendChild(el('th', {'class': 'num'}, 'calls'));
    t.appendChild(h);
    rows.forEach(function (f) {
      var r = el('tr');
      r.appendChild(el('td', null, f.label));
      r.appendChild(el('td', {'class': 'num'}, f.calls));
      t.appendChild(r);
    });
  }

  function countTable(title, obj) {
    var t = el('table', {'class': 'small'}), h = el('tr'), any = false;
    h.appendChild(el('th', null, title)); h.appendChild(el('th', {'class': 'num'}, 'count'));
    t.appendChild(h);
    for (var k in obj) {
      if (!obj[k]) continue;
      any = true;
      var r = el('tr'); r.appendChild(el('td', null, k)); r.appendChild(el('td', {'class': 'num'}, obj[k]));
      t.appendChild(r);
    }
    if (any) $('count-tables').appendChild(t);
  }

  function fillCounts() {
    if (!S) { $('count-tables').appendChild(el('p', {'class': 'hint'}, 'no statistics')); return; }
    countTable('requests', S.by_method);
    countTable('responses', S.by_status_class);
    countTable('anomaly (calls)', S.anomalies);
    countTable('total', {messages: S.messages, requests: S.requests, responses: S.responses,
      retransmissions: S.retransmissions, calls: S.calls, transactions: S.transactions, dialogs: S.dialogs});
  }

  /* ------------------------------------------------------------- table */

  var view = CALLS.slice(), page = 0, pageSize = 100, sortKey = 'call', sortDir = 1, openIndex = -1;

  function hay(c) {
    if (c._hay === undefined)
      c._hay = [c.from, c.to, c.call_id, c.src, c.dst].join(' ').toLowerCase();
    return c._hay;
  }

  function filterStateOptions() {
    var s = $('filter-state'), counts = {}, failed = 0;
    CALLS.forEach(function (c) { counts[c.state] = (counts[c.state] || 0) + 1; if (c.failure) failed++; });
    s.appendChild(el('option', {value: ''}, 'all (' + CALLS.length + ')'));
    s.appendChild(el('option', {value: 'any-failure'}, 'failed calls (' + failed + ')'));
    STATE_ORDER.forEach(function (st) {
      if (counts[st]) s.appendChild(el('option', {value: st}, st + ' (' + counts[st] + ')'));
    });
  }

  function applyFilters() {
    var st = $('filter-state').value, q = $('filter-text').value.trim().toLowerCase();
    var after = parseUtc($('filter-after').value), before = parseUtc($('filter-before').value);
    view = CALLS.filter(function (c) {
      if (st === 'any-failure' ? !c.failure : st && c.state !== st) return false;
      if (q && hay(c).indexOf(q) < 0) return false;
      if (after !== null && c.start < after) return false;
      if (before !== null && c.start > before) return false;
      return true;
    });
    sortView();
    page = 0;
    renderTable();
  }

  function sortValue(c) {
    var v = sortKey === 'failure' ? (c.failure || (c.anomalies.length ? c.anomalies.join(' ') : null)) : c[sortKey];
    return typeof v === 'string' ? v.toLowerCase() : v;
  }

  function sortView() {
    view.sort(function (a, b) {
      var x = sortValue(a), y = sortValue(b);
      var nx = x === null || x === undefined || x === 0 && sortKey === 'status';
      var ny = y === null || y === undefined || y === 0 && sortKey === 'status';
      if (nx || ny) return nx === ny ? a.call - b.call : nx ? 1 : -1; /* n/a last */
      return x < y ? -sortDir : x > y ? sortDir : a.call - b.call;
    });
    var ths = document.querySelectorAll('#calls-table th[data-sort]');
    for (var i = 0; i < ths.length; i++) {
      var k = ths[i].getAttribute('data-sort');
      if (k === sortKey) ths[i].setAttribute('aria-sort', sortDir > 0 ? 'ascending' : 'descending');
      else ths[i].removeAttribute('aria-sort');
    }
  }

  function setSort(key) {
    if (key === sortKey) sortDir = -sortDir;
    else { sortKey = key; sortDir = 1; }
    sortView();
    renderTable();
  }

  function stateBadge(s) {
    return el('span', {'class': 'state state-' + s, style: 'background:' + (STATE_COLORS[s] || '#777')}, s);
  }

  function callRow(c) {
    var tr = el('tr', {'data-call': c.call, 'data-index': c._i, tabindex: 0,
      'class': (c.failure ? 'failed' : '') + (c._i === openIndex ? ' open' : '')});
    tr.appendChild(el('td', {'class': 'num'}, c.call));
    tr.appendChild(el('td', null, clock(c.start)));
    tr.appendChild(el('td', null, c.method || ''));
    tr.appendChild(el('td', {title: c.from || ''}, c.from || ''));
    tr.appendChild(el('td', {title: c.to || ''}, c.to || ''));
    var td = el('td'); td.appendChild(stateBadge(c.state)); tr.appendChild(td);
    tr.appendChild(el('td', null, c.status ? c.status + ' ' + (c.reason || '') : ''));
    tr.appendChild(el('td', {'class': 'num'}, num(c.setup_ms)));
    tr.appendChild(el('td', {'class': 'num'}, num(c.duration_s, 1)));
    tr.appendChild(el('td', {'class': 'num'}, c.messages));
    var why = el('td', {'class': 'why'});
    if (c.failure) why.textContent = c.failure;
    if (c.anomalies && c.anomalies.length) why.appendChild(el('span', {'class': 'anom'}, (c.failure ? ' [' : '') + c.anomalies.join(', ') + (c.failure ? ']' : '')));
    tr.appendChild(why);
    return tr;
  }

  function pages() { return Math.max(1, Math.ceil(view.length / pageSize)); }

  function renderTable() {
    var body = document.querySelector('#calls-table tbody'), frag = document.createDocumentFragment();
    page = Math.max(0, Math.min(page, pages() - 1));
    var end = Math.min(view.length, (page + 1) * pageSize);
    for (var i = page * pageSize; i < end; i++) frag.appendChild(callRow(view[i]));
    clear(body).appendChild(frag);
    $('row-count').textContent = view.length === CALLS.length
      ? CALLS.length + ' calls'
      : view.length + ' of ' + CALLS.length + ' calls match';
    renderPager();
  }

  function renderPager() {
    var p = clear($('pager')), n = pages();
    function btn(id, label, to, off) {
      var b = el('button', {id: id, type: 'button'}, label);
      b.disabled = off;
      b.addEventListener('click', function () { page = to; renderTable(); });
      p.appendChild(b);
    }
    btn('page-first', '\u00ab first', 0, page === 0);
    btn('page-prev', '\u2039 prev', page - 1, page === 0);
    p.appendChild(el('span', {id: 'page-info'}, 'page ' + (page + 1) + ' of ' + n));
    btn('page-next', 'next \u203a', page + 1, page >= n - 1);
    btn('page-last', 'last \u00bb', n - 1, page >= n - 1);
    var s = el('select', {id: 'page-size', title: 'rows per page'});
    PAGE_SIZES.forEach(function (k) { var o = el('option', {value: k}, k + ' rows'); o.selected = k === pageSize; s.appendChild(o); });
    s.addEventListener('change', function () { pageSize = Number(s.value); page = 0; renderTable(); });
    p.appendChild(s);
  }

  function setStateFilter(s) {
    $('filter-state').value = s;
    applyFilters();
    $('calls').scrollIntoView();
  }

  /* ------------------------------------------------------------ ladder */

  var CW = 7.3, SW = 6.7; /* px per character, 12 px and 11 px monospace */
  function px(chars, w) { return Math.ceil(chars * w); }
  function arrowColor(a) { return a[4] >= 400 ? '#d62728' : a[4] >= 300 ? '#ef6c00' : '#1f77b4'; }

  /* The layout of one call's ladder: lanes in order of first appearance,
   * spread so that the longest label fits (as render_svg.c does). */
  function layout(c) {
    var A = D.arrows.slice(c.a[0], c.a[0] + c.a[1]), col = {}, lanes = [];
    A.forEach(function (a) {
      [a[2], a[3]].forEach(function (l) { if (!(l in col)) { col[l] = lanes.length; lanes.push(l); } });
    });
    var mixed = A.some(function (a) { return a[8] !== A[0][8]; });
    var labels = A.map(function (a) { return a[5] + (mixed ? ' [' + a[8] + ']' : '') + (a[7] ? ' (retr)' : ''); });
    var sp = 170;
    lanes.forEach(function (l) {
      var lane = D.lanes[l] || ['?', null];
      sp = Math.max(sp, px(lane[0].length, 8) + 28, lane[1] ? px(lane[1].length, SW) + 28 : 0);
    });
    A.forEach(function (a, i) {
      var span = Math.abs(col[a[2]] - col[a[3]]), need = px(labels[i].length, CW) + 30;
      if (a[6]) need = Math.max(need, px(a[6].length, SW) + 20);
      sp = Math.max(sp, span ? need / span : need / 2 + 50);
    });
    sp = Math.round(Math.min(sp, 480));
    var wf = 5, wt = 4, wd = 5, t0 = A.length ? A[0][1] : 0;
    A.forEach(function (a, i) {
      wf = Math.max(wf, String(a[0]).length);
      wt = Math.max(wt, secs(a[1] - t0, true).length);
      if (i) wd = Math.max(wd, secs(a[1] - A[i - 1][1]).length);
    });
    var L = {A: A, col: col, lanes: lanes, labels: labels, mixed: mixed, sp: sp, t0: t0};
    L.colFrame = 10 + px(wf, CW); L.colTime = L.colFrame + 12 + px(wt, CW); L.colDelta = L.colTime + 12 + px(wd, CW);
    L.left = L.colDelta + 10; L.top = 28; L.rowsTop = L.top + 40 + 14;
    L.x = lanes.map(function (l, i) { return L.left + i * sp + Math.round(sp / 2); });
    L.width = L.left + lanes.length * sp + 10;
    var y = L.rowsTop;
    L.rows = A.map(function (a, i) {
      var h = 30 + (a[6] ? 14 : 0) + (a[2] === a[3] ? 10 : 0), xa = L.x[col[a[2]]], xb = L.x[col[a[3]]];
      var mid = xa === xb ? xa + 40 : (xa + xb) / 2, lw = px(labels[i].length, CW);
      L.width = Math.max(L.width, Math.round(xa === xb ? mid + lw + 16 : mid + lw / 2 + 16));
      var top = y; y += h;
      return {top: top, h: h};
    });
    L.height = y + 16;
    return L;
  }

  function summary(c, L, i) {
    var a = L.A[i], src = (D.lanes[a[2]] || ['?'])[0], dst = (D.lanes[a[3]] || ['?'])[0];
    var s = 'frame ' + a[0] + '  ' + secs(a[1] - L.t0, true) + ' s  ' + src + ' -> ' + dst + ' ' + a[8] + '\n';
    s += (a[4] ? a[5] : (a[10] || '?') + ' ' + (a[11] || '')) + ' (CSeq ' + a[9] + ' ' + (a[10] || '?') + ')';
    if (a[7]) s += ' retransmission';
    if (a[6]) s += '\nSDP: ' + a[6];
    return s;
  }

  function drawArrow(svg, c, L, i) {
    var a = L.A[i], r = L.rows[i], color = arrowColor(a), y = r.top + 18;
    var xa = L.x[L.col[a[2]]], xb = L.x[L.col[a[3]]], loop = xa === xb;
    var lo = loop ? xa : Math.min(xa, xb), hi = loop ? xa + 40 : Math.max(xa, xb);
    var g = svgEl('g', {'class': 'arrow' + (a[7] ? ' retr' : ''), 'data-index': i, 'data-frame': a[0], tabindex: 0});
    g.appendChild(svgEl('title', null, summary(c, L, i)));
    g.appendChild(svgEl('rect', {'class': 'hit', x: lo - 4, y: r.top, width: hi - lo + 8, height: r.h}));
    g.appendChild(svgEl('text', {x: L.colFrame, y: y + 4, 'text-anchor': 'end', 'class': 'frame'}, a[0]));
    g.appendChild(svgEl('text', {x: L.colTime, y: y + 4, 'text-anchor': 'end', 'class': 'time'}, secs(a[1] - L.t0, true)));
    if (i) g.appendChild(svgEl('text', {x: L.colDelta, y: y + 4, 'text-anchor': 'end', 'class': 'delta'}, secs(a[1] - L.A[i - 1][1])));
    var dash = a[7] ? '6 4' : null;
    if (loop) {
      g.appendChild(svgEl('path', {d: 'M' + xa + ' ' + (y - 5) + ' h32 v10 h-30', fill: 'none', stroke: color, 'stroke-width': 1.5, 'stroke-dasharray': dash}));
      g.appendChild(svgEl('polygon', {points: (xa + 2) + ',' + (y + 5) + ' ' + (xa + 11) + ',' + (y + 1) + ' ' + (xa + 11) + ',' + (y + 9), fill: color}));
      g.appendChild(svgEl('text', {x: xa + 40, y: y + 4, 'class': 'label', fill: color}, L.labels[i]));
    } else {
      var dir = xb > xa ? 1 : -1, tip = xb - dir * 2, base = tip - dir * 9;
      g.appendChild(svgEl('line', {x1: xa, y1: y, x2: base, y2: y, stroke: color, 'stroke-width': 1.5, 'stroke-dasharray': dash}));
      g.appendChild(svgEl('polygon', {points: tip + ',' + y + ' ' + base + ',' + (y - 4) + ' ' + base + ',' + (y + 4), fill: color}));
      g.appendChild(svgEl('text', {x: Math.round((xa + xb) / 2), y: y - 5, 'text-anchor': 'middle', 'class': 'label', fill: color}, L.labels[i]));
    }
    if (a[6])
      g.appendChild(svgEl('text', {x: loop ? xa + 40 : Math.round((xa + xb) / 2), y: y + (loop ? 26 : 15), 'text-anchor': loop ? null : 'middle', 'class': 'sdp'}, a[6]));
    svg.appendChild(g);
  }

  function drawLadder(c) {
    var L = layout(c);
    var svg = svgEl('svg', {xmlns: SVGNS, 'class': 'ladder', width: L.width, height: L.height, viewBox: '0 0 ' + L.width + ' ' + L.height});
    svg.appendChild(svgEl('rect', {x: 0, y: 0, width: L.width, height: L.height, fill: '#fff'}));
    svg.appendChild(svgEl('text', {x: 10, y: 16, 'class': 'date'},
      (L.A.length ? fullTime(L.t0) : '') + (L.A.length && !L.mixed ? '  ' + L.A[0][8] : '')));
    [['frame', L.colFrame], ['time', L.colTime], ['delta', L.colDelta]].forEach(function (h) {
      svg.appendChild(svgEl('text', {x: h[1], y: L.top + 24, 'text-anchor': 'end', 'class': 'colhead'}, h[0]));
    });
    L.lanes.forEach(function (l, i) {
      var lane = D.lanes[l] || ['?', null], x = L.x[i], w = L.sp - 16;
      var g = svgEl('g', {'class': 'lane', 'data-lane': l});
      g.appendChild(svgEl('line', {x1: x, y1: L.top + 40, x2: x, y2: L.height - 8, 'class': 'lifeline'}));
      g.appendChild(svgEl('rect', {x: x - Math.round(w / 2), y: L.top, width: w, height: 40, rx: 4, 'class': 'head'}));
      g.appendChild(svgEl('text', {x: x, y: L.top + (lane[1] ? 17 : 25), 'text-anchor': 'middle', 'class': 'addr'}, lane[0]));
      if (lane[1]) g.appendChild(svgEl('text', {x: x, y: L.top + 33, 'text-anchor': 'middle', 'class': 'agent'}, lane[1]));
      svg.appendChild(g);
    });
    for (var i = 0; i < L.A.length; i++) drawArrow(svg, c, L, i);
    return {svg: svg, L: L};
  }

  /* ------------------------------------------------------------ detail */

  var detail = null; /* {c, L, svg} of the open call */

  function fact(dl, k, v) {
    if (v === null || v === undefined || v === '') return;
    var d = el('div'); d.appendChild(el('dt', null, k)); d.appendChild(el('dd', null, v)); dl.appendChild(d);
  }

  function messageList(c, L) {
    var t = clear($('call-messages'));
    var h = el('tr');
    ['frame', 'time', 'from', 'to', 'message'].forEach(function (k) { h.appendChild(el('th', null, k)); });
    t.appendChild(h);
    L.A.forEach(function (a, i) {
      var r = el('tr', {'data-index': i});
      r.appendChild(el('td', {'class': 'num'}, a[0]));
      r.appendChild(el('td', {'class': 'num'}, secs(a[1] - L.t0, true)));
      r.appendChild(el('td', null, (D.lanes[a[2]] || ['?'])[0]));
      r.appendChild(el('td', null, (D.lanes[a[3]] || ['?'])[0]));
      r.appendChild(el('td', null, L.labels[i]));
      t.appendChild(r);
    });
  }

  function showMessage(i) {
    if (!detail || i < 0 || i >= detail.L.A.length) return;
    var old = detail.svg.querySelectorAll('.arrow.selected, tr.selected');
    for (var k = 0; k < old.length; k++) old[k].classList.remove('selected');
    var oldRow = $('call-messages').querySelector('tr.selected');
    if (oldRow) oldRow.classList.remove('selected');
    var g = detail.svg.querySelector('.arrow[data-index="' + i + '"]');
    if (g) g.classList.add('selected');
    var row = $('call-messages').querySelector('tr[data-index="' + i + '"]');
    if (row) row.classList.add('selected');
    var s = $('message-summary');
    s.className = '';
    s.textContent = summary(detail.c, detail.L, i);
    $('message-text').textContent = texts()[detail.c.a[0] + i];
    $('message-pane').setAttribute('data-index', String(i));
  }

  function openCall(c) {
    var prev = document.querySelector('#calls-table tr.open');
    if (prev) prev.classList.remove('open');
    openIndex = c._i;
    var row = document.querySelector('#calls-table tr[data-index="' + c._i + '"]');
    if (row) row.classList.add('open');
    $('detail-title').textContent = 'call ' + c.call + ': ' + (c.method || '') + ' ' + (c.from || '') + ' \u2192 ' + (c.to || '') + '  \u2014  ' + c.state;
    var f = $('call-failure');
    f.hidden = !c.failure;
    f.textContent = c.failure || '';
    var dl = clear($('call-facts'));
    fact(dl, 'Call-ID', c.call_id);
    fact(dl, 'state', c.state);
    fact(dl, 'final', c.status ? c.status + ' ' + (c.reason || '') + (c.q850 ? ' (Q.850 cause ' + c.q850 + ')' : '') : 'none');
    fact(dl, 'first request', (c.src || '?') + ' \u2192 ' + (c.dst || '?'));
    fact(dl, 'start', fullTime(c.start));
    if (c.end !== undefined) fact(dl, 'last message', '+' + secs(c.end - c.start) + ' s');
    if (c.setup_ms !== null && c.setup_ms !== undefined) fact(dl, 'PDD', c.setup_ms + ' ms');
    if (c.answer_ms !== null && c.answer_ms !== undefined) fact(dl, 'answered after', c.answer_ms + ' ms');
    if (c.duration_s !== null && c.duration_s !== undefined) fact(dl, 'duration', num(c.duration_s, 3) + ' s');
    fact(dl, 'messages', c.messages + (c.retransmissions ? ' (' + c.retransmissions + ' retransmissions)' : ''));
    if (c.transactions !== undefined) fact(dl, 'transactions / dialogs', c.transactions + ' / ' + c.dialogs);
    if (c.attempts > 1) fact(dl, 'attempts', c.attempts);
    if (c.anomalies && c.anomalies.length) fact(dl, 'anomalies', c.anomalies.join(', '));
    if (c.linked) fact(dl, 'linked call', c.linked);
    var d = drawLadder(c);
    detail = {c: c, L: d.L, svg: d.svg};
    clear($('detail-ladder')).appendChild(d.svg);
    messageList(c, d.L);
    var s = $('message-summary');
    s.className = 'hint';
    s.textContent = 'Click an arrow or a message to see its full text.';
    $('message-text').textContent = '';
    $('message-pane').removeAttribute('data-index');
    $('call-detail').hidden = false;
    $('call-detail').setAttribute('data-call', String(c.call));
    try { history.replaceState(null, '', '#call=' + c.call); } catch (e) { /* file: in some browsers */ }
    $('detail-close').focus();
  }

  function closeDetail() {
    $('call-detail').hidden = true;
    $('call-detail').removeAttribute('data-call');
    clear($('detail-ladder'));
    detail = null;
    try { history.replaceState(null, '', '#'); } catch (e) { /* ignore */ }
    var row = document.querySelector('#calls-table tr[data-index="' + openIndex + '"]');
    if (row) row.focus();
  }

  /* The next / previous call in the filtered, sorted list. */
  function step(dir) {
    if (!detail) return;
    var k = view.indexOf(detail.c) + dir;
    if (k < 0 || k >= view.length) return;
    page = Math.floor(k / pageSize);
    renderTable();
    openCall(view[k]);
  }

  /* ------------------------------------------------------------ wiring */

  function rowOf(e) { return e.target.closest ? e.target.closest('tr[data-index]') : null; }

  function wire() {
    var body = document.querySelector('#calls-table tbody');
    body.addEventListener('click', function (e) { var r = rowOf(e); if (r) openCall(CALLS[Number(r.getAttribute('data-index'))]); });
    body.addEventListener('keydown', function (e) {
      var r = rowOf(e);
      if (r && (e.key === 'Enter' || e.key === ' ')) { openCall(CALLS[Number(r.getAttribute('data-index'))]); e.preventDefault(); }
    });
    var ths = document.querySelectorAll('#calls-table th[data-sort]');
    for (var i = 0; i < ths.length; i++)
      ths[i].addEventListener('click', function (e) { setSort(e.currentTarget.getAttribute('data-sort')); });
    $('filter-state').addEventListener('change', applyFilters);
    var timer = null;
    $('filter-text').addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(applyFilters, 120); });
    $('filter-after').addEventListener('change', applyFilters);
    $('filter-before').addEventListener('change', applyFilters);
    $('filter-reset').addEventListener('click', function () {
      $('filter-state').value = ''; $('filter-text').value = ''; $('filter-after').value = ''; $('filter-before').value = '';
      applyFilters();
    });
    $('detail-close').addEventListener('click', closeDetail);
    $('detail-prev').addEventListener('click', function () { step(-1); });
    $('detail-next').addEventListener('click', function () { step(1); });
    document.addEventListener('keydown', function (e) { if (e.key === 'Escape' && detail) closeDetail(); });
    var ladder = $('detail-ladder');
    ladder.addEventListener('click', function (e) {
      var g = e.target.closest ? e.target.closest('.arrow') : null;
      if (g) showMessage(Number(g.getAttribute('data-index')));
    });
    ladder.addEventListener('keydown', function (e) {
      var g = e.target.closest ? e.target.closest('.arrow') : null;
      if (g && (e.key === 'Enter' || e.key === ' ')) { showMessage(Number(g.getAttribute('data-index'))); e.preventDefault(); }
    });
    $('call-messages').addEventListener('click', function (e) { var r = rowOf(e); if (r) showMessage(Number(r.getAttribute('data-index'))); });
    if (CALLS.length) {
      var lo = Math.min.apply(null, CALLS.map(function (c) { return c.start; }));
      var hi = Math.max.apply(null, CALLS.map(function (c) { return c.start; }));
      ['filter-after', 'filter-before'].forEach(function (id) { $(id).min = utcInput(lo); $(id).max = utcInput(hi + 1000000); });
    }
  }

  function openFromHash() {
    var m = /^#call=(\d+)$/.exec(location.hash);
    if (!m) return;
    for (var i = 0; i < CALLS.length; i++) if (CALLS[i].call === Number(m[1])) { openCall(CALLS[i]); return; }
  }

  fillHeader();
  fillKpis();
  outcomeChart();
  pddChart();
  topFailures();
  fillCounts();
  filterStateOptions();
  wire();
  sortView();
  renderTable();
  openFromHash();
  document.body.setAttribute('data-ready', '1');
})();
