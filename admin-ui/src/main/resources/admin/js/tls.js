// Domain and TLS: the server.caddy form, a live Caddyfile preview, and caddy-manager's last report.
// The form shows some of server.caddy's fields; the others (adminAddress, anything added later) are kept as stored:
// the preview renders the stored settings with the form's values on top, and a save patches the stored block.
import { api, errorText, $, el, problemsList, toast } from './api.js';
import { t, tv, dateTime, serverText } from './i18n.js';

const fields = {
  domain: '#tls-domain', email: '#tls-email', httpsPort: '#tls-https-port', httpPort: '#tls-http-port', ca: '#tls-ca',
  upstreamHost: '#tls-upstream-host', upstreamPort: '#tls-upstream-port',
};
const transport = { dialTimeoutMs: '#tls-dial', responseHeaderTimeoutMs: '#tls-header', keepAliveTimeoutMs: '#tls-keepalive' };
let timer = null;
let loaded = false;
let settings = {};

export function init() {
  $('#tls-preview-btn').addEventListener('click', preview);
  $('#tls-apply').addEventListener('click', apply);
  $('#tls-load').addEventListener('click', loadForm);
  $('#tls-form').addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(preview, 400); });
  $('#tls-form').addEventListener('submit', (e) => e.preventDefault());
}

export async function show() {
  if (!loaded) await loadForm();
  await status();
}

function fill(c) {
  $('#tls-enabled').checked = !!c.enabled;
  for (const [k, sel] of Object.entries(fields)) $(sel).value = c[k] ?? '';
  for (const [k, sel] of Object.entries(transport)) $(sel).value = (c.transport || {})[k] ?? '';
}

function value(sel) {
  const v = $(sel).value.trim();
  return v === '' ? undefined : ($(sel).type === 'number' ? Number(v) : v);
}

/** Writes the form's fields over a server.caddy block; an emptied field is removed (its default applies). */
function patch(base) {
  const c = structuredClone(base || {});
  c.enabled = $('#tls-enabled').checked;
  for (const [k, sel] of Object.entries(fields)) {
    const v = value(sel);
    if (v === undefined) delete c[k]; else c[k] = v;
  }
  const tr = c.transport && typeof c.transport === 'object' ? c.transport : {};
  for (const [k, sel] of Object.entries(transport)) {
    const v = value(sel);
    if (v === undefined) delete tr[k]; else tr[k] = v;
  }
  if (Object.keys(tr).length) c.transport = tr; else delete c.transport;
  return c;
}

function form() { return patch(settings); }

async function loadForm() {
  const r = await api('GET', '/tls');
  if (!r.ok) { $('#tls-message').textContent = errorText(r); return; }
  settings = r.data.settings || {};
  fill(settings);
  loaded = true;
  await preview();
}

async function preview() {
  const r = await api('POST', '/tls/preview', form());
  if (!r.ok) {
    problemsList($('#tls-messages'), r.data && r.data.error ? r.data.error.details : []);
    $('#tls-message').textContent = t('Preview refused: ') + errorText(r);
    $('#tls-message').className = 'error';
    return;
  }
  problemsList($('#tls-messages'), r.data.warnings);
  $('#tls-message').textContent = '';
  $('#tls-preview').textContent = r.data.caddyfile;
}

async function apply() {
  const cur = await api('GET', '/config');
  if (!cur.ok) { $('#tls-message').textContent = errorText(cur); return; }
  const doc = cur.data.config;
  doc.server = doc.server || {};
  doc.server.caddy = patch(doc.server.caddy);
  const r = await api('PUT', '/config', doc, { 'If-Match': '"' + cur.data.etag + '"' });
  if (!r.ok) {
    problemsList($('#tls-messages'), r.data && r.data.error ? r.data.error.details : []);
    $('#tls-message').textContent = t('Not saved: ') + errorText(r);
    $('#tls-message').className = 'error';
    return;
  }
  $('#tls-message').textContent = t('Saved (etag {etag}). caddy-manager applies it and reports back.', { etag: r.data.etag });
  $('#tls-message').className = '';
  settings = r.data.config && r.data.config.server && r.data.config.server.caddy ? { ...settings, ...r.data.config.server.caddy } : settings;
  toast(t('TLS settings saved'));
}

async function status() {
  const r = await api('GET', '/tls');
  if (!r.ok) return;
  const d = r.data;
  const stale = $('#tls-stale');
  stale.hidden = !d.stale;
  stale.textContent = d.stale ? t('Warning: ') + serverText(d.message) : '';
  const rep = d.report;
  const rows = rep ? [
    ['Report received', t('{at} ({s} s ago)', { at: dateTime(d.receivedAt), s: d.ageSeconds })],
    ['Caddy enabled', rep.enabled ? t('yes') : t('no')],
    ['Process', rep.process ? `${tv(rep.process.state)}${rep.process.pid ? ' (pid ' + rep.process.pid + ')' : ''}, ${t('{n} restart(s)', { n: rep.process.restarts })}${rep.process.lastError ? t(', last error: ') + rep.process.lastError : ''}` : t('unknown')],
    ['Config apply', rep.config ? `${tv(rep.config.state)}${rep.config.appliedEtag ? ' (etag ' + rep.config.appliedEtag + ')' : ''}${rep.config.error ? ': ' + serverText(rep.config.error) : ''}` : t('unknown')],
  ] : [['Report', t('none received')]];
  $('#tls-process').replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, t(k)), el('dd', {}, v)]));
  const certs = rep ? rep.certificates : [];
  $('#tls-certs tbody').replaceChildren(...(certs.length ? certs.map((c) => el('tr', {},
    el('td', {}, c.domain), el('td', {}, tv(c.state)), el('td', {}, c.issuer || ''),
    el('td', {}, dateTime(c.notAfter)), el('td', {}, c.lastError || '')))
    : [el('tr', {}, el('td', { colspan: 5 }, t('no certificate information')))]));
}
