// The language steps of admin-page.mjs: Chinese on every tab (no English text without a translation), dates in
// the Chinese format, a server message translated, the choice kept over a reload, the browser's language on a
// first visit. Screenshots zh-*.png next to the English ones.

// What each tab shows once its data has arrived, in Chinese.
const ready = {
  overview: () => document.querySelector('#card-proxy .pill').textContent === '在线'
    && document.querySelector('#runtime').textContent.includes('版本'),
  config: () => document.querySelector('#config-editor').value.length > 10
    && document.querySelector('#config-status').textContent === '已加载。',
  tls: () => document.querySelector('#tls-preview').textContent.length > 0
    && document.querySelector('#tls-process').textContent.includes('收到报告'),
  keys: () => document.querySelector('#keys-table tbody tr td:nth-child(2)') !== null
    && document.querySelector('#keys-table tbody').textContent.includes('启用中'),
  usage: () => document.querySelector('#usage-totals').textContent.includes('请求数')
    && document.querySelector('#usage-table thead th') !== null
    && document.querySelector('#usage-table thead th').textContent.includes('模型'),
  logs: () => document.querySelector('#logs-total').textContent.includes('条匹配'),
  playground: () => document.querySelector('#pg-model option') !== null,
};

export async function languageSteps(page, { shot, check, result, opts, externalEdit }) {
  const tabs = await page.$$eval('.tabs button', (bs) => bs.map((b) => b.dataset.page));
  await page.selectOption('#lang', 'zh');
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  const seen = {};
  let n = 20;
  for (const tab of tabs) {
    await page.click(`.tabs button[data-page=${tab}]`);
    if (tab === 'logs') await page.click('#logs-apply');
    if (ready[tab]) await page.waitForFunction(ready[tab]);
    seen[tab] = await page.textContent(`.tabs button[data-page=${tab}]`);
    await shot(page, `${n++}-zh-${tab}`);
  }
  result.steps.zhTabs = seen;
  check(seen.overview === '概览' && seen.keys === '密钥' && seen.logs === '日志', 'tab names in Chinese: ' + JSON.stringify(seen));

  // dates follow the language: the certificate's expiry as zh-CN writes it
  await page.click('.tabs button[data-page=tls]');
  await page.waitForFunction(ready.tls);
  result.steps.zhCertExpiry = await page.textContent('#tls-certs tbody td:nth-child(4)');
  check(/^2036\/1\/1/.test(result.steps.zhCertExpiry), 'zh-CN date: ' + result.steps.zhCertExpiry);

  // a validator message from the server, translated on the page (the quoted value kept)
  await externalEdit((c) => { c.models.push({ id: 'gpt-99', upstream: c.models[0].upstream }); });
  await page.click('.tabs button[data-page=keys]');
  await page.waitForSelector('#key-models option[value="gpt-99"]', { state: 'attached' });
  await externalEdit((c) => { c.models = c.models.filter((m) => m.id !== 'gpt-99'); });
  await page.fill('#key-id', 'bad-model-zh');
  await page.selectOption('#key-models', ['gpt-99']);
  await page.click('#key-create');
  await page.waitForFunction(() => document.querySelector('#key-message').textContent.includes('gpt-99'));
  result.steps.zhValidation = await page.textContent('#key-message');
  check(result.steps.zhValidation.includes('“gpt-99”不是 models[] 中的模型 ID'), 'translated validator message: ' + result.steps.zhValidation);
  await page.fill('#key-id', '');
  await page.selectOption('#key-models', []);

  // every English text the page wrote had a translation
  result.steps.zhMissing = await page.evaluate(() => [...window.__i18nMissing]);
  check(result.steps.zhMissing.length === 0, 'texts without a Chinese translation: ' + JSON.stringify(result.steps.zhMissing));

  // kept over a reload
  await page.reload();
  await page.waitForSelector('#app-view:not([hidden])');
  await page.waitForFunction(ready.keys);
  result.steps.zhAfterReload = await page.textContent('.tabs button[data-page=overview]');
  check(result.steps.zhAfterReload === '概览' && (await page.inputValue('#lang')) === 'zh', 'Chinese after a reload');

  // back to English, also kept
  await page.selectOption('#lang', 'en');
  await page.waitForFunction(() => document.querySelector('.tabs button[data-page=overview]').textContent === 'Overview');
  await page.reload();
  await page.waitForSelector('#app-view:not([hidden])');
  check((await page.textContent('.tabs button[data-page=keys]')) === 'Keys', 'English after a reload');

  // a first visit (nothing stored) from a browser that prefers Chinese
  await page.evaluate(() => localStorage.clear());
  await page.addInitScript(() => Object.defineProperty(navigator, 'languages', { get: () => ['zh-CN', 'zh', 'en'] }));
  await page.reload();
  await page.waitForSelector('#app-view:not([hidden])');
  result.steps.zhFirstVisit = await page.textContent('.tabs button[data-page=overview]');
  check(result.steps.zhFirstVisit === '概览', 'a Chinese browser gets Chinese on the first visit: ' + result.steps.zhFirstVisit);
  return opts;
}
