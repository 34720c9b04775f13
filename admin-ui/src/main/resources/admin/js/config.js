// Config editor: load, validate (with JSON paths), diff preview before save, and conflict handling on 409.
// The document being edited lives in the JSON editor (the "Advanced" tab); the forms (config-forms.js) read and
// write it through draft()/setDraft(), so every save, from a form or the JSON, goes through the same diff review
// and If-Match.
import { api, errorText, $, el, problemsList, toast } from './api.js';
import { t, serverText } from './i18n.js';
import * as forms from './config-forms.js';

let loadedText = '';
let etag = null;
let theirEtag = null;

/** The document being edited, or null when the JSON editor does not hold valid JSON. */
export function draft() {
  try { return JSON.parse($('#config-editor').value); } catch { return null; }
}

/** Replaces the document being edited (a form changed it); nothing is stored until review and save. */
export function setDraft(doc) {
  $('#config-editor').value = JSON.stringify(doc, null, 2);
  markDirty();
}

/** The validator's messages: those a form can show next to its field go there, the rest in the list. */
function showDetails(details) {
  problemsList($('#config-messages'), forms.placeProblems(details || []));
}

/** Validates the document being edited with the server's validator; true when it has no errors. */
export async function validateDraft() {
  return validate();
}

/** Opens the diff review of the document being edited. */
export function reviewDraft() {
  return review();
}

function selectTab(name) {
  for (const b of document.querySelectorAll('[data-cfgtab]')) b.setAttribute('aria-selected', String(b.dataset.cfgtab === name));
  for (const p of document.querySelectorAll('.cfgpane')) p.hidden = p.id !== 'cfg-' + name;
  if (name !== 'advanced') forms.refresh(name);
}

export function init() {
  $('#config-editor').addEventListener('input', markDirty);
  $('#config-load').addEventListener('click', () => load(true));
  $('#config-reload').addEventListener('click', reloadFromStore);
  $('#config-validate').addEventListener('click', validate);
  $('#config-save').addEventListener('click', review);
  $('#config-confirm-save').addEventListener('click', () => save(etag));
  $('#config-cancel-save').addEventListener('click', () => { $('#config-review').hidden = true; });
  $('#config-conflict').hidden = true;
  $('#conflict-reload').addEventListener('click', () => load(true));
  $('#conflict-overwrite').addEventListener('click', () => save(theirEtag));
  for (const b of document.querySelectorAll('[data-cfgtab]')) b.addEventListener('click', () => selectTab(b.dataset.cfgtab));
  forms.init({ draft, setDraft, validate: validateDraft, review: reviewDraft });
}

export function show() {
  if (!loadedText || !dirty()) load(false);
}

function dirty() { return $('#config-editor').value !== loadedText; }

function markDirty() {
  const b = $('#config-dirty');
  b.textContent = dirty() ? t('modified') : t('clean');
  b.className = 'badge' + (dirty() ? ' dirty' : '');
}

function status(text, isError) {
  const s = $('#config-status');
  s.textContent = text;
  s.className = isError ? 'error' : '';
}

export async function load(force) {
  if (!force && dirty()) return;
  const r = await api('GET', '/config');
  if (!r.ok) { status(errorText(r), true); return; }
  etag = r.data.etag;
  loadedText = JSON.stringify(r.data.config, null, 2);
  $('#config-editor').value = loadedText;
  $('#config-etag').textContent = t('etag {etag}…', { etag: etag.slice(0, 12) });
  $('#config-review').hidden = true;
  $('#config-conflict').hidden = true;
  showDetails(r.data.warnings);
  forms.loaded();
  status(r.data.refused ? t('The stored config is refused by the validator; the last good one is in effect.') : t('Loaded.'), !!r.data.refused);
  markDirty();
}

function parseEditor() {
  try {
    return JSON.parse($('#config-editor').value);
  } catch (e) {
    problemsList($('#config-messages'), [{ path: '$', message: t('not valid JSON: ') + e.message, severity: 'error' }]);
    status(t('The editor does not hold valid JSON.'), true);
    return null;
  }
}

let validations = 0;

async function validate() {
  const doc = parseEditor();
  if (!doc) return false;
  const mine = ++validations;
  const r = await api('POST', '/config/validate', doc);
  if (!r.ok) { status(errorText(r), true); return false; }
  if (mine !== validations) return r.data.valid; // a newer check of a newer draft will show its own messages
  showDetails(r.data.details);
  status(r.data.valid ? t('Valid ({n} warning(s)).', { n: r.data.details.length }) : t('Invalid: fix the errors marked at their fields or listed below.'), !r.data.valid);
  return r.data.valid;
}

function renderDiff(ul, changes) {
  const show = (v) => (v === null || v === undefined ? '' : JSON.stringify(v));
  ul.replaceChildren(...changes.map((c) => el('li', { class: c.kind },
    c.kind === 'added' ? '+ ' : c.kind === 'removed' ? '- ' : '~ ', el('code', {}, c.path), ' ',
    c.kind === 'added' ? show(c.new) : c.kind === 'removed' ? show(c.old) : `${show(c.old)} → ${show(c.new)}`)));
  if (!changes.length) ul.replaceChildren(el('li', {}, t('no differences')));
}

async function review() {
  if (!(await validate())) return;
  const r = await api('POST', '/config/diff', parseEditor());
  if (!r.ok) { status(errorText(r), true); return; }
  renderDiff($('#config-diff'), r.data.changes);
  $('#config-review').hidden = false;
  $('#config-review').scrollIntoView({ block: 'nearest' });
  $('#config-confirm-save').focus();
}

async function save(basedOn) {
  const doc = parseEditor();
  if (!doc) return;
  const r = await api('PUT', '/config', doc, { 'If-Match': '"' + basedOn + '"' });
  $('#config-review').hidden = true;
  if (r.status === 409) {
    theirEtag = r.data.etag;
    $('#conflict-etag').textContent = theirEtag;
    const d = await api('POST', '/config/diff', doc);
    renderDiff($('#conflict-diff'), d.ok ? d.data.changes : []);
    $('#config-conflict').hidden = false;
    status(t('Not saved: someone else saved first. Review the differences below.'), true);
    $('#conflict-reload').focus();
    return;
  }
  if (!r.ok) {
    showDetails(r.data && r.data.error ? r.data.error.details : []);
    status(t('Not saved: ') + errorText(r), true);
    return;
  }
  $('#config-conflict').hidden = true;
  etag = r.data.etag;
  loadedText = JSON.stringify(r.data.config, null, 2);
  $('#config-editor').value = loadedText;
  $('#config-etag').textContent = t('etag {etag}…', { etag: etag.slice(0, 12) });
  showDetails(r.data.warnings);
  forms.loaded();
  status(t('Saved (etag {etag}, persistence {p}).', { etag, p: serverText(r.data.persistence) }), false);
  markDirty();
  toast(r.data.reloginRequired ? t('Config saved; the admin credentials changed, sign in again') : t('Config saved'));
  if (r.data.reloginRequired) await api('GET', '/session');
}

async function reloadFromStore() {
  const r = await api('POST', '/reload');
  if (!r.ok) {
    problemsList($('#config-messages'), r.data && r.data.error ? r.data.error.details : []);
    status(t('Reload refused: ') + errorText(r), true);
    return;
  }
  status(t('Reloaded from the store (etag {etag}).', { etag: r.data.etag }), false);
  await load(true);
}
