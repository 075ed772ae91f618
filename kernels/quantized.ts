/**
 * Serving over an int8 item table: the approximate score of every row,
 * out[i] = (qScale * scale[i]) * sum_c q[c] * items[i*d + c], with the
 * int8 x int16 products summed exactly in i32 (i32x4.dot_i16x8_s), so the
 * sum is independent of lane order and equal on every backend. The caller
 * keeps sum_c |q[c]| * 127 < 2^31 (src/recsys/quantized.ts picks q's range
 * from d). Rows are d bytes apart, read unaligned.
 */

// items: (nItems,d) i8, scale: (nItems) f32, q: (d) i16 -> out: (nItems) f32.
export function score_i8_f32(items: usize, scale: usize, q: usize, qScale: f32, nItems: i32, d: i32, out: usize): void {
  const full = d & ~15;
  for (let i = 0; i < nItems; i++) {
    const row = items + <usize>i * <usize>d;
    let acc = i32x4.splat(0);
    let c = 0;
    for (; c < full; c += 16) {
      const x = v128.load(row + <usize>c);
      const q0 = v128.load(q + (<usize>c << 1)), q1 = v128.load(q + (<usize>c << 1), 16);
      acc = i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(x), q0));
      acc = i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(x), q1));
    }
    let s = (i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1)) + (i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3));
    for (; c < d; c++) s += <i32>load<i8>(row + <usize>c) * <i32>load<i16>(q + (<usize>c << 1));
    store<f32>(out + (<usize>i << 2), (qScale * load<f32>(scale + (<usize>i << 2))) * <f32>s);
  }
}

// lo_i = approx[i] - alpha*scale[i] (f64) into the insertion list low (k f64 at ws); returns the new count.
@inline function insertLow(approx: usize, scale: usize, alpha: f64, i: i32, k: i32, count: i32, exclude: usize, hasExclude: i32, ws: usize): i32 {
  if (hasExclude && load<u8>(exclude + <usize>i)) return count;
  const lo = <f64>load<f32>(approx + (<usize>i << 2)) - alpha * <f64>load<f32>(scale + (<usize>i << 2));
  if (count == k && !(lo > load<f64>(ws + (<usize>(k - 1) << 3)))) return count;
  let pos = count < k ? count++ : k - 1;
  while (pos > 0 && lo > load<f64>(ws + (<usize>(pos - 1) << 3))) {
    store<f64>(ws + (<usize>pos << 3), load<f64>(ws + (<usize>(pos - 1) << 3)));
    pos--;
  }
  store<f64>(ws + (<usize>pos << 3), lo);
  return count;
}

/**
 * The rows an exact re-rank must see (Kernels.boundCandidates): t = the k-th
 * largest approx[i] - alpha*scale[i] over rows not excluded; out = every row
 * not excluded with approx[i] + alpha*scale[i] >= t, in order. Once the list
 * is full, blocks of 4 rows are skipped with one f64x2 test pair when none can
 * enter, then treated row by row exactly as the js reference does.
 */
export function bound_candidates_f32(approx: usize, scale: usize, alpha: f64, n: i32, k: i32, exclude: usize, hasExclude: i32, out: usize, ws: usize): i32 {
  if (k <= 0) return 0;
  let count = 0, i = 0;
  for (; i < n && count < k; i++) count = insertLow(approx, scale, alpha, i, k, count, exclude, hasExclude, ws);
  const va = f64x2.splat(alpha);
  for (; i + 4 <= n; i += 4) {
    const thr = f64x2.splat(load<f64>(ws + (<usize>(k - 1) << 3)));
    const a = approx + (<usize>i << 2), s = scale + (<usize>i << 2);
    const a4 = v128.load(a), s4 = v128.load(s);
    const lo0 = f64x2.sub(f64x2.promote_low_f32x4(a4), f64x2.mul(va, f64x2.promote_low_f32x4(s4)));
    const lo1 = f64x2.sub(f64x2.promote_low_f32x4(v128.shuffle<i32>(a4, a4, 2, 3, 0, 1)), f64x2.mul(va, f64x2.promote_low_f32x4(v128.shuffle<i32>(s4, s4, 2, 3, 0, 1))));
    if (!v128.any_true(v128.or(f64x2.gt(lo0, thr), f64x2.gt(lo1, thr)))) continue;
    for (let j = i; j < i + 4; j++) count = insertLow(approx, scale, alpha, j, k, count, exclude, hasExclude, ws);
  }
  for (; i < n; i++) count = insertLow(approx, scale, alpha, i, k, count, exclude, hasExclude, ws);
  const t = count < k ? -Infinity : load<f64>(ws + (<usize>(k - 1) << 3));
  const vt = f64x2.splat(t);
  let m = 0;
  i = 0;
  for (; i + 4 <= n; i += 4) {
    const a = approx + (<usize>i << 2), s = scale + (<usize>i << 2);
    const a4 = v128.load(a), s4 = v128.load(s);
    const hi0 = f64x2.add(f64x2.promote_low_f32x4(a4), f64x2.mul(va, f64x2.promote_low_f32x4(s4)));
    const hi1 = f64x2.add(f64x2.promote_low_f32x4(v128.shuffle<i32>(a4, a4, 2, 3, 0, 1)), f64x2.mul(va, f64x2.promote_low_f32x4(v128.shuffle<i32>(s4, s4, 2, 3, 0, 1))));
    if (!v128.any_true(v128.or(f64x2.ge(hi0, vt), f64x2.ge(hi1, vt)))) continue;
    for (let j = i; j < i + 4; j++) {
      if (hasExclude && load<u8>(exclude + <usize>j)) continue;
      if (<f64>load<f32>(approx + (<usize>j << 2)) + alpha * <f64>load<f32>(scale + (<usize>j << 2)) >= t) { store<i32>(out + (<usize>m << 2), j); m++; }
    }
  }
  for (; i < n; i++) {
    if (hasExclude && load<u8>(exclude + <usize>i)) continue;
    if (<f64>load<f32>(approx + (<usize>i << 2)) + alpha * <f64>load<f32>(scale + (<usize>i << 2)) >= t) { store<i32>(out + (<usize>m << 2), i); m++; }
  }
  return m;
}
