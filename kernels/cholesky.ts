/**
 * Blocked Cholesky (right-looking), triangular solves and the SPD inverse
 * (LAPACK's potrf / trsm / potri = trtri then lauum), row-major, on
 * gemmStrided: only O(n^2 NB) of the work is outside GEMM. Diagonal blocks
 * are factored and inverted unblocked with f64 accumulators; solves against a
 * diagonal block multiply by its explicit inverse (a GEMM). The same
 * algorithm as native/src/kernels/cholesky.cc.
 *
 * Scratch (ws, cholesky_workspace_bytes(n, m)): the NB x NB inverse of a
 * diagonal block, an NB x max(n, m) product buffer, one f64 row; gemmWs is
 * GEMM's own workspace. The caller validated every size and length.
 */

import { gemmStrided } from './gemm';

const NB: i32 = 128;

export function cholesky_workspace_bytes(n: i32, m: i32): usize {
  const w = max(max(n, m), 1);
  return <usize>NB * <usize>NB * 4 + <usize>NB * <usize>w * 4 + <usize>NB * 8;
}

// @ts-ignore: decorator
@inline
function at(a: usize, ld: i32, i: i32, j: i32): usize {
  return a + ((<usize>i * <usize>ld + <usize>j) << 2);
}

// sum_{p<n} x[p] y[p] in f64 with four interleaved partial sums (fixed order): one chain is add-latency bound.
function dot(x: usize, y: usize, n: i32): f64 {
  let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
  let p = 0;
  for (; p + 4 <= n; p += 4) {
    const o = <usize>p << 2;
    s0 += <f64>load<f32>(x + o) * <f64>load<f32>(y + o);
    s1 += <f64>load<f32>(x + o, 4) * <f64>load<f32>(y + o, 4);
    s2 += <f64>load<f32>(x + o, 8) * <f64>load<f32>(y + o, 8);
    s3 += <f64>load<f32>(x + o, 12) * <f64>load<f32>(y + o, 12);
  }
  for (; p < n; p++) s0 += <f64>load<f32>(x + (<usize>p << 2)) * <f64>load<f32>(y + (<usize>p << 2));
  return (s0 + s1) + (s2 + s3);
}

// Unblocked Cholesky of the kb x kb block at a (row stride lda); -1 or the failing column.
function potf2(a: usize, lda: i32, kb: i32): i32 {
  for (let j = 0; j < kb; j++) {
    const rj = at(a, lda, j, 0);
    const d = <f64>load<f32>(rj + (<usize>j << 2)) - dot(rj, rj, j);
    if (!(d > 0)) return j;
    const ljj = Math.sqrt(d);
    store<f32>(rj + (<usize>j << 2), <f32>ljj);
    for (let i = j + 1; i < kb; i++) {
      const ri = at(a, lda, i, 0);
      store<f32>(ri + (<usize>j << 2), <f32>((<f64>load<f32>(ri + (<usize>j << 2)) - dot(ri, rj, j)) / ljj));
    }
  }
  return -1;
}

// inv (kb x kb, stride kb) = inverse of the lower triangle at l (stride ldl), zeros above.
// Row i of L^-1 = (e_i - sum_{p<i} L[i,p] row_p(L^-1)) / L[i,i], accumulated in row (f64).
function trti2(l: usize, ldl: i32, kb: i32, inv: usize, row: usize): void {
  for (let i = 0; i < kb; i++) {
    for (let j = 0; j <= i; j++) store<f64>(row + (<usize>j << 3), 0);
    store<f64>(row + (<usize>i << 3), 1);
    const li = at(l, ldl, i, 0);
    for (let p = 0; p < i; p++) {
      const c = <f64>load<f32>(li + (<usize>p << 2));
      const ip = at(inv, kb, p, 0);
      for (let j = 0; j <= p; j++) {
        const o = row + (<usize>j << 3);
        store<f64>(o, load<f64>(o) - c * <f64>load<f32>(ip + (<usize>j << 2)));
      }
    }
    const d = <f64>load<f32>(li + (<usize>i << 2));
    const out = at(inv, kb, i, 0);
    for (let j = 0; j <= i; j++) store<f32>(out + (<usize>j << 2), <f32>(load<f64>(row + (<usize>j << 3)) / d));
    for (let j = i + 1; j < kb; j++) store<f32>(out + (<usize>j << 2), 0);
  }
}

function copyBlock(src: usize, lds: i32, dst: usize, ldd: i32, rows: i32, cols: i32): void {
  for (let i = 0; i < rows; i++) memory.copy(at(dst, ldd, i, 0), at(src, lds, i, 0), <usize>cols << 2);
}

function zeroUpper(a: usize, n: i32): void {
  for (let i = 0; i < n - 1; i++) memory.fill(at(a, n, i, i + 1), 0, <usize>(n - i - 1) << 2);
}

// Upper triangle onto the lower one, in 32 x 32 tiles.
function mirrorUpper(a: usize, n: i32): void {
  const T = 32;
  for (let i0 = 0; i0 < n; i0 += T) {
    const i1 = min(n, i0 + T);
    for (let j0 = i0; j0 < n; j0 += T) {
      const j1 = min(n, j0 + T);
      for (let i = i0; i < i1; i++) {
        for (let j = max(j0, i + 1); j < j1; j++) store<f32>(at(a, n, j, i), load<f32>(at(a, n, i, j)));
      }
    }
  }
}

// In place: lower triangle of a becomes L, zeros above. -1 or the failing column.
export function cholesky_f32(a: usize, n: i32, ws: usize, gemmWs: usize): i32 {
  const dinv = ws, tmp = ws + <usize>(NB * NB * 4);
  const row = tmp + <usize>NB * <usize>max(n, 1) * 4;
  for (let k0 = 0; k0 < n; k0 += NB) {
    const kb = min(NB, n - k0);
    const akk = at(a, n, k0, k0);
    const bad = potf2(akk, n, kb);
    if (bad >= 0) return k0 + bad;
    const r0 = k0 + kb, rem = n - r0;
    if (rem == 0) break;
    // Panel: A21 = A21 L11^-T.
    trti2(akk, n, kb, dinv, row);
    const a21 = at(a, n, r0, k0);
    for (let i0 = 0; i0 < rem; i0 += NB) {
      const ib = min(NB, rem - i0);
      gemmStrided(at(a21, n, i0, 0), n, dinv, kb, tmp, kb, ib, kb, kb, false, true, 1, 0, gemmWs);
      copyBlock(tmp, kb, at(a21, n, i0, 0), n, ib, kb);
    }
    // Trailing lower part: A22 -= A21 A21^T, one NB-wide column strip at a time.
    for (let j0 = r0; j0 < n; j0 += NB) {
      const jb = min(NB, n - j0);
      const pj = at(a, n, j0, k0);
      gemmStrided(pj, n, pj, n, at(a, n, j0, j0), n, n - j0, jb, kb, false, true, -1, 1, gemmWs);
    }
  }
  zeroUpper(a, n);
  return -1;
}

// In place: b (n x m) becomes X with L X = B (trans 0) or L^T X = B (trans 1).
export function trsm_f32(l: usize, b: usize, n: i32, m: i32, trans: bool, ws: usize, gemmWs: usize): void {
  if (n <= 0 || m <= 0) return;
  const dinv = ws, tmp = ws + <usize>(NB * NB * 4);
  const row = tmp + <usize>NB * <usize>max(max(n, m), 1) * 4;
  if (!trans) {
    for (let k0 = 0; k0 < n; k0 += NB) {
      const kb = min(NB, n - k0);
      trti2(at(l, n, k0, k0), n, kb, dinv, row);
      const bk = at(b, m, k0, 0);
      gemmStrided(dinv, kb, bk, m, tmp, m, kb, m, kb, false, false, 1, 0, gemmWs);
      memory.copy(bk, tmp, <usize>kb * <usize>m * 4);
      const r0 = k0 + kb;
      if (r0 < n) gemmStrided(at(l, n, r0, k0), n, bk, m, at(b, m, r0, 0), m, n - r0, m, kb, false, false, -1, 1, gemmWs);
    }
  } else {
    for (let k0 = (n - 1) / NB * NB; k0 >= 0; k0 -= NB) {
      const kb = min(NB, n - k0);
      trti2(at(l, n, k0, k0), n, kb, dinv, row);
      const bk = at(b, m, k0, 0);
      gemmStrided(dinv, kb, bk, m, tmp, m, kb, m, kb, true, false, 1, 0, gemmWs);
      memory.copy(bk, tmp, <usize>kb * <usize>m * 4);
      if (k0 > 0) gemmStrided(at(l, n, k0, 0), n, bk, m, b, m, k0, m, kb, true, false, -1, 1, gemmWs);
    }
  }
}

// In place: a holds L (lower) and becomes (L L^T)^-1, both triangles.
export function cholesky_inverse_f32(a: usize, n: i32, ws: usize, gemmWs: usize): void {
  if (n <= 0) return;
  const dinv = ws, tmp = ws + <usize>(NB * NB * 4);
  const row = tmp + <usize>NB * <usize>n * 4;
  zeroUpper(a, n);
  // trtri, right to left: L21 <- -(L22^-1 L21) L11^-1, then L11 <- L11^-1.
  for (let j0 = (n - 1) / NB * NB; j0 >= 0; j0 -= NB) {
    const jb = min(NB, n - j0);
    const r0 = j0 + jb, rem = n - r0;
    trti2(at(a, n, j0, j0), n, jb, dinv, row);
    if (rem > 0) {
      const x = at(a, n, r0, j0);
      // tmp = L22^-1 X by column blocks p of L22^-1 (lower: block p reaches rows >= p only).
      for (let p0 = 0; p0 < rem; p0 += NB) {
        const pb = min(NB, rem - p0);
        gemmStrided(at(a, n, r0 + p0, r0 + p0), n, at(x, n, p0, 0), n, at(tmp, jb, p0, 0), jb, rem - p0, jb, pb,
          false, false, 1, p0 == 0 ? 0 : 1, gemmWs);
      }
      gemmStrided(tmp, jb, dinv, jb, x, n, rem, jb, jb, false, false, -1, 0, gemmWs);
    }
    copyBlock(dinv, jb, at(a, n, j0, j0), n, jb, jb);
  }
  // lauum: column strip I of the upper triangle, rows < r1:
  // A[I, :r1]^T L_II + A[r1:, :r1]^T A[r1:, I]; reads rows >= I only (still L^-1).
  for (let i0 = 0; i0 < n; i0 += NB) {
    const ib = min(NB, n - i0);
    const r1 = i0 + ib;
    const ai = at(a, n, i0, 0);
    gemmStrided(ai, n, at(a, n, i0, i0), n, tmp, ib, r1, ib, ib, true, false, 1, 0, gemmWs);
    if (r1 < n) gemmStrided(at(a, n, r1, 0), n, at(a, n, r1, i0), n, tmp, ib, r1, ib, n - r1, true, false, 1, 1, gemmWs);
    copyBlock(tmp, ib, at(a, n, 0, i0), n, r1, ib);
  }
  mirrorUpper(a, n);
}
