// The Overview's fleet view in Debian's Chromium (playwright-core), against one replica of a two-replica gateway
// on one Redis. Prints one JSON line with what it saw.
// Usage: node fleet-page.mjs '<json options>'
//   {toolsDir, chromium, userDataDir, baseUrl, username, password, screenshots, replicas: n, lagging: id,
//    readmeShots?: directory for the README's two screenshots (Overview at 1400 px, Usage at 390 px)}
import { createRequire } from 'node:module';
import path from 'node:path';
import fs from 'node:fs';
import { openAdminBrowser } from './browser.mjs';

const opts = JSON.parse(process.argv[2]);
const require = createRequire(path.join(opts.toolsDir, 'node_modules', 'noop.js'));
const { chromium } = require('playwright-core');
const result = { ok: false, steps: {}, screenshots: [] };

function check(cond, message) {
  if (!cond) throw new Error(message);
}

async function shot(page, dir, name) {
  const file = path.join(dir, name + '.png');
  await page.screenshot({ path: file, fullPage: true });
  result.screenshots.push(file);
}

let context;
let page;
const timer = setTimeout(() => { console.log(JSON.stringify({ ...result, error: 'timed out' })); process.exit(1); }, 100000);
try {
  ({ context, page } = await openAdminBrowser(chromium, opts));
  page.setDefaultTimeout(15000);
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });

  await page.goto(opts.baseUrl + '/admin/');
  await page.waitForSelector('#login-view:not([hidden])');
  await page.fill('#login-username', opts.username);
  await page.fill('#login-password', opts.password);
  await page.click('#login-submit');
  await page.waitForSelector('#app-view:not([hidden])');

  // every replica is listed, the lagging one flagged
  await page.waitForFunction((n) => document.querySelectorAll('#fleet-list [data-replica]').length === n, opts.replicas);
  await page.waitForSelector('#fleet-list [data-flag=older-config]');
  result.steps.replicas = await page.$$eval('#fleet-list [data-replica]', (cards) => cards.map((c) => ({
    id: c.dataset.replica,
    olderConfig: !!c.querySelector('[data-flag=older-config]'),
    self: c.querySelector('h3').textContent.includes('this replica'),
    health: c.querySelector('.pill').textContent,
  })));
  result.steps.summary = await page.textContent('#fleet-summary');
  result.steps.proxyPill = await page.textContent('#card-proxy .pill');
  result.steps.proxyNote = await page.textContent('#card-proxy .note');
  const flagged = result.steps.replicas.filter((r) => r.olderConfig).map((r) => r.id);
  check(flagged.length === 1 && flagged[0] === opts.lagging, 'only ' + opts.lagging + ' is flagged: ' + JSON.stringify(flagged));
  await page.locator('#fleet').scrollIntoViewIfNeeded();
  await shot(page, opts.screenshots, 'fleet-1400');
  if (opts.readmeShots) {
    fs.mkdirSync(opts.readmeShots, { recursive: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    const file = path.join(opts.readmeShots, 'admin-overview-1400.png');
    await page.screenshot({ path: file, fullPage: false });
    result.screenshots.push(file);
  }

  // a phone's width
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(200);
  result.steps.narrowOverflow = await page.evaluate(() => {
    const f = document.querySelector('#fleet');
    return f.scrollWidth - f.clientWidth;
  });
  await shot(page, opts.screenshots, 'fleet-390');
  if (opts.readmeShots) {
    await page.click('.tabs button[data-page=usage]');
    await page.waitForSelector('#page-usage:not([hidden])');
    await page.waitForSelector('#chart-tokens canvas');
    await page.waitForTimeout(1000);
    const file = path.join(opts.readmeShots, 'admin-usage-390.png');
    await page.screenshot({ path: file, fullPage: false });
    result.screenshots.push(file);
    await page.click('.tabs button[data-page=overview]');
  }

  // the same view in Chinese: nothing left untranslated
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.selectOption('#lang', 'zh');
  await page.waitForFunction(() => document.querySelector('#fleet-title').textContent === '集群');
  await page.waitForFunction(() => document.querySelector('#fleet-list [data-replica] .badge'));
  await page.waitForTimeout(300);
  result.steps.zhMissing = await page.evaluate(() => [...window.__i18nMissing]);
  result.steps.zhFlag = await page.textContent('#fleet-list [data-flag=older-config]');
  await shot(page, opts.screenshots, 'fleet-zh-1400');
  await page.selectOption('#lang', 'en');

  // the page asks for its session before signing in: that 401 is expected
  result.consoleErrors = consoleErrors.filter((t) => !/status of 401 /.test(t));
  result.ok = true;
} catch (e) {
  result.error = String(e && e.stack || e);
  if (page) await shot(page, opts.screenshots, 'fleet-failure').catch(() => {});
} finally {
  clearTimeout(timer);
  if (context) await context.close().catch(() => {});
}
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
