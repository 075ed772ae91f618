/**
 * Fast CSR construction from edge lists. CsrMatrix.fromCoo sorts each row with
 * a comparator, which is too slow for millions of edges; this builds the same
 * canonical CSR (columns ascending, duplicates merged) with two stable
 * counting sorts, O(nnz + rows + cols).
 */
import { CsrMatrix } from './csr.js';
import { ShapeError } from '../errors.js';

export interface CsrBuildOptions {
  /** 'sum' adds duplicate values (fromCoo semantics); 'binary' stores 1 per distinct edge. */
  duplicates?: 'sum' | 'binary';
}

/** Builds a rows x cols CSR from parallel (r, c[, v]) arrays; v defaults to 1. */
export function csrFromEdges(rows: number, cols: number, r: ArrayLike<number>, c: ArrayLike<number>,
  v?: ArrayLike<number> | null, opts: CsrBuildOptions = {}): CsrMatrix {
  const n = r.length;
  if (c.length !== n || (v && v.length !== n)) throw new ShapeError(`csrFromEdges: lengths differ (${n}, ${c.length}, ${v?.length})`);
  // pass 1: counting sort by column (stable)
  const cptr = new Int32Array(cols + 1);
  for (let k = 0; k < n; k++) {
    const ri = r[k], ci = c[k];
    if (!(ri >= 0 && ri < rows && ci >= 0 && ci < cols)) throw new ShapeError(`csrFromEdges: edge ${k} (${ri}, ${ci}) outside ${rows}x${cols}`);
    cptr[ci + 1]++;
  }
  for (let j = 0; j < cols; j++) cptr[j + 1] += cptr[j];
  const byCol = new Int32Array(n);
  for (let k = 0; k < n; k++) byCol[cptr[c[k]]++] = k;
  // pass 2: stable counting sort by row keeps columns ascending within a row
  const rptr = new Int32Array(rows + 1);
  for (let k = 0; k < n; k++) rptr[r[k] + 1]++;
  for (let i = 0; i < rows; i++) rptr[i + 1] += rptr[i];
  const fill = rptr.slice(0, rows);
  const order = new Int32Array(n);
  for (let t = 0; t < n; t++) { const k = byCol[t]; order[fill[r[k]]++] = k; }
  // merge duplicates
  const outPtr = new Int32Array(rows + 1);
  const outC = new Int32Array(n), outV = new Float32Array(n);
  const binary = opts.duplicates === 'binary';
  let w = 0;
  for (let i = 0; i < rows; i++) {
    let last = -1;
    for (let t = rptr[i]; t < rptr[i + 1]; t++) {
      const k = order[t], col = c[k];
      const val = binary ? 1 : (v ? v[k] : 1);
      if (col === last) { if (!binary) outV[w - 1] += val; }
      else { outC[w] = col; outV[w] = val; w++; last = col; }
    }
    outPtr[i + 1] = w;
  }
  return new CsrMatrix(rows, cols, outPtr, outC.slice(0, w), outV.slice(0, w));
}

/** An empty rows x cols matrix. */
export function emptyCsr(rows: number, cols: number): CsrMatrix {
  return new CsrMatrix(rows, cols, new Int32Array(rows + 1), new Int32Array(0), new Float32Array(0));
}
