// Logs page: the filters and the live tail. A request made after the tail was switched on appears without
// applying the filters again; the status filter keeps the 200 of the same request id out.
export async function logsTailSteps(page, { check, result, opts, shot }) {
  const rid = 'tail-' + Date.now();
  for (const sel of ['#logs-text', '#logs-model', '#logs-key']) await page.fill(sel, '');
  await page.selectOption('#logs-level', '');
  await page.fill('#logs-request', rid);
  await page.fill('#logs-status', '4xx');
  await page.click('#logs-apply');
  await page.waitForFunction(() => /^0\D/.test(document.querySelector('#logs-total').textContent));
  await page.check('#logs-tail');
  const call = (key) => fetch(opts.baseUrl + '/v1/models', { headers: { 'x-request-id': rid, Authorization: 'Bearer ' + key } });
  // the 200 first: had the status filter not worked, it would show before the 401 does
  if (opts.playground) check((await call(opts.playground.clientKey)).status === 200, 'models with the client key');
  check((await call('not-a-key-for-the-tail')).status === 401, 'models with a wrong key');
  await page.waitForFunction((id) => [...document.querySelectorAll('#logs-table tbody tr[data-id]')]
    .some((r) => r.textContent.includes(id)), rid, { timeout: 20000 });
  result.steps.tailRows = await page.$$eval('#logs-table tbody tr[data-id]', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  result.steps.tailApplyClicks = 1;
  await shot(page, '08c-logs-tail');
  await page.uncheck('#logs-tail');
  check(!(await page.isChecked('#logs-tail')), 'the tail is off');
  await page.fill('#logs-request', '');
  await page.fill('#logs-status', '');
}
