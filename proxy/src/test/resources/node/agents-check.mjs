// Runs an OpenAI Agents SDK agent (@openai/agents from <tools.dir>/node_modules) with two function tools through the
// proxy, on the Responses API and on Chat Completions, streamed and not, and prints one JSON object: per run, the
// tool calls that really executed (with the arguments zod accepted) and the final output.
// Inputs: TOOLS_DIR, BASE (http://127.0.0.1:PORT), KEY, MODEL, ROUTED_MODEL (a model the proxy routes chat → responses).
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const mod = (p) => import(pathToFileURL(join(process.env.TOOLS_DIR, 'node_modules', ...p.split('/'))).href);
const agents = await mod('@openai/agents/dist/index.mjs');
const { z } = await mod('zod/index.js');
const { Agent, run, tool, setDefaultOpenAIKey, setOpenAIAPI, setTracingDisabled } = agents;
const { BASE, KEY, MODEL, ROUTED_MODEL } = process.env;

process.env.OPENAI_BASE_URL = `${BASE}/v1`;
setDefaultOpenAIKey(KEY);
setTracingDisabled(true); // nothing may leave this machine

let calls = [];
const getWeather = tool({
  name: 'get_weather',
  description: 'The weather for a city',
  parameters: z.object({ city: z.string().min(1) }),
  execute: async ({ city }) => { calls.push({ tool: 'get_weather', args: { city } }); return `Sunny and 21 C in ${city}`; },
});
const convertUnits = tool({
  name: 'convert_units',
  description: 'Converts a distance',
  parameters: z.object({
    value: z.number(),
    from: z.enum(['km', 'mi']),
    to: z.enum(['mi', 'km']),
    options: z.object({ precision: z.number().int().min(0).max(6), tags: z.array(z.string()) }),
  }),
  execute: async (args) => { calls.push({ tool: 'convert_units', args }); return `${args.value} ${args.from} is about 3.1 ${args.to}`; },
});

async function once(api, model, stream, input) {
  setOpenAIAPI(api);
  calls = [];
  const agent = new Agent({ name: 'helper', instructions: 'Use the tools.', model, tools: [getWeather, convertUnits] });
  try {
    let finalOutput;
    if (stream) {
      const result = await run(agent, input, { stream: true, maxTurns: 4 });
      let events = 0;
      for await (const _ of result) { events++; }
      await result.completed;
      finalOutput = result.finalOutput;
      return { calls, finalOutput, events };
    }
    const result = await run(agent, input, { maxTurns: 4 });
    return { calls, finalOutput: result.finalOutput };
  } catch (e) {
    return { calls, error: `${e?.constructor?.name}: ${String(e?.message ?? e)}` };
  }
}

const out = {};
for (const [api, model, label] of [['responses', MODEL, 'responses'], ['chat_completions', MODEL, 'chat'],
                                   ['chat_completions', ROUTED_MODEL, 'chatToResponses']]) {
  for (const stream of [false, true]) {
    const key = `${label}${stream ? 'Stream' : ''}`;
    out[key] = {
      weather: await once(api, model, stream, 'What is the weather in Oslo?'),
      convert: await once(api, model, stream, 'Please use convert_units on 5 km'),
    };
  }
}
console.log(JSON.stringify(out));
