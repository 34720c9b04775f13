// Domain and TLS: the server.caddy form, a live Caddyfile preview, and caddy-manager's last report.
import { api, errorText, $, el, problemsList, toast } from './api.js';

const fields = {
  domain: '#tls-domain', email: '#tls-email', httpsPort: '#tls-https-port', httpPort: '#tls-http-port', ca: '#tls-ca',
  upstreamHost: '#tls-upstream-host', upstreamPort: '#tls-upstream-port',
};
const transport = { dialTimeoutMs: '#tls-dial', responseHeaderTimeoutMs: '#tls-header', keepAliveTimeoutMs: '#tls-keepalive' };
let timer = null;
let loaded = false;

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

function form() {
  const c = { enabled: $('#tls-enabled').checked };
  for (const [k, sel] of Object.entries(fields)) {
    const v = $(sel).value.trim();
    if (v !== '') c[k] = $(sel).type === 'number' ? Number(v) : v;
  }
  const t = {};
  for (const [k, sel] of Object.entries(transport)) {
    const v = $(sel).value.trim();
    if (v !== '') t[k] = Number(v);
  }
  if (Object.keys(t).length) c.transport = t;
  return c;
}

async function loadForm() {
  const r = await api('GET', '/tls');
  if (!r.ok) { $('#tls-message').textContent = errorText(r); return; }
  fill(r.data.settings);
  loaded = true;
  await preview();
}

async function preview() {
  const r = await api('POST', '/tls/preview', form());
  if (!r.ok) {
    problemsList($('#tls-messages'), r.data && r.data.error ? r.data.error.details : []);
    $('#tls-message').textContent = 'Preview refused: ' + errorText(r);
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
  doc.server.caddy = form();
  const r = await api('PUT', '/config', doc, { 'If-Match': '"' + cur.data.etag + '"' });
  if (!r.ok) {
    problemsList($('#tls-messages'), r.data && r.data.error ? r.data.error.details : []);
    $('#tls-message').textContent = 'Not saved: ' + errorText(r);
    $('#tls-message').className = 'error';
    return;
  }
  $('#tls-message').textContent = 'Saved (etag ' + r.data.etag + '). caddy-manager applies it and reports back.';
  $('#tls-message').className = '';
  toast('TLS settings saved');
}

async function status() {
  const r = await api('GET', '/tls');
  if (!r.ok) return;
  const d = r.data;
  const stale = $('#tls-stale');
  stale.hidden = !d.stale;
  stale.textContent = d.stale ? 'Warning: ' + d.message : '';
  const rep = d.report;
  const rows = rep ? [
    ['Report received', `${d.receivedAt} (${d.ageSeconds} s ago)`],
    ['Caddy enabled', String(rep.enabled)],
    ['Process', rep.process ? `${rep.process.state}${rep.process.pid ? ' (pid ' + rep.process.pid + ')' : ''}, ${rep.process.restarts} restart(s)${rep.process.lastError ? ', last error: ' + rep.process.lastError : ''}` : 'unknown'],
    ['Config apply', rep.config ? `${rep.config.state}${rep.config.appliedEtag ? ' (etag ' + rep.config.appliedEtag + ')' : ''}${rep.config.error ? ': ' + rep.config.error : ''}` : 'unknown'],
  ] : [['Report', 'none received']];
  $('#tls-process').replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  const certs = rep ? rep.certificates : [];
  $('#tls-certs tbody').replaceChildren(...(certs.length ? certs.map((c) => el('tr', {},
    el('td', {}, c.domain), el('td', {}, c.state), el('td', {}, c.issuer || ''),
    el('td', {}, c.notAfter ? new Date(c.notAfter).toLocaleString() : ''), el('td', {}, c.lastError || '')))
    : [el('tr', {}, el('td', { colspan: 5 }, 'no certificate information'))]));
}
