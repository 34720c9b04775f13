// Drives the admin page in Debian's Chromium with playwright-core and prints one JSON line with what it saw.
// Usage: node admin-page.mjs '<json options>'
//   {toolsDir, baseUrl, username, password, screenshots, chromium, sdk: {baseUrl, model} | null, userDataDir,
//    playground?: {keyId, clientKey, errorModel},
//    devSource?: a directory to serve the page's static files from (working on the page without rebuilding the jar)}
// Exit code 0 when every step passed; 1 with {"ok":false,"error":...} otherwise.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';
import { openAdminBrowser } from './browser.mjs';
import { languageSteps } from './language-steps.mjs';
import { playgroundSteps } from './playground-steps.mjs';
import { keyFormSteps } from './key-form-steps.mjs';
import { logsTailSteps } from './logs-tail-steps.mjs';

const opts = JSON.parse(process.argv[2]);
const require = createRequire(path.join(opts.toolsDir, 'node_modules', 'noop.js'));
const { chromium } = require('playwright-core');
const result = { ok: false, steps: {}, screenshots: [] };
const basic = 'Basic ' + Buffer.from(opts.username + ':' + opts.password).toString('base64');

function check(cond, message) {
  if (!cond) throw new Error(message);
}

async function shot(page, name) {
  const file = path.join(opts.screenshots, name + '.png');
  await page.screenshot({ path: file, fullPage: true });
  result.screenshots.push(file);
}

// Another admin saving through the API, to provoke a conflict.
async function externalEdit(mutate) {
  const h = { Authorization: basic, Accept: 'application/json' };
  const cur = await (await fetch(opts.baseUrl + '/admin/api/config', { headers: h })).json();
  mutate(cur.config);
  const r = await fetch(opts.baseUrl + '/admin/api/config', {
    method: 'PUT',
    headers: { ...h, 'Content-Type': 'application/json', 'If-Match': '"' + cur.etag + '"', 'X-Requested-With': 'e2e' },
    body: JSON.stringify(cur.config),
  });
  check(r.status === 200, 'external edit failed: ' + r.status + ' ' + (await r.text()));
}

let context;
let page;
const timer = setTimeout(() => { console.log(JSON.stringify({ ...result, error: 'timed out' })); process.exit(1); }, 120000);
try {
  ({ context, page } = await openAdminBrowser(chromium, opts, { viewport: { width: 1366, height: 900 } }));
  page.setDefaultTimeout(10000);
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('dialog', (d) => d.accept());

  // 1. login (a wrong password first)
  await page.goto(opts.baseUrl + '/admin/');
  await page.waitForSelector('#login-view:not([hidden])');
  await page.fill('#login-username', opts.username);
  await page.fill('#login-password', 'definitely-wrong');
  await page.click('#login-submit');
  await page.waitForFunction(() => document.querySelector('#login-error').textContent.includes('wrong'));
  await shot(page, '01-login');
  await page.fill('#login-password', opts.password);
  await page.click('#login-submit');
  await page.waitForSelector('#app-view:not([hidden])');
  await page.waitForFunction(() => document.querySelector('#card-proxy .pill').textContent === 'online');
  await page.waitForFunction(() => document.querySelector('#card-tls .note').textContent.length > 0);
  result.steps.login = true;
  result.steps.tlsCard = await page.textContent('#card-tls .pill');
  await page.waitForFunction(() => document.querySelectorAll('#deployments tbody tr').length >= 2);
  result.steps.deployments = await page.$$eval('#deployments tbody tr',
    (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  await shot(page, '02-overview');

  // 2. edit and save the config, through the diff review
  await page.click('.tabs button[data-page=config]');
  await page.click('#cfgtab-advanced'); // the raw JSON editor (the forms are tested by admin-forms.mjs)
  await page.waitForFunction(() => document.querySelector('#config-editor').value.length > 10);
  const doc = JSON.parse(await page.inputValue('#config-editor'));
  check(!JSON.stringify(doc).includes(opts.password), 'the admin password is not shown');
  doc.server = doc.server || {};
  doc.server.caddy = { ...(doc.server.caddy || {}), email: 'e2e@example.com' };
  await page.fill('#config-editor', JSON.stringify(doc, null, 2));
  check((await page.textContent('#config-dirty')) === 'modified', 'dirty badge');
  await page.click('#config-save');
  await page.waitForSelector('#config-review:not([hidden])');
  const diffText = await page.textContent('#config-diff');
  check(diffText.includes('server.caddy.email'), 'diff preview lists the change: ' + diffText);
  await shot(page, '03-config-review');
  await page.click('#config-confirm-save');
  await page.waitForFunction(() => document.querySelector('#config-status').textContent.startsWith('Saved'));
  check((await page.textContent('#config-dirty')) === 'clean', 'clean after save');
  result.steps.configSaved = true;

  // 3. validation message with its path
  const bad = JSON.parse(await page.inputValue('#config-editor'));
  bad.server.portt = 1;
  await page.fill('#config-editor', JSON.stringify(bad, null, 2));
  await page.click('#config-validate');
  await page.waitForFunction(() => document.querySelector('#config-messages').textContent.includes('server.portt'));
  result.steps.validationPath = await page.textContent('#config-messages li code');

  // 4. a conflict: someone else saves first
  const mine = JSON.parse(await page.inputValue('#config-editor'));
  delete mine.server.portt;
  mine.server.caddy.email = 'mine@example.com';
  await page.fill('#config-editor', JSON.stringify(mine, null, 2));
  await externalEdit((c) => { c.server.caddy = { ...(c.server.caddy || {}), domain: 'theirs.example.com' }; });
  await page.click('#config-save');
  await page.waitForSelector('#config-review:not([hidden])');
  await page.click('#config-confirm-save');
  await page.waitForSelector('#config-conflict:not([hidden])');
  const conflictDiff = await page.textContent('#conflict-diff');
  check(conflictDiff.includes('server.caddy.domain') && conflictDiff.includes('server.caddy.email'),
    'conflict shows their and my changes: ' + conflictDiff);
  await shot(page, '04-config-conflict');
  await page.click('#conflict-reload');
  await page.waitForSelector('#config-conflict', { state: 'hidden' });
  check((await page.inputValue('#config-editor')).includes('theirs.example.com'), 'their version loaded');
  result.steps.conflict = true;

  // 5. domain and TLS form with the Caddyfile preview; a field the form does not show (adminAddress) is kept
  await externalEdit((c) => { c.server.caddy = { ...(c.server.caddy || {}), adminAddress: '127.0.0.1:2999' }; });
  await page.click('.tabs button[data-page=tls]');
  await page.waitForFunction(() => document.querySelector('#tls-preview').textContent.length > 0);
  await page.check('#tls-enabled');
  await page.fill('#tls-domain', 'gw.example.com');
  await page.fill('#tls-email', 'ops@example.com');
  await page.fill('#tls-https-port', '8443');
  await page.selectOption('#tls-ca', 'internal');
  await page.click('#tls-preview-btn');
  await page.waitForFunction(() => document.querySelector('#tls-preview').textContent.includes('gw.example.com:8443 {'));
  const caddyfile = await page.textContent('#tls-preview');
  check(caddyfile.includes('https_port 8443') && caddyfile.includes('tls internal'), 'preview: ' + caddyfile);
  check(caddyfile.includes('admin 127.0.0.1:2999'), 'the preview renders the stored adminAddress: ' + caddyfile);
  await page.click('#tls-apply');
  await page.waitForFunction(() => document.querySelector('#tls-message').textContent.startsWith('Saved'));
  result.steps.tlsStored = (await (await fetch(opts.baseUrl + '/admin/api/config', { headers: { Authorization: basic } })).json()).config.server.caddy;
  check(result.steps.tlsStored.adminAddress === '127.0.0.1:2999', 'the save kept adminAddress: ' + JSON.stringify(result.steps.tlsStored));
  result.steps.tlsCerts = await page.textContent('#tls-certs tbody');
  result.steps.tlsStaleShown = await page.isVisible('#tls-stale');
  result.steps.tlsPreview = true;
  await shot(page, '05-tls');

  // 6. a key the validator refuses shows the validator's words; then a key created, shown once
  // (a stale model list: another admin adds gpt-99, the page lists it, then it is removed before the page saves)
  await externalEdit((c) => { c.models.push({ id: 'gpt-99', upstream: c.models[0].upstream }); });
  await page.click('.tabs button[data-page=keys]');
  await page.waitForSelector('#key-models option[value="gpt-99"]', { state: 'attached' });
  await externalEdit((c) => { c.models = c.models.filter((m) => m.id !== 'gpt-99'); });
  await page.fill('#key-id', 'bad-model-key');
  await page.selectOption('#key-models', ['gpt-99']);
  await page.click('#key-create');
  await page.waitForFunction(() => document.querySelector('#key-message').textContent.includes('gpt-99'));
  result.steps.keyValidation = await page.textContent('#key-message');
  check(result.steps.keyValidation.includes("'gpt-99' is not a model id in models[]"), 'validator message: ' + result.steps.keyValidation);
  await page.selectOption('#key-models', []);
  await page.fill('#key-id', 'e2e-key');
  await page.click('#key-create');
  await page.waitForSelector('#key-created:not([hidden])');
  const key = (await page.textContent('#key-value')).trim();
  check(/^sk-aoai-[0-9A-Za-z]{32}$/.test(key), 'key format: ' + key);
  await page.click('#key-copy');
  await page.waitForSelector('#keys-table tr[data-key="e2e-key"]');
  await shot(page, '06-keys');
  result.steps.keyCreated = true;

  // 7. the key works with the OpenAI SDK, and stops working once disabled
  if (opts.sdk) {
    const { default: OpenAI } = await import(pathToFileURL(require.resolve('openai')).href);
    const client = new OpenAI({ baseURL: opts.sdk.baseUrl, apiKey: key, maxRetries: 0, timeout: 15000 });
    const chat = await client.chat.completions.create({ model: opts.sdk.model, messages: [{ role: 'user', content: 'hi' }] });
    check(chat.choices[0].message.content.length > 0, 'SDK answer');
    result.steps.sdkAnswer = chat.choices[0].message.content;
    check(await page.isVisible('#key-created'), 'the new key is still shown before the next action');
    await page.click('#keys-table tr[data-key="e2e-key"] button:has-text("Disable")');
    await page.waitForFunction(() => document.querySelector('#keys-table tr[data-key="e2e-key"]').textContent.includes('disabled'));
    result.steps.keyPanelAfterNextAction = await page.isVisible('#key-created');
    check(!result.steps.keyPanelAfterNextAction && (await page.textContent('#key-value')) === '', 'the key panel is cleared after the next action');
    let status = 0;
    try {
      await client.chat.completions.create({ model: opts.sdk.model, messages: [{ role: 'user', content: 'hi' }] });
    } catch (e) {
      status = e.status;
    }
    result.steps.disabledStatus = status;
    check(status === 401 || status === 403, 'a disabled key is refused, got ' + status);
  }

  // 7b. the key form: a stale model is refused next to its field; owner, expiry and limits saved into the config
  await keyFormSteps(page, { check, result, externalEdit, shot });

  // 8. usage charts
  await page.click('.tabs button[data-page=usage]');
  await page.waitForSelector('#usage-table tfoot tr');
  await page.waitForSelector('#chart-tokens canvas', { state: 'attached' });
  await shot(page, '07-usage');
  result.steps.usage = true;

  // 9. logs, filtered
  await page.click('.tabs button[data-page=logs]');
  if (opts.sdk) await page.fill('#logs-key', 'e2e-key'); else await page.fill('#logs-text', 'admin.key_created');
  await page.click('#logs-apply');
  await page.waitForFunction(() => document.querySelectorAll('#logs-table tbody tr[data-id]').length > 0);
  result.steps.logEntries = await page.locator('#logs-table tbody tr[data-id]').count();
  result.steps.logsText = await page.textContent('#logs-table tbody');
  check(!result.steps.logsText.includes(key), 'the key never appears in logs');
  await shot(page, '08-logs');
  // the detail drawer shows the whole entry
  await page.click('#logs-table tbody tr[data-id]');
  await page.waitForSelector('#logs-drawer:not([hidden])');
  result.steps.logDrawer = await page.textContent('#logs-drawer-body');
  check(!result.steps.logDrawer.includes(key), 'the key never appears in the drawer');
  await shot(page, '08b-log-drawer');
  await page.click('#logs-drawer-close');
  await logsTailSteps(page, { check, result, opts, shot });

  // 10. the playground
  if (opts.playground) await playgroundSteps(page, { shot, check, result, opts });

  // every page at 1400 px and at 390 px wide (a phone), for a reviewer to look at; widths recorded per page
  result.steps.pageShots = [];
  for (const width of [1400, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    for (const tab of ['overview', 'config', 'tls', 'keys', 'usage', 'logs', 'playground']) {
      await page.click(`.tabs button[data-page=${tab}]`);
      await page.waitForSelector(`#page-${tab}:not([hidden])`).catch(() => page.waitForTimeout(300));
      await page.waitForTimeout(200);
      const name = `40-${tab}-${width}`;
      await shot(page, name);
      result.steps.pageShots.push({ name, scrollWidth: await page.evaluate(() => document.documentElement.scrollWidth) });
    }
  }
  await page.setViewportSize({ width: 1366, height: 900 });
  await page.click('.tabs button[data-page=overview]');

  // 11. the other language: every tab in Chinese, kept over a reload; the browser's language on a first visit
  await languageSteps(page, { shot, check, result, opts, externalEdit });

  result.consoleErrors = consoleErrors.filter((t) => !/status of (400|401|409|422) /.test(t));
  result.ok = true;
} catch (e) {
  result.error = String(e && e.stack || e);
  if (page) {
    result.failedAt = { url: page.url(), login: await page.textContent('#login-error').catch(() => null) };
    await shot(page, '99-failure').catch(() => {});
  }
} finally {
  clearTimeout(timer);
  if (context) await context.close().catch(() => {});
}
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
