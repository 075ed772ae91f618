/**
 * The printed comparison table of `dpgcn experiment` (the paper's Tables 3-4
 * layout): one row per model, NaN shown as '-', and on synthetic data the
 * oracle AUC with each model's distance to it.
 */
import type { ExperimentResult, ModelResult } from '../eval/result_types.js';

const f = (x: number | null | undefined, d = 4): string => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));
const pct = (x: number | null | undefined): string => (x === null || x === undefined || Number.isNaN(x) ? '-' : `${x >= 0 ? '+' : ''}${x.toFixed(2)}%`);

export function renderTable(result: ExperimentResult): string {
  const oracle = result.oracleAuc;
  const head = ['model', 'AUC (mean±sd)', 'GAUC', 'RelaImpr', 'P@5', 'P@10', 'NDCG@5', 'NDCG@10', 'train s', 'test s'];
  if (oracle !== undefined) head.push('oracle gap');
  const rows = result.models.map((m: ModelResult & { oracleGap?: number }) => {
    const r = [m.name, `${f(m.auc.mean)}±${f(m.auc.sd)}`, f(m.gauc), m.name === (result.baseModel ?? '') ? 'base' : pct(m.relaImpr),
      f(m.p5), f(m.p10), f(m.ndcg5), f(m.ndcg10), f(m.trainSeconds, 1), f(m.testSeconds, 3)];
    if (oracle !== undefined) r.push(f(m.oracleGap ?? (oracle - m.auc.mean)));
    return r;
  });
  const all = [head, ...rows];
  const w = head.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((s, c) => (c === 0 ? s.padEnd(w[c]) : s.padStart(w[c]))).join('  ');
  const out = [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)];
  const notes = [`data ${result.dataset}, protocol ${result.protocol}, seeds ${result.seeds.join(',')}`];
  if (oracle !== undefined && !Number.isNaN(oracle)) notes.push(`oracle AUC (true click probabilities) ${f(oracle)}`);
  if (result.oracleGauc !== undefined && !Number.isNaN(result.oracleGauc)) {
    notes.push(`oracle GAUC ${f(result.oracleGauc)} (the true click probability is optimal within a user, so GAUC is the bound; a model may exceed the oracle's global AUC)`);
  }
  if (result.protocol === 'din' || result.protocol === 'dien') {
    notes.push('P@k, NDCG@k: each test positive ranked among all items its user had not interacted with before it');
  }
  return [...out, '', ...notes].join('\n');
}
