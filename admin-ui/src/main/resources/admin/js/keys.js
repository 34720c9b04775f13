// Client keys: create (shown once, with a copy button; owner, note, expiry and limits in the same write),
// disable/enable, delete, and a form per key for its models, owner, note, expiry and limits (apiKeys[].limits),
// saved into the stored config through a diff review and If-Match, with the key's usage against each limit
// (GET /admin/api/limits/keys/{id}).
import { api, errorWithDetails, errorText, $, el, copyText, toast } from './api.js';
import { t, num, dateTime, serverText, tv } from './i18n.js';

const LIMITS = ['rpm', 'tpm', 'maxConcurrent', 'tokensPerDay', 'tokensPerMonth', 'budgetPerMonth'];
let modelIds = [];
let editing = null;
let reviewed = null; // { doc, etag } shown in the edit form's diff review, saved by "Save these changes"

export function init() {
  $('#key-form').addEventListener('submit', create);
  $('#key-copy').addEventListener('click', async () => {
    toast((await copyText($('#key-value').textContent)) ? t('Key copied') : t('Copy failed; select the key by hand'));
  });
  $('#key-edit').addEventListener('submit', (e) => { e.preventDefault(); saveEdit(); });
  $('#ke-cancel').addEventListener('click', closeEdit);
  $('#ke-confirm').addEventListener('click', confirmEdit);
  $('#ke-usage-refresh').addEventListener('click', () => { if (editing) showUsage(editing); });
  // a change after the review makes the review stale: review again
  $('#key-edit').addEventListener('input', hideReview);
}

function hideReview() {
  reviewed = null;
  $('#ke-review').hidden = true;
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

/** The owner, note, expiry and limits of a key form (create: #key-form, edit: #key-edit); emptied fields left out. */
function extras(form, prefix) {
  const out = {};
  const owner = $(`#${prefix}-owner`).value.trim();
  const note = $(`#${prefix}-note`).value.trim();
  const expiresAt = fromLocalInput($(`#${prefix}-expires`).value);
  if (owner) out.owner = owner;
  if (note) out.note = note;
  if (expiresAt) out.expiresAt = expiresAt;
  const limits = {};
  for (const input of document.querySelectorAll(`${form} [data-limit]`)) {
    const v = input.value.trim();
    if (v !== '') limits[input.dataset.limit] = Number(v);
  }
  if (Object.keys(limits).length) out.limits = limits;
  return out;
}

async function create(ev) {
  ev.preventDefault();
  clearCreated();
  clearFieldErrors('#key-form');
  const models = selected($('#key-models'));
  const r = await api('POST', '/keys', { id: $('#key-id').value.trim(), models, ...extras('#key-form', 'kc') });
  if (!r.ok) {
    placeProblems('#key-form', /^apiKeys\[\d+\]\./, r.data && r.data.error ? r.data.error.details : []);
    message(errorWithDetails(r), true);
    return;
  }
  $('#key-value').textContent = r.data.key;
  $('#key-created').hidden = false;
  message(t('Key {id} created.', { id: r.data.id }), false);
  $('#key-id').value = '';
  for (const o of $('#key-models').options) o.selected = false;
  for (const i of document.querySelectorAll('#key-form input:not(#key-id)')) i.value = '';
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

/** One line per key: requests this minute (of the limit), tokens today and this month, cost this month. */
function usageText(u) {
  if (!u) return '';
  const of = (m) => num(m.used) + (m.limit === null ? '' : ' / ' + num(m.limit));
  return t('{rpm} req · {day} tokens · {month} tokens · {cost}', { rpm: of(u.requestsPerMinute), day: of(u.tokensToday),
    month: of(u.tokensThisMonth), cost: num(u.costThisMonth, { maximumFractionDigits: 4 }) + ' ' + u.currency });
}

async function list() {
  const [r, c, lim] = await Promise.all([api('GET', '/keys'), api('GET', '/config'), api('GET', '/limits')]);
  const usage = new Map(lim.ok ? (lim.data.keys || []).map((k) => [k.id, k.usage]) : []);
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
      el('td', { class: 'usage' }, usageText(usage.get(k.id))),
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

function clearFieldErrors(form) {
  for (const p of document.querySelectorAll(form + ' .field-error')) p.textContent = '';
  for (const i of document.querySelectorAll(form + ' .invalid')) i.classList.remove('invalid');
  if (form === '#key-edit') $('#ke-messages').replaceChildren();
}

async function openEdit(id) {
  clearCreated();
  const c = await api('GET', '/config');
  if (!c.ok) { message(errorText(c), true); return; }
  const k = (c.data.config.apiKeys || []).find((x) => x.id === id);
  if (!k) { message(t('Key {id} no longer exists.', { id }), true); return; }
  editing = id;
  modelIds = (c.data.config.models || []).map((m) => m.id);
  clearFieldErrors('#key-edit');
  hideReview();
  $('#key-edit-title').textContent = t('Edit key {id}', { id });
  fillModels($('#ke-models'), k.models || []);
  $('#ke-owner').value = k.owner || '';
  $('#ke-note').value = k.note || '';
  $('#ke-expires').value = toLocalInput(k.expiresAt);
  const l = k.limits || {};
  for (const input of document.querySelectorAll('#key-edit [data-limit]')) input.value = l[input.dataset.limit] ?? '';
  $('#ke-status').textContent = '';
  $('#key-edit').hidden = false;
  await showUsage(id);
  $('#ke-models').focus();
}


function closeEdit() {
  editing = null;
  hideReview();
  $('#key-edit').hidden = true;
}

/** The key's usage in each window against its limit, its tokens and cost this day and month, and the budget left. */
async function showUsage(id) {
  const r = await api('GET', '/limits/keys/' + encodeURIComponent(id));
  if (!r.ok) {
    $('#ke-usage tbody').replaceChildren(el('tr', {}, el('td', { colspan: 4, class: 'error' }, errorText(r))));
    $('#ke-cost').replaceChildren();
    return;
  }
  const u = r.data.usage;
  const windows = [
    ['requestsPerMinute', t('Requests in the last minute')],
    ['tokensPerMinute', t('Tokens in the last minute')],
    ['concurrent', t('Requests in flight')],
    ['tokensToday', t('Tokens today (UTC)')],
    ['tokensThisMonth', t('Tokens this month (UTC)')],
  ];
  $('#ke-usage tbody').replaceChildren(...windows.map(([field, label]) => {
    const m = u[field] || { used: 0, limit: null };
    const full = m.limit !== null && m.used >= m.limit;
    return el('tr', { 'data-window': field },
      el('th', { scope: 'row' }, label),
      el('td', { class: 'used' + (full ? ' over' : '') }, num(m.used)),
      el('td', { class: 'limit' }, m.limit === null ? t('unlimited') : num(m.limit)),
      el('td', {}, m.limit === null ? '' : el('meter', { min: 0, max: m.limit, value: Math.min(m.used, m.limit),
        'aria-label': t('{used} of {limit}', { used: num(m.used), limit: num(m.limit) }) })));
  }));
  const money = (v) => num(v, { maximumFractionDigits: 6 }) + ' ' + u.currency;
  const rows = [
    [t('Cost today (UTC)'), money(u.costToday)],
    [t('Cost this month (UTC)'), money(u.costThisMonth)],
    [t('Budget left this month'), u.budgetPerMonth === null ? t('no budget')
      : t('{left} of {budget}', { left: money(u.budgetRemaining), budget: money(u.budgetPerMonth) })],
    [t('Status'), tv(r.data.status) + (r.data.expired ? ' · ' + t('expired') : '')],
  ];
  $('#ke-cost').replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', { 'data-field': k }, v)]));
}

/** Writes the form over a stored apiKeys[] entry; an emptied field is removed (unlimited, never, none). */
function patch(entry) {
  const k = structuredClone(entry);
  const set = (field, v) => { if (v === undefined || v === '' || (Array.isArray(v) && !v.length)) delete k[field]; else k[field] = v; };
  set('models', selected($('#ke-models')));
  const x = extras('#key-edit', 'ke');
  for (const f of ['owner', 'note', 'expiresAt']) set(f, x[f]);
  // limits the form does not show are kept
  const limits = { ...(k.limits || {}) };
  for (const input of document.querySelectorAll('#key-edit [data-limit]')) delete limits[input.dataset.limit];
  Object.assign(limits, x.limits || {});
  set('limits', Object.keys(limits).length ? limits : undefined);
  return k;
}

/**
 * Puts each validator message whose path matches prefix (apiKeys[i].) next to its field in the form.
 *
 * @returns the messages with no field
 */
function placeProblems(form, prefix, details) {
  const rest = [];
  for (const d of details || []) {
    if (d.severity === 'warning') continue;
    const m = prefix.exec(d.path || '');
    const path = m ? d.path.slice(m[0].length).replace(/\[\d+\]$/, '') : null;
    const slot = path && document.querySelector(`${form} .field-error[data-path="${path}"]`);
    if (slot) {
      slot.textContent = serverText(d.message);
      const input = slot.parentElement.querySelector('input, select');
      if (input) input.classList.add('invalid');
    } else {
      rest.push(d);
    }
  }
  return rest;
}

function showProblems(index, details) {
  const general = placeProblems('#key-edit', new RegExp(`^apiKeys\\[${index}\\]\\.`), details);
  $('#ke-messages').replaceChildren(...general.map((d) => el('li', { class: 'error' }, el('code', {}, d.path || '$'), ' ', serverText(d.message))));
}

function editStatus(text, isError) {
  $('#ke-status').textContent = text;
  $('#ke-status').className = isError ? 'error' : '';
}

/**
 * Applies the form to the newest stored document (a key's settings re-apply cleanly over someone else's change),
 * checks it with the server's validator, and shows the diff to confirm; the save then sends If-Match on the
 * version reviewed.
 */
async function saveEdit() {
  clearCreated();
  clearFieldErrors('#key-edit');
  hideReview();
  editStatus('', false);
  const id = editing;
  const cur = await api('GET', '/config');
  if (!cur.ok) { editStatus(errorText(cur), true); return; }
  const doc = cur.data.config;
  const index = (doc.apiKeys || []).findIndex((x) => x.id === id);
  if (index < 0) { editStatus(t('Key {id} no longer exists.', { id }), true); return; }
  doc.apiKeys[index] = patch(doc.apiKeys[index]);
  const v = await api('POST', '/config/validate', doc);
  if (!v.ok) { editStatus(t('Not saved: ') + errorText(v), true); return; }
  if (!v.data.valid) {
    showProblems(index, v.data.details);
    editStatus(t('Not saved: fix the fields marked below.'), true);
    return;
  }
  const d = await api('POST', '/config/diff', doc);
  if (!d.ok) { editStatus(t('Not saved: ') + errorText(d), true); return; }
  reviewed = { doc, etag: cur.data.etag, index };
  const show = (x) => (x === null || x === undefined ? '' : JSON.stringify(x));
  $('#ke-diff').replaceChildren(...(d.data.changes.length ? d.data.changes.map((c) => el('li', { class: c.kind },
    c.kind === 'added' ? '+ ' : c.kind === 'removed' ? '- ' : '~ ', el('code', {}, c.path), ' ',
    c.kind === 'added' ? show(c.new) : c.kind === 'removed' ? show(c.old) : `${show(c.old)} → ${show(c.new)}`))
    : [el('li', {}, t('no differences'))]));
  $('#ke-review').hidden = false;
  editStatus(t('Review the changes, then save them.'), false);
  $('#ke-confirm').focus();
}

async function confirmEdit() {
  if (!reviewed) return;
  const { doc, etag, index } = reviewed;
  const id = editing;
  const r = await api('PUT', '/config', doc, { 'If-Match': '"' + etag + '"' });
  hideReview();
  if (r.status === 409) {
    editStatus(t('Not saved: someone else saved first. Review again to apply your changes to their version.'), true);
    return;
  }
  if (!r.ok) {
    showProblems(index, r.data && r.data.error ? r.data.error.details : []);
    editStatus(t('Not saved: ') + errorText(r), true);
    return;
  }
  editStatus(t('Saved key {id}.', { id }), false);
  toast(t('Saved key {id}.', { id }));
  list();
  showUsage(id);
}
