/**
 * Reductions: row dot products, sums and max/argmax along either axis.
 *
 * Column-wise reductions (axis 0) keep a block of columns in f32x4
 * accumulators while walking the rows, so each output is reduced in row
 * order, exactly as the js reference does. Row-wise sums split a row over
 * four lanes (a reordering within the 1e-5 sqrt(k) tolerance). Max keeps
 * the first index on ties (strict >), starting from the first element, so
 * NaN handling matches the reference too.
 */

import { hsum, dot } from './vec';

// a, b: (m,n) -> y: (m)
export function row_dot_f32(a: usize, b: usize, y: usize, m: i32, n: i32): void {
  const rowBytes = <usize>n << 2;
  for (let i = 0; i < m; i++) store<f32>(y + (<usize>i << 2), dot(a + <usize>i * rowBytes, b + <usize>i * rowBytes, n));
}

// x: (m,n) -> y: (n) for axis 0, (m) for axis 1
export function sum_axis_f32(x: usize, y: usize, m: i32, n: i32, axis: i32): void {
  const rowBytes = <usize>n << 2;
  if (axis == 0) {
    let c = 0;
    for (; c + 16 <= n; c += 16) {
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      let p = x + (<usize>c << 2);
      for (let i = 0; i < m; i++) {
        s0 = f32x4.add(s0, v128.load(p)); s1 = f32x4.add(s1, v128.load(p, 16));
        s2 = f32x4.add(s2, v128.load(p, 32)); s3 = f32x4.add(s3, v128.load(p, 48));
        p += rowBytes;
      }
      const o = y + (<usize>c << 2);
      v128.store(o, s0); v128.store(o, s1, 16); v128.store(o, s2, 32); v128.store(o, s3, 48);
    }
    for (; c + 4 <= n; c += 4) {
      let s0 = f32x4.splat(0);
      let p = x + (<usize>c << 2);
      for (let i = 0; i < m; i++) { s0 = f32x4.add(s0, v128.load(p)); p += rowBytes; }
      v128.store(y + (<usize>c << 2), s0);
    }
    for (; c < n; c++) {
      let s: f32 = 0;
      let p = x + (<usize>c << 2);
      for (let i = 0; i < m; i++) { s += load<f32>(p); p += rowBytes; }
      store<f32>(y + (<usize>c << 2), s);
    }
    return;
  }
  for (let i = 0; i < m; i++) {
    const r = x + <usize>i * rowBytes;
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
    let o: usize = 0;
    for (; o + 32 <= rowBytes; o += 32) {
      s0 = f32x4.add(s0, v128.load(r + o));
      s1 = f32x4.add(s1, v128.load(r + o, 16));
    }
    for (; o + 16 <= rowBytes; o += 16) s0 = f32x4.add(s0, v128.load(r + o));
    let s = hsum(f32x4.add(s0, s1));
    for (; o < rowBytes; o += 4) s += load<f32>(r + o);
    store<f32>(y + (<usize>i << 2), s);
  }
}

// Max with argmax (first index on ties); an empty reduction gives -inf, -1.
export function max_axis_f32(x: usize, y: usize, arg: usize, m: i32, n: i32, axis: i32): void {
  const rowBytes = <usize>n << 2;
  if (axis == 0) {
    if (m == 0) {
      for (let c = 0; c < n; c++) { store<f32>(y + (<usize>c << 2), -Infinity); store<i32>(arg + (<usize>c << 2), -1); }
      return;
    }
    let c = 0;
    for (; c + 4 <= n; c += 4) {
      let p = x + (<usize>c << 2);
      let best = v128.load(p), bi = i32x4.splat(0);
      for (let i = 1; i < m; i++) {
        p += rowBytes;
        const v = v128.load(p);
        const k = f32x4.gt(v, best);
        best = v128.bitselect(v, best, k);
        bi = v128.bitselect(i32x4.splat(i), bi, k);
      }
      v128.store(y + (<usize>c << 2), best);
      v128.store(arg + (<usize>c << 2), bi);
    }
    for (; c < n; c++) {
      let p = x + (<usize>c << 2);
      let best = load<f32>(p), bi = 0;
      for (let i = 1; i < m; i++) {
        p += rowBytes;
        const v = load<f32>(p);
        if (v > best) { best = v; bi = i; }
      }
      store<f32>(y + (<usize>c << 2), best);
      store<i32>(arg + (<usize>c << 2), bi);
    }
    return;
  }
  for (let i = 0; i < m; i++) {
    const r = x + <usize>i * rowBytes;
    let best: f32 = -Infinity, bi = -1;
    if (n > 0) {
      best = load<f32>(r); bi = 0;
      for (let j = 1; j < n; j++) {
        const v = load<f32>(r + (<usize>j << 2));
        if (v > best) { best = v; bi = j; }
      }
    }
    store<f32>(y + (<usize>i << 2), best);
    store<i32>(arg + (<usize>i << 2), bi);
  }
}
