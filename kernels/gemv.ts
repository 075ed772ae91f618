/**
 * Matrix-vector products for GEMM calls with m = 1 or n = 1 (output layers
 * with one unit, their gradients, single-row inference). The packed GEMM
 * would waste 7 of 8 tile columns there and pack a whole matrix for one
 * pass, so these stream the matrix once instead.
 *
 * Two shapes cover every transpose flag: `dot` when the matrix's rows are
 * contiguous along the reduction (c[i] = <M_i, v>), `axpy` when they run
 * along the output (c = sum_p v[p] M_p). Both finish with
 * c = alpha*s (+ beta*c unless beta = 0, which ignores c).
 */

import { hsum } from './vec';

// @ts-ignore: decorator
@inline
function finish(c: usize, s: f32, alpha: f32, beta: f32): void {
  store<f32>(c, beta == 0 ? alpha * s : alpha * s + beta * load<f32>(c));
}


// c[i] = alpha * <mat row i (k), v> + beta * c[i], i < len; four rows share each load of v.
export function gemvDot(mat: usize, v: usize, c: usize, len: i32, k: i32, alpha: f32, beta: f32): void {
  const rb = <usize>k << 2;
  const kb = <usize>(k & ~3) << 2;
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const r0 = mat + <usize>i * rb, r1 = r0 + rb, r2 = r1 + rb, r3 = r2 + rb;
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    let o: usize = 0;
    for (; o < kb; o += 16) {
      const x = v128.load(v + o);
      s0 = f32x4.add(s0, f32x4.mul(v128.load(r0 + o), x));
      s1 = f32x4.add(s1, f32x4.mul(v128.load(r1 + o), x));
      s2 = f32x4.add(s2, f32x4.mul(v128.load(r2 + o), x));
      s3 = f32x4.add(s3, f32x4.mul(v128.load(r3 + o), x));
    }
    let t0 = hsum(s0), t1 = hsum(s1), t2 = hsum(s2), t3 = hsum(s3);
    for (; o < rb; o += 4) {
      const x = load<f32>(v + o);
      t0 += load<f32>(r0 + o) * x; t1 += load<f32>(r1 + o) * x;
      t2 += load<f32>(r2 + o) * x; t3 += load<f32>(r3 + o) * x;
    }
    const cp = c + (<usize>i << 2);
    finish(cp, t0, alpha, beta); finish(cp + 4, t1, alpha, beta);
    finish(cp + 8, t2, alpha, beta); finish(cp + 12, t3, alpha, beta);
  }
  for (; i < len; i++) {
    const r = mat + <usize>i * rb;
    let s0 = f32x4.splat(0);
    let o: usize = 0;
    for (; o < kb; o += 16) s0 = f32x4.add(s0, f32x4.mul(v128.load(r + o), v128.load(v + o)));
    let t = hsum(s0);
    for (; o < rb; o += 4) t += load<f32>(r + o) * load<f32>(v + o);
    finish(c + (<usize>i << 2), t, alpha, beta);
  }
}

// c[j] = alpha * sum_p v[p] * mat[p, j] + beta * c[j], j < len; mat is (k x len).
// Blocks of 32 outputs stay in registers for the whole reduction.
export function gemvAxpy(mat: usize, v: usize, c: usize, len: i32, k: i32, alpha: f32, beta: f32): void {
  const rb = <usize>len << 2;
  const va = f32x4.splat(alpha), vb = f32x4.splat(beta);
  let j = 0;
  for (; j + 32 <= len; j += 32) {
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    let mp = mat + (<usize>j << 2);
    for (let p = 0; p < k; p++) {
      const s = v128.load32_splat(v + (<usize>p << 2));
      a0 = f32x4.add(a0, f32x4.mul(s, v128.load(mp))); a1 = f32x4.add(a1, f32x4.mul(s, v128.load(mp, 16)));
      a2 = f32x4.add(a2, f32x4.mul(s, v128.load(mp, 32))); a3 = f32x4.add(a3, f32x4.mul(s, v128.load(mp, 48)));
      a4 = f32x4.add(a4, f32x4.mul(s, v128.load(mp, 64))); a5 = f32x4.add(a5, f32x4.mul(s, v128.load(mp, 80)));
      a6 = f32x4.add(a6, f32x4.mul(s, v128.load(mp, 96))); a7 = f32x4.add(a7, f32x4.mul(s, v128.load(mp, 112)));
      mp += rb;
    }
    const cp = c + (<usize>j << 2);
    storeBlock(cp, a0, va, vb, beta); storeBlock(cp + 16, a1, va, vb, beta);
    storeBlock(cp + 32, a2, va, vb, beta); storeBlock(cp + 48, a3, va, vb, beta);
    storeBlock(cp + 64, a4, va, vb, beta); storeBlock(cp + 80, a5, va, vb, beta);
    storeBlock(cp + 96, a6, va, vb, beta); storeBlock(cp + 112, a7, va, vb, beta);
  }
  for (; j + 4 <= len; j += 4) {
    let a0 = f32x4.splat(0);
    let mp = mat + (<usize>j << 2);
    for (let p = 0; p < k; p++) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(v + (<usize>p << 2)), v128.load(mp)));
      mp += rb;
    }
    storeBlock(c + (<usize>j << 2), a0, va, vb, beta);
  }
  for (; j < len; j++) {
    let s: f32 = 0;
    let mp = mat + (<usize>j << 2);
    for (let p = 0; p < k; p++) { s += load<f32>(v + (<usize>p << 2)) * load<f32>(mp); mp += rb; }
    finish(c + (<usize>j << 2), s, alpha, beta);
  }
}

// @ts-ignore: decorator
@inline
function storeBlock(c: usize, acc: v128, va: v128, vb: v128, beta: f32): void {
  v128.store(c, beta == 0 ? f32x4.mul(va, acc) : f32x4.add(f32x4.mul(va, acc), f32x4.mul(vb, v128.load(c))));
}
