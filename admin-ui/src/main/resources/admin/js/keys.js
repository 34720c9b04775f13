// Client keys: create (shown once, with a copy button), disable/enable, delete, and the models each key may use.
import { api, errorWithDetails, $, el, copyText, toast } from './api.js';
import { t } from './i18n.js';

export function init() {
  $('#key-form').addEventListener('submit', create);
  $('#key-copy').addEventListener('click', async () => {
    toast((await copyText($('#key-value').textContent)) ? t('Key copied') : t('Copy failed; select the key by hand'));
  });
}

export function show() {
  clearCreated();
  list();
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

async function create(ev) {
  ev.preventDefault();
  clearCreated();
  const models = $('#key-models').value.split(',').map((s) => s.trim()).filter(Boolean);
  const r = await api('POST', '/keys', { id: $('#key-id').value.trim(), models });
  if (!r.ok) { message(errorWithDetails(r), true); return; }
  $('#key-value').textContent = r.data.key;
  $('#key-created').hidden = false;
  message(t('Key {id} created.', { id: r.data.id }), false);
  $('#key-id').value = '';
  $('#key-models').value = '';
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

async function list() {
  const r = await api('GET', '/keys');
  if (!r.ok) { message(errorWithDetails(r), true); return; }
  const tbody = $('#keys-table tbody');
  tbody.replaceChildren(...r.data.keys.map((k) => {
    const id = encodeURIComponent(k.id);
    const toggle = k.status === 'active'
      ? el('button', { type: 'button', class: 'secondary', 'aria-label': t('Disable {id}', { id: k.id }),
        onclick: () => action('POST', `/keys/${id}/disable`, undefined, t('Key {id} disabled.', { id: k.id })) }, t('Disable'))
      : el('button', { type: 'button', class: 'secondary', 'aria-label': t('Enable {id}', { id: k.id }),
        onclick: () => action('POST', `/keys/${id}/enable`, undefined, t('Key {id} enabled.', { id: k.id })) }, t('Enable'));
    const models = el('button', { type: 'button', class: 'secondary', 'aria-label': t('Edit models of {id}', { id: k.id }),
      onclick: () => {
        const v = prompt(t('Models for {id} (comma-separated; empty = all)', { id: k.id }), k.models.join(', '));
        if (v === null) return;
        action('PUT', `/keys/${id}/models`, { models: v.split(',').map((s) => s.trim()).filter(Boolean) },
          t('Models of {id} updated.', { id: k.id }));
      } }, t('Models…'));
    const del = el('button', { type: 'button', class: 'danger', 'aria-label': t('Delete {id}', { id: k.id }),
      onclick: () => { if (confirm(t('Delete key {id}? Clients using it stop working.', { id: k.id }))) action('DELETE', `/keys/${id}`, undefined, t('Key {id} deleted.', { id: k.id })); } }, t('Delete'));
    return el('tr', { 'data-key': k.id }, el('td', {}, k.id), el('td', {}, t(k.status)),
      el('td', {}, k.models.length ? k.models.join(', ') : t('all')),
      el('td', {}, k.reference ? t('env reference') : k.hashed ? t('hash') : t('plain text')),
      el('td', {}, toggle, models, del));
  }));
}
