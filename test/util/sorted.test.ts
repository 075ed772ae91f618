import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { indexOfSorted, cdfIndex } from '../../src/util/sorted.js';

const t = suite('util/sorted');

t('indexOfSorted finds members of a range and only of that range', () => {
  const a = Int32Array.from([1, 3, 5, 7, 9, 11]);
  assert.is(indexOfSorted(a, 7), 3);
  assert.is(indexOfSorted(a, 4), -1);
  assert.is(indexOfSorted(a, 1, 1, 4), -1); // outside [1, 4)
  assert.is(indexOfSorted(a, 9, 1, 4), -1);
  assert.is(indexOfSorted(a, 3, 1, 4), 1);
  assert.is(indexOfSorted(a, 3, 2, 2), -1); // empty range
  assert.is(indexOfSorted(new Int32Array(0), 0), -1);
});

t('cdfIndex picks the bucket x falls in, skips zero-weight buckets, clamps at the total', () => {
  const cdf = Float64Array.from([1, 1, 3, 6]); // weights 1, 0, 2, 3
  assert.is(cdfIndex(cdf, 0), 0);
  assert.is(cdfIndex(cdf, 0.999), 0);
  assert.is(cdfIndex(cdf, 1), 2); // bucket 1 has no weight
  assert.is(cdfIndex(cdf, 2.5), 2);
  assert.is(cdfIndex(cdf, 3), 3);
  assert.is(cdfIndex(cdf, 6), 3);
  assert.is(cdfIndex(cdf, 2, 2, 4), 2); // a sub-range of a longer cumulative array
  assert.is(cdfIndex(Float64Array.of(5), 4), 0);
});

t.run();
