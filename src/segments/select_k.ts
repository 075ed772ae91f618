/**
 * `--k auto`: k-means for each k in a range, scored by the (sampled)
 * silhouette; the highest wins, the smaller k on a tie. The silhouette, not
 * the true segments, picks k: on the synthetic market the true segments are
 * the test.
 */
import { Rng } from '../tensor/rng.js';
import type { Points } from './distance.js';
import { kmeans, type KMeansResult } from './kmeans.js';
import { silhouette } from './silhouette.js';

export interface SelectKOptions {
  kMin?: number;
  kMax?: number;
  restarts?: number;
  sample?: number;
}

export interface SelectKResult {
  best: KMeansResult;
  silhouette: number;
  /** Every k tried with its silhouette. */
  scores: { k: number; silhouette: number; inertia: number }[];
}

export function selectK(p: Points, rng: Rng, opts: SelectKOptions = {}): SelectKResult {
  const kMin = Math.max(2, opts.kMin ?? 2), kMax = Math.min(p.n - 1, opts.kMax ?? 12);
  if (kMax < kMin) throw new RangeError(`selectK: need at least ${kMin + 1} points (got ${p.n})`);
  let best: KMeansResult | null = null, bestS = -Infinity;
  const scores: SelectKResult['scores'] = [];
  // one silhouette sample for every k, so the scores differ by the partition only
  const sampleSeed = rng.fork().seed;
  for (let k = kMin; k <= kMax; k++) {
    const r = rng.fork(), km = kmeans(p, { k, rng: r, restarts: opts.restarts });
    const s = silhouette(p, km.labels, k, { sample: opts.sample, rng: new Rng(sampleSeed) });
    scores.push({ k, silhouette: s, inertia: km.inertia });
    if (s > bestS) { bestS = s; best = km; }
  }
  return { best: best!, silhouette: bestS, scores };
}
