/**
 * Oracle scores for the synthetic market: the true click probability of each
 * instance (at its time) ranks instances as well as anything can, so its AUC
 * under a protocol is the bound a model is compared against (within a user,
 * i.e. GAUC; see src/eval/experiment.ts). The metrics themselves live in
 * src/eval/metrics.ts.
 */
import type { Dataset } from './types.js';
import type { InstanceSet } from './protocols/common.js';
import { UserError } from '../errors.js';

/** True click probabilities of an instance set (synthetic data only). */
export function oracleScores(ds: Dataset, set: InstanceSet): Float32Array {
  const o = ds.oracle;
  if (!o) throw new UserError(`${ds.name}: the oracle exists only for synthetic data`);
  const s = new Float32Array(set.length);
  for (let k = 0; k < set.length; k++) s[k] = o.clickProb(set.user[k], set.item[k], set.time[k]);
  return s;
}
