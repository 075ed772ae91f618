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
