/**
 * Adjacency normalisations of DESIGN Eqs. 1-2:
 *   sym:  D_r^-1/2 M D_c^-1/2   (with M = A + I for a square A with self-loops: the GCN Â)
 *   mean: D_r^-1 M              (row-stochastic: the neighbourhood mean)
 * D_r / D_c are row / column sums of M. For a symmetric A they coincide, giving
 * D^-1/2 (A+I) D^-1/2; for a rectangular (bipartite) relation sym is the
 * LightGCN form 1/sqrt(d_u d_i). Zero-degree rows and columns stay zero.
 */
import { CsrMatrix } from './csr.js';
import { ShapeError } from '../errors.js';

export interface NormalizeOptions { selfLoops?: boolean }

/** A + I (square only); an existing diagonal entry gets +1. */
export function addSelfLoops(a: CsrMatrix): CsrMatrix {
  if (a.rows !== a.cols) throw new ShapeError(`addSelfLoops: matrix must be square (got ${a.rows}x${a.cols})`);
  const n = a.rows;
  const ptr = new Int32Array(n + 1), ci = new Int32Array(a.nnz + n), v = new Float32Array(a.nnz + n);
  let w = 0;
  for (let i = 0; i < n; i++) {
    let placed = false;
    for (let p = a.rowPtr[i]; p < a.rowPtr[i + 1]; p++) {
      const j = a.colIdx[p];
      if (!placed && j >= i) {
        if (j === i) { ci[w] = i; v[w++] = a.values[p] + 1; placed = true; continue; }
        ci[w] = i; v[w++] = 1; placed = true;
      }
      ci[w] = j; v[w++] = a.values[p];
    }
    if (!placed) { ci[w] = i; v[w++] = 1; }
    ptr[i + 1] = w;
  }
  return new CsrMatrix(n, n, ptr, ci.slice(0, w), v.slice(0, w));
}

function withLoops(a: CsrMatrix, opts: NormalizeOptions, name: string): CsrMatrix {
  if (!opts.selfLoops) return a;
  if (a.rows !== a.cols) throw new ShapeError(`${name}: self-loops need a square matrix (got ${a.rows}x${a.cols})`);
  return addSelfLoops(a);
}

function rowSums(m: CsrMatrix): Float64Array {
  const d = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) for (let p = m.rowPtr[i]; p < m.rowPtr[i + 1]; p++) d[i] += m.values[p];
  return d;
}
function colSums(m: CsrMatrix): Float64Array {
  const d = new Float64Array(m.cols);
  for (let p = 0; p < m.nnz; p++) d[m.colIdx[p]] += m.values[p];
  return d;
}
const invPow = (x: number, e: number) => (x > 0 ? Math.pow(x, e) : 0);

/** D_r^-1/2 M D_c^-1/2, M = A (+ I if selfLoops). Example: symNormalize(adj, {selfLoops: true}) is Eq. 1's Â. */
export function symNormalize(a: CsrMatrix, opts: NormalizeOptions = {}): CsrMatrix {
  const m = withLoops(a, opts, 'symNormalize');
  const dr = rowSums(m), dc = colSums(m);
  const v = new Float32Array(m.nnz);
  for (let i = 0; i < m.rows; i++) {
    const fi = invPow(dr[i], -0.5);
    for (let p = m.rowPtr[i]; p < m.rowPtr[i + 1]; p++) v[p] = m.values[p] * fi * invPow(dc[m.colIdx[p]], -0.5);
  }
  return new CsrMatrix(m.rows, m.cols, m.rowPtr, m.colIdx, v);
}

/** D_r^-1 M, M = A (+ I if selfLoops): each row averages its neighbours (Eq. 2 with c_vu = d_v). */
export function meanNormalize(a: CsrMatrix, opts: NormalizeOptions = {}): CsrMatrix {
  const m = withLoops(a, opts, 'meanNormalize');
  const dr = rowSums(m);
  const v = new Float32Array(m.nnz);
  for (let i = 0; i < m.rows; i++) {
    const fi = invPow(dr[i], -1);
    for (let p = m.rowPtr[i]; p < m.rowPtr[i + 1]; p++) v[p] = m.values[p] * fi;
  }
  return new CsrMatrix(m.rows, m.cols, m.rowPtr, m.colIdx, v);
}
