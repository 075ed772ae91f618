/**
 * PCA to a few components: the covariance X_c^T X_c / (n - 1) by one GEMM,
 * then power iteration with deflation for the leading eigenvectors. Each
 * component's sign is fixed (its largest-magnitude entry positive), so the
 * projection is deterministic.
 */
import { tensor } from '../tensor/create.js';
import { tidy } from '../tensor/scope.js';
import { noGrad } from '../autograd/engine.js';
import { matmul } from '../autograd/ops/matmul.js';
import type { Rng } from '../tensor/rng.js';
import type { Points } from './distance.js';

export interface PcaResult {
  /** n x components, the centred points projected on the components. */
  coords: Float32Array;
  /** components x d, unit rows. */
  components: Float64Array;
  /** Share of the total variance each component explains. */
  explained: number[];
}

export function pca(p: Points, rng: Rng, components = 2, iterations = 300): PcaResult {
  const { data: x, n, d } = p;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) mean[t] += x[i * d + t] / n;
  const xc = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) xc[i * d + t] = x[i * d + t] - mean[t];
  const cov = Float64Array.from(tidy(() => noGrad(() => {
    const t = tensor(xc, [n, d]);
    return matmul(t, t, { transA: true }).data.slice();
  })), (v) => v / Math.max(1, n - 1));
  let trace = 0;
  for (let t = 0; t < d; t++) trace += cov[t * d + t];
  const m = Math.min(components, d);
  const comps = new Float64Array(m * d), explained: number[] = [];
  const v = new Float64Array(d), w = new Float64Array(d);
  for (let c = 0; c < m; c++) {
    for (let t = 0; t < d; t++) v[t] = rng.normal();
    let lambda = 0;
    for (let it = 0; it < iterations; it++) {
      for (let a = 0; a < d; a++) { let s = 0; for (let b = 0; b < d; b++) s += cov[a * d + b] * v[b]; w[a] = s; }
      let norm = 0;
      for (let a = 0; a < d; a++) norm += w[a] * w[a];
      norm = Math.sqrt(norm);
      if (norm === 0) break;
      let delta = 0;
      for (let a = 0; a < d; a++) { const nv = w[a] / norm; delta += Math.abs(nv - v[a]); v[a] = nv; }
      lambda = norm;
      if (delta < 1e-10) break;
    }
    let big = 0;
    for (let a = 1; a < d; a++) if (Math.abs(v[a]) > Math.abs(v[big])) big = a;
    const sign = v[big] < 0 ? -1 : 1;
    for (let a = 0; a < d; a++) comps[c * d + a] = sign * v[a];
    explained.push(trace > 0 ? lambda / trace : 0);
    // deflate: cov -= lambda v v^T
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a * d + b] -= lambda * v[a] * v[b];
  }
  const coords = new Float32Array(n * m);
  for (let i = 0; i < n; i++) for (let c = 0; c < m; c++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += xc[i * d + t] * comps[c * d + t];
    coords[i * m + c] = s;
  }
  return { coords, components: comps, explained };
}
