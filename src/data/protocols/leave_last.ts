/**
 * Temporal leave-last-out: per user the last interaction is the test and the
 * second last the validation (for model selection); every earlier interaction
 * (history may be empty) is a training positive with negRatio negatives. Val
 * and test positives get evalNegatives negatives each.
 */
import type { Dataset } from '../types.js';
import { InstanceBuilder, keptInteractions, negativeSource, type CtrOptions, type CtrSplit } from './common.js';

export interface LeaveLastOptions extends CtrOptions { negRatio?: number; evalNegatives?: number }

export function leaveLastSplit(ds: Dataset, opts: LeaveLastOptions): CtrSplit {
  const maxLen = opts.maxLen ?? 50, negRatio = opts.negRatio ?? 1, evalNeg = opts.evalNegatives ?? 1;
  const { source, negFor } = negativeSource(ds, opts);
  const train = new InstanceBuilder(ds, maxLen, negFor), val = new InstanceBuilder(ds, maxLen, negFor), test = new InstanceBuilder(ds, maxLen, negFor);
  const heldOut = new Uint8Array(ds.interactions.length);
  for (let u = 0; u < ds.numUsers; u++) {
    const a = ds.userPtr[u], b = ds.userPtr[u + 1], n = b - a;
    if (n >= 2) { test.pair(b - 1, evalNeg); heldOut[b - 1] = 1; }
    if (n >= 3) { val.pair(b - 2, evalNeg); heldOut[b - 2] = 1; }
    for (let k = a; k < b - Math.min(2, n - 1); k++) train.pair(k, negRatio);
  }
  return { protocol: 'leave-last', dataset: ds, train: train.build(), val: val.build(), test: test.build(),
    graphInteractions: keptInteractions(ds, heldOut), seqItems: ds.interactions.item, maxLen, negatives: source };
}
