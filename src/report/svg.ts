// A line chart as plain SVG (no canvas or plotting library): axes with round-number ticks, a light
// grid, one polyline with point markers per series, a legend on the right, labels on both axes.
import type { Curve } from './curves.js';

const H = 420;
const PLOT = { left: 64, top: 36, right: 520, bottom: 370 };
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const DASHES = ['', '6 3', '2 3', '8 3 2 3'];

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** About `count` ticks at 1, 2 or 5 × 10^k spacing covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return niceTicks(lo - pad, hi + pad, count);
  }
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map(m => m * mag).find(s => s >= raw)!;
  const ticks: number[] = [];
  for (let t = Math.floor(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  if (ticks[ticks.length - 1]! < hi) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

const r2 = (x: number): string => String(Math.round(x * 100) / 100);
const label = (x: number): string => String(Number(x.toPrecision(6)));

export function renderCurve(curve: Curve, title: string, legendTitle: string): string {
  const xs = curve.series.flatMap(s => s.points.map(p => p[0]));
  const ys = curve.series.flatMap(s => s.points.map(p => p[1]));
  const xt = niceTicks(Math.min(...xs), Math.max(...xs));
  const yt = niceTicks(Math.min(...ys), Math.max(...ys));
  const [x0, x1, y0, y1] = [xt[0]!, xt[xt.length - 1]!, yt[0]!, yt[yt.length - 1]!];
  const sx = (x: number): number => PLOT.left + ((x - x0) / (x1 - x0)) * (PLOT.right - PLOT.left);
  const sy = (y: number): number => PLOT.bottom - ((y - y0) / (y1 - y0)) * (PLOT.bottom - PLOT.top);
  // Wide enough for the longest legend entry (about 7 px a character at font-size 12).
  const longest = Math.max(legendTitle.length, ...curve.series.map(s => `${s.label} (n=${s.cells})`.length));
  const W = Math.max(720, PLOT.right + 56 + Math.ceil(longest * 7));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${PLOT.left}" y="22" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (const t of xt) {
    out.push(`<line x1="${r2(sx(t))}" y1="${PLOT.top}" x2="${r2(sx(t))}" y2="${PLOT.bottom}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${r2(sx(t))}" y="${PLOT.bottom + 16}" text-anchor="middle">${label(t)}</text>`);
  }
  for (const t of yt) {
    out.push(`<line x1="${PLOT.left}" y1="${r2(sy(t))}" x2="${PLOT.right}" y2="${r2(sy(t))}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${PLOT.left - 6}" y="${r2(sy(t) + 4)}" text-anchor="end">${label(t)}</text>`);
  }
  out.push(`<rect x="${PLOT.left}" y="${PLOT.top}" width="${PLOT.right - PLOT.left}" height="${PLOT.bottom - PLOT.top}" fill="none" stroke="#333333"/>`);
  out.push(`<text x="${(PLOT.left + PLOT.right) / 2}" y="${H - 10}" text-anchor="middle">step</text>`);
  out.push(`<text x="16" y="${(PLOT.top + PLOT.bottom) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(PLOT.top + PLOT.bottom) / 2})">${escapeXml(curve.metric)}</text>`);
  out.push(`<text x="${PLOT.right + 16}" y="${PLOT.top + 8}" font-weight="bold">${escapeXml(legendTitle)}</text>`);
  curve.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const dash = DASHES[Math.floor(i / COLORS.length) % DASHES.length]!;
    const dashAttr = dash ? ` stroke-dasharray="${dash}"` : '';
    const pts = s.points.map(([x, y]) => `${r2(sx(x))},${r2(sy(y))}`).join(' ');
    out.push(`<g class="series"><title>${escapeXml(s.title)} (${s.cells} cell${s.cells === 1 ? '' : 's'})</title>`);
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dashAttr} points="${pts}"/>`);
    for (const [x, y] of s.points) out.push(`<circle cx="${r2(sx(x))}" cy="${r2(sy(y))}" r="2.5" fill="${color}"/>`);
    out.push('</g>');
    const ly = PLOT.top + 26 + i * 18;
    out.push(`<line x1="${PLOT.right + 16}" y1="${ly}" x2="${PLOT.right + 40}" y2="${ly}" stroke="${color}" stroke-width="2"${dashAttr}/>`);
    out.push(`<text x="${PLOT.right + 46}" y="${ly + 4}">${escapeXml(s.label)} (n=${s.cells})</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
