/**
 * The report's market-segments section (`dpgcn segments --report`): the
 * validity and stability figures, a 2-D PCA scatter of the users coloured by
 * segment, segment sizes, profile bars (segment share against population
 * share for the most over-represented static values and the top
 * categories) and the targeting table. Inline SVG like the rest of the report.
 */
import type { SegmentsResult } from '../segments/types.js';
import { reportPage } from './report.js';
import { PALETTE, barChart, esc, fmt, niceScale } from './svg.js';

const r2 = (x: number): number => Math.round(x * 100) / 100;
const color = (s: number): string => PALETTE[s % PALETTE.length];

function scatter(r: SegmentsResult): string {
  const w = 720, h = 480, legendW = 130, title = 'Users in the first two principal components, coloured by segment';
  const plot = { x: 56, y: 36, w: w - 56 - legendW - 16, h: h - 36 - 48 };
  let svg = `<svg class="chart" data-chart="segmentsPca" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(title)}">`
    + `<title>${esc(title)}</title><rect class="bg" x="0" y="0" width="${w}" height="${h}" fill="#fff"/>`
    + `<text class="title" x="${w / 2}" y="20" text-anchor="middle">${esc(title)}</text>`;
  const { x, y, segment, explained } = r.projection;
  if (x.length === 0) return svg + `<text class="empty" x="${w / 2}" y="${h / 2}" text-anchor="middle">no data</text></svg>`;
  const xs = niceScale(Math.min(...x), Math.max(...x)), ys = niceScale(Math.min(...y), Math.max(...y));
  const px = (v: number) => r2(plot.x + ((v - xs.lo) / (xs.hi - xs.lo)) * plot.w);
  const py = (v: number) => r2(plot.y + plot.h - ((v - ys.lo) / (ys.hi - ys.lo)) * plot.h);
  svg += '<g class="axis">';
  for (const t of xs.ticks) svg += `<path class="grid" d="M${px(t)} ${plot.y}V${plot.y + plot.h}" stroke="#eee"/><text x="${px(t)}" y="${plot.y + plot.h + 16}" text-anchor="middle">${t.toFixed(xs.digits)}</text>`;
  for (const t of ys.ticks) svg += `<path class="grid" d="M${plot.x} ${py(t)}H${plot.x + plot.w}" stroke="#eee"/><text x="${plot.x - 6}" y="${py(t) + 4}" text-anchor="end">${t.toFixed(ys.digits)}</text>`;
  svg += `<path class="domain" d="M${plot.x} ${plot.y}V${plot.y + plot.h}H${plot.x + plot.w}" stroke="#333" fill="none"/>`;
  svg += `<text class="label" x="${plot.x + plot.w / 2}" y="${h - 10}" text-anchor="middle">PC1 (${fmt(100 * (explained[0] ?? NaN), 1)}% of variance)</text>`;
  const cy = plot.y + plot.h / 2;
  svg += `<text class="label" x="14" y="${cy}" text-anchor="middle" transform="rotate(-90 14 ${cy})">PC2 (${fmt(100 * (explained[1] ?? NaN), 1)}%)</text></g><g class="points">`;
  for (let i = 0; i < x.length; i++) svg += `<circle class="pt" cx="${px(x[i])}" cy="${py(y[i])}" r="2.2" fill="${color(segment[i])}" fill-opacity="0.7"/>`;
  svg += '</g><g class="legend">';
  r.segments.forEach((s, j) => {
    const ly = plot.y + 8 + j * 18, lx = plot.x + plot.w + 16;
    svg += `<circle cx="${lx + 5}" cy="${ly}" r="5" fill="${color(s.id)}"/><text x="${lx + 16}" y="${ly + 4}">segment ${s.id} (${s.size})</text>`;
  });
  return svg + '</g></svg>';
}

/** Per segment: the 3 most over-represented static values and the top 3 categories, segment share against population share. */
function profileBars(r: SegmentsResult): string {
  const rows: { seg: number; label: string; share: number; population: number }[] = [];
  for (const s of r.segments) {
    const st = s.profile.static.flatMap((g) => g.values).filter((v) => v.share > 0).sort((a, b) => b.index - a.index || a.value - b.value).slice(0, 3);
    for (const v of st) rows.push({ seg: s.id, label: v.label, share: v.share, population: v.population });
    for (const c of s.topCategories.slice(0, 3)) rows.push({ seg: s.id, label: c.label, share: c.share, population: c.population });
  }
  const rowH = 16, labelW = 190, w = 720, top = 40, h = top + rows.length * rowH + r.segments.length * 10 + 30;
  const title = 'Segment profiles: share in the segment (colour) against the population (grey)';
  let svg = `<svg class="chart" data-chart="segmentProfile" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(title)}">`
    + `<title>${esc(title)}</title><rect class="bg" x="0" y="0" width="${w}" height="${h}" fill="#fff"/>`
    + `<text class="title" x="${w / 2}" y="20" text-anchor="middle">${esc(title)}</text>`;
  if (rows.length === 0) return svg + `<text class="empty" x="${w / 2}" y="${h / 2}" text-anchor="middle">no data</text></svg>`;
  const max = Math.max(...rows.map((q) => Math.max(q.share, q.population)), 1e-9), bw = w - labelW - 80;
  let yy = top, prev = -1;
  for (const q of rows) {
    if (q.seg !== prev) { if (prev >= 0) yy += 10; prev = q.seg; }
    const a = r2((q.share / max) * bw), b = r2((q.population / max) * bw);
    svg += `<text x="${labelW - 6}" y="${yy + 11}" text-anchor="end">segment ${q.seg} · ${esc(q.label)}</text>`
      + `<rect class="seg-bar" x="${labelW}" y="${yy + 1}" width="${Math.max(a, 0.5)}" height="${rowH / 2}" fill="${color(q.seg)}"><title>segment ${q.seg}, ${esc(q.label)}: ${fmt(q.share, 3)}</title></rect>`
      + `<rect class="pop-bar" x="${labelW}" y="${yy + 1 + rowH / 2}" width="${Math.max(b, 0.5)}" height="${rowH / 2 - 2}" fill="#bbb"><title>population: ${fmt(q.population, 3)}</title></rect>`
      + `<text class="value" x="${labelW + Math.max(a, b) + 4}" y="${yy + 11}">${fmt(q.share, 2)} vs ${fmt(q.population, 2)}</text>`;
    yy += rowH;
  }
  return svg + '</svg>';
}

function validityTable(r: SegmentsResult): string {
  const row = (name: string, a: { ari: number; nmi: number } | null | undefined) => `<tr><th scope="row">${esc(name)}</th><td>${fmt(a?.ari, 3)}</td><td>${fmt(a?.nmi, 3)}</td></tr>`;
  const truth = r.ari !== undefined ? { ari: r.ari, nmi: r.nmi ?? NaN } : null;
  return `<table class="comparison segments-validity"><thead><tr><th>segmentation (k = ${r.k})</th><th title="adjusted Rand index against the true segments">ARI</th><th title="normalised mutual information against the true segments">NMI</th></tr></thead><tbody>`
    + row(`learned: ${r.representation}`, truth) + row('baseline: k-means on static features', r.baselines.staticFeatures)
    + row('baseline: k-means on category counts', r.baselines.categoryCounts) + '</tbody></table>';
}

function targetingTable(r: SegmentsResult): string {
  let html = '<table class="comparison targeting"><thead><tr><th>segment</th><th>target item</th><th>title</th><th title="the model\'s mean click probability for the segment">segment CTR</th>'
    + '<th title="the same for the population">population CTR</th><th>lift</th><th title="segment CTR - population CTR">gain</th></tr></thead><tbody>';
  for (const s of r.segments) {
    for (const t of s.targets.items) {
      html += `<tr><th scope="row">${s.id}</th><td>${esc(t.item)}</td><td class="title">${esc(t.title)}</td><td>${fmt(t.expectedCtr, 4)}</td><td>${fmt(t.populationCtr, 4)}</td><td>${fmt(t.lift, 2)}</td><td>${fmt(t.gain, 4)}</td></tr>`;
    }
    const e = s.targets.expectedResponse, cats = s.targets.categories.slice(0, 3).map((c) => `${c.label} ×${fmt(c.lift, 2)}`).join(', ');
    html += `<tr class="response"><th scope="row">${s.id}</th><td colspan="2">expected response on these targets; categories: ${esc(cats)}</td><td>${fmt(e.ctr, 4)}</td><td>${fmt(e.populationCtr, 4)}</td><td>${fmt(e.lift, 2)}</td><td></td></tr>`;
  }
  return html + '</tbody></table>';
}

/** The section (an h2 and its content), for renderReport's `sections` or a page of its own. */
export function renderSegmentsSection(r: SegmentsResult): string {
  const sizes = barChart('segmentShare', 'Segment sizes (share of users)', 'share of users',
    r.segments.map((s) => ({ name: `segment ${s.id}`, color: color(s.id), value: s.share })), 0, 3);
  const stab = r.stabilityAri;
  const ks = r.kScores.length ? ` k chosen by silhouette among ${r.kScores.map((q) => `${q.k}: ${fmt(q.silhouette, 3)}`).join(', ')}.` : '';
  return `
<h2>Market segments</h2>
<p class="meta">${r.k} segments of ${r.users} users in ${esc(r.data)} · representation: ${esc(r.representation)} · silhouette ${fmt(r.silhouette, 3)}</p>
<p class="note">Stability (ARI): between two k-means seeds ${fmt(stab.seeds, 3)}; between two time windows ${fmt(stab.timeWindows, 3)}${stab.timeWindowsDescription ? ` (${esc(stab.timeWindowsDescription)})` : ''}.${esc(ks)}</p>
${r.ari !== undefined ? validityTable(r) + `<p class="note">Against the data set's ${r.trueSegments} true segments; the true segments choose nothing (k and the clustering come from the representation alone).</p>` : ''}
<div class="charts">${scatter(r)}${sizes}</div>
<div class="charts">${profileBars(r)}</div>
<h2>Targeting</h2>
${targetingTable(r)}
<p class="note">CTRs are the model's mean click probabilities over a sample of each segment's users; the population's is the size-weighted mean over segments. Targets are the items with the largest gain.</p>`;
}

export function renderSegmentsReport(r: SegmentsResult): string {
  return reportPage(`dpgcn segments: ${r.data}`, renderSegmentsSection(r));
}
