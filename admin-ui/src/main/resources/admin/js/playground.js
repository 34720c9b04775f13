// Playground: send one request through the gateway as a client would, and watch it arrive.
// With a key id the admin session asks the proxy to call on that key's behalf (POST /admin/api/playground/{route}):
// the page never sees the key. With a pasted key the page calls /v1 itself, as any client does.
import { api, csrfHeader, errorMessageOf, $, el } from './api.js';
import { t, num } from './i18n.js';

const ROUTES = {
  chat: { path: '/v1/chat/completions', streams: true },
  responses: { path: '/v1/responses', streams: true },
  embeddings: { path: '/v1/embeddings', streams: false },
  images: { path: '/v1/images/generations', streams: false },
};
// browser-side compression presets: longest side in px and encoder quality
const PRESETS = { none: null, large: { side: 1600, quality: 0.85 }, medium: { side: 1024, quality: 0.8 }, small: { side: 512, quality: 0.75 } };

let keys = [];
let models = [];
let attachments = [];
let controller = null;

function example(route, model, stream) {
  switch (route) {
    case 'chat': return { model, stream, ...(stream ? { stream_options: { include_usage: true } } : {}),
      messages: [{ role: 'user', content: 'Say hello in five words.' }] };
    case 'responses': return { model, stream, input: 'Say hello in five words.' };
    case 'embeddings': return { model, input: 'The quick brown fox' };
    default: return { model, prompt: 'A lighthouse at dawn, watercolor', n: 1, size: '1024x1024' };
  }
}

export function init() {
  $('#pg-form').addEventListener('submit', (e) => { e.preventDefault(); send(); });
  $('#pg-route').addEventListener('change', reseed);
  $('#pg-key').addEventListener('change', () => { $('#pg-paste-row').hidden = $('#pg-key').value !== '*paste'; fillModels(); reseed(); });
  $('#pg-model').addEventListener('change', () => setInPayload('model', $('#pg-model').value));
  $('#pg-stream').addEventListener('change', () => setInPayload('stream', $('#pg-stream').checked));
  $('#pg-reset').addEventListener('click', reseed);
  $('#pg-stop').addEventListener('click', () => controller && controller.abort());
  $('#pg-image').addEventListener('change', attach);
}

export async function show() {
  const [k, c] = await Promise.all([api('GET', '/keys'), api('GET', '/config')]);
  if (k.ok) keys = k.data.keys.filter((x) => x.status === 'active');
  if (c.ok) models = (c.data.config.models || []).map((m) => m.id);
  const sel = $('#pg-key');
  const was = sel.value;
  sel.replaceChildren(...keys.map((x) => el('option', { value: x.id }, x.id)),
    el('option', { value: '*paste' }, t('Paste a key…')));
  if ([...sel.options].some((o) => o.value === was)) sel.value = was;
  $('#pg-paste-row').hidden = sel.value !== '*paste';
  fillModels();
  if (!$('#pg-payload').value.trim()) reseed();
  renderAttachments();
}

function fillModels() {
  const key = keys.find((x) => x.id === $('#pg-key').value);
  const allowed = key && key.models.length ? models.filter((m) => key.models.includes(m)) : models;
  const sel = $('#pg-model');
  const was = sel.value;
  sel.replaceChildren(...allowed.map((m) => el('option', { value: m }, m)));
  if (allowed.includes(was)) sel.value = was;
}

function reseed() {
  const route = $('#pg-route').value;
  $('#pg-stream').disabled = !ROUTES[route].streams;
  const stream = ROUTES[route].streams && $('#pg-stream').checked;
  $('#pg-payload').value = JSON.stringify(example(route, $('#pg-model').value, stream), null, 2);
}

function setInPayload(field, value) {
  try {
    const p = JSON.parse($('#pg-payload').value);
    if (field === 'stream' && !ROUTES[$('#pg-route').value].streams) return;
    p[field] = value;
    // a streamed chat reports its usage only when asked
    if (field === 'stream' && $('#pg-route').value === 'chat') {
      if (value) p.stream_options = { include_usage: true }; else delete p.stream_options;
    }
    $('#pg-payload').value = JSON.stringify(p, null, 2);
  } catch { /* the editor holds hand-written text; leave it alone */ }
}

// ---- images -------------------------------------------------------------------------------------------------

function readAsDataUrl(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(r.result);
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}

function loadImage(url) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('not an image'));
    img.src = url;
  });
}

/** Resizes to the preset's longest side (never enlarging) and re-encodes; keeps the original when not smaller. */
async function compress(dataUrl, type, preset) {
  const img = await loadImage(dataUrl);
  const original = { url: dataUrl, width: img.naturalWidth, height: img.naturalHeight };
  if (!preset) return original;
  const scale = Math.min(1, preset.side / Math.max(img.naturalWidth, img.naturalHeight));
  const w = Math.max(1, Math.round(img.naturalWidth * scale));
  const h = Math.max(1, Math.round(img.naturalHeight * scale));
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const g = canvas.getContext('2d');
  g.drawImage(img, 0, 0, w, h);
  // PNG, GIF and WebP may be transparent: WebP keeps alpha; photos go to JPEG
  const target = /png|gif|webp/.test(type) ? 'image/webp' : 'image/jpeg';
  const url = canvas.toDataURL(target, preset.quality);
  return url.length < dataUrl.length ? { url, width: w, height: h } : original;
}

async function attach() {
  const preset = PRESETS[$('#pg-compress').value];
  for (const file of $('#pg-image').files) {
    try {
      const raw = await readAsDataUrl(file);
      const out = await compress(raw, file.type, preset);
      attachments.push({ name: file.name, before: file.size, after: Math.round((out.url.length - out.url.indexOf(',') - 1) * 3 / 4),
        width: out.width, height: out.height, url: out.url });
    } catch (e) {
      attachments.push({ name: file.name, error: e.message });
    }
  }
  $('#pg-image').value = '';
  renderAttachments();
}

function renderAttachments() {
  $('#pg-attachments').replaceChildren(...attachments.map((a, i) => el('li', {},
    a.error ? `${a.name}: ${t('not an image')}` : t('{name}: {w}×{h}, {before} → {after} bytes', {
      name: a.name, w: String(a.width), h: String(a.height), before: a.before, after: a.after }),
    ' ', el('button', { type: 'button', class: 'secondary', onclick: () => { attachments.splice(i, 1); renderAttachments(); } }, t('Remove')))));
}

/** Adds the attached images to the last user message (chat) or as input_image parts (responses). */
function withImages(route, body) {
  const images = attachments.filter((a) => !a.error).map((a) => a.url);
  if (!images.length) return body;
  if (route === 'chat' && Array.isArray(body.messages)) {
    const last = [...body.messages].reverse().find((m) => m.role === 'user');
    if (last) {
      const parts = typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : [...(last.content || [])];
      for (const url of images) parts.push({ type: 'image_url', image_url: { url } });
      last.content = parts;
    }
  } else if (route === 'responses') {
    const input = typeof body.input === 'string' ? [{ role: 'user', content: [{ type: 'input_text', text: body.input }] }] : body.input;
    const last = [...input].reverse().find((m) => m.role === 'user');
    if (last) {
      if (typeof last.content === 'string') last.content = [{ type: 'input_text', text: last.content }];
      for (const url of images) last.content.push({ type: 'input_image', image_url: url });
    }
    body.input = input;
  }
  return body;
}

// ---- sending and showing the answer -------------------------------------------------------------------------

function metric(name, value) {
  const dl = $('#pg-metrics');
  let dd = dl.querySelector(`dd[data-m="${name}"]`);
  if (!dd) {
    dl.append(el('dt', {}, t(name)));
    dd = el('dd', { 'data-m': name });
    dl.append(dd);
  }
  dd.textContent = value;
}

function reset() {
  for (const id of ['#pg-text', '#pg-raw', '#pg-error']) $(id).textContent = '';
  $('#pg-metrics').replaceChildren();
  $('#pg-headers').replaceChildren();
  $('#pg-tools').replaceChildren();
  $('#pg-images').replaceChildren();
  $('#pg-error').hidden = true;
}

function showError(text) {
  $('#pg-error').hidden = false;
  $('#pg-error').textContent = text;
}

function showHeaders(res) {
  const rows = [];
  for (const [k, v] of res.headers) {
    const dd = k === 'x-request-id'
      ? el('dd', {}, el('a', { href: '#logs', id: 'pg-request-link', onclick: (e) => { e.preventDefault(); openLog(v); } }, v), ' ',
        el('span', { class: 'muted' }, t('(open in Logs)')))
      : el('dd', {}, v);
    rows.push(el('dt', {}, k), dd);
  }
  $('#pg-headers').replaceChildren(...rows);
}

function openLog(requestId) {
  for (const id of ['#logs-text', '#logs-model', '#logs-key', '#logs-status', '#logs-level']) $(id).value = '';
  $('#logs-request').value = requestId;
  document.querySelector('.tabs button[data-page=logs]').click();
}

async function send() {
  reset();
  let body;
  try {
    body = JSON.parse($('#pg-payload').value);
  } catch (e) {
    showError(t('The request body is not valid JSON: ') + e.message);
    return;
  }
  const route = $('#pg-route').value;
  body = withImages(route, body);
  const key = $('#pg-key').value;
  let url;
  const headers = { 'Content-Type': 'application/json', Accept: body.stream ? 'text/event-stream' : 'application/json' };
  if (key === '*paste') {
    const pasted = $('#pg-paste').value.trim();
    if (!pasted) { showError(t('Paste a client key first.')); return; }
    url = ROUTES[route].path;
    headers.Authorization = 'Bearer ' + pasted;
  } else {
    url = '/admin/api/playground/' + route + '?keyId=' + encodeURIComponent(key);
    Object.assign(headers, csrfHeader());
  }
  controller = new AbortController();
  $('#pg-send').disabled = true;
  $('#pg-stop').disabled = false;
  const started = performance.now();
  const state = { text: '', tools: [], usage: null, firstToken: null, events: 0 };
  try {
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), credentials: 'same-origin', signal: controller.signal });
    metric('Status', String(res.status));
    showHeaders(res);
    const type = res.headers.get('content-type') || '';
    if (type.includes('text/event-stream')) {
      await readStream(res, route, state, started);
    } else {
      const raw = await res.text();
      if (state.firstToken === null) state.firstToken = performance.now() - started;
      $('#pg-raw').textContent = pretty(raw);
      let json = null;
      try { json = JSON.parse(raw); } catch { json = null; }
      if (!res.ok) {
        showError(t('HTTP {status}: {message}', { status: String(res.status), message: errorMessageOf(json) || raw.slice(0, 300) }));
      } else if (json) {
        whole(route, json, state);
      }
    }
  } catch (e) {
    showError(e.name === 'AbortError' ? t('Stopped.') : t('The request failed: ') + e.message);
  } finally {
    $('#pg-send').disabled = false;
    $('#pg-stop').disabled = true;
    controller = null;
  }
  metric('Latency', num(Math.round(performance.now() - started)) + ' ms');
  if (state.firstToken !== null) metric('Time to first token', num(Math.round(state.firstToken)) + ' ms');
  if (state.usage) metric('Usage', usageText(state.usage));
}

function pretty(raw) {
  try { return JSON.stringify(JSON.parse(raw), null, 2); } catch { return raw; }
}

function usageText(u) {
  const input = u.prompt_tokens ?? u.input_tokens ?? 0;
  const output = u.completion_tokens ?? u.output_tokens ?? 0;
  return t('{input} in, {output} out, {total} total', { input, output, total: u.total_tokens ?? input + output });
}

async function readStream(res, route, state, started) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const raw = $('#pg-raw');
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    const chunk = decoder.decode(value, { stream: true });
    raw.textContent += chunk;
    buffer += chunk.replace(/\r\n/g, '\n');
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
      if (!data || data === '[DONE]') continue;
      let ev;
      try { ev = JSON.parse(data); } catch { continue; }
      state.events++;
      if (ev.error) showError(t('Error in the stream: {message}', { message: errorMessageOf(ev) }));
      (route === 'responses' ? responsesEvent : chatChunk)(ev, state, started);
    }
  }
}

function firstToken(state, started) {
  if (state.firstToken === null) state.firstToken = performance.now() - started;
}

function chatChunk(ev, state, started) {
  for (const c of ev.choices || []) {
    const d = c.delta || {};
    if (d.content) { firstToken(state, started); state.text += d.content; $('#pg-text').textContent = state.text; }
    for (const tc of d.tool_calls || []) {
      firstToken(state, started);
      const call = state.tools[tc.index ?? 0] || (state.tools[tc.index ?? 0] = { name: '', arguments: '' });
      if (tc.function && tc.function.name) call.name += tc.function.name;
      if (tc.function && tc.function.arguments) call.arguments += tc.function.arguments;
      renderTools(state.tools);
    }
  }
  if (ev.usage) state.usage = ev.usage;
}

function responsesEvent(ev, state, started) {
  if (ev.type === 'response.output_text.delta') {
    firstToken(state, started);
    state.text += ev.delta;
    $('#pg-text').textContent = state.text;
  } else if (ev.type === 'response.output_item.added' && ev.item && ev.item.type === 'function_call') {
    firstToken(state, started);
    state.tools[ev.output_index ?? state.tools.length] = { name: ev.item.name || '', arguments: '' };
    renderTools(state.tools);
  } else if (ev.type === 'response.function_call_arguments.delta') {
    const call = state.tools[ev.output_index ?? 0] || (state.tools[ev.output_index ?? 0] = { name: '', arguments: '' });
    call.arguments += ev.delta;
    renderTools(state.tools);
  } else if ((ev.type === 'response.completed' || ev.type === 'response.incomplete') && ev.response && ev.response.usage) {
    state.usage = ev.response.usage;
  } else if (ev.type === 'response.failed' && ev.response && ev.response.error) {
    showError(t('Error in the stream: {message}', { message: ev.response.error.message }));
  }
}

function renderTools(tools) {
  $('#pg-tools').replaceChildren(...tools.filter(Boolean).map((c) => el('div', { class: 'tool-call' },
    el('strong', {}, t('Tool call: {name}', { name: c.name })), el('pre', { class: 'code' }, c.arguments))));
}

function whole(route, json, state) {
  if (json.usage) state.usage = json.usage;
  if (route === 'chat') {
    const m = (json.choices && json.choices[0] && json.choices[0].message) || {};
    state.text = m.content || '';
    for (const tc of m.tool_calls || []) state.tools.push({ name: tc.function.name, arguments: tc.function.arguments });
  } else if (route === 'responses') {
    for (const item of json.output || []) {
      if (item.type === 'message') for (const c of item.content || []) if (c.type === 'output_text') state.text += c.text;
      if (item.type === 'function_call') state.tools.push({ name: item.name, arguments: item.arguments });
    }
  } else if (route === 'embeddings') {
    const d = json.data || [];
    state.text = t('{n} embedding(s), {dims} dimensions', { n: d.length, dims: d.length ? d[0].embedding.length : 0 });
  } else {
    const d = json.data || [];
    state.text = t('{n} image(s)', { n: d.length });
    $('#pg-images').replaceChildren(...d.map((img) => el('img', { class: 'pg-image', alt: t('generated image'),
      src: img.b64_json ? 'data:image/png;base64,' + img.b64_json : img.url })));
  }
  $('#pg-text').textContent = state.text;
  renderTools(state.tools);
}
