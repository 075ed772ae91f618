/**
 * Small server-side SVG charts for the experiment report: line, bar with
 * error bars, and box plots. Output is a deterministic string (coordinates
 * rounded to 0.01) so tests can assert on it and two runs diff cleanly.
 * No xmlns attribute: inline SVG in HTML does not need one, and the report
 * must contain no URL at all.
 */

export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const r2 = (x: number): number => Math.round(x * 100) / 100;
const fin = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Formats a number for display; non-finite (or null from JSON) becomes an em dash. */
export function fmt(x: number | null | undefined, digits: number): string {
  return fin(x) ? x.toFixed(digits) : '—';
}

interface Scale { lo: number; hi: number; ticks: number[]; digits: number }

/** Axis range widened to round numbers (steps of 1, 2 or 5 times a power of ten). */
export function niceScale(lo: number, hi: number, count = 5): Scale {
  if (!fin(lo) || !fin(hi)) { lo = 0; hi = 1; }
  if (hi - lo < 1e-12) { const pad = Math.abs(lo) * 0.05 || 0.5; lo -= pad; hi += pad; }
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
  const l = Math.floor(lo / step + 1e-9) * step, h = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0; l + i * step <= h + step / 2; i++) ticks.push(Number((l + i * step).toFixed(12)));
  return { lo: l, hi: h, ticks, digits: Math.max(0, -Math.floor(Math.log10(step) + 1e-9)) };
}

interface Box { x: number; y: number; w: number; h: number }

function frame(kind: string, title: string, w: number, h: number): string {
  return `<svg class="chart" data-chart="${esc(kind)}" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(title)}">`
    + `<title>${esc(title)}</title><rect class="bg" x="0" y="0" width="${w}" height="${h}" fill="#fff"/>`
    + `<text class="title" x="${w / 2}" y="20" text-anchor="middle">${esc(title)}</text>`;
}

/** Y axis with grid lines; returns the SVG and the value-to-pixel map. */
function yAxis(s: Scale, plot: Box, label: string): { svg: string; y: (v: number) => number } {
  const y = (v: number): number => r2(plot.y + plot.h - ((v - s.lo) / (s.hi - s.lo)) * plot.h);
  let svg = '<g class="axis y">';
  for (const t of s.ticks) {
    svg += `<path class="grid" d="M${plot.x} ${y(t)}H${plot.x + plot.w}" stroke="#e5e5e5"/>`
      + `<text x="${plot.x - 6}" y="${y(t) + 4}" text-anchor="end">${t.toFixed(s.digits)}</text>`;
  }
  svg += `<path class="domain" d="M${plot.x} ${plot.y}V${plot.y + plot.h}H${plot.x + plot.w}" stroke="#333" fill="none"/>`;
  const cy = plot.y + plot.h / 2;
  svg += `<text class="label" x="14" y="${cy}" text-anchor="middle" transform="rotate(-90 14 ${cy})">${esc(label)}</text></g>`;
  return { svg, y };
}

function noData(svg: string, plot: Box): string {
  return svg + `<text class="empty" x="${plot.x + plot.w / 2}" y="${plot.y + plot.h / 2}" text-anchor="middle">no data</text></svg>`;
}

export interface Series { name: string; color: string; values: number[] }

/** One line per series over x = 1..n (epochs by default); non-finite values break the line. */
export function lineChart(kind: string, title: string, yLabel: string, series: Series[], xLabel = 'epoch'): string {
  const w = 720, h = 340, legendW = 160;
  const plot: Box = { x: 64, y: 36, w: w - 64 - legendW - 16, h: h - 36 - 48 };
  let svg = frame(kind, title, w, h);
  const all = series.flatMap((s) => s.values.filter(fin));
  const n = Math.max(0, ...series.map((s) => s.values.length));
  if (all.length === 0) return noData(svg, plot);
  const ys = niceScale(Math.min(...all), Math.max(...all));
  const ax = yAxis(ys, plot, yLabel);
  svg += ax.svg;
  const x = (i: number): number => r2(n <= 1 ? plot.x + plot.w / 2 : plot.x + (i / (n - 1)) * plot.w);
  const xs = niceScale(1, Math.max(2, n), Math.min(10, Math.max(1, n - 1)));
  svg += '<g class="axis x">';
  for (const t of xs.ticks) {
    if (t < 1 || t > n || !Number.isInteger(t)) continue;
    svg += `<text x="${x(t - 1)}" y="${plot.y + plot.h + 16}" text-anchor="middle">${t}</text>`;
  }
  svg += `<text class="label" x="${plot.x + plot.w / 2}" y="${h - 10}" text-anchor="middle">${esc(xLabel)}</text></g>`;
  series.forEach((s, si) => {
    let d = '', pen = false, dots = '';
    s.values.forEach((v, i) => {
      if (!fin(v)) { pen = false; return; }
      d += `${pen ? 'L' : 'M'}${x(i)} ${ax.y(v)}`;
      pen = true;
      if (s.values.length <= 60) dots += `<circle cx="${x(i)}" cy="${ax.y(v)}" r="2.5" fill="${s.color}"><title>${esc(s.name)}, ${esc(xLabel)} ${i + 1}: ${fmt(v, 4)}</title></circle>`;
    });
    if (d) svg += `<path class="series" data-series="${esc(s.name)}" d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>${dots}`;
    const ly = plot.y + 8 + si * 18;
    svg += `<g class="legend"><path d="M${w - legendW} ${ly}h18" stroke="${s.color}" stroke-width="3"/>`
      + `<text x="${w - legendW + 24}" y="${ly + 4}">${esc(s.name)}</text></g>`;
  });
  return svg + '</svg>';
}

/** Category x axis for bar and box charts; long names are slanted. */
function categoryAxis(names: string[], plot: Box, center: (i: number) => number): string {
  const slant = names.some((n) => n.length * 7 > plot.w / Math.max(1, names.length));
  let svg = '<g class="axis x">';
  names.forEach((name, i) => {
    const cx = center(i), cy = plot.y + plot.h + 16;
    svg += slant
      ? `<text x="${cx}" y="${cy}" text-anchor="end" transform="rotate(-30 ${cx} ${cy})">${esc(name)}</text>`
      : `<text x="${cx}" y="${cy}" text-anchor="middle">${esc(name)}</text>`;
  });
  return svg + '</g>';
}

export interface Bar { name: string; color: string; value: number | null | undefined; sd?: number | null }

/**
 * Bars from `baseline` (0.5 for AUC: height is the lift over chance; 0 for
 * RelaImpr, which can be negative), with +-sd error bars where known.
 */
export function barChart(kind: string, title: string, yLabel: string, bars: Bar[], baseline: number, digits: number): string {
  const w = Math.max(560, 64 + 16 + bars.length * 90), h = 380;
  const plot: Box = { x: 64, y: 36, w: w - 64 - 16, h: h - 36 - 90 };
  let svg = frame(kind, title, w, h);
  const ext = bars.flatMap((b) => (fin(b.value) ? [b.value - (fin(b.sd) ? b.sd : 0), b.value + (fin(b.sd) ? b.sd : 0)] : []));
  if (ext.length === 0) return noData(svg, plot);
  const ys = niceScale(Math.min(baseline, ...ext), Math.max(baseline, ...ext));
  const ax = yAxis(ys, plot, yLabel);
  svg += ax.svg;
  const slot = plot.w / bars.length, bw = Math.min(56, slot * 0.6);
  const center = (i: number): number => r2(plot.x + slot * (i + 0.5));
  bars.forEach((b, i) => {
    if (!fin(b.value)) return;
    const top = Math.min(ax.y(b.value), ax.y(baseline)), bot = Math.max(ax.y(b.value), ax.y(baseline));
    const sdText = fin(b.sd) ? ` ± ${fmt(b.sd, digits)}` : '';
    svg += `<rect class="bar" data-series="${esc(b.name)}" x="${r2(center(i) - bw / 2)}" y="${r2(top)}" width="${r2(bw)}" height="${r2(Math.max(bot - top, 0.5))}" fill="${b.color}">`
      + `<title>${esc(b.name)}: ${fmt(b.value, digits)}${sdText}</title></rect>`;
    if (fin(b.sd) && b.sd > 0) {
      const y0 = ax.y(b.value - b.sd), y1 = ax.y(b.value + b.sd), c = center(i);
      svg += `<path class="errorbar" d="M${c} ${y0}V${y1}M${r2(c - 6)} ${y0}h12M${r2(c - 6)} ${y1}h12" stroke="#222" stroke-width="1.5" fill="none"/>`;
    }
    const ty = b.value >= baseline ? ax.y(b.value + (fin(b.sd) ? b.sd : 0)) - 5 : ax.y(b.value - (fin(b.sd) ? b.sd : 0)) + 13;
    svg += `<text class="value" x="${center(i)}" y="${r2(ty)}" text-anchor="middle">${fmt(b.value, digits)}</text>`;
  });
  svg += `<path class="baseline" d="M${plot.x} ${ax.y(baseline)}H${plot.x + plot.w}" stroke="#333" stroke-dasharray="4 3"/>`;
  return svg + categoryAxis(bars.map((b) => b.name), plot, center) + '</svg>';
}

/** Quantile with linear interpolation between order statistics (R type 7). */
export function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q, lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export interface BoxGroup { name: string; color: string; values: number[] }

/** Tukey box plots (whiskers to the furthest point within 1.5 IQR) with every observation drawn as a dot. */
export function boxChart(kind: string, title: string, yLabel: string, groups: BoxGroup[]): string {
  const w = Math.max(560, 64 + 16 + groups.length * 90), h = 380;
  const plot: Box = { x: 64, y: 36, w: w - 64 - 16, h: h - 36 - 90 };
  let svg = frame(kind, title, w, h);
  const all = groups.flatMap((g) => g.values.filter(fin));
  if (all.length === 0) return noData(svg, plot);
  const ys = niceScale(Math.min(0, ...all), Math.max(...all));
  const ax = yAxis(ys, plot, yLabel);
  svg += ax.svg;
  const slot = plot.w / groups.length, bw = Math.min(48, slot * 0.5);
  const center = (i: number): number => r2(plot.x + slot * (i + 0.5));
  groups.forEach((g, i) => {
    const v = g.values.filter(fin).sort((a, b) => a - b);
    if (v.length === 0) return;
    const q1 = quantile(v, 0.25), med = quantile(v, 0.5), q3 = quantile(v, 0.75), iqr = q3 - q1;
    const wlo = v.find((x) => x >= q1 - 1.5 * iqr) as number;
    const whi = [...v].reverse().find((x) => x <= q3 + 1.5 * iqr) as number;
    const c = center(i), l = r2(c - bw / 2), top = ax.y(q3), bot = ax.y(q1);
    svg += `<g class="boxplot" data-series="${esc(g.name)}"><title>${esc(g.name)}: median ${fmt(med, 3)} s, n=${v.length}</title>`
      + `<path class="whisker" d="M${c} ${ax.y(wlo)}V${bot}M${c} ${top}V${ax.y(whi)}M${r2(c - bw / 4)} ${ax.y(wlo)}h${r2(bw / 2)}M${r2(c - bw / 4)} ${ax.y(whi)}h${r2(bw / 2)}" stroke="#333" fill="none"/>`
      + `<rect class="box" x="${l}" y="${top}" width="${r2(bw)}" height="${r2(Math.max(bot - top, 1))}" fill="${g.color}" fill-opacity="0.55" stroke="${g.color}"/>`
      + `<path class="median" d="M${l} ${ax.y(med)}h${r2(bw)}" stroke="#111" stroke-width="2"/>`;
    // Deterministic horizontal spread so equal times stay visible.
    v.forEach((x, j) => {
      const dx = v.length === 1 ? 0 : (j / (v.length - 1) - 0.5) * bw * 0.6;
      svg += `<circle class="obs" cx="${r2(c + dx)}" cy="${ax.y(x)}" r="2.5" fill="#111"/>`;
    });
    svg += '</g>';
  });
  return svg + categoryAxis(groups.map((g) => g.name), plot, center) + '</svg>';
}
