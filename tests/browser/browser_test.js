// Opens sipflow's HTML ladder and HTML report in headless Chromium and
// checks what a reader does with them.  Run by tests/cli/browser.sh, which
// prepares the inputs and passes their paths in the environment:
//   LADDER_HTML     `ladder --format html` of samples/call-proxy.pcap
//   LADDER_MESSAGES `messages --json` of the same capture (NDJSON)
//   LADDER_MODEL    `ladder --format json` of the same capture
//   REPORT_HTML     `report` of samples/demo.pcap
//   REPORT_CALLS    `calls --json` of samples/demo.pcap (NDJSON)
//   BIG_HTML        `report` of a generated capture with ~10 000 calls
//   BIG_CALLS       `calls --json` of that capture (NDJSON)
//   SCREENSHOTS     optional: a directory for ladder.png and report.png
// Exit 0 when every check passed, 1 otherwise (each failure printed).
// SPDX-License-Identifier: GPL-2.0-or-later
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { pathToFileURL } = require('url');
const { chromium } = require('playwright-core');

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
let failures = 0;

function ok(what) { console.log('ok: ' + what); }
function bad(what) { console.log('FAIL: ' + what); failures++; }
function check(cond, what) { if (cond) ok(what); else bad(what); return cond; }
function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(name + ' is not set');
  return v;
}
function ndjson(file) {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

// A page that records every request that is not file: or data:, and every
// console error or uncaught exception.
async function openPage(context, file) {
  const page = await context.newPage();
  page.problems = [];
  page.on('request', (r) => {
    if (!/^(file|data):/.test(r.url())) page.problems.push('network request to ' + r.url());
  });
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push('console error: ' + m.text()); });
  page.on('pageerror', (e) => page.problems.push('page error: ' + e.message));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return page;
}

function checkQuiet(page, what) {
  check(page.problems.length === 0, what + ': no network request, no console error' +
    (page.problems.length ? ' — ' + page.problems.slice(0, 5).join('; ') : ''));
}

// A real mouse click in the middle of an element (after scrolling to it).
async function clickCentre(page, locator) {
  await locator.scrollIntoViewIfNeeded();
  const b = await locator.boundingBox();
  await page.mouse.click(b.x + b.width / 2, b.y + b.height / 2);
}

// What a message's text must start with, from `messages --json`.
function startLine(m) {
  return m.type === 'request' ? m.method + ' ' : 'SIP/2.0 ' + m.status + ' ' + m.reason;
}

/* ------------------------------------------------------------- ladder */

async function testLadder(context) {
  const msgs = ndjson(env('LADDER_MESSAGES')).filter((m) => m.call === 1);
  const model = JSON.parse(fs.readFileSync(env('LADDER_MODEL'), 'utf8'));
  const page = await openPage(context, env('LADDER_HTML'));
  const arrows = page.locator('#ladder .ladder-view:not([hidden]) svg g.arrow');
  const n = await arrows.count();
  check(n === msgs.length && n > 0, `ladder: ${n} arrows for the ${msgs.length} messages of the call`);
  const indexes = await arrows.evaluateAll((gs) => gs.map((g) => g.getAttribute('data-index')).join(','));
  check(indexes === msgs.map((m, i) => i).join(','), 'ladder: arrows numbered 0..N-1 in capture order');
  let shown = 0;
  for (let k = 0; k < n; k++) {
    await clickCentre(page, arrows.nth(k).locator('rect.hit'));
    const idx = await page.getAttribute('#message-pane', 'data-index');
    const text = await page.textContent('#message-text');
    const m = msgs[k];
    const good = idx === String(k) && text.startsWith(startLine(m)) &&
      text.includes('Call-ID: ' + m.call_id) && text === model.arrows[k].message;
    if (!good) bad(`ladder: clicking arrow ${k} shows pane ${idx} starting "${text.split('\r')[0]}"`);
    else shown++;
  }
  check(shown === n, `ladder: clicking each of the ${n} arrows shows that message's full text ` +
    '(start line, Call-ID, every byte)');
  const selected = await page.locator('g.arrow.selected').count();
  check(selected === 1, 'ladder: exactly one arrow is marked selected');
  if (process.env.SCREENSHOTS) {
    await page.setViewportSize({ width: 1760, height: 690 });
    await arrows.nth(2).locator('rect.hit').click({ force: true });
    await page.evaluate(() => { document.getElementById('ladder').scrollTo(0, 0); document.activeElement.blur(); });
    await page.screenshot({ path: path.join(process.env.SCREENSHOTS, 'ladder.png') });
  }
  checkQuiet(page, 'ladder');
  await page.close();
}

/* ------------------------------------------------------------- report */

async function rowCalls(page) {
  return page.locator('#calls-table tbody tr').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-call'))));
}

function sameList(a, b) { return a.length === b.length && a.every((x, i) => x === b[i]); }

async function testReport(context) {
  const calls = ndjson(env('REPORT_CALLS'));
  const byId = new Map(calls.map((c) => [c.call, c]));
  const page = await openPage(context, env('REPORT_HTML'));
  await page.waitForSelector('body[data-ready="1"]');

  let rows = await rowCalls(page);
  check(sameList(rows, calls.map((c) => c.call)), `report: one row per call (${rows.length} rows, ${calls.length} calls), in call order`);
  const kpiCalls = await page.textContent('#kpis [data-kpi="calls"] .v');
  check(kpiCalls === String(calls.length), `report: KPI "calls" says ${kpiCalls}`);
  const failedRows = await page.locator('#calls-table tbody tr.failed').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-call'))));
  check(sameList(failedRows, calls.filter((c) => c.failure).map((c) => c.call)), 'report: failed calls (and only they) are highlighted');

  // Filter by state.
  const busy = calls.filter((c) => c.state === 'busy').map((c) => c.call);
  await page.selectOption('#filter-state', 'busy');
  rows = await rowCalls(page);
  check(busy.length > 0 && sameList(rows, busy), `report: state filter "busy" leaves the busy calls (${rows.join(',')})`);
  const count = await page.textContent('#row-count');
  check(count.startsWith(busy.length + ' of ' + calls.length), `report: row count says "${count}"`);
  await page.click('#filter-reset');

  // Filter by text (From/To).
  const target = calls.find((c) => c.method === 'INVITE');
  const user = target.to.replace(/^sips?:/, '').split('@')[0];
  await page.fill('#filter-text', user);
  await page.waitForFunction((n) => document.querySelectorAll('#calls-table tbody tr').length === n,
    calls.filter((c) => (c.from + ' ' + c.to + ' ' + c.call_id).toLowerCase().includes(user.toLowerCase())).length);
  rows = await rowCalls(page);
  check(rows.includes(target.call) && rows.every((id) => {
    const c = byId.get(id);
    return (c.from + c.to + c.call_id).toLowerCase().includes(user.toLowerCase());
  }), `report: text filter "${user}" keeps the calls from or to it (${rows.join(',')})`);
  await page.click('#filter-reset');

  // Filter by start time.
  const mid = calls[Math.floor(calls.length / 2)];
  const d = new Date(Math.floor(mid.start) * 1000).toISOString().slice(0, 19);
  await page.fill('#filter-after', d);
  await page.dispatchEvent('#filter-after', 'change');
  rows = await rowCalls(page);
  const later = calls.filter((c) => c.start >= Math.floor(mid.start)).map((c) => c.call);
  check(sameList(rows, later), `report: "started after ${d}" keeps ${rows.length} calls (expected ${later.length})`);
  await page.click('#filter-reset');

  // Sorting.
  await page.click('#calls-table th[data-sort="call"]');
  rows = await rowCalls(page);
  check(sameList(rows, calls.map((c) => c.call).reverse()), 'report: clicking "#" again sorts by call number, descending');
  await page.click('#calls-table th[data-sort="state"]');
  const states = await page.locator('#calls-table tbody tr .state').allTextContents();
  check(sameList(states, states.slice().sort()) && new Set(states).size > 1, 'report: sorting by state orders the rows by state');
  await page.click('#calls-table th[data-sort="setup_ms"]');
  await page.click('#calls-table th[data-sort="setup_ms"]');
  rows = await rowCalls(page);
  const pdd = calls.filter((c) => c.setup_ms !== null).sort((a, b) => b.setup_ms - a.setup_ms || a.call - b.call);
  check(sameList(rows.slice(0, pdd.length), pdd.map((c) => c.call)), 'report: sorting by PDD descending, calls without one last');

  // A failed call: its failure sentence and its ladder.
  const failed = calls.find((c) => c.failure && c.state === 'busy') || calls.find((c) => c.failure);
  await page.click('#filter-reset');
  await page.click(`#calls-table tbody tr[data-call="${failed.call}"]`);
  await page.waitForSelector('#call-detail:not([hidden])');
  const sentence = await page.textContent('#call-failure');
  check(sentence === failed.failure, `report: call ${failed.call} shows its failure sentence "${sentence}"`);
  const arrows = page.locator('#detail-ladder svg g.arrow');
  const n = await arrows.count();
  check(n === failed.messages, `report: its ladder has ${n} arrows for its ${failed.messages} messages`);
  await clickCentre(page, arrows.nth(n - 1).locator('rect.hit'));
  const text = await page.textContent('#message-text');
  check(text.includes('Call-ID: ' + failed.call_id) && (await page.getAttribute('#message-pane', 'data-index')) === String(n - 1),
    'report: clicking its last arrow shows that message');
  const final = await page.locator('#call-messages tr[data-index]').count();
  check(final === n, `report: the call's message list has ${final} rows`);
  await page.keyboard.press('Escape');
  check(await page.locator('#call-detail').isHidden(), 'report: Escape closes the call');

  // A bar of the outcome chart filters too.
  await page.click('#chart-outcome g.bar[data-state="busy"] rect');
  rows = await rowCalls(page);
  check(sameList(rows.slice().sort((a, b) => a - b), busy), 'report: clicking the "busy" bar lists the busy calls');
  checkQuiet(page, 'report');
  if (process.env.SCREENSHOTS) {
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.reload();
    await page.waitForSelector('body[data-ready="1"]');
    await page.screenshot({ path: path.join(process.env.SCREENSHOTS, 'report.png') });
    const shown = calls.filter((c) => c.failure).sort((a, b) => b.messages - a.messages)[0];
    await page.click(`#calls-table tbody tr[data-call="${shown.call}"]`);
    await page.click('#detail-ladder svg g.arrow:last-of-type rect.hit', { force: true });
    await page.evaluate(() => document.activeElement.blur());
    await page.screenshot({ path: path.join(process.env.SCREENSHOTS, 'report-call.png') });
  }
  await page.close();
}

/* ----------------------------------------------------- 10 000 calls */

async function testBig(context) {
  const calls = ndjson(env('BIG_CALLS'));
  const t0 = Date.now();
  const page = await openPage(context, env('BIG_HTML'));
  await page.waitForSelector('body[data-ready="1"]', { timeout: 20000 });
  const ms = Date.now() - t0;
  const size = fs.statSync(env('BIG_HTML')).size;
  check(ms < 10000, `big report (${calls.length} calls, ${(size / 1e6).toFixed(1)} MB): loaded in ${ms} ms (< 10 s)`);
  const count = await page.textContent('#row-count');
  check(count === calls.length + ' calls', `big report: "${count}"`);
  const trs = () => page.evaluate(() => document.querySelectorAll('tr').length);
  let n = await trs();
  check(n < 2000, `big report: ${n} table rows in the DOM (< 2000)`);
  await page.selectOption('#page-size', '500');
  n = await trs();
  check(n < 2000 && (await page.locator('#calls-table tbody tr').count()) === 500, `big report: 500 rows per page, ${n} rows in the DOM`);
  await page.click('#page-last');
  const last = await rowCalls(page);
  check(last[last.length - 1] === calls[calls.length - 1].call, 'big report: the last page ends with the last call');
  const busy = calls.filter((c) => c.state === 'busy').length;
  await page.selectOption('#filter-state', 'busy');
  const bc = await page.textContent('#row-count');
  check(bc.startsWith(busy + ' of '), `big report: state filter "busy": "${bc}"`);
  const t1 = Date.now();
  await page.click('#calls-table tbody tr >> nth=0');
  await page.waitForSelector('#detail-ladder svg g.arrow');
  await clickCentre(page, page.locator('#detail-ladder svg g.arrow').first().locator('rect.hit'));
  const text = await page.textContent('#message-text');
  check(text.startsWith('INVITE '), `big report: a call and its first message open in ${Date.now() - t1} ms`);
  n = await trs();
  check(n < 2000, `big report: still ${n} rows in the DOM with a call open`);
  checkQuiet(page, 'big report');
  await page.close();
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipflow-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 800 },
    });
    await testLadder(context);
    await testReport(context);
    await testBig(context);
  } catch (e) {
    bad('exception: ' + (e && e.stack ? e.stack : e));
  } finally {
    if (context) await context.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(failures ? failures + ' check(s) failed' : 'all checks passed');
  process.exit(failures ? 1 : 0);
}

main();
