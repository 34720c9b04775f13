// Logs: filters, the newest entries first, "filter by this request", "copy summary", and a polling live tail.
import { api, errorText, $, el, copyText, toast } from './api.js';
import { t, time } from './i18n.js';

let tail = null;

export function init() {
  $('#logs-form').addEventListener('submit', (e) => { e.preventDefault(); show(); });
  $('#logs-tail').addEventListener('change', () => {
    clearInterval(tail);
    tail = $('#logs-tail').checked ? setInterval(show, 3000) : null;
  });
}

export function hide() {
  clearInterval(tail);
  tail = null;
  $('#logs-tail').checked = false;
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

export async function show() {
  const r = await api('GET', '/logs?' + query());
  if (!r.ok) { $('#logs-total').textContent = errorText(r); return; }
  $('#logs-total').textContent = t(r.data.total === 1 ? '{n} matching entry (buffer {cap})' : '{n} matching entries (buffer {cap})', { n: r.data.total, cap: r.data.capacity });
  $('#logs-list').replaceChildren(...r.data.items.map((e) => {
    const copy = el('button', { type: 'button', class: 'secondary', 'aria-label': t('Copy summary of entry {id}', { id: e.id }),
      onclick: async () => toast((await copyText(summary(e))) ? t('Summary copied') : t('Copy failed')) }, t('Copy summary'));
    const byRequest = e.requestId ? el('button', { type: 'button', class: 'secondary',
      onclick: () => { $('#logs-request').value = e.requestId; show(); } }, t('This request only')) : null;
    return el('li', { class: e.level, 'data-id': e.id },
      el('div', { class: 'meta' }, el('span', { class: 'lvl' }, e.level),
        el('time', { datetime: e.ts }, time(e.ts) + '.' + String(new Date(e.ts).getMilliseconds()).padStart(3, '0')),
        el('span', {}, e.event || e.logger),
        e.status ? el('span', {}, t('status {s}', { s: String(e.status) })) : null,
        e.requestId ? el('span', {}, t('req {id}', { id: e.requestId })) : null,
        e.model ? el('span', {}, t('model {m}', { m: e.model })) : null,
        e.key ? el('span', {}, t('key {k}', { k: e.key })) : null,
        copy, byRequest),
      el('p', { class: 'msg' }, e.message));
  }));
}
