/**
 * Dense GEMM, c(m x n) = alpha * op(a) op(b) + beta * c, f32x4 SIMD.
 *
 * Goto-style blocking: op(b) is packed per (KC x NC) panel into NR-wide
 * column strips, op(a) per (MC x KC) block into MR-high row strips, so the
 * micro-kernel always streams two contiguous buffers and the transpose flags
 * only change the packing routines (which are O(mk + kn), against O(mnk) for
 * the product). The 4x8 micro-tile keeps 8 v128 accumulators plus 2 b vectors
 * and a splat in registers: 11 of the 16 xmm registers V8 has on x64, so the
 * inner loop does not spill. Wasm SIMD has no FMA, so mul + add.
 *
 * Workspace (ws, gemm_workspace_bytes()): packed b panel, packed a block, and
 * one MR x NR edge tile. All pointers are byte offsets; the caller validated
 * every size and length.
 */

import { gemvAxpy, gemvDot } from './gemv';

const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 128;
const NC: i32 = 1024;

const WS_B: usize = 0;
const WS_A: usize = <usize>(KC * NC * 4);
const WS_T: usize = WS_A + <usize>(MC * KC * 4);
const WS_BYTES: usize = WS_T + <usize>(MR * NR * 4);

export function gemm_workspace_bytes(): usize {
  return WS_BYTES;
}

// Reads 4 rows of 4 floats (src, row stride bytes) and writes them as 4 columns (dst, stride bytes).
// @ts-ignore: decorator
@inline
function transpose4(src: usize, stride: usize, dst: usize, dstStride: i32): void {
  const x0 = v128.load(src), x1 = v128.load(src + stride);
  const x2 = v128.load(src + 2 * stride), x3 = v128.load(src + 3 * stride);
  const t0 = i32x4.shuffle(x0, x1, 0, 4, 1, 5), t1 = i32x4.shuffle(x0, x1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(x2, x3, 0, 4, 1, 5), t3 = i32x4.shuffle(x2, x3, 2, 6, 3, 7);
  const ds = <usize>dstStride;
  v128.store(dst, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(dst + ds, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * ds, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * ds, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

// Packs op(b)[pc..pc+kc, jc..jc+nc] into strips of NR columns, zero padded.
function packB(b: usize, ldb: i32, tb: bool, pc: i32, jc: i32, kc: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const w = min(NR, nc - jr);
    const col = jc + jr;
    const strip = dst + <usize>(jr * kc * 4);
    if (!tb) {
      let src = b + ((<usize>pc * <usize>ldb + <usize>col) << 2);
      const stride = <usize>ldb << 2;
      if (w == NR) {
        for (let p = 0; p < kc; p++) {
          const o = strip + <usize>(p * NR * 4);
          v128.store(o, v128.load(src));
          v128.store(o, v128.load(src, 16), 16);
          src += stride;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          const o = strip + <usize>(p * NR * 4);
          v128.store(o, f32x4.splat(0));
          v128.store(o, f32x4.splat(0), 16);
          for (let j = 0; j < w; j++) store<f32>(o + (<usize>j << 2), load<f32>(src + (<usize>j << 2)));
          src += stride;
        }
      }
    } else if (w == NR) {
      // b is stored (n x k): 4x4 register transposes of rows j..j+3 and j+4..j+7.
      const stride = <usize>ldb << 2;
      const r0 = b + ((<usize>col * <usize>ldb + <usize>pc) << 2);
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const off = <usize>p << 2;
        const o = strip + <usize>(p * NR * 4);
        transpose4(r0 + off, stride, o, NR * 4);
        transpose4(r0 + 4 * stride + off, stride, o + 16, NR * 4);
      }
      for (; p < kc; p++) {
        const o = strip + <usize>(p * NR * 4);
        for (let j = 0; j < NR; j++) store<f32>(o + (<usize>j << 2), load<f32>(r0 + <usize>j * stride + (<usize>p << 2)));
      }
    } else {
      for (let j = 0; j < NR; j++) {
        const o = strip + (<usize>j << 2);
        if (j < w) {
          const src = b + ((<usize>(col + j) * <usize>ldb + <usize>pc) << 2);
          for (let p = 0; p < kc; p++) store<f32>(o + <usize>(p * NR * 4), load<f32>(src + (<usize>p << 2)));
        } else {
          for (let p = 0; p < kc; p++) store<f32>(o + <usize>(p * NR * 4), 0);
        }
      }
    }
  }
}

// Packs op(a)[ic..ic+mc, pc..pc+kc] into strips of MR rows, zero padded.
function packA(a: usize, lda: i32, ta: bool, ic: i32, pc: i32, mc: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const h = min(MR, mc - ir);
    const row = ic + ir;
    const strip = dst + <usize>(ir * kc * 4);
    if (ta) {
      // a is stored (k x m): MR consecutive rows of op(a) are contiguous in a.
      let src = a + ((<usize>pc * <usize>lda + <usize>row) << 2);
      const stride = <usize>lda << 2;
      if (h == MR) {
        for (let p = 0; p < kc; p++) {
          v128.store(strip + <usize>(p * 16), v128.load(src));
          src += stride;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          const o = strip + <usize>(p * 16);
          v128.store(o, f32x4.splat(0));
          for (let i = 0; i < h; i++) store<f32>(o + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
          src += stride;
        }
      }
    } else if (h == MR) {
      const stride = <usize>lda << 2;
      const r0 = a + ((<usize>row * <usize>lda + <usize>pc) << 2);
      const r1 = r0 + stride, r2 = r1 + stride, r3 = r2 + stride;
      let p = 0;
      // 4x4 register transposes: four rows in, four packed columns out.
      for (; p + 4 <= kc; p += 4) transpose4(r0 + (<usize>p << 2), stride, strip + <usize>(p * 16), 16);
      for (; p < kc; p++) {
        const off = <usize>p << 2;
        const o = strip + <usize>(p * 16);
        store<f32>(o, load<f32>(r0 + off));
        store<f32>(o, load<f32>(r1 + off), 4);
        store<f32>(o, load<f32>(r2 + off), 8);
        store<f32>(o, load<f32>(r3 + off), 12);
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const o = strip + <usize>(p * 16);
        v128.store(o, f32x4.splat(0));
        for (let i = 0; i < h; i++) {
          store<f32>(o + (<usize>i << 2), load<f32>(a + ((<usize>(row + i) * <usize>lda + <usize>(pc + p)) << 2)));
        }
      }
    }
  }
}

// One 4x8 output row segment: c = alpha*acc (+ beta*c on the first k block, + c after).
// @ts-ignore: decorator
@inline
function storeRow(c: usize, lo: v128, hi: v128, va: v128, vb: v128, mode: i32): void {
  if (mode == 0) {
    v128.store(c, f32x4.mul(lo, va));
    v128.store(c, f32x4.mul(hi, va), 16);
  } else if (mode == 1) {
    v128.store(c, f32x4.add(f32x4.mul(lo, va), f32x4.mul(v128.load(c), vb)));
    v128.store(c, f32x4.add(f32x4.mul(hi, va), f32x4.mul(v128.load(c, 16), vb)), 16);
  } else {
    v128.store(c, f32x4.add(v128.load(c), f32x4.mul(lo, va)));
    v128.store(c, f32x4.add(v128.load(c, 16), f32x4.mul(hi, va)), 16);
  }
}

// acc(4x8) = packed a strip (kc x 4) times packed b strip (kc x 8), written to c (row stride ldc bytes).
function micro(pa: usize, pb: usize, kc: i32, c: usize, ldc: usize, alpha: f32, beta: f32, mode: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const end = pa + <usize>(kc * 16);
  while (pa < end) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let s = v128.load32_splat(pa);
    c00 = f32x4.add(c00, f32x4.mul(s, b0)); c01 = f32x4.add(c01, f32x4.mul(s, b1));
    s = v128.load32_splat(pa, 4);
    c10 = f32x4.add(c10, f32x4.mul(s, b0)); c11 = f32x4.add(c11, f32x4.mul(s, b1));
    s = v128.load32_splat(pa, 8);
    c20 = f32x4.add(c20, f32x4.mul(s, b0)); c21 = f32x4.add(c21, f32x4.mul(s, b1));
    s = v128.load32_splat(pa, 12);
    c30 = f32x4.add(c30, f32x4.mul(s, b0)); c31 = f32x4.add(c31, f32x4.mul(s, b1));
    pa += 16;
    pb += 32;
  }
  const va = f32x4.splat(alpha), vb = f32x4.splat(beta);
  storeRow(c, c00, c01, va, vb, mode);
  storeRow(c + ldc, c10, c11, va, vb, mode);
  storeRow(c + 2 * ldc, c20, c21, va, vb, mode);
  storeRow(c + 3 * ldc, c30, c31, va, vb, mode);
}

// Scales c by beta (beta = 0 clears, ignoring NaN): the k = 0 case.
function scaleC(c: usize, count: usize, beta: f32): void {
  const end = c + (count << 2);
  const vb = f32x4.splat(beta);
  let p = c;
  for (; p + 16 <= end; p += 16) v128.store(p, beta == 0 ? f32x4.splat(0) : f32x4.mul(v128.load(p), vb));
  for (; p < end; p += 4) store<f32>(p, beta == 0 ? 0 : load<f32>(p) * beta);
}

// a: (m,k) or (k,m) if ta; b: (k,n) or (n,k) if tb; c: (m,n)
export function gemm_f32(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, ta: bool, tb: bool,
  alpha: f32, beta: f32, ws: usize): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) { scaleC(c, <usize>m * <usize>n, beta); return; }
  // One output column or row: a matrix-vector product, no packing.
  if (n == 1) {
    if (ta) gemvAxpy(a, b, c, m, k, alpha, beta);
    else gemvDot(a, b, c, m, k, alpha, beta);
    return;
  }
  if (m == 1) {
    if (tb) gemvDot(b, a, c, n, k, alpha, beta);
    else gemvAxpy(b, a, c, n, k, alpha, beta);
    return;
  }
  gemmStrided(a, ta ? m : k, b, tb ? k : n, c, n, m, n, k, ta, tb, alpha, beta, ws);
}

/**
 * The blocked product on sub-matrices: row i of a (as stored) starts at
 * a + 4 * i * lda bytes, likewise b (ldb) and c (ldc). The factorisations in
 * cholesky.ts multiply panels of one big matrix in place through this.
 */
export function gemmStrided(a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, m: i32, n: i32, k: i32,
  ta: bool, tb: bool, alpha: f32, beta: f32, ws: usize): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    for (let i = 0; i < m; i++) scaleC(c + ((<usize>i * <usize>ldc) << 2), <usize>n, beta);
    return;
  }
  const pb = ws + WS_B, pa = ws + WS_A, tile = ws + WS_T;
  const ldcb = <usize>ldc << 2;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packB(b, ldb, tb, pc, jc, kc, nc, pb);
      const mode = pc > 0 ? 2 : beta == 0 ? 0 : 1;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA(a, lda, ta, ic, pc, mc, kc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const w = min(NR, nc - jr);
          const bs = pb + <usize>(jr * kc * 4);
          for (let ir = 0; ir < mc; ir += MR) {
            const h = min(MR, mc - ir);
            const as = pa + <usize>(ir * kc * 4);
            const cp = c + ((<usize>(ic + ir) * <usize>ldc + <usize>(jc + jr)) << 2);
            if (h == MR && w == NR) {
              micro(as, bs, kc, cp, ldcb, alpha, beta, mode);
            } else {
              // Edge tile: compute the full tile into scratch, then merge the valid part.
              micro(as, bs, kc, tile, <usize>(NR * 4), 1, 0, 0);
              for (let i = 0; i < h; i++) {
                for (let j = 0; j < w; j++) {
                  const acc = load<f32>(tile + <usize>((i * NR + j) * 4));
                  const o = cp + <usize>i * ldcb + (<usize>j << 2);
                  if (mode == 0) store<f32>(o, alpha * acc);
                  else if (mode == 1) store<f32>(o, alpha * acc + beta * load<f32>(o));
                  else store<f32>(o, load<f32>(o) + alpha * acc);
                }
              }
            }
          }
        }
      }
    }
  }
}

// x: (n,m) -> y: (m,n). 4x4 register transposes inside 32x32 cache tiles.
export function transpose_f32(x: usize, y: usize, m: i32, n: i32): void {
  const T = 32;
  for (let i0 = 0; i0 < m; i0 += T) {
    const i1 = min(m, i0 + T);
    for (let j0 = 0; j0 < n; j0 += T) {
      const j1 = min(n, j0 + T);
      let i = i0;
      for (; i + 4 <= i1; i += 4) {
        let j = j0;
        for (; j + 4 <= j1; j += 4) {
          transpose4(x + ((<usize>j * <usize>m + <usize>i) << 2), <usize>m << 2,
            y + ((<usize>i * <usize>n + <usize>j) << 2), n * 4);
        }
        for (; j < j1; j++) {
          for (let r = i; r < i + 4; r++) {
            store<f32>(y + ((<usize>r * <usize>n + <usize>j) << 2), load<f32>(x + ((<usize>j * <usize>m + <usize>r) << 2)));
          }
        }
      }
      for (; i < i1; i++) {
        for (let j = j0; j < j1; j++) {
          store<f32>(y + ((<usize>i * <usize>n + <usize>j) << 2), load<f32>(x + ((<usize>j * <usize>m + <usize>i) << 2)));
        }
      }
    }
  }
}
