/**
 * The reference policies that do not learn: random, popularity, the myopic
 * oracle (the K items of highest true click probability right now), a
 * hand-written diversity rule over the true probabilities (a test's check
 * that the market rewards long-term choices), and a trained model shown
 * greedily on its scores (`NAME:static`).
 */
import { Rng } from '../tensor/rng.js';
import type { Dataset } from '../data/types.js';
import type { Model, ModelConfig } from '../models/types.js';
import { candidateBatch } from '../eval/batches.js';
import type { ClosedLoopMarket } from './market.js';
import { randomSlate, topK, type OnlinePolicy, type SlateContext } from './policy.js';

export class RandomPolicy implements OnlinePolicy {
  readonly name = 'random';
  constructor(private readonly numItems: number, private readonly rng: Rng) {}
  recommend(_u: number, k: number): Int32Array { return randomSlate(this.numItems, k, this.rng); }
  feedback(): void {}
}

/** The most clicked items of the log, the same slate for everyone. */
export class PopularityPolicy implements OnlinePolicy {
  readonly name = 'popularity';
  private readonly ranked: Int32Array;
  constructor(ds: Dataset, k: number) {
    const c = new Float64Array(ds.numItems);
    for (let j = 0; j < ds.interactions.length; j++) c[ds.interactions.item[j]]++;
    this.ranked = topK(c, k);
  }
  recommend(_u: number, k: number): Int32Array { return this.ranked.slice(0, k); }
  feedback(): void {}
}

/** Top-K by the market's true click probability at this moment. */
export class MyopicOracle implements OnlinePolicy {
  readonly name = 'oracle';
  constructor(private readonly market: ClosedLoopMarket) {}
  recommend(u: number, k: number): Int32Array { return topK(this.market.trueProbs(u), k); }
  feedback(): void {}
}

/**
 * Greedy on the true probabilities, but never the same leaf twice in a row:
 * no leaf twice within the slate, and the slate's first item not of the leaf
 * the previous slate ended with.
 */
export class DiversityRule implements OnlinePolicy {
  readonly name = 'diversity';
  private readonly lastLeaf = new Map<number, number>();
  constructor(private readonly market: ClosedLoopMarket) {}
  recommend(u: number, k: number, ctx: SlateContext): Int32Array {
    const p = this.market.trueProbs(u), order = topK(p, p.length), leaf = this.market.latent.leaf;
    const prev = ctx.step > 0 ? this.lastLeaf.get(u) ?? -1 : -1;
    const used = new Set<number>(), out: number[] = [];
    for (const strict of [true, false]) {
      for (const i of order) {
        if (out.length === k) break;
        if (out.includes(i)) continue;
        if (strict && (used.has(leaf[i]) || (out.length === 0 && leaf[i] === prev))) continue;
        out.push(i); used.add(leaf[i]);
      }
    }
    this.lastLeaf.set(u, leaf[out[out.length - 1]]);
    return Int32Array.from(out);
  }
  feedback(): void {}
}

/**
 * Logits of every item for a user in a context: the model's scoreItems where it
 * has one (the dot-head graph models), else its forward over all items.
 */
export function itemScorer(model: Model, ds: Dataset, config: ModelConfig): (u: number, history: Int32Array) => Float32Array {
  if (model.scoreItems) return (u, h) => model.scoreItems!(u, h);
  const all = Int32Array.from({ length: ds.numItems }, (_, i) => i);
  return (u, h) => model.forward(candidateBatch(u, all, h, config.maxLen), false).data.slice();
}

/** A trained model, greedy on its scores, never updated. */
export class StaticModelPolicy implements OnlinePolicy {
  private readonly release: () => void;
  private readonly score: (u: number, h: Int32Array) => Float32Array;
  constructor(readonly name: string, model: Model, ds: Dataset, config: ModelConfig) {
    this.release = model.freeze ? model.freeze() : () => {};
    this.score = itemScorer(model, ds, config);
  }
  recommend(u: number, k: number, ctx: SlateContext): Int32Array { return topK(this.score(u, ctx.history), k); }
  feedback(): void {}
  close(): void { this.release(); }
}
