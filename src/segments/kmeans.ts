/**
 * k-means++ (Arthur & Vassilvitskii 2007; the greedy variant) with Lloyd iterations, all
 * distances through sqDistances (one GEMM per pass). Several seeded restarts;
 * the one with the lowest inertia wins. Labels are renumbered by cluster size
 * (largest first, ties by first member), so equal partitions give equal
 * labels whatever the restart found them in.
 */
import type { Rng } from '../tensor/rng.js';
import { rowNorms, sqDistances, type Points } from './distance.js';

export interface KMeansOptions {
  k: number;
  rng: Rng;
  /** Independent k-means++ starts (default 32). */
  restarts?: number;
  /** Lloyd iterations per start (default 100). */
  maxIter?: number;
}

export interface KMeansResult {
  k: number;
  /** Cluster of each point, 0..k-1, 0 the largest. */
  labels: Int32Array;
  /** k x d. */
  centroids: Float32Array;
  /** Sum of squared distances to the assigned centroid. */
  inertia: number;
  /** Lloyd iterations of the winning start. */
  iterations: number;
}

/**
 * Greedy k-means++ (as scikit-learn): each new centre is the best of
 * 2 + floor(ln k) candidates drawn with probability proportional to D(x)^2,
 * best meaning the lowest total D^2 after adding it. All candidates' distances
 * come from one GEMM.
 */
function plusPlusInit(p: Points, k: number, xn: Float64Array, rng: Rng): Float32Array {
  const { data: x, n, d } = p;
  const c = new Float32Array(k * d), trials = 2 + Math.floor(Math.log(k));
  const first = rng.int(n);
  c.set(x.subarray(first * d, (first + 1) * d), 0);
  const best = Float64Array.from(sqDistances(x, n, c.subarray(0, d), 1, d, xn));
  let total = best.reduce((a, b) => a + b, 0);
  const cand = new Float32Array(trials * d), pick = new Int32Array(trials);
  for (let j = 1; j < k; j++) {
    for (let t = 0; t < trials; t++) {
      // all points equal to a chosen centre: fall back to uniform draws
      let at = -1;
      if (total > 0) {
        let r = rng.uniform() * total;
        for (let i = 0; i < n; i++) { r -= best[i]; if (r < 0) { at = i; break; } }
        if (at < 0) for (let i = n - 1; i >= 0; i--) if (best[i] > 0) { at = i; break; }
      }
      pick[t] = at >= 0 ? at : rng.int(n);
      cand.set(x.subarray(pick[t] * d, (pick[t] + 1) * d), t * d);
    }
    const dist = sqDistances(x, n, cand, trials, d, xn);
    let bt = 0, bPot = Infinity;
    for (let t = 0; t < trials; t++) {
      let pot = 0;
      for (let i = 0; i < n; i++) pot += Math.min(best[i], dist[i * trials + t]);
      if (pot < bPot) { bPot = pot; bt = t; }
    }
    for (let i = 0; i < n; i++) best[i] = Math.min(best[i], dist[i * trials + bt]);
    total = bPot;
    c.set(cand.subarray(bt * d, (bt + 1) * d), j * d);
  }
  return c;
}

function lloyd(p: Points, k: number, c: Float32Array, xn: Float64Array, maxIter: number): { labels: Int32Array; inertia: number; iterations: number } {
  const { data: x, n, d } = p;
  const labels = new Int32Array(n).fill(-1), minD = new Float64Array(n);
  let inertia = 0, it = 0;
  for (; it < maxIter; it++) {
    const dist = sqDistances(x, n, c, k, d, xn);
    let changed = 0;
    inertia = 0;
    for (let i = 0; i < n; i++) {
      let b = 0, bv = dist[i * k];
      for (let j = 1; j < k; j++) if (dist[i * k + j] < bv) { bv = dist[i * k + j]; b = j; }
      if (labels[i] !== b) { labels[i] = b; changed++; }
      minD[i] = bv; inertia += bv;
    }
    if (changed === 0 && it > 0) break;
    const sum = new Float64Array(k * d), cnt = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      const l = labels[i]; cnt[l]++;
      for (let t = 0; t < d; t++) sum[l * d + t] += x[i * d + t];
    }
    // an empty cluster takes the point farthest from its centre (which then no longer counts as far)
    for (let j = 0; j < k; j++) {
      if (cnt[j] > 0) { for (let t = 0; t < d; t++) c[j * d + t] = sum[j * d + t] / cnt[j]; continue; }
      let far = 0;
      for (let i = 1; i < n; i++) if (minD[i] > minD[far]) far = i;
      c.set(x.subarray(far * d, (far + 1) * d), j * d);
      minD[far] = 0;
    }
  }
  return { labels, inertia, iterations: it };
}

/** Renumbers clusters by size (largest first, ties by first member) and permutes the centroids to match. */
export function canonicalLabels(labels: Int32Array, centroids: Float32Array, k: number, d: number): { labels: Int32Array; centroids: Float32Array } {
  const size = new Int32Array(k), first = new Int32Array(k).fill(labels.length);
  labels.forEach((l, i) => { size[l]++; if (i < first[l]) first[l] = i; });
  const order = Array.from({ length: k }, (_, j) => j).sort((a, b) => size[b] - size[a] || first[a] - first[b]);
  const to = new Int32Array(k);
  order.forEach((old, nu) => { to[old] = nu; });
  const c = new Float32Array(k * d);
  order.forEach((old, nu) => c.set(centroids.subarray(old * d, (old + 1) * d), nu * d));
  return { labels: labels.map((l) => to[l]), centroids: c };
}

export function kmeans(p: Points, opts: KMeansOptions): KMeansResult {
  const { n, d } = p, k = opts.k;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`kmeans: k must be an integer in [1, ${n}] (got ${k})`);
  const xn = rowNorms(p.data, n, d);
  let best: KMeansResult | null = null;
  const restarts = opts.restarts ?? 32;
  for (let r = 0; r < restarts; r++) {
    const rng = opts.rng.fork();
    const c = plusPlusInit(p, k, xn, rng);
    const run = lloyd(p, k, c, xn, opts.maxIter ?? 100);
    if (!best || run.inertia < best.inertia) best = { k, labels: run.labels, centroids: c, inertia: run.inertia, iterations: run.iterations };
  }
  const canon = canonicalLabels(best!.labels, best!.centroids, k, d);
  return { ...best!, ...canon };
}
