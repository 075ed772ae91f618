/**
 * The one argument contract: KERNEL_ARGS declares every kernel of every
 * backend; calls generated from the declarations are accepted, and the same
 * call with any one array a single element short, a size negative, or an
 * index out of range is rejected by every backend with a KernelArgumentError
 * (a UserError: the CLI exits 2) carrying the identical message.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KERNEL_ARGS, type ArgDecl, type Backend, type Kernels } from '../../src/backend/kernels.js';
import { getBackend } from '../../src/backend/registry.js';
import { jsKernelsRaw } from '../../src/backend/js/index.js';
import { nativeAddon } from '../../src/backend/native/index.js';
import { KernelArgumentError, NotPositiveDefiniteError, UserError } from '../../src/errors.js';

const backends: Backend[] = [getBackend('js')];
for (const name of ['wasm', 'native'] as const) {
  try { backends.push(getBackend(name)); } catch (e) { console.log(`contract: skipping ${name}: ${(e as Error).message}`); }
}

const SIZE = 3;
/** A valid argument list for `kernel`, built from its declaration alone (every size = 3). */
function validCall(kernel: keyof Kernels): unknown[] {
  const decls = KERNEL_ARGS[kernel];
  const sizes: Record<string, number> = { nnz: SIZE, mode: 0, axis: 0 };
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
      case 'u8': return new Uint8Array(evalLen(d));
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
function rejectedAlike(kernel: keyof Kernels, args: () => unknown[], want: RegExp): void {
  const msgs = backends.map((b) => call(b, kernel, args()));
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
    for (const b of backends) assert.is(call(b, kernel, validCall(kernel)), null, `${b.name} ${kernel}`);
  }
});

t('any array one element short is rejected alike, naming it', () => {
  for (const kernel of Object.keys(KERNEL_ARGS) as (keyof Kernels)[]) {
    KERNEL_ARGS[kernel].forEach((d, i) => {
      if (d.kind !== 'f32' && d.kind !== 'i32' && d.kind !== 'u8') return;
      const args = () => {
        const a = validCall(kernel);
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
        rejectedAlike(kernel, () => { const a = validCall(kernel); a[i] = -1; return a; }, new RegExp(`^${kernel}: ${d.name} must be a non-negative int32 \\(got -1\\)`));
      }
      if (d.kind === 'f32') {
        rejectedAlike(kernel, () => { const a = validCall(kernel); a[i] = new Float64Array(99); return a; }, new RegExp(`^${kernel}: ${d.name} must be a Float32Array`));
      }
      if (d.range || d.csr === 'rowPtr') {
        const bad = d.csr === 'rowPtr' ? 7 : 99;
        const want = d.csr === 'rowPtr' ? /rowPtr is not monotone at row 1|rowPtr\[0\]|is too short/ : new RegExp(`^${kernel}: ${d.name}\\[1\\] = 99 is out of range`);
        rejectedAlike(kernel, () => { const a = validCall(kernel); const v = (a[i] as Int32Array).slice(); v[1] = bad; a[i] = v; return a; }, want);
      }
    });
  }
});

t('KernelArgumentError and NotPositiveDefiniteError are UserErrors (CLI exit 2), also from the raw addon', () => {
  assert.ok(new KernelArgumentError('x') instanceof UserError);
  assert.ok(new NotPositiveDefiniteError('cholesky', 1) instanceof KernelArgumentError);
  if (backends.some((b) => b.name === 'native')) {
    assert.throws(() => nativeAddon().gemm_f32(new Float32Array(1), new Float32Array(1), new Float32Array(1), 2, 2, 2, false, false, 1, 0),
      (e: Error) => e instanceof KernelArgumentError && /^gemm: a is too short/.test(e.message));
    assert.throws(() => (nativeAddon().softmax_rows_f32 as unknown as (...a: unknown[]) => void)(new Float32Array(4)),
      (e: Error) => e instanceof KernelArgumentError && /expected 5 arguments/.test(e.message));
  }
});

t.run();
