// The admin API client: JSON in and out, the CSRF token on every write, one place that notices a lost session.
import { errorMessage, serverText } from './i18n.js';

let csrfToken = null;
let onUnauthorized = () => {};

export function setCsrf(token) { csrfToken = token; }
/** The CSRF header for a write the page sends without api() (a streamed answer). */
export function csrfHeader() { return csrfToken ? { 'X-CSRF-Token': csrfToken } : {}; }

/** The message of an OpenAI-shaped or admin error body ({"error":{"message","code"}}), translated when known. */
export function errorMessageOf(json) {
  const e = json && json.error;
  if (!e) return '';
  if (typeof e === 'string') return e;
  return serverText(e.message || '') + (e.code ? ' (' + e.code + ')' : e.type ? ' (' + e.type + ')' : '');
}
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

export async function api(method, path, body, headers = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) h['X-CSRF-Token'] = csrfToken;
  const res = await fetch('/admin/api' + path, {
    method,
    headers: h,
    credentials: 'same-origin',
    body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
  });
  let data = null;
  try { data = await res.json(); } catch { data = null; }
  if (res.status === 401 && path !== '/login') onUnauthorized();
  return { status: res.status, ok: res.ok, data, headers: res.headers };
}

export function errorText(r) {
  const e = r.data && r.data.error;
  if (!e) return 'HTTP ' + r.status;
  return errorMessage(e.code, e.message) + (e.code ? ' (' + e.code + ')' : '');
}

/** The error's message followed by each detail's path and message (the validator's words, translated). */
export function errorWithDetails(r) {
  const e = r.data && r.data.error;
  const details = ((e && e.details) || []).filter((d) => d.severity !== 'warning');
  return errorText(r) + details.map((d) => '; ' + (d.path ? d.path + ': ' : '') + serverText(d.message)).join('');
}

// Small DOM helpers shared by the pages.
export const $ = (sel, root = document) => root.querySelector(sel);

export function el(tag, attrs = {}, ...children) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') n.className = v;
    else if (k.startsWith('on')) n.addEventListener(k.slice(2), v);
    else n.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    n.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return n;
}

export function toast(text) {
  const box = $('#toast');
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 3500);
}

export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const ta = el('textarea', { 'aria-hidden': 'true' });
    ta.value = text;
    document.body.append(ta);
    ta.select();
    const ok = document.execCommand && document.execCommand('copy');
    ta.remove();
    return !!ok;
  }
}

export function setPill(card, text, level, note) {
  const pill = card.querySelector('.pill');
  pill.textContent = text;
  pill.className = 'pill' + (level ? ' ' + level : '');
  if (note !== undefined) card.querySelector('.note').textContent = note;
}

export function problemsList(ul, details) {
  ul.replaceChildren(...(details || []).map((d) =>
    el('li', { class: d.severity || 'error' }, el('code', {}, d.path || '$'), ' ', serverText(d.message))));
}
