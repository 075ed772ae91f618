/**
 * CSR sparse matrix (float32 values, int32 indices). The transpose is built
 * once by a stable counting sort and cached, so spmm's backward (A^T dY) is a
 * plain row-parallel spmm. Treat a CsrMatrix as immutable after construction.
 */
import { ShapeError } from '../errors.js';
import { checkCsr } from '../backend/validate.js';
import type { Backend, CsrHandle } from '../backend/kernels.js';

/** CSR arrays in a backend's own storage (wasm linear memory), so spmm calls copy nothing. */
export interface ResidentCsr { rowPtr: Int32Array; colIdx: Int32Array; values: Float32Array }

export class CsrMatrix {
  private cachedT: CsrMatrix | null = null;
  private resident = new Map<string, { backend: Backend; csr: ResidentCsr }>();
  private handles = new Map<string, CsrHandle>();

  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly rowPtr: Int32Array,
    readonly colIdx: Int32Array,
    readonly values: Float32Array,
  ) {
    checkCsr('CsrMatrix', rowPtr, colIdx, values, rows, cols);
  }

  get nnz(): number { return this.rowPtr[this.rows]; }

  /** Builds from COO triples; duplicates are summed, columns sorted within each row. */
  static fromCoo(rows: number, cols: number, r: ArrayLike<number>, c: ArrayLike<number>, v?: ArrayLike<number>): CsrMatrix {
    const n = r.length;
    if (c.length !== n || (v && v.length !== n)) throw new ShapeError(`CsrMatrix.fromCoo: rows/cols/values lengths differ (${n}, ${c.length}, ${v?.length})`);
    const count = new Int32Array(rows + 1);
    for (let i = 0; i < n; i++) {
      if (r[i] < 0 || r[i] >= rows || c[i] < 0 || c[i] >= cols) throw new ShapeError(`CsrMatrix.fromCoo: entry ${i} (${r[i]}, ${c[i]}) outside ${rows}x${cols}`);
      count[r[i] + 1]++;
    }
    for (let i = 0; i < rows; i++) count[i + 1] += count[i];
    const pos = count.slice(0, rows);
    const ci = new Int32Array(n), vv = new Float32Array(n);
    for (let i = 0; i < n; i++) { const p = pos[r[i]]++; ci[p] = c[i]; vv[p] = v ? v[i] : 1; }
    // sort each row by column and merge duplicates
    const outPtr = new Int32Array(rows + 1);
    const outC: number[] = [], outV: number[] = [];
    const order: number[] = [];
    for (let i = 0; i < rows; i++) {
      order.length = 0;
      for (let p = count[i]; p < count[i + 1]; p++) order.push(p);
      order.sort((a, b) => ci[a] - ci[b] || a - b);
      let last = -1;
      for (const p of order) {
        if (ci[p] === last) outV[outV.length - 1] += vv[p];
        else { outC.push(ci[p]); outV.push(vv[p]); last = ci[p]; }
      }
      outPtr[i + 1] = outC.length;
    }
    return new CsrMatrix(rows, cols, outPtr, Int32Array.from(outC), Float32Array.from(outV));
  }

  /** The transpose (cols x rows), built once; entries of each row in increasing original row. */
  transpose(): CsrMatrix {
    if (this.cachedT) return this.cachedT;
    const nnz = this.nnz;
    const ptr = new Int32Array(this.cols + 1);
    for (let j = 0; j < nnz; j++) ptr[this.colIdx[j] + 1]++;
    for (let i = 0; i < this.cols; i++) ptr[i + 1] += ptr[i];
    const pos = ptr.slice(0, this.cols);
    const ci = new Int32Array(nnz), vv = new Float32Array(nnz);
    for (let i = 0; i < this.rows; i++) {
      for (let p = this.rowPtr[i]; p < this.rowPtr[i + 1]; p++) {
        const q = pos[this.colIdx[p]]++;
        ci[q] = i; vv[q] = this.values[p];
      }
    }
    // a symmetric matrix (normalised undirected adjacency) is its own transpose:
    // keep one copy, which halves the memory SpMM's backward needs
    if (this.rows === this.cols && sameArrays(ptr, this.rowPtr) && sameArrays(ci, this.colIdx) && sameArrays(vv, this.values)) {
      this.cachedT = this;
      return this;
    }
    const t = new CsrMatrix(this.cols, this.rows, ptr, ci, vv);
    t.cachedT = this;
    this.cachedT = t;
    return t;
  }

  /** This matrix's arrays copied once into the backend's storage and cached. */
  residentOn(b: Backend): ResidentCsr {
    if (b.name === 'js' || b.name === 'native') return this;
    let r = this.resident.get(b.name);
    if (!r) {
      const rowPtr = b.allocI32(this.rowPtr.length); rowPtr.set(this.rowPtr);
      const colIdx = b.allocI32(this.colIdx.length); colIdx.set(this.colIdx);
      const values = b.allocF32(this.values.length); values.set(this.values);
      r = { backend: b, csr: { rowPtr, colIdx, values } };
      this.resident.set(b.name, r);
    }
    return r.csr;
  }

  /**
   * The structure validated once into the backend's own copy (csrPrepare),
   * cached: SpMM calls on it check O(1) instead of re-scanning O(nnz), and
   * read indices that JS can no longer change. Values are passed per call
   * (residentOn(b).values), so masking entries in place still takes effect.
   */
  structureOn(b: Backend): CsrHandle {
    let h = this.handles.get(b.name);
    if (!h || h.disposed) {
      h = b.kernels.csrPrepare(this.rowPtr, this.colIdx, this.rows, this.cols);
      this.handles.set(b.name, h);
    }
    return h;
  }

  /**
   * Returns the backend-resident copies (and the cached transpose's) now
   * rather than when the garbage collector gets to them: wasm memory is
   * reserved, not shared with the JS heap, so a run that builds many graphs
   * (a selection model, then the refit) would otherwise grow it. The matrix
   * stays usable; a later residentOn copies again.
   */
  dispose(): void {
    this.releaseResident();
    if (this.cachedT && this.cachedT !== this) this.cachedT.releaseResident();
  }

  private releaseResident(): void {
    for (const { backend, csr } of this.resident.values()) {
      backend.free(csr.rowPtr); backend.free(csr.colIdx); backend.free(csr.values);
    }
    this.resident.clear();
    for (const h of this.handles.values()) h.dispose();
    this.handles.clear();
  }

  /** Row degrees (entry counts). */
  rowCounts(): Int32Array {
    const d = new Int32Array(this.rows);
    for (let i = 0; i < this.rows; i++) d[i] = this.rowPtr[i + 1] - this.rowPtr[i];
    return d;
  }
}

function sameArrays(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
