// Overview: the fleet (GET /admin/api/fleet, one card per replica from the heartbeats) and the gateway's health
// behind the "Proxy" pill: 5xx answers and failing upstream attempts count, clients' 4xx never do.
import { $, el, setPill } from './api.js';
import { t, tv, num, dateTime, serverText } from './i18n.js';

const HEALTH_LEVEL = { online: 'good', degraded: 'warn', down: 'bad' };
const REASONS = {
  no_config: 'no valid config in service',
  gateway_errors: 'answers with 5xx',
  upstream_failures: 'upstream attempts failing',
  shared_state_down: 'shared state (Redis) unreachable',
};

function reasons(h) {
  return (h.reasons || []).map((r) => t(REASONS[r] || r)).join('; ');
}

/** The "Proxy" card: the fleet's health over the last 5 minutes (p95 latency from the stats when known). */
export function healthPill(card, health, p95) {
  const c = health.counts;
  let note = t('last 5 min: {requests} requests, {gateway} gateway errors (5xx), {client} client errors (4xx, not counted)',
    { requests: c.requests, gateway: c.gatewayErrors, client: c.clientErrors });
  if (c.upstreamFailures) note += t('; {n} failed upstream attempts', { n: c.upstreamFailures });
  if (p95 !== undefined && p95 !== null) note += t('; p95 {p95} ms', { p95 });
  const why = reasons(health);
  if (why) note += ' · ' + why;
  setPill(card, tv(health.state), HEALTH_LEVEL[health.state] || 'warn', note);
}

function uptime(s) {
  if (s < 120) return t('{n} s', { n: s });
  if (s < 7200) return t('{n} min', { n: Math.round(s / 60) });
  return t('{n} h', { n: Math.round(s / 360) / 10 });
}

function replicaCard(r, storeEtag) {
  const pill = el('p', { class: 'pill' });
  const flags = [];
  if (r.self) flags.push(el('span', { class: 'badge' }, t('this replica')));
  if (!r.configCurrent) flags.push(el('span', { class: 'badge dirty', 'data-flag': 'older-config' }, t('older config')));
  if (r.silent) flags.push(el('span', { class: 'badge dirty', 'data-flag': 'silent' }, t('silent for {s} s', { s: Math.round(r.ageMs / 1000) })));
  const p = r.lastReloadProblem;
  const rows = [
    ['Version', r.version],
    ['Config etag', (r.config.etag || '').slice(0, 16) + (r.configCurrent ? '' : ' ≠ ' + (storeEtag || '').slice(0, 16))],
    ['Uptime', uptime(r.uptimeSeconds)],
    ['In flight', num(r.inFlight)],
    ['Last heartbeat', t('{s} s ago', { s: Math.round(r.ageMs / 1000) })],
    ['Last reload problem', p ? t('{etag} at {at}: {problems}', { etag: (p.etag || '').slice(0, 16), at: dateTime(p.at),
      problems: (p.problems || []).map((x) => x.path + ': ' + serverText(x.message)).join('; ') }) : t('none')],
  ];
  const card = el('article', { class: 'card status replica' + (r.configCurrent ? '' : ' lagging'), 'data-replica': r.id },
    el('h3', {}, r.id, ' ', ...flags), pill, el('p', { class: 'note' }),
    el('dl', { class: 'kv' }, rows.flatMap(([k, v]) => [el('dt', {}, t(k)), el('dd', {}, v)])));
  const h = r.health || { state: 'unknown', counts: { requests: 0, gatewayErrors: 0, clientErrors: 0 } };
  setPill(card, tv(h.state), HEALTH_LEVEL[h.state] || 'warn',
    t('{requests} requests, {gateway} 5xx in 5 min', { requests: h.counts.requests, gateway: h.counts.gatewayErrors })
    + (reasons(h) ? ' · ' + reasons(h) : ''));
  return card;
}

/** The fleet section of the Overview. */
export function renderFleet(data) {
  const list = data.replicas || [];
  let summary = t('{n} replica(s), shared state {mode}; heartbeat every {s} s', { n: list.length, mode: tv(data.mode), s: Math.round(data.intervalMs / 1000) });
  if (data.lagging) summary += ' · ' + t('{n} on an older config than the store holds ({etag})', { n: data.lagging, etag: (data.storeEtag || '').slice(0, 16) });
  if (!data.sharedUp) summary += ' · ' + t('Redis unreachable: this replica shows only itself');
  if (data.storeError) summary += ' · ' + t('cannot read the config store: {error}', { error: data.storeError });
  $('#fleet-summary').textContent = summary;
  $('#fleet-summary').className = data.lagging || !data.sharedUp ? 'warn-text' : 'muted';
  $('#fleet-list').replaceChildren(...list.map((r) => replicaCard(r, data.storeEtag)));
}
