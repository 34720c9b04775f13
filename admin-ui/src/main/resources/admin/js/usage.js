// Usage: a range (last hour, 24 h, 7 days, 30 days, the whole kept history, or from/to) and a grouping (model, key,
// upstream, deployment) read from GET /admin/api/usage; stacked charts of tokens and cost by group, requests and
// errors, p50/p95 latency and time to first token, drawn with uPlot (served from its WebJar at /admin/vendor/uplot/);
// one table per grouping, sortable by any column and exported to CSV exactly as shown; one key's usage against
// its limits and budget (GET /admin/api/limits and /admin/api/limits/keys/{id}).
import { api, errorText, $, el } from './api.js';
import { t, tv, num, locale, dateTime } from './i18n.js';

const PALETTE = ['#1f5fbf', '#d9822b', '#2e9e5b', '#b3261e', '#7b4fc4', '#0f8b8d', '#c2417a', '#6b7b2a', '#8a5a3c', '#4a6fa5'];
const OTHER_COLOUR = '#9aa3ad';
/** Groups drawn on their own in the charts; the rest are summed as "other" (counts add up exactly). */
const TOP = 8;
const MAX_POINTS = 6000;

let uPlot = null;
const charts = {};
let last = null;
let lastQuery = '';
let sort = { col: 'requests', dir: -1 };
let selectedKey = '';
let seq = 0;

export function init() {
  $('#usage-range').addEventListener('change', () => {
    const custom = $('#usage-range').value === 'custom';
    $('#usage-custom').hidden = !custom;
    if (custom) prefillCustom(); else show();
  });
  $('#usage-custom').addEventListener('submit', (ev) => { ev.preventDefault(); show(); });
  $('#usage-by').addEventListener('change', show);
  $('#usage-refresh').addEventListener('click', show);
  $('#usage-export').addEventListener('click', exportCsv);
  $('#usage-key').addEventListener('change', () => { selectedKey = $('#usage-key').value; showKey(); });
  let timer = null;
  window.addEventListener('resize', () => { clearTimeout(timer); timer = setTimeout(resizeCharts, 150); });
}

// ---- the range ----

/** A datetime-local value (the browser's time zone) for epoch milliseconds. */
function localInput(ms) {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60000);
  return d.toISOString().slice(0, 16);
}

function prefillCustom() {
  const to = last ? last.to : Date.now();
  const from = last ? last.from : to - 24 * 3600 * 1000;
  if (!$('#usage-from').value) $('#usage-from').value = localInput(from);
  if (!$('#usage-to').value) $('#usage-to').value = localInput(to);
  $('#usage-from').focus();
}

/** The API query for the chosen range and grouping, or an error text. */
function query() {
  const by = $('#usage-by').value;
  const range = $('#usage-range').value;
  if (range !== 'custom') return { q: `window=${encodeURIComponent(range)}&by=${encodeURIComponent(by)}` };
  const from = new Date($('#usage-from').value).getTime();
  const to = new Date($('#usage-to').value).getTime();
  if (!Number.isFinite(from) || !Number.isFinite(to)) return { error: t('Enter both the start and the end of the range.') };
  if (from >= to) return { error: t('The start of the range must be before its end.') };
  return { q: `from=${from}&to=${to}&by=${encodeURIComponent(by)}` };
}

// ---- numbers ----

const EMPTY = { requests: 0, errors: 0, errorsByCode: {}, promptTokens: 0, cachedTokens: 0, completionTokens: 0,
  reasoningTokens: 0, cost: null, latencyMs: {}, ttftMs: {} };

function tokens(m) { return (m.promptTokens || 0) + (m.completionTokens || 0); }
function codes(m) {
  return Object.entries(m.errorsByCode || {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([c, n]) => `${c}: ${n}`).join('; ');
}
function pct(p, name) { return p && p[name] !== undefined && p[name] !== null ? p[name] : null; }

function money(v, currency) {
  if (v === null || v === undefined) return '';
  try {
    return new Intl.NumberFormat(locale(), { style: 'currency', currency: currency || 'USD', minimumFractionDigits: 2,
      maximumFractionDigits: Math.abs(v) < 1 && v !== 0 ? 4 : 2 }).format(v);
  } catch {
    return num(v) + ' ' + (currency || '');
  }
}

function byLabel(by) {
  return { model: t('Model'), key: t('Key'), upstream: t('Upstream'), deployment: t('Deployment') }[by] || by;
}

/** The table's columns: each a label, the raw value (sorted on, written to the CSV) and its text on the page. */
function columns(d) {
  const ms = (v) => (v === null ? '' : num(v));
  const n = (v) => num(v);
  return [
    { id: 'name', label: byLabel(d.by), value: (r) => r.name, text: (v) => v },
    { id: 'requests', label: t('Requests'), value: (r) => r.m.requests || 0, text: n },
    { id: 'errors', label: t('Errors'), value: (r) => r.m.errors || 0, text: n },
    { id: 'errorsByCode', label: t('Errors by code'), value: (r) => codes(r.m), text: (v) => v },
    { id: 'promptTokens', label: t('Prompt tokens'), value: (r) => r.m.promptTokens || 0, text: n },
    { id: 'cachedTokens', label: t('Cached tokens'), value: (r) => r.m.cachedTokens || 0, text: n },
    { id: 'completionTokens', label: t('Completion tokens'), value: (r) => r.m.completionTokens || 0, text: n },
    { id: 'reasoningTokens', label: t('Reasoning tokens'), value: (r) => r.m.reasoningTokens || 0, text: n },
    { id: 'totalTokens', label: t('Total tokens'), value: (r) => tokens(r.m), text: n },
    { id: 'cost', label: t('Cost ({currency})', { currency: d.currency || 'USD' }),
      value: (r) => (r.m.cost === null || r.m.cost === undefined ? null : r.m.cost), text: (v) => money(v, d.currency) },
    { id: 'latencyP50', label: t('Latency p50 (ms)'), value: (r) => pct(r.m.latencyMs, 'p50'), text: ms },
    { id: 'latencyP95', label: t('Latency p95 (ms)'), value: (r) => pct(r.m.latencyMs, 'p95'), text: ms },
    { id: 'latencyP99', label: t('Latency p99 (ms)'), value: (r) => pct(r.m.latencyMs, 'p99'), text: ms },
    { id: 'ttftP50', label: t('TTFT p50 (ms)'), value: (r) => pct(r.m.ttftMs, 'p50'), text: ms },
    { id: 'ttftP95', label: t('TTFT p95 (ms)'), value: (r) => pct(r.m.ttftMs, 'p95'), text: ms },
  ];
}

/** Sorts rows by a column: numbers numerically, texts in the page's language; empty values last either way. */
function sorted(rows, col, dir) {
  const key = (r) => col.value(r);
  return [...rows].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    const ex = x === null || x === '';
    const ey = y === null || y === '';
    if (ex || ey) return ex === ey ? a.name.localeCompare(b.name, locale()) : (ex ? 1 : -1);
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), locale(), { numeric: true });
    return c !== 0 ? c * dir : a.name.localeCompare(b.name, locale());
  });
}

/** What the table shows, in order: header, group rows, the total row (also what the CSV holds). */
function tableModel(d) {
  const cols = columns(d);
  const col = cols.find((c) => c.id === sort.col) || cols[1];
  const rows = sorted((d.groups || []).map((g) => ({ name: g.name, m: g })), col, sort.dir);
  return { cols, rows, total: { name: t('Total'), m: d.total || EMPTY } };
}

// ---- the page ----

export async function show() {
  const mine = ++seq;
  const q = query();
  $('#usage-error').textContent = q.error || '';
  if (q.error) return;
  const [r] = await Promise.all([api('GET', '/usage?' + q.q), loadUplot()]);
  if (mine !== seq) return;
  if (!r.ok) {
    $('#usage-error').textContent = errorText(r);
    return;
  }
  last = r.data;
  lastQuery = q.q;
  render(last);
  showKeys();
}

async function loadUplot() {
  if (uPlot) return;
  try {
    uPlot = (await import('../vendor/uplot/uPlot.esm.js')).default;
  } catch (e) {
    $('#usage-error').textContent = t('The chart library could not be loaded: {error}', { error: String(e.message || e) });
  }
}

function stepText(step) {
  return { minute: t('per minute'), hour: t('per hour'), day: t('per day') }[step] || step;
}

function render(d) {
  const span = t('{from} to {to}, {step}', { from: dateTime(d.from), to: dateTime(d.to), step: stepText(d.step) })
    + ' · ' + (d.scope === 'fleet' ? t('whole fleet') : d.scope === 'replica' ? t('this replica only') : tv(d.scope || ''));
  $('#usage-span').textContent = span;
  const tot = d.total || EMPTY;
  const kv = [
    ['Requests', num(tot.requests)], ['Errors', num(tot.errors)],
    ['Prompt tokens', num(tot.promptTokens)], ['Cached tokens', num(tot.cachedTokens)],
    ['Completion tokens', num(tot.completionTokens)], ['Reasoning tokens', num(tot.reasoningTokens)],
    ['Cost', tot.cost === null || tot.cost === undefined ? t('no pricing') : money(tot.cost, d.currency)],
    ['Latency p50 / p95', `${num(pct(tot.latencyMs, 'p50'))} / ${num(pct(tot.latencyMs, 'p95'))} ms`],
    ['TTFT p50 / p95', `${num(pct(tot.ttftMs, 'p50'))} / ${num(pct(tot.ttftMs, 'p95'))} ms`],
  ];
  $('#usage-totals').replaceChildren(...kv.map(([k, v]) => el('div', {}, el('dt', {}, t(k)), el('dd', {}, v))));
  renderCharts(d);
  renderTable(d);
  const section = $('#page-usage');
  section.dataset.renders = String(Number(section.dataset.renders || 0) + 1);
}

// ---- charts ----

/** The time axis: every step of the range (a missing bucket counts as none), or only the buckets when that is too many. */
function timeAxis(d) {
  const step = d.stepMillis || 60000;
  const ts = (d.buckets || []).map((b) => b.t);
  const anchor = ts.length ? ts[0] : Math.floor(d.from / step) * step;
  let start = anchor - Math.floor((anchor - d.from) / step) * step;
  if (start > d.from) start -= step;
  if ((d.to - start) / step > MAX_POINTS) return [...new Set(ts)].sort((a, b) => a - b);
  const xs = new Set(ts);
  for (let x = start; x < d.to; x += step) xs.add(x);
  return [...xs].sort((a, b) => a - b);
}

/** The groups drawn: the TOP busiest by requests (then by name) with their colours, and "other" for the rest. */
function chartGroups(d) {
  const names = (d.groups || []).slice().sort((a, b) => (b.requests || 0) - (a.requests || 0) || a.name.localeCompare(b.name))
    .map((g) => g.name);
  const top = names.slice(0, TOP).map((name, i) => ({ name, label: name, colour: PALETTE[i % PALETTE.length], members: [name] }));
  const rest = names.slice(TOP);
  if (rest.length) top.push({ name: '\u0000other', label: t('other ({n} groups)', { n: rest.length }), colour: OTHER_COLOUR, members: rest });
  return top;
}

function valuesOf(d, xs, members, pick) {
  const at = new Map((d.buckets || []).map((b) => [b.t, b.groups || {}]));
  return xs.map((x) => {
    const gs = at.get(x);
    if (!gs) return 0;
    let sum = 0;
    for (const m of members) if (gs[m]) sum += pick(gs[m]) || 0;
    return sum;
  });
}

function tickText(d) {
  const dayOnly = d.step === 'day';
  const multiDay = d.to - d.from > 26 * 3600 * 1000;
  return (u, splits) => splits.map((v) => {
    if (v === null || v === undefined) return '';
    const date = new Date(v);
    if (dayOnly) return date.toLocaleDateString(locale(), { month: 'short', day: 'numeric' });
    const hm = date.toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit', hour12: false });
    return multiDay ? date.toLocaleDateString(locale(), { month: 'numeric', day: 'numeric' }) + ' ' + hm : hm;
  });
}

function shortNum(v) {
  return num(v, { notation: 'compact', maximumFractionDigits: 1 });
}

/** One uPlot chart in its container; the previous one there is destroyed. */
function draw(id, d, xs, series, opts = {}) {
  const box = $('#' + id);
  if (charts[id]) { charts[id].destroy(); delete charts[id]; }
  box.replaceChildren();
  if (!uPlot) return;
  if (!series.length || !xs.length) {
    box.append(el('p', { class: 'muted chart-empty' }, t('no requests in this range')));
    return;
  }
  const data = [xs, ...series.map((s) => s.plot)];
  const width = Math.max(260, box.clientWidth || 600);
  const u = new uPlot({
    width,
    height: width < 500 ? 200 : 240,
    ms: 1,
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
    scales: { x: { time: true }, y: { range: (self, min, max) => [0, max > 0 ? max * 1.05 : 1] } },
    axes: [
      { values: tickText(d), stroke: '#5b6573', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#d6dae0' } },
      { values: (self, splits) => splits.map((v) => (opts.money ? money(v, d.currency) : shortNum(v))),
        size: (self, values) => 18 + 7 * Math.max(3, ...(values || []).map((v) => String(v).length)), stroke: '#5b6573', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#d6dae0' } },
    ],
    series: [
      { label: t('Time'), value: (self, v) => (v === null || v === undefined ? '' : dateTime(v)) },
      ...series.map((s) => ({
        label: s.label,
        stroke: s.colour,
        width: s.width || 1.5,
        dash: s.dash,
        fill: s.fill,
        spanGaps: !!s.spanGaps,
        points: s.points ? { show: true, size: 5, fill: s.colour, stroke: s.colour } : { show: false },
        value: (self, v, si, idx) => (idx === null || idx === undefined ? '' : s.text(s.raw[idx])),
      })),
    ],
    bands: opts.bands || [],
  }, data, box);
  u.root.setAttribute('role', 'img');
  u.root.setAttribute('aria-label', opts.title || '');
  charts[id] = u;
}

function stacked(id, d, xs, groups, pick, text, opts) {
  const acc = xs.map(() => 0);
  const series = groups.map((g) => {
    const raw = valuesOf(d, xs, g.members, pick);
    raw.forEach((v, i) => { acc[i] += v; });
    return { label: g.label, colour: g.colour, fill: g.colour + '88', raw, plot: acc.slice(), text };
  });
  const bands = series.slice(1).map((s, i) => ({ series: [i + 2, i + 1] }));
  draw(id, d, xs, series, { ...opts, bands });
}

/** Percentile lines: the overall ones when buckets carry a total, else p50 (dashed) and p95 per group. */
function percentiles(id, d, xs, groups, field, opts) {
  const at = new Map((d.buckets || []).map((b) => [b.t, b]));
  const ms = (v) => (v === null || v === undefined ? '' : num(v) + ' ms');
  const series = [];
  const hasTotal = (d.buckets || []).some((b) => b.total);
  const line = (label, colour, dash, get) => {
    const raw = xs.map((x) => { const b = at.get(x); const v = b ? get(b) : null; return v === undefined ? null : v; });
    if (raw.some((v) => v !== null)) series.push({ label, colour, dash, raw, plot: raw, text: ms, width: dash ? 1.5 : 2, spanGaps: true, points: true });
  };
  if (hasTotal) {
    line('p50', PALETTE[0], [6, 4], (b) => pct(b.total && b.total[field], 'p50'));
    line('p95', PALETTE[3], undefined, (b) => pct(b.total && b.total[field], 'p95'));
  } else {
    for (const g of groups.filter((x) => x.members.length === 1)) {
      const name = g.members[0];
      const get = (p) => (b) => (b.groups && b.groups[name] && b.groups[name].requests ? pct(b.groups[name][field], p) : null);
      line(g.label + ' p50', g.colour, [6, 4], get('p50'));
      line(g.label + ' p95', g.colour, undefined, get('p95'));
    }
  }
  draw(id, d, xs, series, opts);
}

function renderCharts(d) {
  const xs = timeAxis(d);
  const groups = chartGroups(d);
  const by = t(d.by);
  const step = stepText(d.step);
  const caps = {
    tokens: t('Tokens (prompt + completion) {step}, by {by}', { step, by }),
    cost: t('Cost {step}, by {by}', { step, by }),
    requests: t('Requests and errors {step}', { step }),
    latency: t('Latency p50 / p95 (ms)'),
    ttft: t('Time to first token p50 / p95 (ms)'),
  };
  for (const [k, v] of Object.entries(caps)) $('#cap-' + k).textContent = v;
  stacked('chart-tokens', d, xs, groups, tokens, (v) => num(v), { title: caps.tokens });
  const priced = (d.groups || []).some((g) => g.cost !== null && g.cost !== undefined);
  if (priced) {
    stacked('chart-cost', d, xs, groups, (m) => m.cost || 0, (v) => money(v, d.currency), { title: caps.cost, money: true });
  } else {
    draw('chart-cost', d, [], [], {});
    $('#chart-cost').replaceChildren(el('p', { class: 'muted chart-empty' },
      t('No cost: no model in this range has pricing (models[].pricing).')));
  }
  const all = [{ members: (d.groups || []).map((g) => g.name) }];
  const req = valuesOf(d, xs, all[0].members, (m) => m.requests);
  const err = valuesOf(d, xs, all[0].members, (m) => m.errors);
  draw('chart-requests', d, xs, (d.groups || []).length ? [
    { label: t('requests'), colour: PALETTE[0], fill: PALETTE[0] + '22', raw: req, plot: req, text: (v) => num(v), width: 2 },
    { label: t('errors'), colour: PALETTE[3], fill: PALETTE[3] + '33', raw: err, plot: err, text: (v) => num(v), width: 2 },
  ] : [], { title: caps.requests });
  percentiles('chart-latency', d, xs, groups, 'latencyMs', { title: caps.latency });
  percentiles('chart-ttft', d, xs, groups, 'ttftMs', { title: caps.ttft });
}

function resizeCharts() {
  for (const [id, u] of Object.entries(charts)) {
    const w = Math.max(260, $('#' + id).clientWidth || 600);
    u.setSize({ width: w, height: w < 500 ? 200 : 240 });
  }
}

// ---- the table ----

function renderTable(d) {
  const model = tableModel(d);
  $('#usage-table-title').textContent = t('By {by}', { by: t(d.by) });
  const head = el('tr', {}, model.cols.map((c) => {
    const active = c.id === sort.col;
    const btn = el('button', { type: 'button', class: 'sort', 'data-col': c.id }, c.label,
      el('span', { class: 'arrow', 'aria-hidden': 'true' }, active ? (sort.dir > 0 ? ' ▲' : ' ▼') : ''));
    btn.addEventListener('click', () => {
      sort = { col: c.id, dir: active ? -sort.dir : (c.id === 'name' || c.id === 'errorsByCode' ? 1 : -1) };
      renderTable(d);
      $(`#usage-table th button[data-col="${c.id}"]`).focus();
    });
    return el('th', { scope: 'col', 'aria-sort': active ? (sort.dir > 0 ? 'ascending' : 'descending') : 'none', class: cls(c) }, btn);
  }));
  const row = (r, extra) => el('tr', { 'data-name': r.name, ...extra }, model.cols.map((c) => {
    const v = c.value(r);
    return el('td', { 'data-value': v === null ? '' : v, class: cls(c) }, c.text(v));
  }));
  const body = model.rows.length ? model.rows.map((r) => row(r))
    : [el('tr', {}, el('td', { colspan: model.cols.length }, t('no requests in this range')))];
  if (d.by === 'key') {
    body.forEach((tr) => {
      if (!tr.dataset.name) return;
      tr.classList.add('pick');
      tr.title = t('Show this key against its limits');
      tr.addEventListener('click', () => { selectedKey = tr.dataset.name; $('#usage-key').value = selectedKey; showKey(); });
    });
  }
  $('#usage-table').replaceChildren(el('thead', {}, head), el('tbody', {}, body),
    el('tfoot', {}, row(model.total, { class: 'total' })));
}

function cls(c) {
  return c.id === 'name' || c.id === 'errorsByCode' ? '' : 'num';
}

// ---- CSV ----

function csvField(v) {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

/** The table as shown (its columns, its rows in their order, the total row), raw numbers, CRLF lines. */
export function csvOf(d) {
  const model = tableModel(d);
  const lines = [model.cols.map((c) => csvField(c.label)).join(',')];
  for (const r of [...model.rows, model.total]) {
    lines.push(model.cols.map((c) => csvField(c.value(r))).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

function stamp(ms) {
  return new Date(ms).toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
}

function exportCsv() {
  if (!last) return;
  const blob = new Blob(['\uFEFF' + csvOf(last)], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: `usage-by-${last.by}-${stamp(last.from)}-${stamp(last.to)}.csv`, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// ---- one key against its limits ----

async function showKeys() {
  const r = await api('GET', '/limits');
  if (!r.ok) {
    $('#usage-key-info').replaceChildren(el('dt', {}, t('Error')), el('dd', {}, errorText(r)));
    return;
  }
  const ids = (r.data.keys || []).map((k) => k.id);
  const sel = $('#usage-key');
  sel.replaceChildren(...ids.map((id) => el('option', { value: id }, id)));
  if (!ids.includes(selectedKey)) selectedKey = ids[0] || '';
  sel.value = selectedKey;
  showKey();
}

function meterRow(label, used, limit, fmt, resets) {
  const has = limit !== null && limit !== undefined;
  const share = has && limit > 0 ? Math.min(100, Math.round((used / limit) * 1000) / 10) : null;
  const bar = has ? el('progress', { max: limit > 0 ? limit : 1, value: Math.min(used || 0, limit > 0 ? limit : 1),
    'aria-label': label, class: share >= 90 ? 'hot' : '' }) : el('span', { class: 'muted' }, t('unlimited'));
  return el('tr', { 'data-limit': label }, el('th', { scope: 'row' }, label), el('td', { class: 'num' }, fmt(used)),
    el('td', { class: 'num' }, has ? fmt(limit) : '—'), el('td', {}, bar, share === null ? '' : ' ' + num(share) + ' %'),
    el('td', {}, resets ? dateTime(resets) : ''));
}

async function showKey() {
  const id = selectedKey;
  if (!id) {
    $('#usage-key-info').replaceChildren();
    $('#usage-key-limits').replaceChildren();
    return;
  }
  // the key's use in the chosen range: from the table when it is grouped by key, else asked for
  const byKey = !last || last.by === 'key' ? Promise.resolve({ ok: true, data: last })
    : api('GET', '/usage?' + lastQuery.replace(/(^|&)by=[^&]*/, '$1by=key'));
  const [r, ranged] = await Promise.all([api('GET', '/limits/keys/' + encodeURIComponent(id)), byKey]);
  if (id !== selectedKey) return;
  if (!r.ok) {
    $('#usage-key-info').replaceChildren(el('dt', {}, t('Error')), el('dd', {}, errorText(r)));
    $('#usage-key-limits').replaceChildren();
    return;
  }
  const k = r.data;
  const u = k.usage || {};
  const cur = u.currency || (last && last.currency) || 'USD';
  const inRange = ranged.ok && ranged.data ? (ranged.data.groups || []).find((g) => g.name === id) || { ...EMPTY, cost: 0 } : null;
  const info = [
    ['Status', tv(k.status) + (k.expired ? ' · ' + t('expired') : '')],
    ['Owner', k.owner || t('none')],
    ['Expires', k.expiresAt ? dateTime(k.expiresAt) : t('never')],
  ];
  if (inRange) {
    info.push(['In the chosen range', t('{requests} requests, {tokens} tokens, cost {cost}', {
      requests: inRange.requests, tokens: tokens(inRange),
      cost: inRange.cost === null || inRange.cost === undefined ? t('no pricing') : money(inRange.cost, cur) })]);
  }
  $('#usage-key-info').replaceChildren(...info.flatMap(([a, b]) => [el('dt', {}, t(a)), el('dd', {}, b)]));
  const n = (v) => num(v);
  const c = (v) => money(v, cur);
  const m = (x) => x || { used: 0, limit: null };
  const rows = [
    meterRow(t('Requests per minute'), m(u.requestsPerMinute).used, m(u.requestsPerMinute).limit, n),
    meterRow(t('Tokens per minute'), m(u.tokensPerMinute).used, m(u.tokensPerMinute).limit, n),
    meterRow(t('Concurrent requests'), m(u.concurrent).used, m(u.concurrent).limit, n),
    meterRow(t('Tokens today (UTC)'), m(u.tokensToday).used, m(u.tokensToday).limit, n, u.dayResetsAt),
    meterRow(t('Tokens this month (UTC)'), m(u.tokensThisMonth).used, m(u.tokensThisMonth).limit, n, u.monthResetsAt),
    meterRow(t('Cost today'), u.costToday || 0, null, c, u.dayResetsAt),
    meterRow(t('Cost this month against the budget'), u.costThisMonth || 0, u.budgetPerMonth, c, u.monthResetsAt),
  ];
  const head = el('tr', {}, ['Limit or budget', 'Used', 'Allowed', 'Share', 'Resets at'].map((h) => el('th', { scope: 'col' }, t(h))));
  const foot = u.budgetPerMonth === null || u.budgetPerMonth === undefined ? []
    : [el('tr', {}, el('th', { scope: 'row' }, t('Budget remaining this month')), el('td', { class: 'num' }, c(u.budgetRemaining)),
      el('td', {}, ''), el('td', {}, ''), el('td', {}, ''))];
  $('#usage-key-limits').replaceChildren(el('thead', {}, head), el('tbody', {}, rows, foot));
}
