// The playground steps of admin-page.mjs: a streamed chat as an existing key (text, usage, TTFT, the request id
// leading to its log entry), tool calls shown as they stream, an image attached and compressed in the browser, an
// upstream error shown clearly, and a pasted key.
// opts.playground: {keyId, clientKey, errorModel}

async function sendAndWait(page) {
  await page.click('#pg-send');
  await page.waitForFunction(() => !document.querySelector('#pg-send').disabled
    && document.querySelector('#pg-metrics dd[data-m="Latency"]') !== null);
}

export async function playgroundSteps(page, { shot, check, result, opts }) {
  const pg = opts.playground;
  await page.click('.tabs button[data-page=playground]');
  await page.waitForSelector('#pg-model option', { state: 'attached' });
  await page.selectOption('#pg-key', pg.keyId);
  await page.selectOption('#pg-route', 'chat');
  check(await page.isChecked('#pg-stream'), 'stream is on by default');
  const seeded = JSON.parse(await page.inputValue('#pg-payload'));
  check(seeded.stream === true && Array.isArray(seeded.messages), 'a chat example is seeded: ' + JSON.stringify(seeded));

  // 1. a streamed chat: text, usage, time to first token, headers
  await sendAndWait(page);
  const s = {};
  s.text = await page.textContent('#pg-text');
  s.status = await page.textContent('#pg-metrics dd[data-m="Status"]');
  s.usage = await page.textContent('#pg-metrics dd[data-m="Usage"]').catch(() => '');
  s.ttft = await page.textContent('#pg-metrics dd[data-m="Time to first token"]').catch(() => '');
  s.raw = (await page.textContent('#pg-raw')).slice(0, 400);
  s.requestId = await page.textContent('#pg-request-link');
  check(s.status === '200' && s.text.length > 0, 'streamed text: ' + JSON.stringify(s));
  check(/\d+ in, \d+ out/.test(s.usage), 'usage shown: ' + s.usage);
  check(s.raw.startsWith('data: {'), 'raw SSE shown: ' + s.raw);
  check(s.ttft.endsWith('ms'), 'TTFT shown: ' + s.ttft);
  result.steps.playgroundStream = s;
  await shot(page, '09-playground');

  // the request id leads to the log entry of that request
  await page.click('#pg-request-link');
  await page.waitForFunction((id) => [...document.querySelectorAll('#logs-table tbody tr[data-id]')].some((tr) => tr.textContent.includes(id)), s.requestId);
  result.steps.playgroundLogEntry = await page.textContent('#logs-table tbody tr[data-id]');
  check(result.steps.playgroundLogEntry.includes(pg.keyId), 'the log entry names the key: ' + result.steps.playgroundLogEntry);
  await page.click('.tabs button[data-page=playground]');

  // 2. tool calls as they stream
  const withTools = JSON.parse(await page.inputValue('#pg-payload'));
  withTools.messages = [{ role: 'user', content: 'What is the weather in Paris?' }];
  withTools.tools = [{ type: 'function', function: { name: 'get_weather', description: 'weather by city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];
  await page.fill('#pg-payload', JSON.stringify(withTools, null, 2));
  await sendAndWait(page);
  result.steps.playgroundTools = await page.textContent('#pg-tools');
  check(result.steps.playgroundTools.includes('get_weather'), 'tool call shown: ' + result.steps.playgroundTools);

  // 3. an image, compressed in the browser: a 2000x1000 PNG drawn here, medium preset (longest side 1024 px)
  await page.click('#pg-reset');
  const png = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 2000;
    c.height = 1000;
    const g = c.getContext('2d');
    for (let i = 0; i < 40; i++) {
      g.fillStyle = `hsl(${i * 9}, 70%, 50%)`;
      g.fillRect(i * 50, 0, 50, 1000);
    }
    return c.toDataURL('image/png').split(',')[1];
  });
  await page.selectOption('#pg-compress', 'medium');
  await page.setInputFiles('#pg-image', { name: 'stripes.png', mimeType: 'image/png', buffer: Buffer.from(png, 'base64') });
  await page.waitForFunction(() => document.querySelector('#pg-attachments').textContent.includes('stripes.png'));
  result.steps.playgroundAttachment = await page.textContent('#pg-attachments li');
  check(result.steps.playgroundAttachment.includes('1024×512'), 'compressed to 1024 px: ' + result.steps.playgroundAttachment);
  await sendAndWait(page);
  result.steps.playgroundImageStatus = await page.textContent('#pg-metrics dd[data-m="Status"]');
  check(result.steps.playgroundImageStatus === '200', 'the image request succeeded');
  await page.click('#pg-attachments button');

  // 4. an upstream error, shown clearly
  await page.selectOption('#pg-model', pg.errorModel);
  await sendAndWait(page);
  result.steps.playgroundError = await page.textContent('#pg-error');
  check(await page.isVisible('#pg-error') && result.steps.playgroundError.startsWith('HTTP 4'), 'error shown: ' + result.steps.playgroundError);
  await shot(page, '10-playground-error');

  // 5. a pasted key, sent by the browser itself, not streamed
  await page.selectOption('#pg-key', '*paste');
  await page.fill('#pg-paste', pg.clientKey);
  await page.selectOption('#pg-model', seeded.model);
  await page.uncheck('#pg-stream');
  await sendAndWait(page);
  result.steps.playgroundPasted = { status: await page.textContent('#pg-metrics dd[data-m="Status"]'), text: await page.textContent('#pg-text') };
  check(result.steps.playgroundPasted.status === '200' && result.steps.playgroundPasted.text.length > 0, 'pasted key: ' + JSON.stringify(result.steps.playgroundPasted));
  await page.fill('#pg-paste', '');
  await page.selectOption('#pg-key', pg.keyId);
  await page.check('#pg-stream');
}
