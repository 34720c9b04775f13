// Forms for upstreams[] and models[] on the Config tab. They edit the document held by config.js (the JSON editor
// is the "Advanced" tab): each change is written into that document at once and checked by the server's own
// validator (POST /admin/api/config/validate, debounced), whose messages are shown next to the field they name.
// Nothing is stored until "Review and save…" (diff review, then PUT with If-Match), as for the JSON editor.
// Fields the forms do not show (upstream routes, circuit breakers, disabled rules…) are kept as they are.
import { api, errorText, $, el } from './api.js';
import { t, serverText } from './i18n.js';

const ROUTE_KEYS = ['chat/completions', 'responses', 'embeddings', 'images/generations', '*'];
let host = null; // { draft, setDraft, validate, review } from config.js
let openUp = null; // { index, base, ref } of the upstream in the form (ref: the name models refer to it by)
let openModel = null; // { index, base, ref } of the model in the form (ref: the id fallbacks and keys use)
let validateTimer = null;

export function init(h) {
  host = h;
  $('#up-add').addEventListener('click', () => addItem('upstreams', { name: '', baseUrl: '' }));
  $('#mo-add').addEventListener('click', () => addItem('models', { id: '', deployments: [{ upstream: firstUpstream(), deployment: '' }] }));
  $('#up-done').addEventListener('click', () => { openUp = null; $('#up-form').hidden = true; });
  $('#mo-done').addEventListener('click', () => { openModel = null; $('#mo-form').hidden = true; });
  $('#up-form').addEventListener('input', commitUpstream);
  $('#up-form').addEventListener('change', commitUpstream);
  $('#up-auth-mode').addEventListener('change', () => showAuthFields('#up-form', $('#up-auth-mode').value));
  $('#ga-form').addEventListener('input', commitGlobalAuth);
  $('#ga-form').addEventListener('change', commitGlobalAuth);
  $('#ga-mode').addEventListener('change', () => showAuthFields('#ga-form', $('#ga-mode').value));
  $('#up-verify').addEventListener('click', verify);
  $('#mo-form').addEventListener('input', commitModel);
  $('#mo-form').addEventListener('change', commitModel);
  $('#mo-add-deployment').addEventListener('click', () => { deploymentRow({ upstream: firstUpstream(), deployment: '' }, -1); commitModel(); });
  $('#mo-add-route').addEventListener('click', () => { routeRow('chat/completions', ''); commitModel(); });
  for (const f of ['#up-form', '#mo-form', '#ga-form']) $(f).addEventListener('submit', (e) => e.preventDefault());
}

/** A document was loaded or saved: the tables and any open form show it. */
export function loaded() {
  refresh('upstreams');
  refresh('models');
}

/** Shows the draft's items in the tab's table and re-reads the open form from the draft. */
export function refresh(kind) {
  const doc = host.draft();
  if (!doc) {
    $('#config-status').textContent = t('The editor does not hold valid JSON.');
    $('#config-status').className = 'error';
    return;
  }
  if (kind === 'upstreams') {
    renderUpstreams(doc);
    fillAuth('#ga-form', '#ga-mode', doc.auth ? (doc.auth.mode || 'servicePrincipal') : 'servicePrincipal', doc.auth);
    if (openUp) {
      const u = (doc.upstreams || [])[openUp.index];
      if (u) fillUpstream(openUp.index, u); else { openUp = null; $('#up-form').hidden = true; }
    }
  } else if (kind === 'models') {
    renderModels(doc);
    if (openModel) {
      const m = (doc.models || [])[openModel.index];
      if (m) fillModel(openModel.index, m, doc); else { openModel = null; $('#mo-form').hidden = true; }
    }
  }
}

function firstUpstream() {
  const doc = host.draft();
  return doc && doc.upstreams && doc.upstreams[0] ? doc.upstreams[0].name : '';
}

function val(sel) { return $(sel).value.trim(); }

function setOrDelete(obj, field, v) {
  if (v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length)) delete obj[field]; else obj[field] = v;
}

function numberOrUndefined(v) {
  const s = String(v).trim();
  if (s === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : s; // not a number: the validator names the field
}

function addItem(kind, item) {
  const doc = host.draft();
  if (!doc) { $('#config-status').textContent = t('The editor does not hold valid JSON.'); return; }
  doc[kind] = doc[kind] || [];
  doc[kind].push(item);
  host.setDraft(doc);
  if (kind === 'upstreams') { renderUpstreams(doc); fillUpstream(doc.upstreams.length - 1, item); $('#up-name').focus(); }
  else { renderModels(doc); fillModel(doc.models.length - 1, item, doc); $('#mo-id').focus(); }
  scheduleValidate();
}

function removeItem(kind, index, label) {
  if (!confirm(t('Remove {name} from the document? Nothing is stored until you review and save.', { name: label }))) return;
  const doc = host.draft();
  if (!doc) return;
  doc[kind].splice(index, 1);
  host.setDraft(doc);
  if (kind === 'upstreams') { openUp = null; $('#up-form').hidden = true; renderUpstreams(doc); }
  else { openModel = null; $('#mo-form').hidden = true; renderModels(doc); }
  scheduleValidate();
}

function scheduleValidate() {
  clearTimeout(validateTimer);
  validateTimer = setTimeout(() => host.validate(), 500);
}

function actions(kind, index, label) {
  const edit = el('button', { type: 'button', class: 'secondary', 'aria-label': t('Edit {id}', { id: label }),
    onclick: () => {
      const doc = host.draft();
      if (!doc) return;
      if (kind === 'upstreams') { fillUpstream(index, doc.upstreams[index]); $('#up-name').focus(); }
      else { fillModel(index, doc.models[index], doc); $('#mo-id').focus(); }
    } }, t('Edit…'));
  const del = el('button', { type: 'button', class: 'danger', 'aria-label': t('Remove {name}', { name: label }),
    onclick: () => removeItem(kind, index, label) }, t('Remove'));
  return el('td', {}, edit, del);
}

// ---- upstreams ----------------------------------------------------------------------------------------------

function renderUpstreams(doc) {
  const rows = (doc.upstreams || []).map((u, i) => el('tr', { 'data-upstream': u.name || '' },
    el('td', {}, u.name || t('(unnamed)')),
    el('td', { class: 'url' }, u.baseUrl || ''),
    el('td', {}, u.apiStyle || 'v1'),
    el('td', {}, u.auth && u.auth.mode ? u.auth.mode : u.auth ? 'servicePrincipal' : t('global auth')),
    actions('upstreams', i, u.name || '#' + (i + 1))));
  $('#up-table tbody').replaceChildren(...rows);
}

function fillUpstream(index, u) {
  openUp = { index, base: structuredClone(u), ref: u.name || '' };
  $('#up-form-title').textContent = u.name ? t('Upstream {name}', { name: u.name }) : t('New upstream');
  $('#up-name').value = u.name || '';
  $('#up-baseUrl').value = u.baseUrl || '';
  $('#up-apiStyle').value = u.apiStyle === 'classic' ? 'classic' : 'v1';
  $('#up-apiVersion').value = u.apiVersion || '';
  fillAuth('#up-form', '#up-auth-mode', u.auth ? (u.auth.mode || 'servicePrincipal') : '', u.auth);
  $('#up-verify-result').textContent = '';
  clearSlots('#up-form');
  $('#up-form').hidden = false;
}

/** Writes an auth block into a form's mode select and fields, showing only the fields of its mode. */
function fillAuth(form, modeSel, mode, auth) {
  $(modeSel).value = mode;
  for (const input of document.querySelectorAll(form + ' [data-auth]')) input.value = auth ? (auth[input.dataset.auth] || '') : '';
  showAuthFields(form, mode);
}

function showAuthFields(form, mode) {
  for (const box of document.querySelectorAll(form + ' [data-modes]')) box.hidden = !box.dataset.modes.split(' ').includes(mode);
}

/** The auth block a form describes: only the fields of the chosen mode (a secret of another mode is not kept behind the operator's back). */
function buildAuth(form, mode) {
  const auth = { mode };
  for (const input of document.querySelectorAll(form + ' [data-auth]')) {
    const box = input.closest('[data-modes]');
    if (box.dataset.modes.split(' ').includes(mode) && input.value.trim() !== '') auth[input.dataset.auth] = input.value.trim();
  }
  return auth;
}

function commitGlobalAuth() {
  const doc = host.draft();
  if (!doc) return;
  doc.auth = buildAuth('#ga-form', $('#ga-mode').value);
  host.setDraft(doc);
  scheduleValidate();
}

function buildUpstream(base) {
  const u = structuredClone(base);
  setOrDelete(u, 'name', val('#up-name'));
  setOrDelete(u, 'baseUrl', val('#up-baseUrl'));
  const style = $('#up-apiStyle').value;
  if (style === 'v1' && !base.apiStyle) delete u.apiStyle; else u.apiStyle = style;
  setOrDelete(u, 'apiVersion', val('#up-apiVersion'));
  const mode = $('#up-auth-mode').value;
  if (!mode) delete u.auth; else u.auth = buildAuth('#up-form', mode);
  return u;
}

function commitUpstream() {
  if (!openUp) return;
  const doc = host.draft();
  if (!doc || !doc.upstreams || !doc.upstreams[openUp.index]) return;
  doc.upstreams[openUp.index] = buildUpstream(openUp.base);
  // a renamed upstream takes the models that used it along (not while the name is being retyped from empty)
  const name = doc.upstreams[openUp.index].name || '';
  if (openUp.ref && name && name !== openUp.ref) {
    for (const m of doc.models || []) {
      if (m.upstream === openUp.ref) m.upstream = name;
      for (const d of m.deployments || []) if (d.upstream === openUp.ref) d.upstream = name;
    }
  }
  if (name) openUp.ref = name;
  host.setDraft(doc);
  renderUpstreams(doc);
  scheduleValidate();
}

async function verify() {
  const name = val('#up-name');
  const out = $('#up-verify-result');
  out.className = 'muted';
  out.textContent = t('checking…');
  const r = await api('POST', '/upstreams/' + encodeURIComponent(name) + '/verify');
  if (r.status === 404) {
    out.textContent = t('{name} is not in effect yet: review and save first, then verify.', { name });
    out.className = 'error';
    return;
  }
  if (!r.ok) { out.textContent = errorText(r); out.className = 'error'; return; }
  const v = r.data;
  out.textContent = v.ok ? t('OK: {credential}; models endpoint {status} in {ms} ms', { credential: serverText(v.credential), status: v.status, ms: v.latencyMs })
    : t('FAILED: {error} ({credential})', { error: serverText(v.error), credential: serverText(v.credential) });
  out.className = v.ok ? 'good-text' : 'error';
}

// ---- models -------------------------------------------------------------------------------------------------

function deploymentsText(m) {
  if (m.deployments && m.deployments.length) {
    return m.deployments.map((d) => `${d.upstream}/${d.deployment} (p${d.priority ?? 0} w${d.weight ?? 1})`).join(', ');
  }
  return m.upstream ? `${m.upstream}/${m.targetModel || m.id}` : '';
}

function limitsText(l) {
  if (!l) return '';
  const parts = [];
  if (l.rpm) parts.push(t('{n} req/min', { n: l.rpm }));
  if (l.tpm) parts.push(t('{n} tokens/min', { n: l.tpm }));
  if (l.maxConcurrent) parts.push(t('{n} concurrent', { n: l.maxConcurrent }));
  return parts.join(', ');
}

function renderModels(doc) {
  const rows = (doc.models || []).map((m, i) => el('tr', { 'data-model': m.id || '' },
    el('td', {}, m.id || t('(unnamed)')),
    el('td', {}, m.family || t('guessed')),
    el('td', {}, deploymentsText(m)),
    el('td', {}, (m.fallbacks || []).join(', ')),
    el('td', {}, limitsText(m.limits)),
    actions('models', i, m.id || '#' + (i + 1))));
  $('#mo-table tbody').replaceChildren(...rows);
}

function upstreamOptions(chosen) {
  const doc = host.draft() || {};
  const names = (doc.upstreams || []).map((u) => u.name).filter(Boolean);
  if (chosen && !names.includes(chosen)) names.push(chosen);
  return names.map((n) => el('option', { value: n, selected: n === chosen }, n));
}

function removeButton(label, onclick) {
  return el('button', { type: 'button', class: 'secondary', 'aria-label': label, onclick }, '×');
}

function slot(path) { return el('p', { class: 'field-error', 'data-path': path }); }

function renumber() {
  [...$('#mo-deployments tbody').rows].forEach((row, j) => {
    for (const p of row.querySelectorAll('.field-error')) p.dataset.path = `deployments[${j}].${p.dataset.field}`;
    row.querySelector('[data-field=upstream]').setAttribute('aria-label', t('Upstream of deployment {n}', { n: j + 1 }));
    row.querySelector('[data-field=deployment]').setAttribute('aria-label', t('Deployment {n}', { n: j + 1 }));
    row.querySelector('[data-field=priority]').setAttribute('aria-label', t('Priority of deployment {n}', { n: j + 1 }));
    row.querySelector('[data-field=weight]').setAttribute('aria-label', t('Weight of deployment {n}', { n: j + 1 }));
  });
}

function deploymentRow(d, orig) {
  const cell = (field, input) => {
    input.dataset.field = field;
    const err = slot('');
    err.dataset.field = field;
    return el('td', {}, input, err);
  };
  const row = el('tr', { 'data-orig': orig },
    cell('upstream', el('select', {}, ...upstreamOptions(d.upstream))),
    cell('deployment', el('input', { value: d.deployment ?? '', autocomplete: 'off' })),
    cell('priority', el('input', { type: 'number', min: 0, step: 1, value: d.priority ?? '', placeholder: '0' })),
    cell('weight', el('input', { type: 'number', min: 1, step: 1, value: d.weight ?? '', placeholder: '1' })),
    el('td', {}, removeButton(t('Remove deployment'), () => { row.remove(); renumber(); commitModel(); })));
  $('#mo-deployments tbody').append(row);
  renumber();
}

function routeRow(key, value) {
  const sel = el('select', { 'aria-label': t('Incoming route') },
    ...[...ROUTE_KEYS, ...(ROUTE_KEYS.includes(key) ? [] : [key])].map((k) => el('option', { value: k, selected: k === key }, k)));
  const input = el('input', { value, 'aria-label': t('Sent as (route key or /path)'), autocomplete: 'off' });
  const row = el('tr', {}, el('td', {}, sel), el('td', {}, input, slot('routes.' + key)),
    el('td', {}, removeButton(t('Remove route'), () => { row.remove(); commitModel(); })));
  sel.addEventListener('change', () => { row.querySelector('.field-error').dataset.path = 'routes.' + sel.value; });
  $('#mo-routes tbody').append(row);
}

function fillModel(index, m, doc) {
  openModel = { index, base: structuredClone(m), ref: m.id || '' };
  $('#mo-form-title').textContent = m.id ? t('Model {name}', { name: m.id }) : t('New model');
  $('#mo-id').value = m.id || '';
  $('#mo-family').value = m.family || '';
  const others = (doc.models || []).map((x) => x.id).filter((id) => id && id !== m.id);
  const chosen = m.fallbacks || [];
  const ids = [...others, ...chosen.filter((x) => !others.includes(x))];
  $('#mo-fallbacks').replaceChildren(...ids.map((id) => el('option', { value: id, selected: chosen.includes(id) }, id)));
  $('#mo-deployments tbody').replaceChildren();
  if (m.deployments && m.deployments.length) m.deployments.forEach((d, j) => deploymentRow(d, j));
  else if (m.upstream !== undefined) deploymentRow({ upstream: m.upstream, deployment: m.targetModel || '' }, -1);
  $('#mo-routes tbody').replaceChildren();
  for (const [k, v] of Object.entries(m.routes || {})) routeRow(k, v);
  for (const input of document.querySelectorAll('#mo-form [data-pricing]')) input.value = m.pricing ? (m.pricing[input.dataset.pricing] ?? '') : '';
  for (const input of document.querySelectorAll('#mo-form [data-mlimit]')) input.value = m.limits ? (m.limits[input.dataset.mlimit] ?? '') : '';
  clearSlots('#mo-form');
  $('#mo-form').hidden = false;
}

function buildModel(base) {
  const m = structuredClone(base);
  setOrDelete(m, 'id', val('#mo-id'));
  setOrDelete(m, 'family', $('#mo-family').value);
  setOrDelete(m, 'fallbacks', [...$('#mo-fallbacks').selectedOptions].map((o) => o.value));
  const rows = [...$('#mo-deployments tbody').rows].map((row) => {
    const orig = Number(row.dataset.orig);
    const d = orig >= 0 && base.deployments && base.deployments[orig] ? structuredClone(base.deployments[orig]) : {};
    const get = (f) => row.querySelector(`[data-field=${f}]`).value.trim();
    setOrDelete(d, 'upstream', get('upstream'));
    setOrDelete(d, 'deployment', get('deployment'));
    setOrDelete(d, 'priority', numberOrUndefined(get('priority')));
    setOrDelete(d, 'weight', numberOrUndefined(get('weight')));
    return d;
  });
  // a model written with the single-deployment shorthand stays so while the form still describes one plain deployment
  const plain = rows.length === 1 && Object.keys(rows[0]).every((k) => k === 'upstream' || k === 'deployment');
  if (base.upstream !== undefined && !base.deployments && plain) {
    delete m.deployments;
    m.upstream = rows[0].upstream || '';
    if (rows[0].deployment && rows[0].deployment !== m.id) m.targetModel = rows[0].deployment; else delete m.targetModel;
  } else {
    delete m.upstream;
    delete m.targetModel;
    setOrDelete(m, 'deployments', rows);
  }
  const routes = {};
  for (const row of $('#mo-routes tbody').rows) routes[row.querySelector('select').value] = row.querySelector('input').value.trim();
  setOrDelete(m, 'routes', Object.keys(routes).length ? routes : undefined);
  const pricing = {};
  for (const input of document.querySelectorAll('#mo-form [data-pricing]')) {
    const v = input.dataset.pricing === 'currency' ? input.value.trim() || undefined : numberOrUndefined(input.value);
    if (v !== undefined) pricing[input.dataset.pricing] = v;
  }
  setOrDelete(m, 'pricing', Object.keys(pricing).length ? pricing : undefined);
  const limits = {};
  for (const input of document.querySelectorAll('#mo-form [data-mlimit]')) {
    const v = numberOrUndefined(input.value);
    if (v !== undefined) limits[input.dataset.mlimit] = v;
  }
  setOrDelete(m, 'limits', Object.keys(limits).length ? limits : undefined);
  return m;
}

function commitModel() {
  if (!openModel) return;
  const doc = host.draft();
  if (!doc || !doc.models || !doc.models[openModel.index]) return;
  doc.models[openModel.index] = buildModel(openModel.base);
  // a renamed model stays the fallback of other models and in the keys' allowlists
  const id = doc.models[openModel.index].id || '';
  if (openModel.ref && id && id !== openModel.ref) {
    const swap = (list) => (list || []).map((x) => (x === openModel.ref ? id : x));
    for (const m of doc.models) if (m.fallbacks) m.fallbacks = swap(m.fallbacks);
    for (const k of doc.apiKeys || []) if (k.models) k.models = swap(k.models);
  }
  if (id) openModel.ref = id;
  host.setDraft(doc);
  renderModels(doc);
  scheduleValidate();
}

// ---- the validator's messages next to their fields ----------------------------------------------------------

function clearSlots(form) {
  for (const p of document.querySelectorAll(form + ' .field-error')) { p.textContent = ''; p.classList.remove('warning'); }
  for (const i of document.querySelectorAll(form + ' .invalid')) i.classList.remove('invalid');
}

/** The closest slot for a path inside an item: the field, else its parent (deployments[1].weight → deployments[1] → deployments), else the item. */
function findSlot(form, rel) {
  const alias = { upstream: 'deployments[0].upstream', targetModel: 'deployments[0].deployment' };
  let p = alias[rel] || rel;
  for (;;) {
    const s = document.querySelector(`${form} .field-error[data-path="${CSS.escape(p)}"]`);
    if (s) return s;
    if (p === '') return null;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    p = cut > 0 ? p.slice(0, cut) : '';
  }
}

/**
 * Puts each validator message about the item open in a form next to its field.
 *
 * @returns the messages that have no field on screen (shown in the list under the forms)
 */
export function placeProblems(details) {
  clearSlots('#up-form');
  clearSlots('#mo-form');
  clearSlots('#ga-form');
  const rest = [];
  for (const d of details) {
    const g = /^auth(?:\.(.*))?$/.exec(d.path || '');
    if (g) {
      const s = findSlot('#ga-form', g[1] || '');
      if (!s) { rest.push(d); continue; }
      put(s, d);
      if (d.severity !== 'warning') $('#ga-box').open = true;
      continue;
    }
    const m = /^(upstreams|models)\[(\d+)\](?:\.(.*))?$/.exec(d.path || '');
    const open = m && (m[1] === 'upstreams' ? openUp : openModel);
    const form = m && (m[1] === 'upstreams' ? '#up-form' : '#mo-form');
    const s = open && !$(form).hidden && Number(m[2]) === open.index ? findSlot(form, m[3] || '') : null;
    if (!s) { rest.push(d); continue; }
    put(s, d);
  }
  return rest;
}

function put(s, d) {
  const text = serverText(d.message);
  s.textContent = s.textContent ? s.textContent + '; ' + text : text;
  if (d.severity === 'warning') { s.classList.add('warning'); return; }
  const box = s.parentElement;
  const input = box && (box.tagName === 'TD' || box.tagName === 'DIV') ? box.querySelector('input, select') : null;
  if (input) input.classList.add('invalid');
}
