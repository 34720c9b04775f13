// Drives foundry-sim with the official OpenAI Node SDK and prints one JSON object with what it saw.
// Environment: OPENAI_MODULE_URL (file URL of openai/index.mjs in the tools folder), SIM_BASE_URL, SIM_KEY.
const { default: OpenAI, AzureOpenAI } = await import(process.env.OPENAI_MODULE_URL);
const base = process.env.SIM_BASE_URL;
const key = process.env.SIM_KEY;
const client = new OpenAI({ baseURL: `${base}/openai/v1`, apiKey: key, maxRetries: 0, timeout: 10_000 });
const out = {};

const chat = await client.chat.completions.create({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Hello from node' }],
});
out.chat = { text: chat.choices[0].message.content, usage: chat.usage, finish: chat.choices[0].finish_reason };

const stream = await client.chat.completions.create({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Hello from node' }],
  stream: true,
  stream_options: { include_usage: true },
});
let text = '';
let usage = null;
let chunks = 0;
for await (const chunk of stream) {
  chunks++;
  text += chunk.choices[0]?.delta?.content ?? '';
  if (chunk.usage) usage = chunk.usage;
}
out.chatStream = { text, usage, chunks };

// The stream faults the proxy will pass through must still parse: a stall after a lone blank line, split UTF-8.
const faulty = {};
for (const fault of ['stall-before-first-event', 'split-utf8']) {
  const fs = await client.chat.completions.create(
    { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello from node' }], stream: true },
    { headers: { 'x-sim-fault': fault, 'x-sim-delay-ms': '100' } },
  );
  let t = '';
  for await (const chunk of fs) t += chunk.choices[0]?.delta?.content ?? '';
  faulty[fault] = t;
}
out.faults = faulty;

const resp = await client.responses.create({ model: 'o4-mini', input: 'Think about node' });
out.responses = {
  text: resp.output_text,
  types: resp.output.map((o) => o.type),
  usage: resp.usage,
};

const rs = await client.responses.create({ model: 'o4-mini', input: 'Think about node', stream: true });
let rtext = '';
let rusage = null;
const types = [];
for await (const ev of rs) {
  types.push(ev.type);
  if (ev.type === 'response.output_text.delta') rtext += ev.delta;
  if (ev.type === 'response.completed') rusage = ev.response.usage;
}
out.responsesStream = { text: rtext, usage: rusage, first: types[0], last: types[types.length - 1] };

const emb = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a b', 'c'] });
out.embeddings = { count: emb.data.length, dims: emb.data[0].embedding.length, usage: emb.usage };

const az = new AzureOpenAI({
  endpoint: base, apiKey: key, apiVersion: '2024-10-21', deployment: 'classic-deploy', maxRetries: 0,
});
const classic = await az.chat.completions.create({
  model: 'ignored', messages: [{ role: 'user', content: 'classic hello' }],
});
out.classic = { text: classic.choices[0].message.content, model: classic.model };

try {
  await client.chat.completions.create(
    { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
    { headers: { 'x-sim-fault': '429', 'x-sim-retry-after-ms': '1200' } },
  );
  out.rateLimit = { thrown: false };
} catch (e) {
  out.rateLimit = { thrown: true, status: e.status, retryAfterMs: e.headers?.get('retry-after-ms') ?? null };
}

process.stdout.write(JSON.stringify(out) + '\n');
