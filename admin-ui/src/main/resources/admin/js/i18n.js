// Languages: English (the keys) and Simplified Chinese. The English text is the key, so a string without a
// translation still reads correctly; every such miss is recorded (window.__i18nMissing) for the browser test.
// The choice is kept in localStorage; the first visit follows the browser's language.
import { ZH, ZH_PATTERNS, ZH_CODES } from './i18n-zh.js';

const STORE_KEY = 'aoaigw.admin.lang';
export const LANGUAGES = { en: 'English', zh: '简体中文' };
const ATTRS = ['placeholder', 'title', 'aria-label'];
let lang = 'en';
const missing = new Set();
window.__i18nMissing = missing;
// the page's own text, captured once before any script writes into it: [node, original] and [element, attr, original]
const staticText = [];
const staticAttrs = [];
const listeners = [];

export function language() { return lang; }
export function locale() { return lang === 'zh' ? 'zh-CN' : 'en-US'; }
export function onLanguageChange(fn) { listeners.push(fn); }

/** Translates an English text, then fills {name} placeholders from vars. */
export function t(text, vars) {
  let s = text;
  if (lang === 'zh') {
    const z = ZH[text];
    if (z === undefined) missing.add(text); else s = z;
  }
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? fmtValue(vars[k]) : m));
  return s;
}

/** A word the server sends (a state, a mode): translated when known, kept as sent otherwise. */
export function tv(word) {
  if (lang !== 'zh' || word === null || word === undefined) return word ?? '';
  return ZH[word] ?? String(word);
}

function fmtValue(v) { return typeof v === 'number' ? num(v) : String(v); }

export function num(n, options) {
  if (n === null || n === undefined || n === '') return '';
  const x = Number(n);
  return Number.isFinite(x) ? new Intl.NumberFormat(locale(), options).format(x) : String(n);
}

export function dateTime(v) {
  if (!v) return '';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? String(v) : d.toLocaleString(locale());
}

export function date(v) {
  if (!v) return '';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? String(v) : d.toLocaleDateString(locale());
}

export function time(v, options) {
  const d = new Date(v);
  return d.toLocaleTimeString(locale(), { hour12: false, ...options });
}

/** A message written by the server (validator, admin API): known fragments are translated, the rest kept. */
export function serverText(message) {
  if (lang !== 'zh' || !message) return message || '';
  if (ZH[message] !== undefined) return ZH[message];
  let s = message;
  for (const [re, zh] of ZH_PATTERNS) s = s.replace(re, zh);
  return s;
}

/** An admin API error: the code's own Chinese text when the page knows it, else the message's fragments. */
export function errorMessage(code, message) {
  if (lang === 'zh' && code && ZH_CODES[code] && !/'/.test(message || '')) return ZH_CODES[code];
  return serverText(message);
}

function capture() {
  const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => (n.parentElement.closest('[translate=no],script,style,code,pre,textarea') || !/[A-Za-z]/.test(n.nodeValue)
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
  });
  for (let n; (n = walker.nextNode());) staticText.push([n, n.nodeValue]);
  for (const e of document.querySelectorAll(ATTRS.map((a) => `[${a}]`).join(','))) {
    if (e.closest('[translate=no]')) continue;
    for (const a of ATTRS) if (e.hasAttribute(a) && /[A-Za-z]/.test(e.getAttribute(a))) staticAttrs.push([e, a, e.getAttribute(a)]);
  }
}

function applyStatic() {
  for (const [n, original] of staticText) {
    const core = original.replace(/\s+/g, ' ').trim();
    const lead = original.match(/^\s*/)[0] ? ' ' : '';
    const trail = original.match(/\s*$/)[0] ? ' ' : '';
    n.nodeValue = lang === 'en' ? original : lead + t(core) + trail;
  }
  for (const [e, a, original] of staticAttrs) e.setAttribute(a, t(original));
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}

function initial() {
  let stored = null;
  try { stored = localStorage.getItem(STORE_KEY); } catch { stored = null; }
  if (stored && LANGUAGES[stored]) return stored;
  const wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en'];
  for (const l of wanted) {
    const base = String(l).toLowerCase().split('-')[0];
    if (LANGUAGES[base]) return base;
  }
  return 'en';
}

/** Captures the page's text, picks the language and wires the header's switch. */
export function initLanguage(select) {
  capture();
  lang = initial();
  applyStatic();
  select.value = lang;
  select.addEventListener('change', () => setLanguage(select.value));
}

export function setLanguage(l) {
  if (!LANGUAGES[l] || l === lang) return;
  lang = l;
  try { localStorage.setItem(STORE_KEY, l); } catch { /* private mode: the choice lasts for this page only */ }
  applyStatic();
  for (const fn of listeners) fn(l);
}
