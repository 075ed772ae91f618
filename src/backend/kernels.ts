/**
 * THE kernel contract. Every backend (js, wasm, native) implements all of it;
 * a missing kernel is a compile error, not a runtime surprise.
 *
 * Conventions (all backends):
 * - Dense matrices are row-major and contiguous; sizes are element counts.
 * - Kernels named `...Backward` ACCUMULATE into their gradient outputs
 *   (`dx += ...`), as autograd needs for fan-out.
 * - CSR matrices: rowPtr (rows+1, monotone, rowPtr[0] = 0,
 *   rowPtr[rows] = nnz), colIdx (nnz, each in [0, cols)), values (nnz).
 * - Determinism: work is split by output rows and each output element is
 *   reduced in a fixed order, so results are bitwise equal for any thread count.
 * - Safety: wasm and native check every index and length that crosses from JS
 *   and throw a JS Error naming the argument; a kernel never reads out of bounds.
 *
 * FFI names are `<op>_f32` in AssemblyScript and C++ (e.g. gemm_f32, spmm_csr_f32).
 */

export const UNARY_CODE = {
  neg: 0, exp: 1, log: 2, sqrt: 3, abs: 4, sigmoid: 5, tanh: 6, relu: 7,
  leaky_relu: 8, softplus: 9, square: 10, pow: 11, clamp: 12, scale: 13,
} as const;
export type UnaryOp = keyof typeof UNARY_CODE;
export const UNARY_OP_COUNT = Object.keys(UNARY_CODE).length;

export const BINARY_CODE = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5 } as const;
export type BinaryOp = keyof typeof BINARY_CODE;
export const BINARY_OP_COUNT = Object.keys(BINARY_CODE).length;

/**
 * How `b` broadcasts against `a` (m x n) in binary kernels:
 * full: b is (m x n); row: b is (n), one row repeated down the rows;
 * col: b is (m), one column repeated across; scalar: b is (1).
 */
export const BCAST_CODE = { full: 0, row: 1, col: 2, scalar: 3 } as const;
export type Broadcast = keyof typeof BCAST_CODE;

export interface Kernels {
  // ---------------------------------------------------------------- dense
  /**
   * c(m x n) = alpha * op(a) op(b) + beta * c.
   * op(a) is (m x k): a is stored (m x k), or (k x m) when ta.
   * op(b) is (k x n): b is stored (k x n), or (n x k) when tb.
   * beta = 0 ignores c's previous contents (even NaN).
   */
  gemm(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number,
    ta: boolean, tb: boolean, alpha: number, beta: number): void;

  /** y(m x n) = x(n x m)^T. */
  transpose(x: Float32Array, y: Float32Array, m: number, n: number): void;

  /** y[i] = sum_j a[i,j] * b[i,j]; a, b: (m x n), y: (m). */
  rowDot(a: Float32Array, b: Float32Array, y: Float32Array, m: number, n: number): void;

  // ------------------------------------------------- dense SPD factorisation
  /**
   * In-place lower Cholesky factor of a symmetric positive-definite a (n x n):
   * only the lower triangle is read; on return a holds L (L L^T = A) with
   * zeros above the diagonal. A pivot that is not > 0 (A not positive
   * definite, or NaN) throws NotPositiveDefiniteError naming the column; a is
   * then partly overwritten. Flops: n^3/3.
   */
  cholesky(a: Float32Array, n: number): void;

  /**
   * Triangular solve with m right-hand sides, in place: b (n x m) becomes X
   * with L X = B (trans = false) or L^T X = B (trans = true). Only the lower
   * triangle of l (n x n) is read. A zero on the diagonal gives inf/NaN.
   */
  trsm(l: Float32Array, b: Float32Array, n: number, m: number, trans: boolean): void;

  /**
   * a holds a Cholesky factor L (lower triangle, as `cholesky` leaves it) and
   * becomes (L L^T)^-1 in full: both triangles, exactly symmetric (LAPACK's
   * potri: L^-1 in place, then L^-T L^-1). Flops: 2n^3/3.
   */
  choleskyInverse(a: Float32Array, n: number): void;

  // ----------------------------------------------------------- elementwise
  /** y[i] += alpha * x[i] for i < n. */
  axpy(alpha: number, x: Float32Array, y: Float32Array, n: number): void;

  /** y[i] = value for i < n. */
  fill(y: Float32Array, value: number, n: number): void;

  /**
   * y = f(x), elementwise over n. p is the op's parameter: leaky_relu slope,
   * pow exponent, scale factor; clamp uses [p, q]. Unused otherwise.
   * exp/log/sqrt/pow follow IEEE (log(0) = -inf, sqrt(-1) = NaN).
   */
  unary(op: UnaryOp, x: Float32Array, y: Float32Array, n: number, p: number, q: number): void;

  /** dx += dy * f'(x), with y = f(x) given too (sigmoid/tanh/exp/sqrt use y). */
  unaryBackward(op: UnaryOp, x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array,
    n: number, p: number, q: number): void;

  /** y(m x n) = a(m x n) op b (broadcast per `mode`). y may alias a. */
  binary(op: BinaryOp, a: Float32Array, b: Float32Array, y: Float32Array, m: number, n: number,
    mode: Broadcast): void;

  /**
   * Accumulates the gradients of y = a op b: da(m x n) += dy * dy/da and
   * db(shape of b) += the broadcast-reduced dy * dy/db (row mode sums down
   * the rows, col mode across the columns, scalar over all, in index order).
   * da or db may be null (not needed). maximum/minimum route the gradient to
   * a when a >= b (resp. a <= b), else to b.
   */
  binaryBackward(op: BinaryOp, a: Float32Array, b: Float32Array, dy: Float32Array,
    da: Float32Array | null, db: Float32Array | null, m: number, n: number, mode: Broadcast): void;

  // ------------------------------------------------------------ reductions
  /**
   * Sum of x (m x n). axis 0: y(n) = sum over rows (column sums);
   * axis 1: y(m) = sum over columns (row sums). Rows summed in index order.
   */
  sumAxis(x: Float32Array, y: Float32Array, m: number, n: number, axis: 0 | 1): void;

  /**
   * Max of x (m x n) with argmax (first index on ties). axis 0: y(n), arg(n)
   * holds row indices; axis 1: y(m), arg(m) holds column indices.
   * An empty reduction (m = 0 for axis 0, n = 0 for axis 1) gives -inf, -1.
   */
  maxAxis(x: Float32Array, y: Float32Array, arg: Int32Array, m: number, n: number, axis: 0 | 1): void;

  /** Row softmax (log = false) or log-softmax (log = true) of x (m x n), max-shifted. */
  softmaxRows(x: Float32Array, y: Float32Array, m: number, n: number, log: boolean): void;

  /**
   * dx += backward of softmaxRows given its output y and upstream dy.
   * softmax: dx = y * (dy - sum(dy * y)); log-softmax: dx = dy - exp(y) * sum(dy).
   */
  softmaxRowsBackward(y: Float32Array, dy: Float32Array, dx: Float32Array, m: number, n: number,
    log: boolean): void;

  /**
   * Binary cross-entropy with logits, elementwise and numerically stable:
   * out[i] = max(z,0) - z*t + log1p(exp(-|z|)).
   */
  bceLogits(z: Float32Array, t: Float32Array, out: Float32Array, n: number): void;

  /** dz[i] += dy[i] * (sigmoid(z[i]) - t[i]). */
  bceLogitsBackward(z: Float32Array, t: Float32Array, dy: Float32Array, dz: Float32Array, n: number): void;

  // ------------------------------------------------------------- indexing
  /** out(nIdx x d)[i] = table[idx[i]]; each idx in [0, tableRows). */
  gatherRows(table: Float32Array, idx: Int32Array, out: Float32Array, tableRows: number,
    nIdx: number, d: number): void;

  /** table[idx[i]] += src(nIdx x d)[i], rows added in increasing i per destination. */
  scatterAddRows(src: Float32Array, idx: Int32Array, table: Float32Array, tableRows: number,
    nIdx: number, d: number): void;

  // --------------------------------------------------------------- sparse
  /**
   * y(rows x d) = beta * y + A x, A in CSR (rows x cols), x (cols x d).
   * Each y[i,:] sums its row's entries in CSR order.
   */
  spmm(rowPtr: Int32Array, colIdx: Int32Array, values: Float32Array, x: Float32Array,
    y: Float32Array, rows: number, cols: number, d: number, beta: number): void;

  /**
   * y(cols x d) = beta * y + A^T x, A in CSR (rows x cols), x (rows x d).
   * Each y[j,:] sums its contributions in increasing row order i, so the
   * result equals spmm over the transpose built by stable counting sort.
   */
  spmmT(rowPtr: Int32Array, colIdx: Int32Array, values: Float32Array, x: Float32Array,
    y: Float32Array, rows: number, cols: number, d: number, beta: number): void;

  /**
   * Max-pool aggregation: y[i,c] = max over entries j of row i of x[colIdx[j], c]
   * (values ignored); arg[i,c] = that colIdx (first on ties). Empty row: 0 and -1.
   */
  segmentMax(rowPtr: Int32Array, colIdx: Int32Array, x: Float32Array, y: Float32Array,
    arg: Int32Array, rows: number, cols: number, d: number): void;

  /** dx[arg[i,c], c] += dy[i,c] where arg >= 0; dx is (cols x d), applied in increasing i. */
  segmentMaxBackward(arg: Int32Array, dy: Float32Array, dx: Float32Array, rows: number, cols: number,
    d: number): void;

  // ------------------------------------------------- validated CSR handles
  /**
   * Validates a CSR structure once (O(rows + nnz)) and returns a handle that
   * owns a private copy of it (copied first, then re-checked, so concurrent
   * writes to the source cannot slip in between): the *Csr kernels below
   * check only O(1) lengths per call and read the structure JS cannot reach.
   * Values stay the caller's (they are passed per call: a model may mask
   * entries in place). dispose() releases the copy early; the GC does it anyway.
   */
  csrPrepare(rowPtr: Int32Array, colIdx: Int32Array, rows: number, cols: number): CsrHandle;

  /** spmm over a prepared structure: y(rows x d) = beta * y + A x, values (nnz). */
  spmmCsr(a: CsrHandle, values: Float32Array, x: Float32Array, y: Float32Array, d: number, beta: number): void;

  /** spmmT over a prepared structure: y(cols x d) = beta * y + A^T x. */
  spmmTCsr(a: CsrHandle, values: Float32Array, x: Float32Array, y: Float32Array, d: number, beta: number): void;

  /** segmentMax over a prepared structure. */
  segmentMaxCsr(a: CsrHandle, x: Float32Array, y: Float32Array, arg: Int32Array, d: number): void;

  // ------------------------------------------------------------- optimiser
  /**
   * One fused Adam(W) step over n parameters, in place:
   * g' = g + wd*p (coupled, decoupled = false); m = b1 m + (1-b1) g';
   * v = b2 v + (1-b2) g'^2; p -= lr * (m / bc1) / (sqrt(v / bc2) + eps);
   * decoupled (AdamW): p -= lr * wd * p before the update, g' = g.
   * bc1 = 1 - b1^t and bc2 = 1 - b2^t are passed in.
   */
  adamStep(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, n: number,
    lr: number, b1: number, b2: number, eps: number, wd: number, bc1: number, bc2: number,
    decoupled: boolean): void;

  // -------------------------------------------------------------- serving
  /**
   * Scores q (d) against every row of items (nItems x d) and writes the k
   * best (score descending, lower index first on ties) to outIdx/outScore.
   * exclude (nItems bytes, 1 = skip) may be null. Fewer than k candidates:
   * the tail is idx -1, score -inf. Returns the number written.
   */
  scoreTopK(items: Float32Array, q: Float32Array, nItems: number, d: number, k: number,
    exclude: Uint8Array | null, outIdx: Int32Array, outScore: Float32Array): number;
  /**
   * items: (nItems,d) int8, scale: (nItems), q: (d) int16 -> out: (nItems):
   * out[i] = f32(f32(qScale) * scale[i]) * f32(sum_c q[c] * items[i*d+c]), the
   * sum exact in int32 (the caller keeps sum_c |q[c]| * 127 < 2^31). The
   * approximate pass of the int8 serving table (src/recsys/quantized.ts).
   */
  scoreI8(items: Int8Array, scale: Float32Array, q: Int16Array, qScale: number, nItems: number, d: number, out: Float32Array): void;
  /**
   * The rows an exact re-rank must see, without sorting: lo_i = approx[i] -
   * alpha * scale[i] and hi_i = approx[i] + alpha * scale[i] in float64;
   * t = the k-th largest lo over rows not excluded (-inf with fewer rows).
   * Writes every row not excluded with hi_i >= t to out in increasing order
   * and returns the count (k = 0: none). Any row left out scores below k rows
   * that are kept, when |exact_i - approx_i| <= alpha * scale[i].
   */
  boundCandidates(approx: Float32Array, scale: Float32Array, alpha: number, n: number, k: number, exclude: Uint8Array | null, out: Int32Array): number;
}

/** A CSR structure validated once by a backend's csrPrepare; usable only with that backend. */
export interface CsrHandle {
  readonly rows: number;
  readonly cols: number;
  readonly nnz: number;
  readonly disposed: boolean;
  dispose(): void;
}

/** The handle class every backend returns; `data` is the backend's private copy. */
export class OwnedCsr<T> implements CsrHandle {
  constructor(readonly rows: number, readonly cols: number, readonly nnz: number, private store: T | null,
    private readonly release: (data: T) => void) {}
  get disposed(): boolean { return this.store === null; }
  /** The owned structure (null once disposed; the glue checks first). */
  get data(): T { return this.store as T; }
  dispose(): void {
    if (this.store !== null) { const d = this.store; this.store = null; this.release(d); }
  }
}

export type BackendName = 'js' | 'wasm' | 'native';

export interface BackendInfo {
  name: BackendName;
  available: boolean;
  reason?: string;
  simd?: string;
  isa?: string;
  threads?: number;
}

/**
 * A backend: its kernels plus the allocator for tensor storage. Storage from
 * allocF32 is where this backend's kernels read without copying (wasm linear
 * memory for wasm, the JS heap otherwise). free() returns it early; storage
 * never freed is reclaimed when garbage collected.
 */
export interface Backend {
  readonly name: BackendName;
  readonly kernels: Kernels;
  allocF32(n: number): Float32Array;
  allocI32(n: number): Int32Array;
  free(a: Float32Array | Int32Array): void;
  info(): BackendInfo;
  /** Number of live allocations (for leak tests); 0 for plain JS storage. */
  liveAllocations(): number;
  /** Bytes of freed storage kept for reuse (pooled backends), and a way to give them back. */
  idleBytes?(): number;
  releaseIdle?(): void;
}

// ------------------------------------------------- argument declarations
/**
 * How one kernel argument is checked. Arrays: `len` is the element count the
 * kernel reads, an expression over the size arguments (`m*k`, `rows+1`,
 * `nnz` = rowPtr[rows] of the call's CSR) or a function of them; `range`
 * bounds every entry of an index array to [lo, hi); `csr` marks the rowPtr
 * (rows+1, from 0, non-decreasing; defines nnz) and colIdx (nnz entries in
 * [0, cols)) of a CSR; kind `csr` is a prepared CsrHandle of the calling
 * backend, which defines rows, cols and nnz.
 */
export type ArgKind = 'f32' | 'i32' | 'u8' | 'i8' | 'i16' | 'size' | 'number' | 'flag' | 'unaryOp' | 'binaryOp' | 'bcast' | 'axis' | 'csr';
export type SizeExpr = string | ((s: Readonly<Record<string, number>>) => number);
export interface ArgDecl {
  readonly name: string;
  readonly kind: ArgKind;
  readonly len?: SizeExpr;
  readonly nullable?: boolean;
  readonly range?: readonly [SizeExpr, SizeExpr];
  readonly csr?: 'rowPtr' | 'colIdx';
}

const f32 = (name: string, len: SizeExpr, nullable = false): ArgDecl => ({ name, kind: 'f32', len, nullable });
const i32 = (name: string, len: SizeExpr, range?: [SizeExpr, SizeExpr]): ArgDecl => ({ name, kind: 'i32', len, range });
const size = (name: string): ArgDecl => ({ name, kind: 'size' });
const num = (name: string): ArgDecl => ({ name, kind: 'number' });
const flag = (name: string): ArgDecl => ({ name, kind: 'flag' });
const ROW_PTR: ArgDecl = { name: 'rowPtr', kind: 'i32', len: 'rows+1', csr: 'rowPtr' };
const COL_IDX: ArgDecl = { name: 'colIdx', kind: 'i32', len: 'nnz', range: ['0', 'cols'], csr: 'colIdx' };
/** Elements of b a binary kernel reads, per broadcast mode (s.mode is the BCAST_CODE). */
const bLen = (s: Readonly<Record<string, number>>) =>
  s.m === 0 || s.n === 0 ? 0 : s.mode === BCAST_CODE.full ? s.m * s.n : s.mode === BCAST_CODE.row ? s.n : s.mode === BCAST_CODE.col ? s.m : 1;
const axisLen = (s: Readonly<Record<string, number>>) => (s.axis === 0 ? s.n : s.m);

/**
 * Every kernel's arguments, in call order: the one declaration the
 * validator of every backend is derived from (src/backend/validate.ts).
 */
export const KERNEL_ARGS: { readonly [K in keyof Kernels]: readonly ArgDecl[] } = {
  gemm: [f32('a', 'm*k'), f32('b', 'k*n'), f32('c', 'm*n'), size('m'), size('n'), size('k'), flag('ta'), flag('tb'), num('alpha'), num('beta')],
  transpose: [f32('x', 'm*n'), f32('y', 'm*n'), size('m'), size('n')],
  rowDot: [f32('a', 'm*n'), f32('b', 'm*n'), f32('y', 'm'), size('m'), size('n')],
  cholesky: [f32('a', 'n*n'), size('n')],
  trsm: [f32('l', 'n*n'), f32('b', 'n*m'), size('n'), size('m'), flag('trans')],
  choleskyInverse: [f32('a', 'n*n'), size('n')],
  axpy: [num('alpha'), f32('x', 'n'), f32('y', 'n'), size('n')],
  fill: [f32('y', 'n'), num('value'), size('n')],
  unary: [{ name: 'op', kind: 'unaryOp' }, f32('x', 'n'), f32('y', 'n'), size('n'), num('p'), num('q')],
  unaryBackward: [{ name: 'op', kind: 'unaryOp' }, f32('x', 'n'), f32('y', 'n'), f32('dy', 'n'), f32('dx', 'n'), size('n'), num('p'), num('q')],
  binary: [{ name: 'op', kind: 'binaryOp' }, f32('a', 'm*n'), f32('b', bLen), f32('y', 'm*n'), size('m'), size('n'), { name: 'mode', kind: 'bcast' }],
  binaryBackward: [{ name: 'op', kind: 'binaryOp' }, f32('a', 'm*n'), f32('b', bLen), f32('dy', 'm*n'), f32('da', 'm*n', true),
    f32('db', bLen, true), size('m'), size('n'), { name: 'mode', kind: 'bcast' }],
  sumAxis: [f32('x', 'm*n'), f32('y', axisLen), size('m'), size('n'), { name: 'axis', kind: 'axis' }],
  maxAxis: [f32('x', 'm*n'), f32('y', axisLen), i32('arg', axisLen), size('m'), size('n'), { name: 'axis', kind: 'axis' }],
  softmaxRows: [f32('x', 'm*n'), f32('y', 'm*n'), size('m'), size('n'), flag('log')],
  softmaxRowsBackward: [f32('y', 'm*n'), f32('dy', 'm*n'), f32('dx', 'm*n'), size('m'), size('n'), flag('log')],
  bceLogits: [f32('z', 'n'), f32('t', 'n'), f32('out', 'n'), size('n')],
  bceLogitsBackward: [f32('z', 'n'), f32('t', 'n'), f32('dy', 'n'), f32('dz', 'n'), size('n')],
  gatherRows: [f32('table', 'tableRows*d'), i32('idx', 'nIdx', ['0', 'tableRows']), f32('out', 'nIdx*d'), size('tableRows'), size('nIdx'), size('d')],
  scatterAddRows: [f32('src', 'nIdx*d'), i32('idx', 'nIdx', ['0', 'tableRows']), f32('table', 'tableRows*d'), size('tableRows'), size('nIdx'), size('d')],
  spmm: [ROW_PTR, COL_IDX, f32('values', 'nnz'), f32('x', 'cols*d'), f32('y', 'rows*d'), size('rows'), size('cols'), size('d'), num('beta')],
  spmmT: [ROW_PTR, COL_IDX, f32('values', 'nnz'), f32('x', 'rows*d'), f32('y', 'cols*d'), size('rows'), size('cols'), size('d'), num('beta')],
  segmentMax: [ROW_PTR, COL_IDX, f32('x', 'cols*d'), f32('y', 'rows*d'), i32('arg', 'rows*d'), size('rows'), size('cols'), size('d')],
  csrPrepare: [ROW_PTR, COL_IDX, size('rows'), size('cols')],
  spmmCsr: [{ name: 'a', kind: 'csr' }, f32('values', 'nnz'), f32('x', 'cols*d'), f32('y', 'rows*d'), size('d'), num('beta')],
  spmmTCsr: [{ name: 'a', kind: 'csr' }, f32('values', 'nnz'), f32('x', 'rows*d'), f32('y', 'cols*d'), size('d'), num('beta')],
  segmentMaxCsr: [{ name: 'a', kind: 'csr' }, f32('x', 'cols*d'), f32('y', 'rows*d'), i32('arg', 'rows*d'), size('d')],
  segmentMaxBackward: [i32('arg', 'rows*d', ['-1', 'cols']), f32('dy', 'rows*d'), f32('dx', 'cols*d'), size('rows'), size('cols'), size('d')],
  adamStep: [f32('p', 'n'), f32('g', 'n'), f32('m', 'n'), f32('v', 'n'), size('n'), num('lr'), num('b1'), num('b2'), num('eps'), num('wd'),
    num('bc1'), num('bc2'), flag('decoupled')],
  scoreTopK: [f32('items', 'nItems*d'), f32('q', 'd'), size('nItems'), size('d'), size('k'), { name: 'exclude', kind: 'u8', len: 'nItems', nullable: true },
    i32('outIdx', 'k'), f32('outScore', 'k')],
  scoreI8: [{ name: 'items', kind: 'i8', len: 'nItems*d' }, f32('scale', 'nItems'), { name: 'q', kind: 'i16', len: 'd' }, num('qScale'),
    size('nItems'), size('d'), f32('out', 'nItems')],
  boundCandidates: [f32('approx', 'n'), f32('scale', 'n'), num('alpha'), size('n'), size('k'), { name: 'exclude', kind: 'u8', len: 'n', nullable: true },
    i32('out', 'n')],
};
