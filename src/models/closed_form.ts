/**
 * The two closed-form baselines: `pop` (training popularity) and `ease`
 * (Steck 2019, see item_item.ts; lambda selected on validation from a grid
 * around the paper's values: 500 on ML-20M, 1000 on Netflix, 200 on MSD).
 * Neither takes a gradient step; their score tables are precomputed, so a
 * forward is a lookup and ranking reads a user's row.
 */
import { tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import type { Batch, ModelContext, Model } from './types.js';
import { DEFAULT_EASE_LAMBDA } from './item_item_term.js';
import { checkEaseSize, easeWeights, gram, pruneRows, sharePrunedWeights, trainSets, userScores } from './item_item.js';

class NoParams extends Module {}

/** Logits of the batch's (user, item) pairs from a per-item or per-user-item table. */
function lookup(batch: Batch, score: (u: number, i: number) => number): Tensor {
  return tensor(Float32Array.from(batch.item, (i, b) => score(batch.user[b], i)), [batch.size, 1]);
}

export function createPopularity(ctx: ModelContext): Model {
  const n = ctx.dataset.numItems, it = ctx.trainInteractions;
  const sets = trainSets(ctx.dataset.numUsers, it);
  const count = new Float32Array(n);
  // distinct users per item: a repeated (user, item) pair counts once, as in the ranking splits
  for (let p = 0; p < sets.items.length; p++) count[sets.items[p]]++;
  // log1p keeps the logits in a range BCE-based AUC code handles; the order is the count's
  const logit = count.map((c) => Math.log1p(c));
  return {
    name: 'pop', module: new NoParams(),
    forward: (batch) => lookup(batch, (_u, i) => logit[i]),
    scoreItems: () => logit.slice(),
    closedForm: { hyper: 'none', grid: [0], initial: 0, fit: () => {} },
  };
}

export const EASE_LAMBDAS = [50, 100, 200, 500, 1000, 2000];
/**
 * Above 4,096 items each inverse takes seconds (n^3 flops), so the grid keeps
 * the three values around Steck's 500 that ml-100k's validation curve peaks
 * between (200: 0.174, 500: 0.177, 1000: 0.175).
 */
export const EASE_LAMBDAS_LARGE = [250, 500, 1000];

export function createEase(ctx: ModelContext): Model {
  const ds = ctx.dataset, n = ds.numItems, U = ds.numUsers;
  checkEaseSize('ease', n);
  const sets = trainSets(U, ctx.trainInteractions);
  let G: Float32Array | null = null;
  let S: Float32Array = new Float32Array(0);
  let shareKeep = 0;
  const fixed = ctx.config.easeLambda;
  return {
    name: 'ease', module: new NoParams(),
    forward: (batch) => lookup(batch, (u, i) => S[u * n + i]),
    scoreItems: (u) => S.slice(u * n, (u + 1) * n),
    closedForm: {
      hyper: 'lambda', grid: fixed !== undefined ? [fixed] : n > 4096 ? EASE_LAMBDAS_LARGE : EASE_LAMBDAS, initial: fixed ?? DEFAULT_EASE_LAMBDA,
      fit(lambda) {
        G ??= gram(sets, U, n);
        const B = easeWeights(G, n, lambda);
        S = userScores(B, sets, U, n);
        if (shareKeep > 0) sharePrunedWeights(ctx.trainInteractions, lambda, shareKeep, pruneRows(B, n, shareKeep));
      },
      share(keep) { shareKeep = keep; },
    },
  };
}
