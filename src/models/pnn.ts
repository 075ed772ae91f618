/**
 * PNN (Qu et al. 2016): a product layer over the field embeddings feeds the
 * MLP alongside the embeddings themselves. Inner (IPNN): the inner product
 * of every pair of fields. Outer (OPNN): the outer product of the fields'
 * superposition s = sum_i f_i (the paper's own reduction), taken after a
 * learned projection of s to outerDim, because d x d = 4096 products at
 * d = 64 would make the first MLP layer 5x wider than everything else.
 */
import type { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { Linear, MLP } from '../nn/layers.js';
import { add, mul } from '../autograd/ops/elementwise.js';
import { rowDot } from '../autograd/ops/matmul.js';
import { gatherRows, reshape } from '../autograd/ops/shape.js';
import type { Batch, ModelContext, Model } from './types.js';
import { FieldEmbeddings, concatCols, pooledHistory } from './features.js';

export type ProductKind = 'inner' | 'outer';
export interface PnnOptions { product?: ProductKind; outerDim?: number }

/** Row-wise outer product: s (B,k) -> (B, k*k), entry (i,j) = s_i s_j. */
export function rowOuter(s: Tensor): Tensor {
  const [B, k] = s.shape;
  const rep = new Int32Array(B * k);
  for (let b = 0; b < B; b++) rep.fill(b, b * k, (b + 1) * k);
  // row (b,i) of the gathered copy is s_b; scaling it by s_bi gives row i of s_b s_b^T
  return reshape(mul(gatherRows(s, rep), reshape(s, [B * k, 1])), [B, k * k]);
}

class PnnNet extends Module {
  readonly fields: FieldEmbeddings;
  readonly mlp: MLP;
  readonly proj: Linear | null;
  readonly product: ProductKind;
  constructor(ctx: ModelContext, opts: PnnOptions) {
    super();
    const { dataset, config, rng } = ctx;
    this.product = opts.product ?? 'inner';
    this.fields = this.child('fields', new FieldEmbeddings(dataset, config.dim, rng));
    const n = this.fields.numFieldsWithHistory;
    const k = opts.outerDim ?? 16;
    this.proj = this.product === 'outer' ? this.child('proj', new Linear(config.dim, k, rng, { bias: false })) : null;
    const products = this.product === 'inner' ? (n * (n - 1)) / 2 : k * k;
    this.mlp = this.child('mlp', new MLP([n * config.dim + products, ...config.hidden, 1], rng, 'relu', config.dropout));
  }
  forward(batch: Batch, training: boolean): Tensor {
    this.train(training);
    const f = [...this.fields.batchFields(batch), pooledHistory(this.fields, batch, 'sum')];
    let p: Tensor;
    if (this.product === 'inner') {
      const pairs: Tensor[] = [];
      for (let i = 0; i < f.length; i++) for (let j = i + 1; j < f.length; j++) pairs.push(rowDot(f[i], f[j]));
      p = concatCols(pairs);
    } else {
      p = rowOuter(this.proj!.forward(f.reduce((a, b) => add(a, b))));
    }
    return this.mlp.forward(concatCols([...f, p]));
  }
}

export function createPnn(ctx: ModelContext, opts: PnnOptions = {}): Model {
  const net = new PnnNet(ctx, { product: opts.product ?? ctx.config.pnnProduct, ...opts });
  return { name: 'pnn', module: net, forward: (b, t) => net.forward(b, t) };
}
