/**
 * `dpgcn experiment --report`: one self-contained HTML file with this run's
 * versions of the paper's figures (Fig 3 training curves, Figs 4-5 AUC and
 * RelaImpr bars, Fig 6 test-time box plots) and the comparison table.
 *
 * Charts are inline SVG built here, not drawn by scripts in the browser: the
 * output is deterministic, testable as a string, readable with scripts off,
 * and a Content-Security-Policy of default-src 'none' proves it fetches nothing.
 */

import { meanSd, relaImpr as relaImprOf } from '../eval/metrics.js';
import { DEFAULT_BASE_MODEL, type ExperimentResult, type ModelResult } from '../eval/result_types.js';
import { PALETTE, barChart, boxChart, esc, fmt, lineChart } from './svg.js';

const fin = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * RelaImpr's spread over seeds, from per-seed AUCs paired by seed with the
 * base model. Undefined (no error bar) without per-seed data.
 */
function relaImprSd(m: ModelResult, base: ModelResult | undefined): number | undefined {
  if (!base?.perSeed || !m.perSeed) return undefined;
  const baseBySeed = new Map(base.perSeed.map((s) => [s.seed, s.auc]));
  const vals: number[] = [];
  for (const s of m.perSeed) {
    const b = baseBySeed.get(s.seed);
    if (fin(b) && fin(s.auc)) { const r = relaImprOf(s.auc, b); if (fin(r)) vals.push(r); }
  }
  return vals.length >= 2 ? meanSd(vals).sd : undefined;
}

/** Per-seed test times, or the mean alone when the run kept no per-seed data. */
function testTimes(m: ModelResult): number[] {
  const per = (m.perSeed ?? []).map((s) => s.testSeconds).filter(fin);
  return per.length > 0 ? per : fin(m.testSeconds) ? [m.testSeconds] : [];
}

interface Column { head: string; title: string; digits: number; better: 'high' | 'low' | 'none'; get(m: ModelResult): number | undefined }

function columns(r: ExperimentResult): Column[] {
  const cols: Column[] = [
    { head: 'AUC', title: 'test AUC, mean over seeds', digits: 4, better: 'high', get: (m) => m.auc?.mean },
    { head: 'sd', title: 'sample sd of AUC over seeds', digits: 4, better: 'none', get: (m) => m.auc?.sd },
    { head: 'GAUC', title: 'user-weighted AUC', digits: 4, better: 'high', get: (m) => m.gauc },
    { head: 'RelaImpr %', title: `relative improvement over ${r.baseModel ?? DEFAULT_BASE_MODEL}`, digits: 2, better: 'high', get: (m) => m.relaImpr },
    { head: 'P@5', title: 'precision at 5', digits: 4, better: 'high', get: (m) => m.p5 },
    { head: 'P@10', title: 'precision at 10', digits: 4, better: 'high', get: (m) => m.p10 },
    { head: 'NDCG@5', title: 'NDCG at 5', digits: 4, better: 'high', get: (m) => m.ndcg5 },
    { head: 'NDCG@10', title: 'NDCG at 10', digits: 4, better: 'high', get: (m) => m.ndcg10 },
    { head: 'train s', title: 'training seconds, mean over seeds', digits: 2, better: 'low', get: (m) => m.trainSeconds },
    { head: 'test s', title: 'seconds to score the test set, mean over seeds', digits: 3, better: 'low', get: (m) => m.testSeconds },
  ];
  if (fin(r.oracleAuc)) {
    const o = r.oracleAuc;
    cols.splice(2, 0, { head: 'oracle − AUC', title: `distance to the oracle AUC ${o.toFixed(4)}`, digits: 4, better: 'low', get: (m) => (fin(m.auc?.mean) ? o - m.auc.mean : undefined) });
  }
  return cols;
}

/** The comparison table; the best value of each column is bold. */
function table(r: ExperimentResult): string {
  const cols = columns(r);
  let html = '<table class="comparison"><thead><tr><th>model</th>';
  for (const c of cols) html += `<th title="${esc(c.title)}">${esc(c.head)}</th>`;
  html += '</tr></thead><tbody>';
  const best = cols.map((c) => {
    const vals = r.models.map((m) => c.get(m)).filter(fin);
    const lo = Math.min(...vals), hi = Math.max(...vals);
    // Nothing is best when all are equal, and a spread is not a score.
    if (vals.length < 2 || lo === hi || c.better === 'none') return NaN;
    return c.better === 'high' ? hi : lo;
  });
  for (const m of r.models) {
    html += `<tr><th scope="row">${esc(m.name)}</th>`;
    cols.forEach((c, j) => {
      const v = c.get(m);
      const cls = fin(v) && v === best[j] ? ' class="best"' : '';
      html += `<td${cls}>${fmt(v, c.digits)}</td>`;
    });
    html += '</tr>';
  }
  return html + '</tbody></table>';
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;margin:24px auto;max-width:1180px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555;margin:0 0 8px}.note{color:#666;font-size:12px}
table.comparison{border-collapse:collapse;font-variant-numeric:tabular-nums}
table.comparison th,table.comparison td{padding:4px 10px;border-bottom:1px solid #e3e3e3;text-align:right}
table.comparison th[scope=row],table.comparison thead th:first-child{text-align:left}
table.comparison thead th{border-bottom:2px solid #999;cursor:help}td.best{font-weight:700}
.charts{display:flex;flex-wrap:wrap;gap:16px}
svg.chart{font-size:11px;max-width:100%;height:auto;border:1px solid #eee}
svg.chart .title{font-size:14px;font-weight:600}svg.chart .label{font-size:12px;fill:#444}
svg.chart text{fill:#333}svg.chart .value{font-size:10px}
`;

/** The report's page shell: the head with the locked-down CSP and the shared styles around an already-escaped body. */
export function reportPage(heading: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(heading)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${esc(heading)}</h1>
${body}
</body>
</html>
`;
}

/**
 * Renders the whole report; every string from the result is escaped.
 * `sections` is further HTML appended after the experiment's (e.g. renderSegmentsSection).
 */
export function renderReport(result: ExperimentResult, sections = ''): string {
  const models = result.models;
  const color = (i: number): string => PALETTE[i % PALETTE.length];
  const baseName = result.baseModel ?? DEFAULT_BASE_MODEL;
  const base = models.find((m) => m.name === baseName);
  const heading = `dpgcn experiment: ${result.dataset} (${result.protocol} protocol)`;
  const seeds = (result.seeds ?? []).join(', ');
  const oracle = fin(result.oracleAuc) ? ` · oracle AUC ${result.oracleAuc.toFixed(4)}` : '';

  const loss = lineChart('loss', 'Training loss per epoch (Fig. 3a)', 'training loss',
    models.map((m, i) => ({ name: m.name, color: color(i), values: m.curves?.loss ?? [] })));
  const valAuc = lineChart('valAuc', 'Validation AUC per epoch (Fig. 3b)', 'validation AUC',
    models.map((m, i) => ({ name: m.name, color: color(i), values: m.curves?.valAuc ?? [] })));
  const ndcg = models.some((m) => m.curves?.valNdcg10?.length)
    ? lineChart('valNdcg10', 'Validation NDCG@10 per epoch (the epoch count is selected on it)', 'validation NDCG@10',
      models.map((m, i) => ({ name: m.name, color: color(i), values: m.curves?.valNdcg10 ?? [] })))
    : '';
  const aucMin = Math.min(0.5, ...models.map((m) => m.auc?.mean).filter(fin));
  const auc = barChart('auc', 'Test AUC, mean ± sd over seeds (Fig. 4)', 'AUC',
    models.map((m, i) => ({ name: m.name, color: color(i), value: m.auc?.mean, sd: m.auc?.sd })), aucMin < 0.5 ? aucMin : 0.5, 4);
  const rela = barChart('relaImpr', `RelaImpr over ${baseName}, % (Fig. 5)`, 'RelaImpr %',
    models.map((m, i) => ({ name: m.name, color: color(i), value: m.relaImpr, sd: relaImprSd(m, base) })), 0, 2);
  const testTime = boxChart('testTime', 'Test time over seeds (Fig. 6)', 'seconds per test set',
    models.map((m, i) => ({ name: m.name, color: color(i), values: testTimes(m) })));

  return reportPage(heading, `<p class="meta">seeds ${esc(seeds)} · ${models.length} models · RelaImpr base ${esc(baseName)}${esc(oracle)}</p>
<h2>Comparison</h2>
${table(result)}
<p class="note">AUC and its sample sd over seeds; the other columns are means over seeds. Bold marks the best value in each column.</p>
<h2>Training (Fig. 3)</h2>
<div class="charts">${loss}${valAuc}${ndcg}</div>
<p class="note">Curves are means over seeds, per epoch.</p>
<h2>Accuracy (Figs. 4 and 5)</h2>
<div class="charts">${auc}${rela}</div>
<p class="note">AUC bars start at ${aucMin < 0.5 ? 'the lowest AUC' : '0.5 (chance)'}, so a bar's height is the lift over chance. Error bars are ±1 sample sd over seeds${base ? '' : ` (RelaImpr has none: the base model ${esc(baseName)} is not in this run)`}.</p>
<h2>Test time (Fig. 6)</h2>
<div class="charts">${testTime}</div>
<p class="note">Boxes span the quartiles with the median marked; whiskers reach the furthest seed within 1.5 IQR; dots are individual seeds.</p>${sections}`);
}
