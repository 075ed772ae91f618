/**
 * The DIN protocol (Zhou et al. 2018, Amazon): per user in time order, each
 * behaviour k >= 1 is a positive predicted from the behaviours before it,
 * paired with one negative. The last behaviour is the test, the one before it
 * the validation; the metric is GAUC. Users with fewer than 3 behaviours give
 * only what they can (test first, then validation).
 */
import type { Dataset } from '../types.js';
import { InstanceBuilder, keptInteractions, negativeSource, type CtrOptions, type CtrSplit } from './common.js';

export function dinSplit(ds: Dataset, opts: CtrOptions): CtrSplit {
  const maxLen = opts.maxLen ?? 50;
  const { source, negFor } = negativeSource(ds, opts);
  const train = new InstanceBuilder(ds, maxLen, negFor), val = new InstanceBuilder(ds, maxLen, negFor), test = new InstanceBuilder(ds, maxLen, negFor);
  const heldOut = new Uint8Array(ds.interactions.length);
  for (let u = 0; u < ds.numUsers; u++) {
    const a = ds.userPtr[u], b = ds.userPtr[u + 1], n = b - a;
    if (n >= 2) { test.pair(b - 1); heldOut[b - 1] = 1; }
    if (n >= 3) { val.pair(b - 2); heldOut[b - 2] = 1; }
    for (let k = a + 1; k < b - 2; k++) train.pair(k);
  }
  return { protocol: 'din', dataset: ds, train: train.build(), val: val.build(), test: test.build(),
    graphInteractions: keptInteractions(ds, heldOut), seqItems: ds.interactions.item, maxLen, negatives: source };
}
