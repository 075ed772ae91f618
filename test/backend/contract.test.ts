/**
 * The one argument contract: KERNEL_ARGS declares every kernel of every
 * backend; calls generated from the declarations are accepted, and the same
 * call with any one array a single element short, a size negative, or an
 * index out of range is rejected by every backend with a KernelArgumentError
 * (a UserError: the CLI exits 2) carrying the identical message.
 */
import { suite } from 'uvu';
import { testUnless } from '../helpers/skip.js';
import * as assert from 'uvu/assert';
import { KERNEL_ARGS, type ArgDecl, type Backend, type Kernels } from '../../src/backend/kernels.js';
import { getBackend } from '../../src/backend/registry.js';
import { jsKernelsRaw } from '../../src/backend/js/index.js';
import { nativeAddon } from '../../src/backend/native/index.js';
import { KernelArgumentError, NotPositiveDefiniteError, UserError } from '../../src/errors.js';

const backends: Backend[] = [getBackend('js')];
/** Why a backend is missing from `backends` (each becomes a counted skip below). */
const missing: [string, string][] = [];
for (const name of ['wasm', 'native'] as const) {
  try { backends.push(getBackend(name)); } catch (e) { missing.push([name, (e as Error).message]); }
}

const SIZE = 3;
/** A valid argument list for `kernel`, built from its declaration alone (every size = 3). */
function validCall(kernel: keyof Kernels, b: Backend): unknown[] {
  const decls = KERNEL_ARGS[kernel];
  const sizes: Record<string, number> = { nnz: SIZE, mode: 0, axis: 0, rows: SIZE, cols: SIZE };
  for (const d of decls) if (d.kind === 'size') sizes[d.name] = SIZE;
  const evalLen = (d: ArgDecl): number => {
    const e = d.len!;
    if (typeof e === 'function') return e(sizes);
    return e.split('+').reduce((s, t) => s + t.split('*').reduce((p, f) => p * (/^\d/.test(f) ? Number(f) : sizes[f]), 1), 0);
  };
  return decls.map((d) => {
    switch (d.kind) {
      case 'size': return SIZE;
      case 'number': return 0.5;
      case 'flag': return false;
      case 'unaryOp': return 'neg';
      case 'binaryOp': return 'add';
      case 'bcast': return 'full';
      case 'axis': return 0;
      case 'csr': return b.kernels.csrPrepare(Int32Array.from([0, 1, 2, 3]), new Int32Array(SIZE), SIZE, SIZE);
      case 'u8': return new Uint8Array(evalLen(d));
      case 'i8': return new Int8Array(evalLen(d));
      case 'i16': return new Int16Array(evalLen(d));
      case 'i32':
        if (d.csr === 'rowPtr') return Int32Array.from({ length: SIZE + 1 }, (_, i) => i);
        return new Int32Array(evalLen(d));
      case 'f32': {
        const n = evalLen(d), a = new Float32Array(n);
        // identity for the square SPD inputs, so cholesky accepts the call
        if (n === SIZE * SIZE) for (let i = 0; i < SIZE; i++) a[i * SIZE + i] = 1;
        return a;
      }
      default: return d.kind satisfies never;
    }
  });
}

function call(b: Backend, kernel: keyof Kernels, args: unknown[]): string | null {
  try {
    (b.kernels[kernel] as (...a: unknown[]) => unknown)(...args);
    return null;
  } catch (e) {
    assert.ok(e instanceof KernelArgumentError, `${b.name} ${kernel}: expected KernelArgumentError, got ${String(e)}`);
    return (e as Error).message;
  }
}

/** Every backend rejects args with one identical KernelArgumentError message matching `want`. */
function rejectedAlike(kernel: keyof Kernels, args: (b: Backend) => unknown[], want: RegExp): void {
  const msgs = backends.map((b) => call(b, kernel, args(b)));
  for (let i = 0; i < backends.length; i++) {
    assert.ok(msgs[i] !== null, `${backends[i].name} ${kernel}: accepted a bad call (want ${want})`);
    assert.match(msgs[i]!, want, `${backends[i].name}`);
    assert.is(msgs[i], msgs[0], `${kernel}: ${backends[i].name} words it differently from js`);
  }
}

const t = suite('backend: one argument contract');

t('KERNEL_ARGS declares exactly the kernels every backend implements', () => {
  const declared = Object.keys(KERNEL_ARGS).sort();
  assert.equal(Object.keys(jsKernelsRaw).sort(), declared);
  for (const b of backends) assert.equal(Object.keys(b.kernels).sort(), declared, b.name);
});

t('calls generated from the declarations are accepted everywhere', () => {
  for (const kernel of Object.keys(KERNEL_ARGS) as (keyof Kernels)[]) {
    for (const b of backends) assert.is(call(b, kernel, validCall(kernel, b)), null, `${b.name} ${kernel}`);
  }
});

t('any array one element short is rejected alike, naming it', () => {
  for (const kernel of Object.keys(KERNEL_ARGS) as (keyof Kernels)[]) {
    KERNEL_ARGS[kernel].forEach((d, i) => {
      if (d.kind !== 'f32' && d.kind !== 'i32' && d.kind !== 'u8') return;
      const args = (b: Backend) => {
        const a = validCall(kernel, b);
        a[i] = (a[i] as Float32Array).subarray(0, (a[i] as Float32Array).length - 1);
        return a;
      };
      rejectedAlike(kernel, args, new RegExp(`^${kernel}: ${d.name} is too short`));
    });
  }
});

t('a negative size, a wrong array kind and a bad index are rejected alike', () => {
  for (const kernel of Object.keys(KERNEL_ARGS) as (keyof Kernels)[]) {
    KERNEL_ARGS[kernel].forEach((d, i) => {
      if (d.kind === 'size') {
        rejectedAlike(kernel, (b) => { const a = validCall(kernel, b); a[i] = -1; return a; }, new RegExp(`^${kernel}: ${d.name} must be a non-negative int32 \\(got -1\\)`));
      }
      if (d.kind === 'f32') {
        rejectedAlike(kernel, (b) => { const a = validCall(kernel, b); a[i] = new Float64Array(99); return a; }, new RegExp(`^${kernel}: ${d.name} must be a Float32Array`));
      }
      if (d.range || d.csr === 'rowPtr') {
        const bad = d.csr === 'rowPtr' ? 7 : 99;
        const want = d.csr === 'rowPtr' ? /rowPtr is not monotone at row 1|rowPtr\[0\]|is too short/ : new RegExp(`^${kernel}: ${d.name}\\[1\\] = 99 is out of range`);
        rejectedAlike(kernel, (b) => { const a = validCall(kernel, b); const v = (a[i] as Int32Array).slice(); v[1] = bad; a[i] = v; return a; }, want);
      }
    });
  }
});

t('CSR handles: validated once, owned (later writes to the source change nothing), bound to their backend', () => {
  const rows = 4, cols = 5, d = 3;
  const rowPtr = Int32Array.from([0, 2, 2, 5, 6]), colIdx = Int32Array.from([4, 0, 1, 1, 3, 2]);
  const values = Float32Array.from([1, -2, 3, 0.5, 4, -1]);
  const x = Float32Array.from({ length: cols * d }, (_, i) => Math.sin(i)), xt = Float32Array.from({ length: rows * d }, (_, i) => Math.cos(i));
  const want = new Float32Array(rows * d), wantT = new Float32Array(cols * d), wantMax = new Float32Array(rows * d), wantArg = new Int32Array(rows * d);
  jsKernelsRaw.spmm(rowPtr, colIdx, values, x, want, rows, cols, d, 0);
  jsKernelsRaw.spmmT(rowPtr, colIdx, values, xt, wantT, rows, cols, d, 0);
  jsKernelsRaw.segmentMax(rowPtr, colIdx, x, wantMax, wantArg, rows, cols, d);
  for (const b of backends) {
    const src = { rp: rowPtr.slice(), ci: colIdx.slice() };
    const h = b.kernels.csrPrepare(src.rp, src.ci, rows, cols);
    assert.equal([h.rows, h.cols, h.nnz], [rows, cols, 6]);
    // corrupt the source after the check: the handle reads its own copy
    src.ci.fill(1e9); src.rp.fill(-7);
    const y = new Float32Array(rows * d), yt = new Float32Array(cols * d), ym = new Float32Array(rows * d), am = new Int32Array(rows * d);
    b.kernels.spmmCsr(h, values, x, y, d, 0);
    b.kernels.spmmTCsr(h, values, xt, yt, d, 0);
    b.kernels.segmentMaxCsr(h, x, ym, am, d);
    assert.equal(Array.from(y), Array.from(want), `${b.name} spmmCsr`);
    assert.equal(Array.from(yt), Array.from(wantT), `${b.name} spmmTCsr`);
    assert.equal(Array.from(am), Array.from(wantArg), `${b.name} segmentMaxCsr`);
    assert.equal(Array.from(ym), Array.from(wantMax), `${b.name} segmentMaxCsr`);
    // values stay the caller's: masking an entry in place takes effect
    const masked = values.slice(); masked[0] = 0;
    b.kernels.spmmCsr(h, masked, x, y, d, 0);
    const wantMasked = new Float32Array(rows * d);
    jsKernelsRaw.spmm(rowPtr, colIdx, masked, x, wantMasked, rows, cols, d, 0);
    assert.equal(Array.from(y), Array.from(wantMasked), `${b.name} masked values`);
    // a handle of another backend, a forged one, a disposed one
    for (const other of backends) {
      if (other === b) continue;
      const oh = other.kernels.csrPrepare(rowPtr, colIdx, rows, cols);
      assert.throws(() => b.kernels.spmmCsr(oh, values, x, y, d, 0),
        (e: Error) => e instanceof KernelArgumentError && /^spmmCsr: a must be a CSR handle from this backend's csrPrepare/.test(e.message));
    }
    assert.throws(() => b.kernels.spmmCsr({ rows, cols, nnz: 6, disposed: false, dispose() {} }, values, x, y, d, 0),
      (e: Error) => e instanceof KernelArgumentError && /a must be a CSR handle/.test(e.message));
    assert.throws(() => b.kernels.spmmCsr(h, values, x.subarray(1), y, d, 0), (e: Error) => e instanceof KernelArgumentError && /^spmmCsr: x is too short/.test(e.message));
    h.dispose(); h.dispose();
    assert.throws(() => b.kernels.spmmCsr(h, values, x, y, d, 0), (e: Error) => e instanceof KernelArgumentError && /^spmmCsr: a was disposed/.test(e.message));
    // a bad structure is refused at preparation, with the usual words
    assert.throws(() => b.kernels.csrPrepare(rowPtr, Int32Array.from([4, 0, 1, 1, 5, 2]), rows, cols),
      (e: Error) => e instanceof KernelArgumentError && /^csrPrepare: colIdx\[4\] = 5 is out of range \[0, 5\)/.test(e.message));
  }
});

// A backend that did not load is left out of every test above; each one counts as a skip here.
for (const [name, why] of missing) {
  testUnless(t, `${name} backend unavailable: ${why}`, `the contract holds on ${name}`, () => {});
}

t('KernelArgumentError and NotPositiveDefiniteError are UserErrors (CLI exit 2)', () => {
  assert.ok(new KernelArgumentError('x') instanceof UserError);
  assert.ok(new NotPositiveDefiniteError('cholesky', 1) instanceof KernelArgumentError);
});

testUnless(t, backends.some((b) => b.name === 'native') ? null : 'native backend unavailable',
  'the raw native addon throws KernelArgumentError too', () => {
    assert.throws(() => nativeAddon().gemm_f32(new Float32Array(1), new Float32Array(1), new Float32Array(1), 2, 2, 2, false, false, 1, 0),
      (e: Error) => e instanceof KernelArgumentError && /^gemm: a is too short/.test(e.message));
    assert.throws(() => (nativeAddon().softmax_rows_f32 as unknown as (...a: unknown[]) => void)(new Float32Array(4)),
      (e: Error) => e instanceof KernelArgumentError && /expected 5 arguments/.test(e.message));
  });

t.run();
