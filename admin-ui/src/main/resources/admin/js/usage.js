// Usage: totals for a window, per-minute charts for the last hour, and tables per model, key and upstream.
import { api, errorText, $, el } from './api.js';
import { lineChart } from './chart.js';
import { t, num } from './i18n.js';

export function init() {
  $('#usage-window').addEventListener('change', show);
  $('#usage-refresh').addEventListener('click', show);
}

function table(tbl, title, groups) {
  const head = el('tr', {}, ...[title, 'Requests', 'Errors', 'Errors by code', 'Prompt', 'Cached', 'Completion',
    'Latency p50/p95/p99 ms', 'TTFT p50/p95/p99 ms'].map((h) => el('th', { scope: 'col' }, t(h))));
  const ms = (p) => `${num(p.p50)}/${num(p.p95)}/${num(p.p99)}`;
  const rows = Object.entries(groups).map(([name, s]) => el('tr', {}, el('td', {}, name), el('td', {}, num(s.requests)),
    el('td', {}, num(s.errors)), el('td', {}, Object.entries(s.errorsByCode).map(([c, n]) => `${c}: ${num(n)}`).join(', ')),
    el('td', {}, num(s.promptTokens)), el('td', {}, num(s.cachedTokens)), el('td', {}, num(s.completionTokens)),
    el('td', {}, ms(s.latencyMs)), el('td', {}, ms(s.ttftMs))));
  tbl.replaceChildren(el('thead', {}, head), el('tbody', {}, rows.length ? rows : [el('tr', {}, el('td', { colspan: 9 }, t('no requests in this window')))]));
}

export async function show() {
  const r = await api('GET', '/stats?window=' + $('#usage-window').value);
  if (!r.ok) { $('#usage-totals').replaceChildren(el('dd', {}, errorText(r))); return; }
  const d = r.data;
  const tot = d.totals;
  const kv = [['Requests', num(tot.requests)], ['Errors', num(tot.errors)], ['Prompt tokens', num(tot.promptTokens)],
    ['Cached', num(tot.cachedTokens)], ['Completion', num(tot.completionTokens)], ['Latency p95', num(tot.latencyMs.p95) + ' ms']];
  $('#usage-totals').replaceChildren(...kv.flatMap(([k, v]) => [el('dt', {}, t(k)), el('dd', {}, v)]));
  lineChart($('#chart-requests'), d.series, [{ name: t('requests'), value: (p) => p.requests },
    { name: t('errors'), value: (p) => p.errors }], { title: t('Requests and errors per minute') });
  lineChart($('#chart-latency'), d.series, [{ name: 'p95', value: (p) => p.latencyP95Ms }], { title: t('Latency p95 per minute') });
  table($('#usage-models'), 'Model', d.byModel);
  table($('#usage-keys'), 'Key', d.byKey);
  table($('#usage-upstreams'), 'Upstream', d.byUpstream);
}
