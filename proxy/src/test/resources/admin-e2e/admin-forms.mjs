// Drives the config and key forms of the admin page in Debian's Chromium with playwright-core and prints one JSON
// line with what it saw (run by AdminFormsIT).
// Usage: node admin-forms.mjs '<json options>'
//   {toolsDir, baseUrl, username, password, screenshots, chromium, userDataDir, simUrl, simKey, clientKey,
//    devSource?: a directory to serve the page's static files from}
// Exit code 0 when every step passed; 1 with {"ok":false,"error":...} otherwise.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
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

async function shot(page, name) {
  const file = path.join(opts.screenshots, name + '.png');
  await page.screenshot({ path: file, fullPage: true });
  result.screenshots.push(file);
}

const slot = (form, p) => `${form} .field-error[data-path="${p}"]`;

// Waits until the element's text is not empty, or starts with one of the prefixes (no eval: the page's CSP forbids it).
async function waitText(page, selector, ...prefixes) {
  await page.waitForFunction(([sel, starts]) => {
    const e = document.querySelector(sel);
    const s = e ? e.textContent : '';
    return starts.length ? starts.some((p) => s.startsWith(p)) : s.length > 0;
  }, [selector, prefixes]);
  return page.textContent(selector);
}

let context;
let page;
const timer = setTimeout(() => { console.log(JSON.stringify({ ...result, error: 'timed out' })); process.exit(1); }, 200000);
try {
  ({ context, page } = await openAdminBrowser(chromium, opts));
  page.setDefaultTimeout(15000);
  const consoleErrors = [];
  result.consoleErrors = consoleErrors;
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push('page error: ' + e.message));
  page.on('dialog', (d) => d.accept());
  const { default: OpenAI } = await import(pathToFileURL(require.resolve('openai')).href);

  // sign in
  await page.goto(opts.baseUrl + '/admin/');
  await page.waitForSelector('#login-view:not([hidden])');
  await page.fill('#login-username', opts.username);
  await page.fill('#login-password', opts.password);
  await page.click('#login-submit');
  await page.waitForSelector('#app-view:not([hidden])');

  // 1. an upstream added with the form; a bad base URL is answered by the validator next to the field
  await page.click('.tabs button[data-page=config]');
  await page.waitForSelector('#up-table tbody tr[data-upstream="sim"]');
  await page.click('#up-add');
  await page.waitForSelector('#up-form:not([hidden])');
  await page.fill('#up-name', 'sim2');
  await page.fill('#up-baseUrl', 'not a url');
  result.steps.baseUrlError = await waitText(page, slot('#up-form', 'baseUrl'));
  check(await page.$eval('#up-baseUrl', (e) => e.classList.contains('invalid')), 'the field is marked');
  // the upstream uses the global auth at a new address: the stored global key must be entered again, said next to it
  result.steps.globalAuthError = await waitText(page, slot('#ga-form', 'apiKey'));
  check(await page.$eval('#ga-box', (e) => e.open), 'the global auth box opens on its error');
  await shot(page, 'forms-01-upstream-error-1400');
  await page.fill('#up-baseUrl', opts.simUrl);
  await page.selectOption('#up-auth-mode', 'apiKey');
  check(await page.isVisible('#up-auth-apiKey') && !(await page.isVisible('#up-auth-tenantId')), 'the fields of the apiKey mode');
  await page.fill('#up-auth-apiKey', opts.simKey);
  await waitText(page, '#config-status', 'Valid');
  check((await page.textContent(slot('#up-form', 'baseUrl'))) === '', 'the message left once the URL is right');

  // 2. a pooled model: two deployments of the new upstream, pricing, limits, a fallback
  await page.click('#cfgtab-models');
  await page.click('#mo-add');
  await page.waitForSelector('#mo-form:not([hidden])');
  await page.fill('#mo-id', 'pool-model');
  await page.selectOption('#mo-family', 'gpt-4o');
  const dep = (n, field) => `#mo-deployments tbody tr:nth-child(${n}) [data-field=${field}]`;
  await page.selectOption(dep(1, 'upstream'), 'sim2');
  await page.fill(dep(1, 'deployment'), 'pool-a');
  await page.click('#mo-add-deployment');
  await page.selectOption(dep(2, 'upstream'), 'sim2');
  await page.fill(dep(2, 'deployment'), 'pool-b');
  await page.fill(dep(2, 'priority'), '-1');
  result.steps.deploymentError = await waitText(page, slot('#mo-form', 'deployments[1].priority'));
  await page.fill(dep(2, 'priority'), '0');
  await page.fill(dep(1, 'weight'), '1');
  await page.fill(dep(2, 'weight'), '1');
  await page.fill('#mo-price-input', '1');
  await page.fill('#mo-price-output', '2');
  await page.fill('#mo-rpm', '100');
  await page.selectOption('#mo-fallbacks', ['gpt-4o-mini']);
  await waitText(page, '#config-status', 'Valid');
  check((await page.textContent(slot('#mo-form', 'deployments[1].priority'))) === '', 'the priority message left');
  await shot(page, 'forms-02-model-1400');
  // renaming the upstream in its form takes the model's deployments along; renamed back before saving
  await page.click('#cfgtab-upstreams');
  await page.fill('#up-name', 'sim-renamed');
  await page.click('#cfgtab-models');
  result.steps.renamedDeployments = await waitText(page, '#mo-table tr[data-model="pool-model"] td:nth-child(3)', 'sim-renamed/');
  await page.click('#cfgtab-upstreams');
  await page.fill('#up-name', 'sim2');
  await page.click('#cfgtab-models');
  await waitText(page, '#mo-table tr[data-model="pool-model"] td:nth-child(3)', 'sim2/pool-a');
  await waitText(page, '#config-status', 'Valid');

  // 3. saved through the diff review and If-Match, like the JSON editor
  await page.click('#config-save');
  await page.waitForSelector('#config-review:not([hidden])');
  result.steps.diff = await page.textContent('#config-diff');
  await shot(page, 'forms-03-review-1400');
  await page.click('#config-confirm-save');
  await waitText(page, '#config-status', 'Saved');
  result.steps.pageHasSimKey = (await page.inputValue('#config-editor')).includes(opts.simKey)
    || (await page.content()).includes(opts.simKey);

  // 4. verify the saved upstream from its form
  await page.click('#cfgtab-upstreams');
  await page.click('#up-table button[aria-label="Edit sim2"]');
  await page.waitForFunction(() => document.querySelector('#up-name').value === 'sim2');
  check((await page.inputValue('#up-auth-apiKey')) === '********', 'the stored key is shown masked');
  await page.click('#up-verify');
  result.steps.verify = await waitText(page, '#up-verify-result', 'OK', 'FAILED', 'HTTP');

  // 5. the new model answers through the gateway (OpenAI SDK, an existing key)
  const client = new OpenAI({ baseURL: opts.baseUrl + '/v1', apiKey: opts.clientKey, maxRetries: 0, timeout: 20000 });
  let answers = 0;
  for (let i = 0; i < 3; i++) {
    const chat = await client.chat.completions.create({ model: 'pool-model', messages: [{ role: 'user', content: 'hi ' + i }] });
    if (chat.choices[0].message.content.length > 0) answers++;
  }
  result.steps.poolAnswers = answers;

  // 6. a key created with limits in the form: a refused value is shown next to its field, then rpm 2 works
  await page.click('.tabs button[data-page=keys]');
  await page.waitForSelector('#keys-table tr[data-key="existing"]');
  await page.fill('#key-id', 'limited');
  await page.selectOption('#key-models', ['pool-model']);
  await page.fill('#kc-owner', 'team-forms');
  await page.fill('#kc-rpm', '0');
  await page.click('#key-create');
  result.steps.keyRpmError = await waitText(page, slot('#key-form', 'limits.rpm'));
  await page.fill('#kc-rpm', '2');
  await page.click('#key-create');
  await page.waitForSelector('#key-created:not([hidden])');
  const key = (await page.textContent('#key-value')).trim();
  await page.waitForSelector('#keys-table tr[data-key="limited"]');
  const limited = new OpenAI({ baseURL: opts.baseUrl + '/v1', apiKey: key, maxRetries: 0, timeout: 20000 });
  const statuses = [];
  for (let i = 0; i < 3; i++) {
    try {
      await limited.chat.completions.create({ model: 'pool-model', messages: [{ role: 'user', content: 'count ' + i }] });
      statuses.push(200);
    } catch (e) {
      statuses.push(e.status);
      result.steps.limitedCode = e.code || (e.error && e.error.code);
    }
  }
  result.steps.limitedStatuses = statuses;

  // 7. its usage in the Keys tab, against its limits
  await page.click('#keys-table button[aria-label="Edit limited"]');
  await page.waitForSelector('#key-edit:not([hidden]) #ke-usage tr[data-window=requestsPerMinute]');
  result.steps.usageRpmUsed = await page.textContent('#ke-usage tr[data-window=requestsPerMinute] .used');
  result.steps.usageRpmLimit = await page.textContent('#ke-usage tr[data-window=requestsPerMinute] .limit');
  result.steps.usageTokensToday = await page.textContent('#ke-usage tr[data-window=tokensToday] .used');
  result.steps.usageCost = await page.textContent('#ke-cost');
  await shot(page, 'forms-04-keys-usage-1400');

  // 8. the key's note edited with the form, saved through its diff review
  await page.fill('#ke-note', 'edited in the form');
  await page.click('#ke-save');
  await page.waitForSelector('#ke-review:not([hidden])');
  result.steps.keyDiff = await page.textContent('#ke-diff');
  await page.click('#ke-confirm');
  await waitText(page, '#ke-status', 'Saved');
  // the table shows every key's usage too (GET /admin/api/limits), refreshed after the save
  result.steps.tableUsage = await waitText(page, '#keys-table tr[data-key="limited"] .usage', '2 / 2');

  // 9. a phone-sized window
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, 'forms-07-keys-390');
  await page.click('.tabs button[data-page=config]');
  await page.click('#cfgtab-upstreams');
  await page.click('#up-table button[aria-label="Edit sim2"]');
  await page.waitForSelector('#up-form:not([hidden])');
  await shot(page, 'forms-05-upstream-390');
  await page.click('#cfgtab-models');
  await page.click('#mo-table button[aria-label="Edit pool-model"]');
  await page.waitForSelector('#mo-form:not([hidden])');
  await shot(page, 'forms-06-model-390');

  // 10. the forms in Chinese: no English text without a translation
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.selectOption('#lang', 'zh');
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  await page.click('#cfgtab-upstreams');
  await page.click('#up-table button[aria-label="编辑 sim2"]');
  await page.click('#cfgtab-models');
  await page.click('#mo-table button[aria-label="编辑 pool-model"]');
  await shot(page, 'forms-08-zh-config-1400');
  await page.click('.tabs button[data-page=keys]');
  await page.click('#keys-table button[aria-label="编辑 limited"]');
  await page.waitForSelector('#key-edit:not([hidden]) #ke-usage tr[data-window=requestsPerMinute]');
  result.steps.zhMissing = await page.evaluate(() => [...window.__i18nMissing]);
  await page.selectOption('#lang', 'en');

  result.consoleErrors = consoleErrors.filter((t) => !/status of (400|401|404|409|422) /.test(t));
  result.ok = true;
} catch (e) {
  result.error = String(e && e.stack || e);
  if (page) await shot(page, 'forms-99-failure').catch(() => {});
} finally {
  clearTimeout(timer);
  if (context) await context.close().catch(() => {});
}
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
