// Drives the official Node SDK (openai@6) against a translating endpoint and prints what the SDK's own stream
// helpers and models made of the answers, as one JSON object on stdout. The Java test asserts on it.
// BASE_URL: the endpoint (ending in /v1); TOOLS_DIR: the folder holding node_modules/openai.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.join(process.env.TOOLS_DIR, 'package.json'));
const OpenAI = require('openai').default ?? require('openai');
const client = new OpenAI({ baseURL: process.env.BASE_URL, apiKey: 'test-key', maxRetries: 0, timeout: 20000 });
const out = {};
const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }];

async function attempt(name, fn) {
  try {
    out[name] = await fn();
  } catch (e) {
    out[name] = { thrown: e.constructor.name, message: String(e.message) };
  }
}

// Chat client, responses upstream.
await attempt('chatStreamText', async () => {
  const stream = client.chat.completions.stream({ model: 'text', messages: [{ role: 'user', content: 'hi' }],
    stream_options: { include_usage: true } });
  const c = await stream.finalChatCompletion();
  return { content: c.choices[0].message.content, finish: c.choices[0].finish_reason, usage: c.usage };
});
await attempt('chatStreamTools', async () => {
  const stream = client.chat.completions.stream({ model: 'tools', messages: [{ role: 'user', content: 'weather?' }],
    tools });
  const c = await stream.finalChatCompletion();
  return { content: c.choices[0].message.content, finish: c.choices[0].finish_reason,
    toolCalls: c.choices[0].message.tool_calls };
});
await attempt('chatStreamError', async () => {
  const stream = client.chat.completions.stream({ model: 'error', messages: [{ role: 'user', content: 'x' }] });
  await stream.finalChatCompletion();
  return { thrown: 'nothing' };
});
await attempt('chatText', async () => {
  const c = await client.chat.completions.create({ model: 'text', messages: [{ role: 'user', content: 'hi' }] });
  return { content: c.choices[0].message.content, finish: c.choices[0].finish_reason, usage: c.usage };
});
await attempt('chatTools', async () => {
  const c = await client.chat.completions.create({ model: 'tools', messages: [{ role: 'user', content: 'w?' }], tools });
  return { finish: c.choices[0].finish_reason, toolCalls: c.choices[0].message.tool_calls };
});

// Responses client, chat upstream.
await attempt('responsesStreamText', async () => {
  const stream = client.responses.stream({ model: 'text', input: 'hi', instructions: 'be brief' });
  const types = [];
  for await (const event of stream) {
    types.push(event.type);
  }
  const r = await stream.finalResponse();
  return { types, outputText: r.output_text, status: r.status, usage: r.usage };
});
await attempt('responsesStreamTools', async () => {
  const stream = client.responses.stream({ model: 'tools', input: 'go',
    tools: [{ type: 'function', name: 'f', parameters: { type: 'object' }, strict: false }] });
  const r = await stream.finalResponse();
  return { outputText: r.output_text, status: r.status,
    items: r.output.map((i) => ({ type: i.type, call_id: i.call_id, arguments: i.arguments })) };
});
await attempt('responsesStreamError', async () => {
  const stream = client.responses.stream({ model: 'error', input: 'x' });
  await stream.finalResponse();
  return { thrown: 'nothing' };
});
await attempt('responsesText', async () => {
  const r = await client.responses.create({ model: 'text', input: 'hi', instructions: 'be brief' });
  return { outputText: r.output_text, status: r.status, usage: r.usage };
});
await attempt('responsesRejected', async () => {
  await client.responses.create({ model: 'text', input: 'hi', previous_response_id: 'resp_1' });
  return { thrown: 'nothing' };
});

process.stdout.write(JSON.stringify(out));
