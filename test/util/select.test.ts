import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { kthLargest, topKIndices } from '../../src/util/select.js';
import { Rng } from '../../src/tensor/rng.js';

const t = suite('util/select');

/** The reference: sort by (value desc, index asc), take k, return in index order. */
function bySort(a: Float32Array, k: number): number[] {
  const order = Array.from({ length: a.length }, (_, i) => i).sort((x, y) => a[y] - a[x] || x - y);
  return order.slice(0, Math.min(k, a.length)).sort((x, y) => x - y);
}

t('kthLargest equals the sorted order on random, sorted, reversed and constant arrays', () => {
  const rng = new Rng(7);
  for (const n of [1, 2, 3, 7, 64, 257]) {
    const cases = [
      Float32Array.from({ length: n }, () => rng.uniform()),
      Float32Array.from({ length: n }, (_, i) => i),
      Float32Array.from({ length: n }, (_, i) => n - i),
      new Float32Array(n).fill(2),
      Float32Array.from({ length: n }, () => Math.floor(rng.uniform() * 3)), // many ties
    ];
    for (const a of cases) {
      const sorted = Array.from(a).sort((x, y) => y - x);
      for (const k of [1, Math.ceil(n / 2), n]) assert.is(kthLargest(a.slice(), k), sorted[k - 1], `n=${n} k=${k}`);
    }
  }
  assert.throws(() => kthLargest(new Float32Array(3), 0), /outside/);
  assert.throws(() => kthLargest(new Float32Array(3), 4), /outside/);
});

t('topKIndices is the sort-and-take rule, ties to the lower index, in index order', () => {
  const rng = new Rng(11);
  for (const n of [1, 5, 33, 300]) {
    for (const k of [0, 1, 3, n - 1, n, n + 4]) {
      const a = Float32Array.from({ length: n }, () => Math.floor(rng.uniform() * 5) / 4); // ties everywhere
      assert.equal(Array.from(topKIndices(a, k)), k <= 0 ? [] : bySort(a, k), `n=${n} k=${k}`);
    }
  }
  // a hand case: values 3,1,3,2 -> the two largest are the two 3s (indices 0, 2); k=3 adds the 2 (index 3)
  assert.equal(Array.from(topKIndices(Float32Array.of(3, 1, 3, 2), 2)), [0, 2]);
  assert.equal(Array.from(topKIndices(Float32Array.of(3, 1, 3, 2), 3)), [0, 2, 3]);
  assert.equal(Array.from(topKIndices(Float32Array.of(1, 1, 1), 2)), [0, 1]);
});

t.run();
