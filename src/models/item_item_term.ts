/**
 * dp-gcn's item-item input (the fusion layer's collaborative signal): EASE's
 * weights from the model's own training interactions, pruned to the largest
 * `keep` entries per row so a served user is scored from their history's
 * rows, and the users' scores under the pruned weights. Above EASE's item
 * limit there is no term (dp-gcn then scores with its towers alone).
 */
import type { ModelContext } from './types.js';
import type { ItemItemTerm } from './dot_head.js';
import { EASE_MAX_ITEMS, prunedEaseWeights, trainSets, userScoresSparse } from './item_item.js';

/** EASE's lambda when validation has not chosen one (Steck's ML-20M value). */
export const DEFAULT_EASE_LAMBDA = 500;
export const DEFAULT_ITEM_ITEM_KEEP = 256;

export function itemItemTerm(ctx: ModelContext): ItemItemTerm | null {
  const ds = ctx.dataset, n = ds.numItems, U = ds.numUsers;
  if (n > EASE_MAX_ITEMS || n < 2) return null;
  const lambda = ctx.config.easeLambda ?? DEFAULT_EASE_LAMBDA;
  const sets = trainSets(U, ctx.trainInteractions);
  const weights = prunedEaseWeights(ctx.trainInteractions, sets, U, n, lambda, ctx.config.itemItemKeep ?? DEFAULT_ITEM_ITEM_KEEP);
  const scores = userScoresSparse(weights, sets, U, n);
  // unit spread over all (user, item) cells, so the learned weight starts at a sensible size
  let s = 0, ss = 0;
  for (let k = 0; k < scores.length; k++) { s += scores[k]; ss += scores[k] * scores[k]; }
  const mean = s / scores.length, sd = Math.sqrt(Math.max(1e-12, ss / scores.length - mean * mean));
  return { numItems: n, scores, weights, scale: 1 / sd, lambda };
}
