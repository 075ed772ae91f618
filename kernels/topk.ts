/**
 * Serving: score one query vector against every item row and keep the k
 * best (score descending, lower index first on ties).
 *
 * Selection uses a binary min-heap of size k in the caller's workspace
 * (k i32 indices then k f32 scores): O(n log k) and no allocation. Items
 * arrive in increasing index, so a candidate that ties the heap's worst
 * never displaces it, which gives the lower-index-first rule for free; the
 * final heap-sort orders equal scores by index explicitly.
 */

import { dot } from './vec';

// @ts-ignore: decorator
@inline
function worse(sa: f32, ia: i32, sb: f32, ib: i32): bool {
  return sa < sb || (sa == sb && ia > ib);
}

function siftDown(hi: usize, hs: usize, size: i32, start: i32): void {
  let i = start;
  const si = load<f32>(hs + (<usize>i << 2)), ii = load<i32>(hi + (<usize>i << 2));
  for (;;) {
    const l = 2 * i + 1;
    if (l >= size) break;
    let c = l;
    const r = l + 1;
    let sc = load<f32>(hs + (<usize>l << 2)), ic = load<i32>(hi + (<usize>l << 2));
    if (r < size) {
      const sr = load<f32>(hs + (<usize>r << 2)), ir = load<i32>(hi + (<usize>r << 2));
      if (worse(sr, ir, sc, ic)) { c = r; sc = sr; ic = ir; }
    }
    if (!worse(sc, ic, si, ii)) break;
    store<f32>(hs + (<usize>i << 2), sc);
    store<i32>(hi + (<usize>i << 2), ic);
    i = c;
  }
  store<f32>(hs + (<usize>i << 2), si);
  store<i32>(hi + (<usize>i << 2), ii);
}

function siftUp(hi: usize, hs: usize, start: i32): void {
  let i = start;
  const si = load<f32>(hs + (<usize>i << 2)), ii = load<i32>(hi + (<usize>i << 2));
  while (i > 0) {
    const p = (i - 1) >> 1;
    const sp = load<f32>(hs + (<usize>p << 2)), ip = load<i32>(hi + (<usize>p << 2));
    if (!worse(si, ii, sp, ip)) break;
    store<f32>(hs + (<usize>i << 2), sp);
    store<i32>(hi + (<usize>i << 2), ip);
    i = p;
  }
  store<f32>(hs + (<usize>i << 2), si);
  store<i32>(hi + (<usize>i << 2), ii);
}

// items: (nItems,d), q: (d), exclude: (nItems) bytes if hasExclude -> outIdx, outScore: (k).
// ws holds min(k, nItems) i32 + f32. Returns the number of real candidates written.
export function score_topk_f32(items: usize, q: usize, nItems: i32, d: i32, k: i32, exclude: usize,
  hasExclude: bool, outIdx: usize, outScore: usize, ws: usize): i32 {
  const cap = min(k, nItems);
  const hi = ws, hs = ws + (<usize>max(cap, 0) << 2);
  const rowBytes = <usize>d << 2;
  let size = 0;
  if (cap > 0) {
    for (let i = 0; i < nItems; i++) {
      if (hasExclude && load<u8>(exclude + <usize>i) != 0) continue;
      const s = dot(items + <usize>i * rowBytes, q, d);
      if (size < cap) {
        store<f32>(hs + (<usize>size << 2), s);
        store<i32>(hi + (<usize>size << 2), i);
        siftUp(hi, hs, size);
        size++;
      } else if (s > load<f32>(hs)) {
        store<f32>(hs, s);
        store<i32>(hi, i);
        siftDown(hi, hs, size, 0);
      }
    }
  }
  // Heap-sort: the worst left goes last.
  for (let n = size; n > 0; n--) {
    store<f32>(outScore + (<usize>(n - 1) << 2), load<f32>(hs));
    store<i32>(outIdx + (<usize>(n - 1) << 2), load<i32>(hi));
    const last = n - 1;
    store<f32>(hs, load<f32>(hs + (<usize>last << 2)));
    store<i32>(hi, load<i32>(hi + (<usize>last << 2)));
    siftDown(hi, hs, last, 0);
  }
  for (let j = size; j < k; j++) {
    store<i32>(outIdx + (<usize>j << 2), -1);
    store<f32>(outScore + (<usize>j << 2), -Infinity);
  }
  return size;
}
