// Client keys: create (shown once, with a copy button), disable/enable, delete, and a form per key for its models,
// owner, note, expiry and limits (apiKeys[].limits), saved into the stored config with If-Match.
import { api, errorWithDetails, errorText, $, el, copyText, toast } from './api.js';
import { t, num, dateTime, serverText } from './i18n.js';

const LIMITS = ['rpm', 'tpm', 'maxConcurrent', 'tokensPerDay', 'tokensPerMonth', 'budgetPerMonth'];
let modelIds = [];
let editing = null;

export function init() {
  $('#key-form').addEventListener('submit', create);
  $('#key-copy').addEventListener('click', async () => {
    toast((await copyText($('#key-value').textContent)) ? t('Key copied') : t('Copy failed; select the key by hand'));
  });
  $('#key-edit').addEventListener('submit', (e) => { e.preventDefault(); saveEdit(); });
  $('#ke-cancel').addEventListener('click', closeEdit);
}

export function show() {
  clearCreated();
  list();
}

export function hide() {
  clearCreated();
}

// The new key is shown until the next action on this tab (or leaving it): it must not linger on screen.
function clearCreated() {
  $('#key-created').hidden = true;
  $('#key-value').textContent = '';
}

function message(text, isError) {
  $('#key-message').textContent = text;
  $('#key-message').className = isError ? 'error' : '';
}

function selected(sel) {
  return [...sel.selectedOptions].map((o) => o.value);
}

function fillModels(sel, chosen) {
  // a model the key names but the config no longer has stays listed, so saving does not drop it silently
  const ids = [...modelIds, ...chosen.filter((m) => !modelIds.includes(m))];
  sel.replaceChildren(...ids.map((m) => el('option', { value: m, selected: chosen.includes(m) }, m)));
}

async function create(ev) {
  ev.preventDefault();
  clearCreated();
  const models = selected($('#key-models'));
  const r = await api('POST', '/keys', { id: $('#key-id').value.trim(), models });
  if (!r.ok) { message(errorWithDetails(r), true); return; }
  $('#key-value').textContent = r.data.key;
  $('#key-created').hidden = false;
  message(t('Key {id} created.', { id: r.data.id }), false);
  $('#key-id').value = '';
  for (const o of $('#key-models').options) o.selected = false;
  $('#key-copy').focus();
  list();
}

async function action(method, path, body, done) {
  clearCreated();
  const r = await api(method, path, body);
  if (!r.ok) { message(errorWithDetails(r), true); return; }
  message(done, false);
  list();
}

function limitsText(l) {
  if (!l) return t('none');
  const parts = [];
  if (l.rpm) parts.push(t('{n} req/min', { n: l.rpm }));
  if (l.tpm) parts.push(t('{n} tokens/min', { n: l.tpm }));
  if (l.maxConcurrent) parts.push(t('{n} concurrent', { n: l.maxConcurrent }));
  if (l.tokensPerDay) parts.push(t('{n} tokens/day', { n: l.tokensPerDay }));
  if (l.tokensPerMonth) parts.push(t('{n} tokens/month', { n: l.tokensPerMonth }));
  if (l.budgetPerMonth) parts.push(t('budget {n}/month', { n: l.budgetPerMonth }));
  return parts.length ? parts.join(', ') : t('none');
}

async function list() {
  const [r, c] = await Promise.all([api('GET', '/keys'), api('GET', '/config')]);
  if (!r.ok) { message(errorWithDetails(r), true); return; }
  const stored = c.ok ? (c.data.config.apiKeys || []) : [];
  modelIds = c.ok ? (c.data.config.models || []).map((m) => m.id) : [];
  const chosen = selected($('#key-models'));
  fillModels($('#key-models'), chosen.filter((m) => modelIds.includes(m)));
  const tbody = $('#keys-table tbody');
  tbody.replaceChildren(...r.data.keys.map((k) => {
    const raw = stored.find((x) => x.id === k.id) || {};
    const id = encodeURIComponent(k.id);
    const edit = el('button', { type: 'button', class: 'secondary', 'aria-label': t('Edit {id}', { id: k.id }),
      onclick: () => openEdit(k.id) }, t('Edit…'));
    const toggle = k.status === 'active'
      ? el('button', { type: 'button', class: 'secondary', 'aria-label': t('Disable {id}', { id: k.id }),
        onclick: () => action('POST', `/keys/${id}/disable`, undefined, t('Key {id} disabled.', { id: k.id })) }, t('Disable'))
      : el('button', { type: 'button', class: 'secondary', 'aria-label': t('Enable {id}', { id: k.id }),
        onclick: () => action('POST', `/keys/${id}/enable`, undefined, t('Key {id} enabled.', { id: k.id })) }, t('Enable'));
    const del = el('button', { type: 'button', class: 'danger', 'aria-label': t('Delete {id}', { id: k.id }),
      onclick: () => { if (confirm(t('Delete key {id}? Clients using it stop working.', { id: k.id }))) action('DELETE', `/keys/${id}`, undefined, t('Key {id} deleted.', { id: k.id })); } }, t('Delete'));
    return el('tr', { 'data-key': k.id }, el('td', {}, k.id), el('td', {}, t(k.status)),
      // the stored entry: a save through PUT /config is in effect a moment later
      el('td', {}, (raw.models || k.models).length ? (raw.models || k.models).join(', ') : t('all')),
      el('td', {}, raw.owner || ''),
      el('td', { class: 'limits' }, limitsText(raw.limits)),
      el('td', {}, raw.expiresAt ? dateTime(raw.expiresAt) : t('never')),
      el('td', {}, k.reference ? t('env reference') : k.hashed ? t('hash') : t('plain text')),
      el('td', {}, edit, toggle, del));
  }));
  if (editing && !r.data.keys.some((k) => k.id === editing)) closeEdit();
}

// ---- the edit form ------------------------------------------------------------------------------------------

function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().slice(0, 19);
}

function fromLocalInput(v) {
  if (!v) return undefined;
  return (v.length === 16 ? v + ':00' : v) + 'Z';
}

function clearFieldErrors() {
  for (const p of document.querySelectorAll('#key-edit .field-error')) p.textContent = '';
  for (const i of document.querySelectorAll('#key-edit .invalid')) i.classList.remove('invalid');
  $('#ke-messages').replaceChildren();
}

async function openEdit(id) {
  clearCreated();
  const c = await api('GET', '/config');
  if (!c.ok) { message(errorText(c), true); return; }
  const k = (c.data.config.apiKeys || []).find((x) => x.id === id);
  if (!k) { message(t('Key {id} no longer exists.', { id }), true); return; }
  editing = id;
  modelIds = (c.data.config.models || []).map((m) => m.id);
  clearFieldErrors();
  $('#key-edit-title').textContent = t('Edit key {id}', { id });
  fillModels($('#ke-models'), k.models || []);
  $('#ke-owner').value = k.owner || '';
  $('#ke-note').value = k.note || '';
  $('#ke-expires').value = toLocalInput(k.expiresAt);
  const l = k.limits || {};
  for (const input of document.querySelectorAll('#key-edit [data-limit]')) input.value = l[input.dataset.limit] ?? '';
  $('#ke-status').textContent = '';
  $('#key-edit').hidden = false;
  await showUsage(id, l);
  $('#ke-models').focus();
}

function closeEdit() {
  editing = null;
  $('#key-edit').hidden = true;
}

/** Usage of the key from the statistics the proxy keeps (since start and last hour), next to its limits. */
async function showUsage(id, limits) {
  const [all, hour] = await Promise.all([api('GET', '/stats?window=all'), api('GET', '/stats?window=1h')]);
  const a = all.ok ? all.data.byKey[id] : null;
  const h = hour.ok ? hour.data.byKey[id] : null;
  const tokens = (s) => (s ? s.promptTokens + s.completionTokens : 0);
  const rows = [
    [t('Requests in the last hour'), num(h ? h.requests : 0)],
    [t('Tokens in the last hour'), num(tokens(h))],
    [t('Requests since the proxy started'), num(a ? a.requests : 0)],
    [t('Tokens since the proxy started'), num(tokens(a)) + (limits.tokensPerMonth ? ' / ' + num(limits.tokensPerMonth) + ' ' + t('per month') : '')],
  ];
  $('#ke-usage').replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

/** Writes the form over a stored apiKeys[] entry; an emptied field is removed (unlimited, never, none). */
function patch(entry) {
  const k = structuredClone(entry);
  const set = (field, v) => { if (v === undefined || v === '' || (Array.isArray(v) && !v.length)) delete k[field]; else k[field] = v; };
  set('models', selected($('#ke-models')));
  set('owner', $('#ke-owner').value.trim());
  set('note', $('#ke-note').value.trim());
  set('expiresAt', fromLocalInput($('#ke-expires').value));
  const limits = { ...(k.limits || {}) };
  for (const input of document.querySelectorAll('#key-edit [data-limit]')) {
    const v = input.value.trim();
    if (v === '') delete limits[input.dataset.limit]; else limits[input.dataset.limit] = Number(v);
  }
  set('limits', Object.keys(limits).length ? limits : undefined);
  return k;
}

function showProblems(index, details) {
  const prefix = `apiKeys[${index}].`;
  const general = [];
  for (const d of details || []) {
    if (d.severity === 'warning') continue;
    const path = (d.path || '').startsWith(prefix) ? d.path.slice(prefix.length).replace(/\[\d+\]$/, '') : null;
    const slot = path && document.querySelector(`#key-edit .field-error[data-path="${path}"]`);
    if (slot) {
      slot.textContent = serverText(d.message);
      const input = slot.parentElement.querySelector('input, select');
      if (input) input.classList.add('invalid');
    } else {
      general.push(d);
    }
  }
  $('#ke-messages').replaceChildren(...general.map((d) => el('li', { class: 'error' }, el('code', {}, d.path || '$'), ' ', serverText(d.message))));
}

async function saveEdit() {
  clearCreated();
  clearFieldErrors();
  $('#ke-status').textContent = '';
  const id = editing;
  const cur = await api('GET', '/config');
  if (!cur.ok) { $('#ke-status').textContent = errorText(cur); return; }
  const doc = cur.data.config;
  const index = (doc.apiKeys || []).findIndex((x) => x.id === id);
  if (index < 0) { $('#ke-status').textContent = t('Key {id} no longer exists.', { id }); return; }
  doc.apiKeys[index] = patch(doc.apiKeys[index]);
  const r = await api('PUT', '/config', doc, { 'If-Match': '"' + cur.data.etag + '"' });
  if (!r.ok) {
    showProblems(index, r.data && r.data.error ? r.data.error.details : []);
    $('#ke-status').textContent = t('Not saved: ') + errorText(r);
    $('#ke-status').className = 'error';
    return;
  }
  $('#ke-status').textContent = t('Saved key {id}.', { id });
  $('#ke-status').className = '';
  toast(t('Saved key {id}.', { id }));
  list();
}
