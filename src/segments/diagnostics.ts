/**
 * Why a representation does or does not separate known segments, measured
 * with the true labels (reported, never used to choose anything): the share
 * of the representation's variance that lies between the true segments' means
 * (R^2), and how often a user is nearest its own true segment's mean. A low
 * share with a high accuracy means the segments are there but buried in
 * within-segment spread that k-means cannot see past.
 */
import type { Points } from './distance.js';

export interface SeparationDiagnostics { betweenSegmentVariance: number; nearestTrueMeanAccuracy: number }

export function separation(p: Points, truth: Int32Array): SeparationDiagnostics {
  const { data: x, n, d } = p;
  let K = 0;
  for (const t of truth) K = Math.max(K, t + 1);
  const mean = new Float64Array(K * d), cnt = new Float64Array(K), all = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    cnt[truth[i]]++;
    for (let t = 0; t < d; t++) { mean[truth[i] * d + t] += x[i * d + t]; all[t] += x[i * d + t] / n; }
  }
  for (let s = 0; s < K; s++) for (let t = 0; t < d; t++) mean[s * d + t] /= Math.max(1, cnt[s]);
  let total = 0, between = 0, hits = 0;
  for (let i = 0; i < n; i++) {
    let best = -1, bd = Infinity;
    for (let s = 0; s < K; s++) {
      if (cnt[s] === 0) continue;
      let q = 0;
      for (let t = 0; t < d; t++) q += (x[i * d + t] - mean[s * d + t]) ** 2;
      if (q < bd) { bd = q; best = s; }
    }
    if (best === truth[i]) hits++;
    for (let t = 0; t < d; t++) { total += (x[i * d + t] - all[t]) ** 2; between += (mean[truth[i] * d + t] - all[t]) ** 2; }
  }
  return { betweenSegmentVariance: total > 0 ? between / total : 0, nearestTrueMeanAccuracy: n > 0 ? hits / n : 0 };
}
