// Entry point: sign-in, navigation between pages, and the overview cards.
import { api, setCsrf, setUnauthorizedHandler, errorText, $, el, setPill } from './api.js';
import * as config from './config.js';
import * as tls from './tls.js';
import * as keys from './keys.js';
import * as usage from './usage.js';
import * as logs from './logs.js';
import * as playground from './playground.js';
import { renderFleet, healthPill } from './fleet.js';
import { t, tv, initLanguage, onLanguageChange, dateTime, date, time, num, serverText } from './i18n.js';

const pages = { overview: { show: showOverview }, config, tls, keys, usage, logs, playground };
let current = 'overview';

function showLogin(message) {
  $('#app-view').hidden = true;
  $('#whoami').hidden = true;
  $('#login-view').hidden = false;
  $('#login-error').textContent = message || '';
  $('#login-password').focus();
}

let signedInAs = null;

function whoami() {
  $('#whoami-name').textContent = signedInAs === '-' ? t('admin auth off (loopback)') : t('Signed in as {user}', { user: signedInAs });
}

function showApp(username) {
  $('#login-view').hidden = true;
  $('#app-view').hidden = false;
  $('#whoami').hidden = false;
  signedInAs = username;
  whoami();
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
    $('#login-error').textContent = errorText(r) + (retry ? ' ' + t('Retry after {s} s.', { s: retry }) : '');
    return;
  }
  $('#login-password').value = '';
  setCsrf(r.data.csrfToken);
  showApp(r.data.username);
}

async function logout() {
  await api('POST', '/logout');
  setCsrf(null);
  showLogin(t('Signed out.'));
}

async function showOverview() {
  const [rt, st, tl, cf, dp, fl] = await Promise.all([api('GET', '/runtime'), api('GET', '/stats?window=5m'),
    api('GET', '/tls'), api('GET', '/config'), api('GET', '/deployments'), api('GET', '/fleet')]);
  if (dp.ok) renderDeployments(dp.data.models || []);
  if (fl.ok) {
    renderFleet(fl.data);
    // the gateway's own health (5xx, failing upstreams), summed over the fleet; clients' 4xx do not count
    const p95 = st.ok && st.data.totals && st.data.totals.latencyMs ? st.data.totals.latencyMs.p95 : null;
    healthPill($('#card-proxy'), fl.data.health, p95);
  } else if (st.ok) {
    const tot = st.data.totals;
    setPill($('#card-proxy'), t('online'), tot.errors ? 'warn' : 'good',
      t('last 5 min: {requests} requests, {errors} errors, p95 {p95} ms', { requests: tot.requests, errors: tot.errors, p95: tot.latencyMs.p95 }));
  } else {
    setPill($('#card-proxy'), t('unknown'), 'bad', errorText(st));
  }
  if (rt.ok) {
    const p = rt.data.persistence;
    setPill($('#card-persistence'), tv(p.state), p.state === 'ready' ? 'good' : 'warn',
      `${tv(p.mode)} ${p.location || ''}${p.pendingSync ? t(', sync pending') : ''}${p.lastError ? t(', last error: ') + p.lastError : ''}`);
    const rej = rt.data.config.lastRejected;
    const dl = $('#runtime');
    const rows = [
      ['Version', `${rt.data.versions.app} (Helidon ${rt.data.versions.helidon}, Java ${rt.data.versions.java})`],
      ['Started', dateTime(rt.data.startedAt) + ' ' + t('(up {min} min)', { min: Math.round(rt.data.uptimeSeconds / 60) })],
      ['Config etag', rt.data.config.etag],
      ['Last rejected config', rej ? t('{etag} at {at}: {problems}', { etag: rej.etag, at: dateTime(rej.at),
        problems: rej.problems.map((x) => x.path + ': ' + serverText(x.message)).join('; ') }) : t('none')],
      ['Secret references', rt.data.secretReferences.length
        ? rt.data.secretReferences.map((s) => `${s.path} ← ${s.env} (${s.set ? t('set') : t('NOT SET')})`).join('; ') : t('none')],
      ['caddy-manager token', rt.data.caddyManagerTokenSet ? t('set') : t('not set (TLS reports refused)')],
      ['Admin auth', tv(rt.data.adminAuth)],
    ];
    dl.replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, t(k)), el('dd', {}, v)]));
  }
  if (cf.ok) {
    const warnings = cf.data.warnings.length;
    setPill($('#card-config'), cf.data.refused ? t('refused') : t('valid'), cf.data.refused ? 'bad' : (warnings ? 'warn' : 'good'),
      t('etag {etag}…; {n} warning(s)', { etag: cf.data.etag.slice(0, 12), n: warnings })
      + (cf.data.etag !== cf.data.inEffectEtag ? t('; stored version not in effect') : ''));
    renderVerify(cf.data.config.upstreams || []);
  }
  if (tl.ok) {
    const r = tl.data.report;
    if (tl.data.stale) setPill($('#card-tls'), t('not reporting'), 'warn', serverText(tl.data.message));
    else {
      const certs = r.certificates.map((c) => `${c.domain}: ${tv(c.state)}${c.notAfter ? t(' until {date}', { date: date(c.notAfter) }) : ''}`).join('; ');
      setPill($('#card-tls'), r.enabled ? (r.process ? tv(r.process.state) : t('unknown')) : t('disabled'),
        r.process && r.process.state === 'running' ? 'good' : 'warn', certs || t('no certificates'));
    }
  }
}

/** One row per deployment of each model (GET /admin/api/deployments): state, utilisation, last error, 5-min share. */
function renderDeployments(models) {
  const rows = [];
  for (const m of models) {
    for (const d of m.deployments) {
      const state = tv(d.state) + (d.until ? ' ' + t('until {time}', { time: time(d.until) }) : '');
      rows.push(el('tr', { 'data-deployment': d.upstream + '/' + d.deployment },
        el('td', {}, m.model),
        el('td', {}, d.upstream + '/' + d.deployment),
        el('td', {}, num(d.priority) + ' / ' + num(d.weight)),
        el('td', { class: d.state === 'ok' ? '' : 'error' }, state),
        el('td', {}, d.utilisation === undefined || d.utilisation === null ? '' : num(d.utilisation) + ' %'),
        el('td', {}, num(Math.round((d.share5m || 0) * 1000) / 10) + ' % (' + num(d.served5m || 0) + ')'),
        el('td', {}, d.lastError ? d.lastError + (d.lastErrorAt ? ' · ' + time(d.lastErrorAt) : '') : t('none'))));
    }
  }
  $('#deployments tbody').replaceChildren(...rows);
}

function renderVerify(upstreams) {
  const list = $('#verify-list');
  list.replaceChildren(...upstreams.map((u) => {
    const out = el('span', { class: 'muted', id: 'verify-result-' + u.name }, t('not checked'));
    const btn = el('button', { type: 'button', class: 'secondary', id: 'verify-' + u.name }, t('Verify {name}', { name: u.name }));
    btn.addEventListener('click', async () => {
      btn.disabled = true;
      out.textContent = t('checking…');
      const r = await api('POST', '/upstreams/' + encodeURIComponent(u.name) + '/verify');
      btn.disabled = false;
      if (!r.ok) { out.textContent = errorText(r); return; }
      const v = r.data;
      out.textContent = v.ok ? t('OK: {credential}; models endpoint {status} in {ms} ms', { credential: serverText(v.credential), status: v.status, ms: v.latencyMs })
        : t('FAILED: {error} ({credential})', { error: serverText(v.error), credential: serverText(v.credential) });
      out.className = v.ok ? '' : 'error';
      setPill($('#card-upstream'), v.ok ? t('ok') : t('failed'), v.ok ? 'good' : 'bad', `${u.name}: ${out.textContent}`);
    });
    return el('div', { class: 'verify-row' }, btn, out);
  }));
}

async function start() {
  initLanguage($('#lang'));
  onLanguageChange(() => {
    if ($('#app-view').hidden) return;
    whoami();
    pages[current].show();
  });
  setUnauthorizedHandler(() => showLogin(t('Your session ended; sign in again.')));
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
