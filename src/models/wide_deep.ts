/**
 * Wide & Deep (Cheng et al. 2016): a linear model over sparse ids, static
 * features and their crosses (memorisation) plus the Embedding&MLP tower
 * (generalisation), trained jointly; the logit is their sum. Each wide weight
 * is a one-column embedding table, so the wide part costs one gather per
 * feature. Crosses: every user feature with every item feature, and the user
 * id with each item feature (hashed into a bounded table on large data).
 */
import type { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { Embedding } from '../nn/layers.js';
import { add } from '../autograd/ops/elementwise.js';
import type { Dataset } from '../data/types.js';
import type { Rng } from '../tensor/rng.js';
import type { Batch, ModelContext, Model } from './types.js';
import { EmbeddingMlpNet } from './embedding_mlp.js';
import { featureColumn, queriesDeriveFromItems } from './features.js';

/** Largest wide table; id crosses beyond it share hashed buckets. */
const MAX_WIDE = 1 << 18;

interface WideFeature { table: Embedding; index(b: Batch): Int32Array }

function hashBucket(a: number, b: number, size: number): number {
  // multiplicative hash of the pair, so collisions do not follow id order
  const h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77);
  return ((h >>> 0) % size);
}

export class WideLinear extends Module {
  private readonly features: WideFeature[] = [];
  constructor(ds: Dataset, rng: Rng) {
    super();
    const uf = ds.userFeatures, itf = ds.itemFeatures;
    const add1 = (name: string, size: number, index: (b: Batch) => Int32Array) =>
      this.features.push({ table: this.child(name, new Embedding(Math.max(1, size), 1, rng, 0.001)), index });
    add1('user', ds.numUsers, (b) => b.user);
    add1('item', ds.numItems, (b) => b.item);
    uf.names.forEach((n, f) => add1(`uf_${n}`, uf.cardinalities[f], (b) => featureColumn(uf, f, b.user)));
    itf.names.forEach((n, f) => add1(`if_${n}`, itf.cardinalities[f], (b) => featureColumn(itf, f, b.item)));
    uf.names.forEach((un, f) => itf.names.forEach((iname, g) => {
      const cg = itf.cardinalities[g];
      add1(`x_${un}_${iname}`, uf.cardinalities[f] * cg, (b) => {
        const a = featureColumn(uf, f, b.user), c = featureColumn(itf, g, b.item);
        return Int32Array.from(a, (v, k) => v * cg + c[k]);
      });
    }));
    itf.names.forEach((iname, g) => {
      const cg = itf.cardinalities[g], full = ds.numUsers * cg, size = Math.min(full, MAX_WIDE);
      add1(`x_user_${iname}`, size, (b) => {
        const c = featureColumn(itf, g, b.item);
        return Int32Array.from(b.user, (u, k) => (full <= MAX_WIDE ? u * cg + c[k] : hashBucket(u, c[k], size)));
      });
    });
    if (ds.numQueries > 0 && !queriesDeriveFromItems(ds)) {
      // query x item: does this item answer this query (hashed; -1 queries share bucket row 0)
      const size = Math.min((ds.numQueries + 1) * ds.numItems, MAX_WIDE);
      add1('x_query_item', size, (b) => Int32Array.from(b.query, (q, k) => hashBucket(q + 1, b.item[k], size)));
    }
  }
  /** (B,1) sum of the active weights. */
  forward(batch: Batch): Tensor {
    return this.features.map((f) => f.table.forward(f.index(batch))).reduce((a, b) => add(a, b));
  }
}

class WideDeepNet extends Module {
  readonly wide: WideLinear;
  readonly deep: EmbeddingMlpNet;
  constructor(ctx: ModelContext) {
    super();
    this.wide = this.child('wide', new WideLinear(ctx.dataset, ctx.rng));
    this.deep = this.child('deep', new EmbeddingMlpNet(ctx));
  }
  forward(batch: Batch, training: boolean): Tensor {
    return add(this.wide.forward(batch), this.deep.forward(batch, training));
  }
}

export function createWideDeep(ctx: ModelContext): Model {
  const net = new WideDeepNet(ctx);
  return { name: 'wide-deep', module: net, forward: (b, t) => net.forward(b, t) };
}
