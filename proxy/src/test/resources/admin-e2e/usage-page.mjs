// Drives the Usage page in Debian's Chromium with playwright-core and prints one JSON line with what it saw.
// Usage: node usage-page.mjs '<json options>'
//   {toolsDir, baseUrl, username, password, screenshots, downloads, chromium, userDataDir, expectRequests}
// Steps: sign in, open Usage, wait for the traffic, switch ranges (last hour, 24 h, a custom from/to), group by key,
// sort the table by clicking headings, export the CSV and read it back, pick a key against its limits, and take
// screenshots at 1400 and 390 px wide. Exit code 0 when every step passed; 1 with {"ok":false,"error":...} otherwise.
import { createRequire } from 'node:module';
import path from 'node:path';
import fs from 'node:fs';
import { openAdminBrowser } from './browser.mjs';

const opts = JSON.parse(process.argv[2]);
const require = createRequire(path.join(opts.toolsDir, 'node_modules', 'noop.js'));
const { chromium } = require('playwright-core');
const result = { ok: false, steps: { requested: [], totalRequests: {} }, screenshots: [] };

function check(cond, message) {
  if (!cond) throw new Error(message);
}

async function shot(page, name) {
  const file = path.join(opts.screenshots, name + '.png');
  await page.screenshot({ path: file, fullPage: true });
  result.screenshots.push(file);
}

/** The table as its cells' raw values (data-value), header first: what the CSV must hold. */
async function tableValues(page) {
  return page.evaluate(() => {
    const t = document.querySelector('#usage-table');
    const head = [...t.querySelectorAll('thead th')].map((th) => th.querySelector('button').firstChild.textContent);
    const rows = [...t.querySelectorAll('tbody tr[data-name], tfoot tr')].map((r) => [...r.cells].map((c) => c.dataset.value));
    return [head, ...rows];
  });
}

async function column(page, index) {
  return page.$$eval('#usage-table tbody tr[data-name]', (rows, i) => rows.map((r) => r.cells[i].dataset.value), index);
}

/** RFC 4180: quoted fields may hold commas, quotes (doubled) and line breaks. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; } else if (ch === '\r') { /* CRLF */ } else if (ch === '\n') { row.push(field); rows.push(row); row = []; field = ''; } else field += ch;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** Runs an action and waits for the usage answer it causes; returns the query. */
async function usageAnswer(page, action) {
  const before = Number(await page.getAttribute('#page-usage', 'data-renders') || 0);
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/admin/api/usage?'), { timeout: 15000 }),
    action(),
  ]);
  check(res.status() === 200, 'usage answered ' + res.status() + ': ' + (await res.text()));
  const q = new URL(res.url()).search;
  result.steps.requested.push(q);
  await page.waitForFunction((n) => Number(document.querySelector('#page-usage').dataset.renders || 0) > n, before);
  return q;
}

async function totalRequests(page) {
  return page.$eval('#usage-table tfoot tr', (r) => r.cells[1].dataset.value);
}

let context;
let page;
const timer = setTimeout(() => { console.log(JSON.stringify({ ...result, error: 'timed out' })); process.exit(1); }, 120000);
try {
  ({ context, page } = await openAdminBrowser(chromium, opts, { acceptDownloads: true, downloadsPath: opts.downloads }));
  page.setDefaultTimeout(15000);
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));

  // sign in and open Usage (last hour, by model)
  await page.goto(opts.baseUrl + '/admin/');
  await page.waitForSelector('#login-view:not([hidden])');
  await page.fill('#login-username', opts.username);
  await page.fill('#login-password', opts.password);
  await page.click('#login-submit');
  await page.waitForSelector('#app-view:not([hidden])');
  await usageAnswer(page, () => page.click('.tabs button[data-page=usage]'));
  // the history may take a moment to count the last requests: refresh until it has them all
  for (let i = 0; i < 20 && Number(await totalRequests(page)) < opts.expectRequests; i++) {
    await page.waitForTimeout(500);
    await usageAnswer(page, () => page.click('#usage-refresh'));
  }
  result.steps.totalRequests['1h'] = await totalRequests(page);
  check(Number(result.steps.totalRequests['1h']) === opts.expectRequests, 'last hour: ' + result.steps.totalRequests['1h']);
  await page.waitForSelector('#chart-tokens canvas');
  result.steps.charts = await page.locator('.usage-charts canvas').count();
  result.steps.byModel = await page.$$eval('#usage-table tbody tr[data-name]', (rs) => rs.map((r) => r.dataset.name));
  await shot(page, '30-usage-1400');

  // last 24 hours, then a custom range around now, then back to the last hour
  await usageAnswer(page, () => page.selectOption('#usage-range', '24h'));
  result.steps.totalRequests['24h'] = await totalRequests(page);
  await page.selectOption('#usage-range', 'custom');
  await page.waitForSelector('#usage-custom:not([hidden])');
  const local = (ms) => new Date(ms).toISOString().slice(0, 16); // the browser runs in UTC
  await page.fill('#usage-from', local(Date.now() - 2 * 3600 * 1000));
  await page.fill('#usage-to', local(Date.now() + 10 * 60 * 1000));
  await usageAnswer(page, () => page.click('#usage-apply'));
  result.steps.totalRequests.custom = await totalRequests(page);
  result.steps.customSpan = await page.textContent('#usage-span');
  // a range that ends before it starts is refused on the page
  await page.fill('#usage-to', local(Date.now() - 3 * 3600 * 1000));
  await page.click('#usage-apply');
  await page.waitForFunction(() => document.querySelector('#usage-error').textContent.length > 0);
  result.steps.badRangeMessage = await page.textContent('#usage-error');
  await usageAnswer(page, () => page.selectOption('#usage-range', '1h'));
  check(await page.isHidden('#usage-custom'), 'the custom fields hide again');

  // group by key
  await usageAnswer(page, () => page.selectOption('#usage-by', 'key'));
  await page.waitForSelector('#usage-table tbody tr[data-name="alpha"]');
  result.steps.tableTitle = await page.textContent('#usage-table-title');
  result.steps.byKey = await page.$$eval('#usage-table tbody tr[data-name]', (rs) => rs.map((r) => [...r.cells].map((c) => c.dataset.value)));
  result.steps.byKeyText = await page.textContent('#usage-table');
  await shot(page, '31-usage-by-key-1400');

  // sort: Requests (descending at first) reversed by a click; then by key name, ascending then descending
  await page.click('#usage-table th button[data-col="requests"]');
  result.steps.sortRequests = { ariaSort: await page.getAttribute('#usage-table th:has(button[data-col="requests"])', 'aria-sort'),
    values: await column(page, 1) };
  await page.click('#usage-table th button[data-col="name"]');
  result.steps.sortName = { values: await column(page, 0) };
  await page.click('#usage-table th button[data-col="name"]');
  result.steps.sortNameDesc = { values: await column(page, 0) };

  // export the CSV of what is shown (sorted by key name, descending) and read it back
  result.steps.table = await tableValues(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#usage-export')]);
  result.steps.csvFile = download.suggestedFilename();
  const file = path.join(opts.downloads, result.steps.csvFile);
  await download.saveAs(file);
  const text = fs.readFileSync(file, 'utf8');
  check(text.charCodeAt(0) === 0xfeff, 'the CSV starts with a byte order mark (for spreadsheets)');
  result.steps.csv = parseCsv(text.slice(1));

  // one key against its limits and budget (a row of the by-key table picks it)
  await page.click('#usage-table tbody tr[data-name="alpha"]');
  await page.waitForFunction(() => document.querySelector('#usage-key').value === 'alpha'
    && document.querySelector('#usage-key-limits').textContent.includes('Requests per minute'));
  await page.waitForFunction(() => document.querySelector('#usage-key-info').textContent.includes('team-alpha'));
  result.steps.keyLimits = await page.textContent('#usage-key-limits');
  result.steps.keyInfo = await page.textContent('#usage-key-info');

  // 390 px wide: the page reflows, the charts shrink to the screen
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForFunction(() => [...document.querySelectorAll('.usage-charts canvas')]
    .every((c) => c.getBoundingClientRect().width <= 390));
  await page.waitForTimeout(300);
  result.steps.narrowScrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  await shot(page, '33-usage-by-key-390');
  await usageAnswer(page, () => page.selectOption('#usage-by', 'model'));
  await page.waitForFunction(() => [...document.querySelectorAll('.usage-charts canvas')]
    .every((c) => c.getBoundingClientRect().width <= 390));
  await shot(page, '32-usage-390');
  // grouped by model, the key view still says what the key used in the range (asked by key)
  await page.waitForFunction(() => document.querySelector('#usage-key-info').textContent.includes('In the chosen range'));
  result.steps.keyInfoByModel = await page.textContent('#usage-key-info');

  // in Chinese: every text has its translation, the CSV headings too
  await usageAnswer(page, () => page.selectOption('#lang', 'zh'));
  await page.waitForFunction(() => document.querySelector('#usage-table thead th').textContent.includes('模型'));
  await usageAnswer(page, () => page.selectOption('#usage-by', 'key'));
  await page.waitForFunction(() => document.querySelector('#usage-key-limits').textContent.includes('每分钟请求数'));
  result.steps.zhHeadings = await page.$$eval('#usage-table thead th', (ths) => ths.map((th) => th.querySelector('button').firstChild.textContent));
  result.steps.zhMissing = await page.evaluate(() => [...window.__i18nMissing]);
  check(result.steps.zhMissing.length === 0, 'texts without a Chinese translation: ' + JSON.stringify(result.steps.zhMissing));
  await shot(page, '34-usage-zh-390');
  await page.selectOption('#lang', 'en');

  // the page's first look at /admin/api/session answers 401 before signing in
  result.consoleErrors = consoleErrors.filter((t) => !/status of 401 /.test(t));
  result.ok = true;
} catch (e) {
  result.error = String(e && e.stack || e);
  if (page) await shot(page, '99-usage-failure').catch(() => {});
} finally {
  clearTimeout(timer);
  if (context) await context.close().catch(() => {});
}
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
