// Logs: filters, the newest entries first as a table, a drawer with the whole entry ("filter by this request",
// "copy summary"), and a polling live tail.
import { api, errorText, $, el, copyText, toast } from './api.js';
import { t, num, time, dateTime } from './i18n.js';

let tail = null;
let shown = null;

export function init() {
  $('#logs-form').addEventListener('submit', (e) => { e.preventDefault(); show(); });
  $('#logs-tail').addEventListener('change', () => {
    clearInterval(tail);
    tail = $('#logs-tail').checked ? setInterval(show, 3000) : null;
  });
  $('#logs-drawer-close').addEventListener('click', closeDrawer);
  $('#logs-drawer-copy').addEventListener('click', async () => {
    if (shown) toast((await copyText(summary(shown))) ? t('Summary copied') : t('Copy failed'));
  });
  $('#logs-drawer-request').addEventListener('click', () => {
    if (!shown || !shown.requestId) return;
    $('#logs-request').value = shown.requestId;
    closeDrawer();
    show();
  });
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && !$('#logs-drawer').hidden) closeDrawer(); });
}

export function hide() {
  clearInterval(tail);
  tail = null;
  $('#logs-tail').checked = false;
  closeDrawer();
}

function query() {
  const p = new URLSearchParams();
  const put = (k, sel) => { const v = $(sel).value.trim(); if (v) p.set(k, v); };
  put('level', '#logs-level'); put('text', '#logs-text'); put('requestId', '#logs-request');
  put('model', '#logs-model'); put('key', '#logs-key'); put('status', '#logs-status'); put('limit', '#logs-limit');
  return p.toString();
}

function summary(e) {
  return [e.ts, e.level.toUpperCase(), e.event || e.logger, e.status ? 'status ' + e.status : '',
    e.requestId ? 'request ' + e.requestId : '', e.model ? 'model ' + e.model : '', e.key ? 'key ' + e.key : '',
    e.message].filter(Boolean).join(' | ');
}

function stamp(ts) {
  return time(ts) + '.' + String(new Date(ts).getMilliseconds()).padStart(3, '0');
}

function row(e) {
  const f = e.fields || {};
  const tokens = (f.promptTokens || 0) + (f.completionTokens || 0);
  const tr = el('tr', { class: e.level, 'data-id': e.id, tabindex: 0, 'aria-selected': shown && shown.id === e.id ? 'true' : 'false' },
    el('td', {}, el('time', { datetime: e.ts }, stamp(e.ts))),
    el('td', {}, t(e.level)),
    el('td', {}, e.status ?? ''),
    el('td', {}, e.key || ''),
    el('td', {}, e.model || ''),
    el('td', {}, f.deployment || ''),
    el('td', {}, f.latencyMs !== undefined && f.latencyMs !== null ? num(f.latencyMs) : ''),
    el('td', {}, tokens ? num(tokens) : ''),
    el('td', {}, f.errorCode || e.event || (e.logger === 'aoaigw.access' ? '' : e.logger)),
    el('td', {}, e.requestId || ''));
  const open = () => openDrawer(e);
  tr.addEventListener('click', open);
  tr.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') open(); });
  return tr;
}

function openDrawer(e) {
  shown = e;
  for (const tr of document.querySelectorAll('#logs-table tbody tr')) tr.setAttribute('aria-selected', String(tr.dataset.id === String(e.id)));
  const rows = [['Time', dateTime(e.ts)], ['Level', t(e.level)], ['Logger', e.logger], ['Event', e.event || ''],
    ['Request id', e.requestId || ''], ['Status', e.status ?? ''], ['Key', e.key || ''], ['Model', e.model || '']];
  $('#logs-drawer-meta').replaceChildren(...rows.filter(([, v]) => v !== '').flatMap(([k, v]) => [el('dt', {}, t(k)), el('dd', {}, String(v))]));
  $('#logs-drawer-body').textContent = e.fields ? JSON.stringify(e.fields, null, 2) : e.message;
  $('#logs-drawer-request').hidden = !e.requestId;
  $('#logs-drawer').hidden = false;
  $('#logs-drawer-close').focus();
}

function closeDrawer() {
  shown = null;
  $('#logs-drawer').hidden = true;
}

export async function show() {
  const r = await api('GET', '/logs?' + query());
  if (!r.ok) { $('#logs-total').textContent = errorText(r); return; }
  $('#logs-total').textContent = t(r.data.total === 1 ? '{n} matching entry (buffer {cap})' : '{n} matching entries (buffer {cap})', { n: r.data.total, cap: r.data.capacity });
  const rows = r.data.items.map(row);
  $('#logs-table tbody').replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 10 }, t('no entries')))]));
}
