/**
 * Benchmark graphs, generated deterministically so every run and machine
 * measures the same matrices:
 * - a MovieLens-100K-sized bipartite graph: 943 users + 1,682 items = 2,625
 *   nodes, 100,000 distinct interactions, symmetrised with self-loops (202,625 nnz);
 * - a power-law graph of 150,000 nodes with ~2.5M undirected edges drawn
 *   Chung-Lu style from Zipf-like weights, symmetrised with self-loops (~5.15M nnz).
 * Values are the symmetric normalisation D^-1/2 (A+I) D^-1/2 (Eq. 1).
 */
import { Rng } from '../tensor/rng.js';
import { CsrMatrix } from '../sparse/csr.js';
import { csrFromEdges } from '../sparse/build.js';
import { cdfIndex } from '../util/sorted.js';

export interface BenchGraph { name: string; nodes: number; adj: CsrMatrix; interactions: number; users: number; items: number }

function symNormalized(n: number, r: Int32Array, c: Int32Array): CsrMatrix {
  const m = r.length;
  const rr = new Int32Array(2 * m + n), cc = new Int32Array(2 * m + n);
  rr.set(r); cc.set(c); rr.set(c, m); cc.set(r, m);
  for (let i = 0; i < n; i++) { rr[2 * m + i] = i; cc[2 * m + i] = i; }
  const a = csrFromEdges(n, n, rr, cc, null, { duplicates: 'binary' });
  const deg = a.rowCounts();
  const v = a.values;
  for (let i = 0; i < n; i++) {
    for (let p = a.rowPtr[i]; p < a.rowPtr[i + 1]; p++) v[p] = 1 / Math.sqrt(deg[i] * deg[a.colIdx[p]]);
  }
  return a;
}

/** Zipf-like sampler over [0, n): P(i) proportional to (i+1)^-s, via the inverse CDF on a table. */
function zipfSampler(n: number, s: number): (rng: Rng) => number {
  const cdf = new Float64Array(n);
  let acc = 0;
  for (let i = 0; i < n; i++) { acc += Math.pow(i + 1, -s); cdf[i] = acc; }
  return (rng) => {
    return cdfIndex(cdf, rng.uniform() * acc);
  };
}

/**
 * `count` distinct edges: draw candidates in rounds, dedupe by sorting their
 * keys (a Set of millions of numbers would dominate the benchmark's peak RSS),
 * keep first occurrences in draw order.
 */
function distinctEdges(count: number, draw: () => [number, number], width: number) {
  let keys = new Float64Array(0);
  while (keys.length < count) {
    const extra = Math.ceil((count - keys.length) * 1.05) + 16;
    const next = new Float64Array(keys.length + extra);
    next.set(keys);
    for (let k = keys.length; k < next.length; k++) { const [a, b] = draw(); next[k] = a * width + b; }
    // order by key, then by draw position, to keep the first draw of each duplicate
    const idx = new Int32Array(next.length);
    for (let k = 0; k < idx.length; k++) idx[k] = k;
    idx.sort((x, y) => next[x] - next[y] || x - y);
    const keep = new Uint8Array(next.length);
    for (let t = 0; t < idx.length; t++) if (t === 0 || next[idx[t]] !== next[idx[t - 1]]) keep[idx[t]] = 1;
    let w = 0;
    for (let k = 0; k < next.length; k++) if (keep[k]) next[w++] = next[k];
    keys = next.slice(0, Math.min(w, count));
  }
  const r = new Int32Array(count), c = new Int32Array(count);
  for (let k = 0; k < count; k++) { r[k] = Math.floor(keys[k] / width); c[k] = keys[k] - r[k] * width; }
  return { r, c };
}

export function movielensSized(seed = 1): BenchGraph {
  const users = 943, items = 1682, n = users + items, m = 100_000;
  const rng = new Rng(seed);
  const pickItem = zipfSampler(items, 0.8), pickUser = zipfSampler(users, 0.5);
  const { r, c } = distinctEdges(m, () => [pickUser(rng), users + pickItem(rng)], n);
  return { name: 'ml100k-sized', nodes: n, adj: symNormalized(n, r, c), interactions: m, users, items };
}

export function powerLaw(seed = 2, nodes = 150_000, edges = 2_500_000): BenchGraph {
  const rng = new Rng(seed);
  const pick = zipfSampler(nodes, 0.6);
  // random relabelling so high-degree nodes are not clustered at low ids (no free locality)
  const perm = new Int32Array(nodes);
  for (let i = 0; i < nodes; i++) perm[i] = i;
  rng.shuffle(perm);
  const { r, c } = distinctEdges(edges, () => {
    let a = perm[pick(rng)], b = perm[pick(rng)];
    while (a === b) b = perm[pick(rng)];
    return a < b ? [a, b] : [b, a];
  }, nodes);
  const half = Math.floor(nodes / 2);
  return { name: 'powerlaw-150k', nodes, adj: symNormalized(nodes, r, c), interactions: edges, users: half, items: nodes - half };
}
