/**
 * Small f32x4 helpers shared by several kernel files (inlined at each use):
 * the horizontal sum and the dot product of two contiguous f32 vectors, whose
 * fixed lane order every caller relies on for repeatable results.
 */

// @ts-ignore: decorator
@inline
export function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** sum_i a[i] * b[i] over d floats: two 4-lane accumulators, then a scalar tail. */
// @ts-ignore: decorator
@inline
export function dot(a: usize, b: usize, d: i32): f32 {
  const bytes = <usize>d << 2;
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
  let o: usize = 0;
  for (; o + 32 <= bytes; o += 32) {
    s0 = f32x4.add(s0, f32x4.mul(v128.load(a + o), v128.load(b + o)));
    s1 = f32x4.add(s1, f32x4.mul(v128.load(a + o, 16), v128.load(b + o, 16)));
  }
  for (; o + 16 <= bytes; o += 16) s0 = f32x4.add(s0, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  let s = hsum(f32x4.add(s0, s1));
  for (; o < bytes; o += 4) s += load<f32>(a + o) * load<f32>(b + o);
  return s;
}
