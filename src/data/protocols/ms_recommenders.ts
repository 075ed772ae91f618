/**
 * The Microsoft Recommenders split for ml-100k (python_stratified_split,
 * ratio 0.75): per user, interactions shuffled at random and the first 75%
 * (rounded) kept for training, the rest for test; evaluation is top-10 over
 * full ranking excluding training items, every test item relevant. This is
 * the setting of their published LightGCN / BPR / BiVAE numbers.
 *
 * valFraction > 0 carves a validation split out of each user's training part
 * the same stratified way (the last valFraction of the training part of the
 * same permutation), so the test split is identical with or without it.
 */
import type { Dataset } from '../types.js';
import { rankingFromRoles, type RankingOptions, type RankingSplit } from './ranking.js';

export function msRecommendersSplit(ds: Dataset, opts: RankingOptions & { ratio?: number }): RankingSplit {
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
  return rankingFromRoles(ds, role, opts, 'ms-recommenders');
}
