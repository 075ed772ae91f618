/**
 * Oracle scores for the synthetic market: the true click probability of each
 * instance (at its time) ranks instances as well as anything can, so its AUC
 * under a protocol is the ceiling a model's AUC is compared against.
 * AUC here is the rank-sum (Mann-Whitney) form with ties counted one half.
 */
import type { Dataset } from './types.js';
import type { InstanceSet } from './protocols/common.js';
import { UserError } from '../errors.js';

/** AUC of scores against 0/1 labels; NaN if a class is missing. */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const idx = Int32Array.from({ length: n }, (_, k) => k).sort((a, b) => scores[a] - scores[b]);
  let rankSum = 0, nPos = 0;
  for (let s = 0; s < n;) {
    let e = s;
    while (e + 1 < n && scores[idx[e + 1]] === scores[idx[s]]) e++;
    const avgRank = (s + e) / 2 + 1;
    for (let k = s; k <= e; k++) if (labels[idx[k]] > 0.5) { rankSum += avgRank; nPos++; }
    s = e + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSum - nPos * (nPos + 1) / 2) / (nPos * nNeg);
}

/** User-weighted GAUC: per-user AUC weighted by the user's instance count, over users with both classes. */
export function gauc(scores: ArrayLike<number>, labels: ArrayLike<number>, users: ArrayLike<number>): number {
  const groups = new Map<number, number[]>();
  for (let k = 0; k < users.length; k++) { let g = groups.get(users[k]); if (!g) groups.set(users[k], (g = [])); g.push(k); }
  let num = 0, den = 0;
  for (const g of groups.values()) {
    const a = auc(g.map((k) => scores[k]), g.map((k) => labels[k]));
    if (Number.isNaN(a)) continue;
    num += a * g.length; den += g.length;
  }
  return den ? num / den : NaN;
}

/** True click probabilities of an instance set (synthetic data only). */
export function oracleScores(ds: Dataset, set: InstanceSet): Float32Array {
  const o = ds.oracle;
  if (!o) throw new UserError(`${ds.name}: the oracle exists only for synthetic data`);
  const s = new Float32Array(set.length);
  for (let k = 0; k < set.length; k++) s[k] = o.clickProb(set.user[k], set.item[k], set.time[k]);
  return s;
}

/** Oracle AUC and GAUC of an instance set. */
export function oracleAuc(ds: Dataset, set: InstanceSet): { auc: number; gauc: number } {
  const s = oracleScores(ds, set);
  return { auc: auc(s, set.label), gauc: gauc(s, set.label, set.user) };
}
