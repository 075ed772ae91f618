/**
 * A user representation from the interaction graph alone: the leading
 * singular vectors of the symmetrically normalised user-item adjacency
 * D_u^-1/2 A D_i^-1/2 (the operator a linear GCN propagates with; its top
 * singular vectors are what such propagation converges to), without the
 * trivial first one, each user's row scaled to unit length (spectral
 * clustering's normalisation, Ng-Jordan-Weiss). It needs no trained
 * parameters, so it is the same whatever protocol trained the model.
 *
 * Computed by randomised subspace iteration in float64 (30 passes over the
 * edges, the subspace oversampled by 8): deterministic for a seed. There is
 * no Rayleigh-Ritz step: columns are ordered by their norm after the last
 * pass, which approximates the singular values, and the leading column (the
 * trivial direction, sqrt of the degrees, once converged) is dropped. Where
 * leading singular values nearly coincide (near-disconnected blocks) that
 * column can mix the trivial direction with a signal one.
 */
import { Rng } from '../tensor/rng.js';
import { orthonormalColumns } from '../linalg/orthonormal.js';
import type { Interactions } from '../data/types.js';

export interface GraphEmbedding { users: Float32Array; dim: number; singularValues: number[] }


/** `components` leading singular directions (the trivial first one dropped: dim = components - 1). */
export function graphEmbedding(it: Interactions, nU: number, nI: number, components = 8, seed = 7, iterations = 30): GraphEmbedding {
  const seen = new Set<number>(), U: number[] = [], I: number[] = [];
  const du = new Float64Array(nU), di = new Float64Array(nI);
  for (let r = 0; r < it.length; r++) {
    const u = it.user[r], i = it.item[r], key = u * nI + i;
    if (seen.has(key)) continue;
    seen.add(key); U.push(u); I.push(i); du[u]++; di[i]++;
  }
  const E = U.length, w = Float64Array.from(U, (u, e) => 1 / Math.sqrt(du[u] * di[I[e]]));
  // oversampled subspace, so the leading directions converge in few passes
  const R = Math.min(Math.min(nU, nI), components + 8);
  const mul = (x: Float64Array, fromItems: boolean): Float64Array => {
    const y = new Float64Array((fromItems ? nU : nI) * R);
    for (let e = 0; e < E; e++) {
      const a = (fromItems ? U[e] : I[e]) * R, b = (fromItems ? I[e] : U[e]) * R, v = w[e];
      for (let c = 0; c < R; c++) y[a + c] += v * x[b + c];
    }
    return y;
  };
  const rng = new Rng(seed);
  let Q = orthonormalColumns(Float64Array.from({ length: nI * R }, () => rng.normal(0, 1)), nI, R);
  for (let t = 0; t < iterations; t++) Q = orthonormalColumns(mul(orthonormalColumns(mul(Q, true), nU, R), false), nI, R);
  const Y = mul(Q, true);
  const sv = Array.from({ length: R }, (_, c) => { let s = 0; for (let u = 0; u < nU; u++) s += Y[u * R + c] ** 2; return Math.sqrt(s); });
  const order = sv.map((s, c) => [s, c] as const).sort((a, b) => b[0] - a[0]);
  const cols = order.slice(1, Math.min(components, R)).map(([, c]) => c), d = cols.length;
  const users = new Float32Array(nU * d);
  for (let u = 0; u < nU; u++) {
    let ss = 0;
    for (const c of cols) ss += Y[u * R + c] ** 2;
    const s = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    cols.forEach((c, j) => { users[u * d + j] = Y[u * R + c] * s; });
  }
  return { users, dim: d, singularValues: order.slice(0, components).map(([s]) => s) };
}
