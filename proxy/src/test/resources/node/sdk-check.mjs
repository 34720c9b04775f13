// Drives the proxy with the official Node SDK (openai@6 from <tools.dir>/node_modules) and prints one JSON
// object with what each call observed. Inputs: TOOLS_DIR, BASE (http://127.0.0.1:PORT), KEY, MODEL, CLASSIC_MODEL.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const { default: OpenAI, AzureOpenAI, RateLimitError, BadRequestError } =
  await import(pathToFileURL(join(process.env.TOOLS_DIR, 'node_modules', 'openai', 'index.mjs')).href);
const { BASE, KEY, MODEL, CLASSIC_MODEL } = process.env;
const out = {};
const opts = { apiKey: KEY, maxRetries: 0, timeout: 30_000 };

async function step(name, fn) {
  try {
    out[name] = await fn();
  } catch (e) {
    out[name] = { error: e?.constructor?.name, status: e?.status, message: String(e?.message ?? e) };
  }
}

const v1 = new OpenAI({ ...opts, baseURL: `${BASE}/v1` });
await step('chat', async () => {
  const r = await v1.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Say hello' }] });
  return { text: r.choices[0].message.content, promptTokens: r.usage?.prompt_tokens };
});
await step('chatStream', async () => {
  const s = await v1.chat.completions.create({ model: MODEL, stream: true,
    messages: [{ role: 'user', content: 'Say hello' }] });
  let text = '', usageChunks = 0, chunks = 0;
  for await (const c of s) { chunks++; text += c.choices[0]?.delta?.content ?? ''; if (c.usage) usageChunks++; }
  return { text, chunks, usageChunks };
});
await step('responsesStream', async () => {
  const s = await v1.responses.create({ model: MODEL, input: 'Say hello', stream: true });
  let text = '', outputTokens;
  for await (const ev of s) {
    if (ev.type === 'response.output_text.delta') text += ev.delta;
    if (ev.type === 'response.completed') outputTokens = ev.response.usage?.output_tokens;
  }
  return { text, outputTokens };
});
await step('openaiV1ApiKeyHeader', async () => {
  const c = new OpenAI({ ...opts, apiKey: 'unused', baseURL: `${BASE}/openai/v1/`, defaultHeaders: { 'api-key': KEY } });
  const r = await c.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
  return { dims: r.data[0].embedding.length };
});
await step('azureClassic', async () => {
  const az = new AzureOpenAI({ endpoint: BASE, apiKey: KEY, apiVersion: '2024-10-21', deployment: CLASSIC_MODEL,
    maxRetries: 0, timeout: 30_000 });
  const r = await az.chat.completions.create({ model: CLASSIC_MODEL, messages: [{ role: 'user', content: 'Say hello' }] });
  const s = await az.chat.completions.create({ model: CLASSIC_MODEL, stream: true,
    messages: [{ role: 'user', content: 'Say hello' }] });
  let text = '';
  for await (const c of s) text += c.choices[0]?.delta?.content ?? '';
  return { text: r.choices[0].message.content, streamText: text };
});
await step('azureModels', async () => {
  const az = new AzureOpenAI({ endpoint: BASE, apiKey: KEY, apiVersion: '2024-10-21', maxRetries: 0, timeout: 30_000 });
  const ids = [];
  for await (const m of az.models.list()) ids.push(m.id);
  const one = await az.models.retrieve(MODEL);
  return { ids, retrieved: one.id };
});
await step('rateLimit', async () => {
  const c = new OpenAI({ ...opts, baseURL: `${BASE}/v1`,
    defaultHeaders: { 'x-sim-fault': '429', 'x-sim-retry-after-ms': '250' } });
  try {
    await c.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] });
    return { thrown: false };
  } catch (e) {
    return { thrown: true, isRateLimit: e instanceof RateLimitError, status: e.status,
      retryAfterMs: e.headers?.get('retry-after-ms'), retryAfter: e.headers?.get('retry-after'),
      remaining: e.headers?.get('x-ratelimit-remaining-requests'), apim: e.headers?.get('apim-request-id'),
      region: e.headers?.get('x-ms-region') };
  }
});
await step('contentFilter', async () => {
  const c = new OpenAI({ ...opts, baseURL: `${BASE}/v1`, defaultHeaders: { 'x-sim-fault': 'content-filter' } });
  try {
    await c.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] });
    return { thrown: false };
  } catch (e) {
    return { thrown: true, isBadRequest: e instanceof BadRequestError, status: e.status, code: e.code,
      message: e.message };
  }
});
await step('midStreamError', async () => {
  const c = new OpenAI({ ...opts, baseURL: `${BASE}/v1`, defaultHeaders: { 'x-sim-fault': 'reset-mid-stream' } });
  let text = '';
  try {
    const s = await c.chat.completions.create({ model: MODEL, stream: true, messages: [{ role: 'user', content: 'hi' }] });
    for await (const ch of s) text += ch.choices[0]?.delta?.content ?? '';
    return { thrown: false, text };
  } catch (e) {
    return { thrown: true, name: e?.constructor?.name, message: e.message, text };
  }
});
await step('badKey', async () => {
  const c = new OpenAI({ ...opts, apiKey: 'wrong', baseURL: `${BASE}/v1` });
  try {
    await c.models.list();
    return { thrown: false };
  } catch (e) {
    return { thrown: true, status: e.status, code: e.code };
  }
});
process.stdout.write(JSON.stringify(out) + '\n');
