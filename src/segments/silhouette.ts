/**
 * The silhouette coefficient (Rousseeuw 1987): for a point, a = mean distance
 * to its own cluster, b = smallest mean distance to another cluster,
 * s = (b - a) / max(a, b); singletons score 0. For large n the mean is taken
 * over a seeded sample of points, each scored exactly against all n points.
 */
import type { Rng } from '../tensor/rng.js';
import { rowNorms, sqDistances, type Points } from './distance.js';

export interface SilhouetteOptions {
  /** Points scored (default 2000); all when n is at most this. */
  sample?: number;
  /** Draws the sample (needed only when n > sample). */
  rng?: Rng;
}

export function silhouette(p: Points, labels: Int32Array, k: number, opts: SilhouetteOptions = {}): number {
  const { data: x, n, d } = p;
  const size = new Int32Array(k);
  for (const l of labels) size[l]++;
  if (k < 2 || size.filter((s) => s > 0).length < 2) return 0;
  const cap = opts.sample ?? 2000;
  let idx: Int32Array;
  if (n <= cap) idx = Int32Array.from({ length: n }, (_, i) => i);
  else {
    if (!opts.rng) throw new Error('silhouette: sampling needs an rng');
    idx = opts.rng.sample(n, cap).sort();
  }
  const xn = rowNorms(x, n, d);
  const block = Math.max(1, Math.floor((1 << 22) / n));
  let total = 0;
  const sums = new Float64Array(k);
  for (let s0 = 0; s0 < idx.length; s0 += block) {
    const rows = idx.subarray(s0, Math.min(idx.length, s0 + block)), m = rows.length;
    const q = new Float32Array(m * d);
    rows.forEach((i, r) => q.set(x.subarray(i * d, (i + 1) * d), r * d));
    const dist = sqDistances(q, m, x, n, d, Float64Array.from(rows, (i) => xn[i]));
    for (let r = 0; r < m; r++) {
      const i = rows[r], own = labels[i];
      if (size[own] <= 1) continue;
      sums.fill(0);
      for (let j = 0, o = r * n; j < n; j++) if (j !== i) sums[labels[j]] += Math.sqrt(dist[o + j]);
      const a = sums[own] / (size[own] - 1);
      let b = Infinity;
      for (let c = 0; c < k; c++) if (c !== own && size[c] > 0) b = Math.min(b, sums[c] / size[c]);
      const den = Math.max(a, b);
      total += den > 0 ? (b - a) / den : 0;
    }
  }
  return total / idx.length;
}
