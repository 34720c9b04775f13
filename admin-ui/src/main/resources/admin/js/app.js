// Entry point: sign-in, navigation between pages, and the overview cards.
import { api, setCsrf, setUnauthorizedHandler, errorText, $, el, setPill } from './api.js';
import * as config from './config.js';
import * as tls from './tls.js';
import * as keys from './keys.js';
import * as usage from './usage.js';
import * as logs from './logs.js';

const pages = { overview: { show: showOverview }, config, tls, keys, usage, logs };
let current = 'overview';

function showLogin(message) {
  $('#app-view').hidden = true;
  $('#whoami').hidden = true;
  $('#login-view').hidden = false;
  $('#login-error').textContent = message || '';
  $('#login-password').focus();
}

function showApp(username) {
  $('#login-view').hidden = true;
  $('#app-view').hidden = false;
  $('#whoami').hidden = false;
  $('#whoami-name').textContent = username === '-' ? 'admin auth off (loopback)' : 'Signed in as ' + username;
  const wanted = (location.hash || '#overview').slice(1);
  go(pages[wanted] ? wanted : 'overview');
}

function go(name) {
  current = name;
  for (const b of document.querySelectorAll('.tabs button')) {
    if (b.dataset.page === name) b.setAttribute('aria-current', 'page'); else b.removeAttribute('aria-current');
  }
  for (const p of document.querySelectorAll('.page')) p.hidden = p.id !== 'page-' + name;
  if (location.hash !== '#' + name) history.replaceState(null, '', '#' + name);
  for (const [n, p] of Object.entries(pages)) if (n !== name && p.hide) p.hide();
  pages[name].show();
}

async function login(ev) {
  ev.preventDefault();
  const r = await api('POST', '/login', { username: $('#login-username').value, password: $('#login-password').value });
  if (!r.ok) {
    const retry = r.headers.get('Retry-After');
    $('#login-error').textContent = errorText(r) + (retry ? ' Retry after ' + retry + ' s.' : '');
    return;
  }
  $('#login-password').value = '';
  setCsrf(r.data.csrfToken);
  showApp(r.data.username);
}

async function logout() {
  await api('POST', '/logout');
  setCsrf(null);
  showLogin('Signed out.');
}

async function showOverview() {
  const [rt, st, tl, cf] = await Promise.all([api('GET', '/runtime'), api('GET', '/stats?window=5m'),
    api('GET', '/tls'), api('GET', '/config')]);
  if (st.ok) {
    const t = st.data.totals;
    setPill($('#card-proxy'), 'online', t.errors ? 'warn' : 'good',
      `last 5 min: ${t.requests} requests, ${t.errors} errors, p95 ${t.latencyMs.p95} ms`);
  } else {
    setPill($('#card-proxy'), 'unknown', 'bad', errorText(st));
  }
  if (rt.ok) {
    const p = rt.data.persistence;
    setPill($('#card-persistence'), p.state, p.state === 'ready' ? 'good' : 'warn',
      `${p.mode} ${p.location || ''}${p.pendingSync ? ', sync pending' : ''}${p.lastError ? ', last error: ' + p.lastError : ''}`);
    const rej = rt.data.config.lastRejected;
    const dl = $('#runtime');
    const rows = [
      ['Version', `${rt.data.versions.app} (Helidon ${rt.data.versions.helidon}, Java ${rt.data.versions.java})`],
      ['Started', new Date(rt.data.startedAt).toLocaleString() + ` (up ${Math.round(rt.data.uptimeSeconds / 60)} min)`],
      ['Config etag', rt.data.config.etag],
      ['Last rejected config', rej ? `${rej.etag} at ${rej.at}: ${rej.problems.map((x) => x.path + ': ' + x.message).join('; ')}` : 'none'],
      ['Secret references', rt.data.secretReferences.length
        ? rt.data.secretReferences.map((s) => `${s.path} ← ${s.env} (${s.set ? 'set' : 'NOT SET'})`).join('; ') : 'none'],
      ['caddy-manager token', rt.data.caddyManagerTokenSet ? 'set' : 'not set (TLS reports refused)'],
      ['Admin auth', rt.data.adminAuth],
    ];
    dl.replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  }
  if (cf.ok) {
    const warnings = cf.data.warnings.length;
    setPill($('#card-config'), cf.data.refused ? 'refused' : 'valid', cf.data.refused ? 'bad' : (warnings ? 'warn' : 'good'),
      `etag ${cf.data.etag.slice(0, 12)}…; ${warnings} warning(s)` + (cf.data.etag !== cf.data.inEffectEtag ? '; stored version not in effect' : ''));
    renderVerify(cf.data.config.upstreams || []);
  }
  if (tl.ok) {
    const r = tl.data.report;
    if (tl.data.stale) setPill($('#card-tls'), 'not reporting', 'warn', tl.data.message);
    else {
      const certs = r.certificates.map((c) => `${c.domain}: ${c.state}${c.notAfter ? ' until ' + c.notAfter.slice(0, 10) : ''}`).join('; ');
      setPill($('#card-tls'), r.enabled ? (r.process ? r.process.state : 'unknown') : 'disabled',
        r.process && r.process.state === 'running' ? 'good' : 'warn', certs || 'no certificates');
    }
  }
}

function renderVerify(upstreams) {
  const list = $('#verify-list');
  list.replaceChildren(...upstreams.map((u) => {
    const out = el('span', { class: 'muted', id: 'verify-result-' + u.name }, 'not checked');
    const btn = el('button', { type: 'button', class: 'secondary', id: 'verify-' + u.name }, 'Verify ' + u.name);
    btn.addEventListener('click', async () => {
      btn.disabled = true;
      out.textContent = 'checking…';
      const r = await api('POST', '/upstreams/' + encodeURIComponent(u.name) + '/verify');
      btn.disabled = false;
      if (!r.ok) { out.textContent = errorText(r); return; }
      const v = r.data;
      out.textContent = v.ok ? `OK: ${v.credential}; models endpoint ${v.status} in ${v.latencyMs} ms`
        : `FAILED: ${v.error} (${v.credential})`;
      out.className = v.ok ? '' : 'error';
      setPill($('#card-upstream'), v.ok ? 'ok' : 'failed', v.ok ? 'good' : 'bad', `${u.name}: ${out.textContent}`);
    });
    return el('div', { class: 'verify-row' }, btn, out);
  }));
}

async function start() {
  setUnauthorizedHandler(() => showLogin('Your session ended; sign in again.'));
  $('#login-form').addEventListener('submit', login);
  $('#logout').addEventListener('click', logout);
  for (const b of document.querySelectorAll('.tabs button')) b.addEventListener('click', () => go(b.dataset.page));
  for (const p of Object.values(pages)) if (p.init) p.init();
  const r = await fetch('/admin/api/session', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (r.ok) {
    const s = await r.json();
    setCsrf(s.csrfToken || null);
    showApp(s.username);
  } else {
    showLogin('');
  }
}

start();
