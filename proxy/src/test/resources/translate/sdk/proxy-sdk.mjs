// The official Node SDK (openai@6) through the gateway against foundry-sim, for models whose routes send chat to
// the Responses API and Responses to chat. Prints one JSON object with what the SDK made of each answer.
// BASE_URL: the gateway (ending in /v1); TOOLS_DIR: the folder holding node_modules/openai.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.join(process.env.TOOLS_DIR, 'package.json'));
const OpenAI = require('openai').default ?? require('openai');
const client = new OpenAI({ baseURL: process.env.BASE_URL, apiKey: 'client-key', maxRetries: 0, timeout: 30000 });
const out = {};
const chatTools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }];
const responsesTools = [{ type: 'function', name: 'get_weather', parameters: { type: 'object' }, strict: false }];

async function attempt(name, fn) {
  try {
    out[name] = await fn();
  } catch (e) {
    out[name] = { thrown: e.constructor.name, status: e.status, message: String(e.message) };
  }
}

// chat clients of a Responses backend (gpt-5-mini, a reasoning model)
await attempt('chatStream', async () => {
  const stream = client.chat.completions.stream({ model: 'chat-on-responses', stream_options: { include_usage: true },
    messages: [{ role: 'system', content: 'sys one' }, { role: 'developer', content: 'dev two' },
      { role: 'user', content: 'say hello' }], max_tokens: 50, reasoning_effort: 'minimal' });
  let chunks = 0;
  stream.on('chunk', () => { chunks += 1; });
  const c = await stream.finalChatCompletion();
  return { content: c.choices[0].message.content, finish: c.choices[0].finish_reason, usage: c.usage, chunks };
});
await attempt('chatStreamTools', async () => {
  const stream = client.chat.completions.stream({ model: 'chat-on-responses', tools: chatTools,
    messages: [{ role: 'user', content: 'weather in Oslo?' }] });
  const c = await stream.finalChatCompletion();
  return { finish: c.choices[0].finish_reason, toolCalls: c.choices[0].message.tool_calls };
});
await attempt('chatToolRoundTrip', async () => {
  const first = await client.chat.completions.create({ model: 'chat-on-responses', tools: chatTools,
    messages: [{ role: 'user', content: 'weather in Oslo?' }] });
  const call = first.choices[0].message.tool_calls[0];
  const second = await client.chat.completions.create({ model: 'chat-on-responses', tools: chatTools,
    messages: [{ role: 'user', content: 'weather in Oslo?' }, first.choices[0].message,
      { role: 'tool', tool_call_id: call.id, content: 'sunny' }] });
  return { firstFinish: first.choices[0].finish_reason, callId: call.id,
    content: second.choices[0].message.content, finish: second.choices[0].finish_reason, usage: second.usage };
});
await attempt('chatSplitUtf8', async () => {
  // this deployment's simulator splits multi-byte characters across network writes
  const stream = client.chat.completions.stream({ model: 'chat-on-responses-split',
    messages: [{ role: 'user', content: 'hi' }] });
  const c = await stream.finalChatCompletion();
  return { content: c.choices[0].message.content };
});
await attempt('chatRejected', async () => {
  await client.chat.completions.create({ model: 'chat-on-responses', n: 2, messages: [{ role: 'user', content: 'x' }] });
  return { thrown: 'nothing' };
});

await attempt('chatStreamLength', async () => {
  const stream = client.chat.completions.stream({ model: 'chat-on-responses', max_completion_tokens: 2,
    messages: [{ role: 'user', content: 'tell me a long story' }] });
  const c = await stream.finalChatCompletion();
  return { content: c.choices[0].message.content, finish: c.choices[0].finish_reason };
});

// Responses clients of a chat backend
await attempt('responsesStream', async () => {
  const stream = client.responses.stream({ model: 'responses-on-chat', instructions: 'be brief',
    input: [{ role: 'developer', content: 'dev one' }, { role: 'user', content: 'say hello' }] });
  const types = [];
  for await (const event of stream) {
    types.push(event.type);
  }
  const r = await stream.finalResponse();
  return { types, outputText: r.output_text, status: r.status, usage: r.usage };
});
await attempt('responsesToolRoundTrip', async () => {
  const stream = client.responses.stream({ model: 'responses-on-chat', tools: responsesTools,
    input: 'weather in Oslo?' });
  const first = await stream.finalResponse();
  const call = first.output.find((i) => i.type === 'function_call');
  const second = await client.responses.create({ model: 'responses-on-chat', tools: responsesTools,
    input: [{ role: 'user', content: 'weather in Oslo?' }, call,
      { type: 'function_call_output', call_id: call.call_id, output: 'sunny' }] });
  return { callId: call.call_id, arguments: call.arguments, outputText: second.output_text, status: second.status };
});
await attempt('responsesReasoning', async () => {
  const r = await client.responses.create({ model: 'o-responses-on-chat', input: 'think', store: false,
    reasoning: { effort: 'xhigh', summary: 'auto' } });
  return { outputText: r.output_text, status: r.status, usage: r.usage };
});
await attempt('responsesStreamLength', async () => {
  const stream = client.responses.stream({ model: 'responses-on-chat', max_output_tokens: 2,
    input: 'tell me a long story' });
  const r = await stream.finalResponse();
  return { outputText: r.output_text, status: r.status, reason: r.incomplete_details?.reason };
});
await attempt('responsesRejected', async () => {
  await client.responses.create({ model: 'responses-on-chat', input: 'x',
    tools: [{ type: 'web_search_preview' }] });
  return { thrown: 'nothing' };
});

process.stdout.write(JSON.stringify(out));
