// Client keys: create (shown once, with a copy button), disable/enable, delete, and the models each key may use.
import { api, errorText, $, el, copyText, toast } from './api.js';

export function init() {
  $('#key-form').addEventListener('submit', create);
  $('#key-copy').addEventListener('click', async () => {
    toast((await copyText($('#key-value').textContent)) ? 'Key copied' : 'Copy failed; select the key by hand');
  });
}

export function show() {
  $('#key-created').hidden = true;
  $('#key-value').textContent = '';
  list();
}

function message(text, isError) {
  $('#key-message').textContent = text;
  $('#key-message').className = isError ? 'error' : '';
}

async function create(ev) {
  ev.preventDefault();
  const models = $('#key-models').value.split(',').map((s) => s.trim()).filter(Boolean);
  const r = await api('POST', '/keys', { id: $('#key-id').value.trim(), models });
  if (!r.ok) { message(errorText(r), true); return; }
  $('#key-value').textContent = r.data.key;
  $('#key-created').hidden = false;
  message(`Key ${r.data.id} created.`, false);
  $('#key-id').value = '';
  $('#key-models').value = '';
  $('#key-copy').focus();
  list();
}

async function action(method, path, body, done) {
  const r = await api(method, path, body);
  if (!r.ok) { message(errorText(r), true); return; }
  message(done, false);
  list();
}

async function list() {
  const r = await api('GET', '/keys');
  if (!r.ok) { message(errorText(r), true); return; }
  const tbody = $('#keys-table tbody');
  tbody.replaceChildren(...r.data.keys.map((k) => {
    const id = encodeURIComponent(k.id);
    const toggle = k.status === 'active'
      ? el('button', { type: 'button', class: 'secondary', 'aria-label': 'Disable ' + k.id,
        onclick: () => action('POST', `/keys/${id}/disable`, undefined, `Key ${k.id} disabled.`) }, 'Disable')
      : el('button', { type: 'button', class: 'secondary', 'aria-label': 'Enable ' + k.id,
        onclick: () => action('POST', `/keys/${id}/enable`, undefined, `Key ${k.id} enabled.`) }, 'Enable');
    const models = el('button', { type: 'button', class: 'secondary', 'aria-label': 'Edit models of ' + k.id,
      onclick: () => {
        const v = prompt('Models for ' + k.id + ' (comma-separated; empty = all)', k.models.join(', '));
        if (v === null) return;
        action('PUT', `/keys/${id}/models`, { models: v.split(',').map((s) => s.trim()).filter(Boolean) },
          `Models of ${k.id} updated.`);
      } }, 'Models…');
    const del = el('button', { type: 'button', class: 'danger', 'aria-label': 'Delete ' + k.id,
      onclick: () => { if (confirm('Delete key ' + k.id + '? Clients using it stop working.')) action('DELETE', `/keys/${id}`, undefined, `Key ${k.id} deleted.`); } }, 'Delete');
    return el('tr', { 'data-key': k.id }, el('td', {}, k.id), el('td', {}, k.status),
      el('td', {}, k.models.length ? k.models.join(', ') : 'all'),
      el('td', {}, k.reference ? 'env reference' : k.hashed ? 'hash' : 'plain text'),
      el('td', {}, toggle, models, del));
  }));
}
