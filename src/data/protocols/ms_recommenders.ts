/**
 * The Microsoft Recommenders ml-100k benchmark split
 * (examples/06_benchmarks/movielens.ipynb): python_stratified_split(df,
 * ratio=0.75, min_rating=1, filter_by="item", seed=42). Per item, its ratings
 * are shuffled and the first round(0.75 n) go to training, the rest to test;
 * Python's round is half-to-even (round(1.5) = 2, round(2.5) = 2), so an item
 * with 2 ratings keeps both for training. Evaluation is top-k over every item
 * outside the user's training items, every held-out rating relevant, over the
 * users with at least one training item (their merge of truth and
 * predictions keeps only users the model has seen).
 *
 * 'ms-recommenders-user' is the same split stratified per user
 * (filter_by="user"), the variant this project used before.
 *
 * valFraction > 0 carves a validation split out of each group's training
 * part the same stratified way (the last valFraction of the training part of
 * the same permutation), so the test split is identical with or without it.
 */
import type { Dataset } from '../types.js';
import type { Rng } from '../../tensor/rng.js';
import { rankingFromRoles, type RankingOptions, type RankingSplit } from './ranking.js';

/** Python 3's round(): halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x), d = x - f;
  if (Math.abs(d - 0.5) > 1e-9) return Math.round(x);
  return f % 2 === 0 ? f : f + 1;
}

/** Marks the rows of one group (perm: its interaction indices, shuffled) as train 0 / val 1 / test 2. */
function splitGroup(role: Uint8Array, perm: Int32Array, ratio: number, valF: number, atLeastOneTest: boolean): void {
  const n = perm.length;
  let nTrain = roundHalfEven(n * ratio);
  if (atLeastOneTest) nTrain = Math.min(n - 1, Math.max(1, nTrain));
  for (let k = nTrain; k < n; k++) role[perm[k]] = 2;
  const nVal = valF > 0 ? roundHalfEven(nTrain * valF) : 0;
  for (let k = nTrain - nVal; k < nTrain; k++) role[perm[k]] = 1;
}

function shuffled(rng: Rng, idx: number[]): Int32Array { return rng.shuffle(Int32Array.from(idx)); }

/** Per interaction: 0 train, 1 validation, 2 test, drawn per item. */
export function msRecommendersRoles(ds: Dataset, opts: { rng: Rng; ratio?: number; valFraction?: number }): Uint8Array {
  const ratio = opts.ratio ?? 0.75, valF = opts.valFraction ?? 0, it = ds.interactions;
  const byItem: number[][] = Array.from({ length: ds.numItems }, () => []);
  for (let k = 0; k < it.length; k++) byItem[it.item[k]].push(k);
  const role = new Uint8Array(it.length);
  for (let i = 0; i < ds.numItems; i++) if (byItem[i].length) splitGroup(role, shuffled(opts.rng, byItem[i]), ratio, valF, false);
  return role;
}

export function msRecommendersSplit(ds: Dataset, opts: RankingOptions & { ratio?: number }): RankingSplit {
  return rankingFromRoles(ds, msRecommendersRoles(ds, opts), opts, 'ms-recommenders');
}

/** The per-user variant (at least one training and one test item per user with two or more). */
export function msRecommendersUserSplit(ds: Dataset, opts: RankingOptions & { ratio?: number }): RankingSplit {
  const ratio = opts.ratio ?? 0.75, valF = opts.valFraction ?? 0;
  const role = new Uint8Array(ds.interactions.length);
  for (let u = 0; u < ds.numUsers; u++) {
    const a = ds.userPtr[u], n = ds.userPtr[u + 1] - a;
    if (n < 2) continue;
    const perm = opts.rng.shuffle(Int32Array.from({ length: n }, (_, k) => a + k));
    const nTrain = Math.min(n - 1, Math.max(1, Math.round(n * ratio)));
    for (let k = nTrain; k < n; k++) role[perm[k]] = 2;
    const nVal = valF > 0 && nTrain >= 3 ? Math.max(1, Math.round(nTrain * valF)) : 0;
    for (let k = nTrain - nVal; k < nTrain; k++) role[perm[k]] = 1;
  }
  return rankingFromRoles(ds, role, opts, 'ms-recommenders-user');
}
