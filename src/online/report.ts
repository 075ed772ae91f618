/**
 * `dpgcn experiment --protocol online --report F`: one self-contained HTML
 * page (the experiment report's shell and styles, inline SVG, no script, no
 * URL) with the policies' table, the learning curves (CTR over the run, mean
 * over seeds), sessions per user, and the paired per-seed differences drawn
 * as intervals around their mean with a line at 0.
 */
import { reportPage } from '../experiment/report.js';
import { PALETTE, barChart, esc, fmt, lineChart } from '../experiment/svg.js';
import type { OnlineExperimentResult } from './experiment.js';
import type { PairedDiff } from './paired.js';

const r2 = (x: number): number => Math.round(x * 100) / 100;
const fin = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Horizontal intervals: one row per comparison, the mean as a dot, the 95% CI as a bar, and 0 dashed. */
export function intervalChart(kind: string, title: string, rows: PairedDiff[], digits: number): string {
  const w = 760, rowH = 26, labelW = 240, h = 56 + rows.length * rowH + 30;
  const plot = { x: labelW, y: 40, w: w - labelW - 110, h: rows.length * rowH };
  let svg = `<svg class="chart" data-chart="${esc(kind)}" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(title)}">`
    + `<title>${esc(title)}</title><rect class="bg" x="0" y="0" width="${w}" height="${h}" fill="#fff"/>`
    + `<text class="title" x="${w / 2}" y="20" text-anchor="middle">${esc(title)}</text>`;
  const ext = rows.flatMap((p) => [p.mean, p.ci95[0], p.ci95[1]].filter(fin));
  if (ext.length === 0) return svg + `<text class="empty" x="${w / 2}" y="${h / 2}" text-anchor="middle">no data</text></svg>`;
  let lo = Math.min(0, ...ext), hi = Math.max(0, ...ext);
  const pad = (hi - lo) * 0.05 || 1;
  lo -= pad; hi += pad;
  const x = (v: number) => r2(plot.x + ((v - lo) / (hi - lo)) * plot.w);
  svg += `<path class="zero" d="M${x(0)} ${plot.y - 6}V${plot.y + plot.h}" stroke="#333" stroke-dasharray="4 3"/>`;
  svg += `<text x="${x(0)}" y="${plot.y + plot.h + 16}" text-anchor="middle">0</text>`;
  rows.forEach((p, i) => {
    const cy = r2(plot.y + i * rowH + rowH / 2), label = `${p.a} − ${p.b}`;
    const color = p.n < 2 || !fin(p.ci95[0]) ? '#888' : p.ci95[0] > 0 ? '#59a14f' : p.ci95[1] < 0 ? '#e15759' : '#4e79a7';
    svg += `<text x="${labelW - 8}" y="${cy + 4}" text-anchor="end">${esc(label)}</text>`;
    if (fin(p.ci95[0]) && fin(p.ci95[1])) {
      svg += `<path class="ci" data-series="${esc(label)}" d="M${x(p.ci95[0])} ${cy}H${x(p.ci95[1])}M${x(p.ci95[0])} ${cy - 5}v10M${x(p.ci95[1])} ${cy - 5}v10" stroke="${color}" stroke-width="2" fill="none"/>`;
    }
    svg += `<circle cx="${x(p.mean)}" cy="${cy}" r="4" fill="${color}"><title>${esc(label)}: ${fmt(p.mean, digits)} [${fmt(p.ci95[0], digits)}, ${fmt(p.ci95[1], digits)}], n ${p.n}</title></circle>`;
    svg += `<text class="value" x="${w - 104}" y="${cy + 4}">${fmt(p.mean, digits)} [${fmt(p.ci95[0], digits)}, ${fmt(p.ci95[1], digits)}]</text>`;
  });
  return svg + '</svg>';
}

export function renderOnlineReport(r: OnlineExperimentResult): string {
  const color = (i: number): string => PALETTE[i % PALETTE.length];
  const p = r.market;
  const head = ['policy', 'total clicks', 'sessions / user', 'clicks / session', 'session length', 'regret', 'coverage', 'satisfaction'];
  const ms = (m: { mean: number; sd: number }, d: number) => `${fmt(m.mean, d)} ± ${fmt(m.sd, d)}`;
  const rows = r.models.map((m) => [m.name, ms(m.online.totalClicks, 0), ms(m.online.sessionsPerUser, 2), ms(m.online.clicksPerSession, 2),
    ms(m.online.sessionLength, 2), ms(m.online.regret, 0), ms(m.online.coverage, 3), ms(m.online.satisfaction, 3)]);
  const table = `<table class="comparison"><thead><tr>${head.map((x) => `<th>${esc(x)}</th>`).join('')}</tr></thead><tbody>`
    + rows.map((row) => `<tr>${row.map((x, i) => (i === 0 ? `<th scope="row">${esc(x)}</th>` : `<td>${esc(x)}</td>`)).join('')}</tr>`).join('') + '</tbody></table>';
  const curves = lineChart('online-ctr', 'Learning curve: CTR over the run (mean over seeds)', 'CTR',
    r.models.map((m, i) => ({ name: m.name, color: color(i), values: m.online.ctrCurve })), 'tenth of the run');
  const retention = barChart('online-retention', 'Sessions per user over the horizon', 'sessions / user',
    r.models.map((m, i) => ({ name: m.name, color: color(i), value: m.online.sessionsPerUser.mean, sd: m.online.sessionsPerUser.sd })), 0, 2);
  const clicks = r.paired.filter((x) => x.metric === 'totalClicks'), ret = r.paired.filter((x) => x.metric === 'sessionsPerUser');
  const body = `<p>Data ${esc(r.dataset)}, protocol online, seeds ${esc(r.seeds.join(', '))}, ${r.users} users over ${p.days} days, slate ${p.slate}, `
    + `market dynamics ${p.dynamics ? 'on' : 'off'}. Paired differences are per-seed (same users, same random numbers), mean with a 95% Student t interval over ${r.seeds.length} seeds.</p>`
    + `<h2>Policies</h2>${table}`
    + `<h2>Learning curves</h2>${curves}`
    + `<h2>Retention</h2>${retention}`
    + `<h2>Paired differences</h2>`
    + (clicks.length ? intervalChart('online-paired-clicks', 'Total clicks: a − b per seed (95% CI)', clicks, 0) : '<p>No pair of the compared policies ran.</p>')
    + (ret.length ? intervalChart('online-paired-retention', 'Sessions per user: a − b per seed (95% CI)', ret, 2) : '');
  return reportPage('dpgcn online experiment', body);
}
