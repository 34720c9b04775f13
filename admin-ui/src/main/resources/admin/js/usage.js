// Usage: totals for a window, per-minute charts for the last hour, and tables per model, key and upstream.
import { api, errorText, $, el } from './api.js';
import { lineChart } from './chart.js';

export function init() {
  $('#usage-window').addEventListener('change', show);
  $('#usage-refresh').addEventListener('click', show);
}

function table(t, title, groups) {
  const head = el('tr', {}, ...[title, 'Requests', 'Errors', 'Errors by code', 'Prompt', 'Cached', 'Completion',
    'Latency p50/p95/p99 ms', 'TTFT p50/p95/p99 ms'].map((h) => el('th', { scope: 'col' }, h)));
  const rows = Object.entries(groups).map(([name, s]) => el('tr', {}, el('td', {}, name), el('td', {}, s.requests),
    el('td', {}, s.errors), el('td', {}, Object.entries(s.errorsByCode).map(([c, n]) => `${c}: ${n}`).join(', ')),
    el('td', {}, s.promptTokens), el('td', {}, s.cachedTokens), el('td', {}, s.completionTokens),
    el('td', {}, `${s.latencyMs.p50}/${s.latencyMs.p95}/${s.latencyMs.p99}`),
    el('td', {}, `${s.ttftMs.p50}/${s.ttftMs.p95}/${s.ttftMs.p99}`)));
  t.replaceChildren(el('thead', {}, head), el('tbody', {}, rows.length ? rows : [el('tr', {}, el('td', { colspan: 9 }, 'no requests in this window'))]));
}

export async function show() {
  const r = await api('GET', '/stats?window=' + $('#usage-window').value);
  if (!r.ok) { $('#usage-totals').replaceChildren(el('dd', {}, errorText(r))); return; }
  const d = r.data;
  const t = d.totals;
  const kv = [['Requests', t.requests], ['Errors', t.errors], ['Prompt tokens', t.promptTokens],
    ['Cached', t.cachedTokens], ['Completion', t.completionTokens], ['Latency p95', t.latencyMs.p95 + ' ms']];
  $('#usage-totals').replaceChildren(...kv.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  lineChart($('#chart-requests'), d.series, [{ name: 'requests', value: (p) => p.requests },
    { name: 'errors', value: (p) => p.errors }], { title: 'Requests and errors per minute' });
  lineChart($('#chart-latency'), d.series, [{ name: 'p95', value: (p) => p.latencyP95Ms }], { title: 'Latency p95 per minute' });
  table($('#usage-models'), 'Model', d.byModel);
  table($('#usage-keys'), 'Key', d.byKey);
  table($('#usage-upstreams'), 'Upstream', d.byUpstream);
}
