/**
 * The DIEN protocol (Zhou et al. 2019): each user's last behaviour is a
 * positive/negative pair with the history before it; users are split at
 * random, about 90% train / 10% test (and valFraction of the training users
 * become validation users); the metric is global AUC. With `prefixes` (the
 * default, as DIEN's data scripts emit every prefix of a sequence) the earlier
 * behaviours of every user are training pairs too; only the val and test
 * users' last behaviours are held out of the graph.
 */
import type { Dataset } from '../types.js';
import { InstanceBuilder, keptInteractions, negativeSource, type CtrOptions, type CtrSplit } from './common.js';

export interface DienOptions extends CtrOptions {
  testFraction?: number; valFraction?: number; prefixes?: boolean;
}

export function dienSplit(ds: Dataset, opts: DienOptions): CtrSplit {
  const maxLen = opts.maxLen ?? 50, testF = opts.testFraction ?? 0.1, valF = opts.valFraction ?? 0.1;
  const { source, negFor } = negativeSource(ds, opts);
  const train = new InstanceBuilder(ds, maxLen, negFor), val = new InstanceBuilder(ds, maxLen, negFor), test = new InstanceBuilder(ds, maxLen, negFor);
  const heldOut = new Uint8Array(ds.interactions.length);
  const eligible: number[] = [];
  for (let u = 0; u < ds.numUsers; u++) if (ds.userPtr[u + 1] - ds.userPtr[u] >= 2) eligible.push(u);
  const order = opts.rng.shuffle(Int32Array.from(eligible));
  const nTest = Math.round(order.length * testF), nVal = Math.round((order.length - nTest) * valF);
  const role = new Uint8Array(ds.numUsers); // 0 train, 1 val, 2 test
  for (let r = 0; r < order.length; r++) role[order[r]] = r < nTest ? 2 : r < nTest + nVal ? 1 : 0;
  for (let u = 0; u < ds.numUsers; u++) {
    const a = ds.userPtr[u], b = ds.userPtr[u + 1];
    if (b - a < 2) continue;
    if (opts.prefixes !== false) for (let k = a + 1; k < b - 1; k++) train.pair(k);
    const last = b - 1;
    if (role[u] === 2) { test.pair(last); heldOut[last] = 1; }
    else if (role[u] === 1) { val.pair(last); heldOut[last] = 1; }
    else train.pair(last);
  }
  return { protocol: 'dien', dataset: ds, train: train.build(), val: val.build(), test: test.build(),
    graphInteractions: keptInteractions(ds, heldOut), seqItems: ds.interactions.item, maxLen, negatives: source };
}
