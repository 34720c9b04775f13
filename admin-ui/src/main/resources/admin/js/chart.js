// A tiny SVG line chart: one or two series over the same x points, a zero baseline and a max label.
import { num, time } from './i18n.js';

const NS = 'http://www.w3.org/2000/svg';

function node(tag, attrs) {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  return n;
}

export function lineChart(container, points, series, labels) {
  const w = 600, h = 180, left = 40, right = 10, top = 10, bottom = 22;
  const svg = node('svg', { viewBox: `0 0 ${w} ${h}`, role: 'img', 'aria-label': labels.title });
  const max = Math.max(1, ...series.flatMap((s) => points.map((p) => s.value(p))));
  const x = (i) => left + (points.length <= 1 ? 0 : (i * (w - left - right)) / (points.length - 1));
  const y = (v) => top + (h - top - bottom) * (1 - v / max);
  for (const f of [0, 0.5, 1]) {
    svg.append(node('line', { class: 'grid', x1: left, x2: w - right, y1: y(max * f), y2: y(max * f) }));
  }
  svg.append(node('line', { class: 'axis', x1: left, x2: w - right, y1: y(0), y2: y(0) }));
  const maxLabel = node('text', { x: 2, y: y(max) + 4 });
  maxLabel.textContent = num(Math.round(max));
  const zero = node('text', { x: 2, y: y(0) + 4 });
  zero.textContent = '0';
  svg.append(maxLabel, zero);
  if (points.length) {
    const first = node('text', { x: left, y: h - 4 });
    first.textContent = time(points[0].t, { hour: '2-digit', minute: '2-digit' });
    const last = node('text', { x: w - right - 40, y: h - 4 });
    last.textContent = time(points[points.length - 1].t, { hour: '2-digit', minute: '2-digit' });
    svg.append(first, last);
  }
  series.forEach((s, idx) => {
    const d = points.map((p, i) => (i ? 'L' : 'M') + x(i).toFixed(1) + ' ' + y(s.value(p)).toFixed(1)).join(' ');
    svg.append(node('path', { class: idx ? 'line-b' : 'line-a', d }));
  });
  const legend = series.map((s) => s.name).join(' / ');
  const title = node('title', {});
  title.textContent = labels.title + ' (' + legend + ')';
  svg.prepend(title);
  container.replaceChildren(svg);
}
