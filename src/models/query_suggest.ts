/**
 * Query suggestion, the paper's intent task: rank queries for a user with the
 * same model that ranks items. A query's score is the mean predicted click
 * probability of its best `topItems` items for that user, scored as
 * (user, item, query) instances with the user's training history; a query's
 * items are the ones clicked under it in training (the query-item relation),
 * else the items sharing its terms.
 */
import { tidy } from '../tensor/scope.js';
import { noGrad } from '../autograd/engine.js';
import { UserError } from '../errors.js';
import type { Batch } from './types.js';
import type { GraphRecommender } from './graph_models.js';

export interface QuerySuggestion { query: number; text: string; score: number }

export interface SuggestOptions {
  k?: number;
  /** Items per query averaged into its score (default 3). */
  topItems?: number;
  /** Candidate items per query considered (most connected first; default 30). */
  maxItems?: number;
}

/** Candidate items of query q (clicked under it, else sharing a term). */
export function queryItems(model: GraphRecommender, q: number, max: number): Int32Array {
  const g = model.graph, qi = g.adj['query-item'];
  let items = Array.from(qi.colIdx.subarray(qi.rowPtr[q], qi.rowPtr[q + 1]));
  if (items.length === 0) {
    const qt = g.adj['query-term'], ti = g.adj['item-term'].transpose(), seen = new Map<number, number>();
    for (let p = qt.rowPtr[q]; p < qt.rowPtr[q + 1]; p++) {
      const t = qt.colIdx[p];
      for (let r = ti.rowPtr[t]; r < ti.rowPtr[t + 1]; r++) seen.set(ti.colIdx[r], (seen.get(ti.colIdx[r]) ?? 0) + 1);
    }
    items = [...seen.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map((e) => e[0]);
  }
  return Int32Array.from(items.slice(0, max));
}

/** The user's training history, oldest first. */
function userHistory(model: GraphRecommender, user: number): number[] {
  const it = model.ctx.trainInteractions, out: number[] = [];
  for (let k = 0; k < it.length; k++) if (it.user[k] === user) out.push(it.item[k]);
  return out;
}

/** Queries ranked for `user`, best first. */
export function suggestQueries(model: GraphRecommender, user: number, opts: SuggestOptions = {}): QuerySuggestion[] {
  const ds = model.ctx.dataset, k = opts.k ?? 10, top = opts.topItems ?? 3, maxItems = opts.maxItems ?? 30;
  if (!(user >= 0 && user < ds.numUsers)) throw new UserError(`suggestQueries: user ${user} is outside [0, ${ds.numUsers})`);
  if (ds.numQueries === 0) return [];
  const qs: number[] = [], its: number[] = [];
  for (let q = 0; q < ds.numQueries; q++) for (const i of queryItems(model, q, maxItems)) { qs.push(q); its.push(i); }
  const B = qs.length, L = model.ctx.config.maxLen;
  const h = userHistory(model, user).slice(-L);
  const history = new Int32Array(B * L).fill(-1);
  for (let b = 0; b < B; b++) history.set(h, b * L);
  const batch: Batch = {
    size: B, user: new Int32Array(B).fill(user), item: Int32Array.from(its), query: Int32Array.from(qs),
    time: new Float64Array(B), history, historyLen: new Int32Array(B).fill(h.length), maxLen: L,
  };
  const logits = B ? tidy(() => noGrad(() => model.forward(batch, false).data.slice())) : new Float32Array(0);
  const per = new Map<number, number[]>();
  for (let b = 0; b < B; b++) {
    let a = per.get(qs[b]);
    if (!a) per.set(qs[b], (a = []));
    a.push(1 / (1 + Math.exp(-logits[b])));
  }
  const out: QuerySuggestion[] = [];
  for (const [q, ps] of per) {
    ps.sort((a, b) => b - a);
    const n = Math.min(top, ps.length);
    out.push({ query: q, text: ds.queryText[q] ?? '', score: ps.slice(0, n).reduce((s, p) => s + p, 0) / n });
  }
  out.sort((a, b) => b.score - a.score || a.query - b.query);
  return out.slice(0, k);
}
