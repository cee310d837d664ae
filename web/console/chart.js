import { h } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/**
 * A horizontal bar chart in SVG (no script or style inside, so the CSP holds),
 * with the same figures as a list for screen readers and for copying.
 */
export function bars(series, title) {
  const total = series.reduce((n, x) => n + x.value, 0) || 1;
  const row = 28;
  const svg = s('svg', { viewBox: `0 0 440 ${series.length * row}`, role: 'img', 'aria-label': title, class: 'chart' },
    ...series.map((x, i) => s('g', { transform: `translate(0 ${i * row})` },
      s('rect', { x: 0, y: 4, width: Math.max(1, (x.value / total) * 180), height: 18, class: `bar bar-${i}` }),
      s('text', { x: 188, y: 18, class: 'bar-label' }, `${x.value} · ${x.label}`))));
  const list = h('ul', { class: 'visually-hidden' }, series.map((x) => h('li', {}, `${x.label}: ${x.value}`)));
  return h('figure', { class: 'chart-figure' }, svg, list);
}
