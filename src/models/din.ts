/**
 * DIN (Zhou et al. 2018): the behaviour history is pooled with weights from
 * a local activation unit that compares each behaviour h with the candidate
 * item c: MLP([h, c, h-c, h*c]) with Dice, normalised by a softmax over the
 * user's valid behaviours (as in the authors' code; padding never enters).
 * The pooled interest joins the user profile, candidate and query fields in
 * an MLP with Dice activations.
 */
import type { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/create.js';
import { Module } from '../nn/module.js';
import { Linear } from '../nn/layers.js';
import { constInit, zerosInit } from '../nn/init.js';
import { add, sub, mul, div, exp, sigmoid, sqrt, square, addScalar, neg } from '../autograd/ops/elementwise.js';
import { mean } from '../autograd/ops/reduce.js';
import { gatherRows } from '../autograd/ops/shape.js';
import { spmm } from '../autograd/ops/spmm.js';
import type { Rng } from '../tensor/rng.js';
import type { Batch, ModelContext, Model } from './types.js';
import { FieldEmbeddings, concatCols, flattenHistory, poolingMatrix } from './features.js';

/**
 * Dice: y = x * (p + alpha (1 - p)), p = sigmoid((x - E[x]) / sqrt(Var[x] + eps)),
 * with batch statistics in training and running averages in evaluation. The
 * running averages are registered as parameters without gradient so they are
 * saved in checkpoints and best-epoch snapshots; the optimiser skips them
 * because they never receive a gradient.
 */
export class Dice extends Module {
  readonly alpha: Tensor;
  readonly runMean: Tensor;
  readonly runVar: Tensor;
  constructor(readonly features: number, readonly momentum = 0.95, readonly eps = 1e-8) {
    super();
    this.alpha = this.param('alpha', zerosInit([features]));
    this.runMean = this.param('running_mean', zerosInit([features]));
    this.runVar = this.param('running_var', constInit([features], 1));
    this.runMean.requiresGrad = false; this.runVar.requiresGrad = false;
  }
  forward(x: Tensor): Tensor {
    let xn: Tensor;
    if (this.training) {
      const mu = mean(x, 0), xc = sub(x, mu), v = mean(square(xc), 0);
      xn = div(xc, sqrt(addScalar(v, this.eps)));
      const m = this.momentum, rm = this.runMean.data, rv = this.runVar.data, md = mu.data, vd = v.data;
      for (let j = 0; j < this.features; j++) { rm[j] = m * rm[j] + (1 - m) * md[j]; rv[j] = m * rv[j] + (1 - m) * vd[j]; }
    } else {
      xn = div(sub(x, this.runMean), sqrt(addScalar(this.runVar, this.eps)));
    }
    const p = sigmoid(xn);
    return mul(x, add(p, mul(addScalar(neg(p), 1), this.alpha)));
  }
}

/** Linear layers with Dice between them (none after the last). */
export class DiceMlp extends Module {
  private readonly layers: Linear[] = [];
  private readonly acts: Dice[] = [];
  constructor(sizes: number[], rng: Rng) {
    super();
    for (let i = 0; i + 1 < sizes.length; i++) {
      this.layers.push(this.child(`l${i}`, new Linear(sizes[i], sizes[i + 1], rng)));
      if (i + 2 < sizes.length) this.acts.push(this.child(`dice${i}`, new Dice(sizes[i + 1])));
    }
  }
  forward(x: Tensor): Tensor {
    this.layers.forEach((l, i) => { x = l.forward(x); if (i < this.acts.length) x = this.acts[i].forward(x); });
    return x;
  }
}

/**
 * The local activation unit. Its first layer is linear in [h, c, h-c, h*c],
 * so the h-c block folds into the weights of h and c; c's term is then
 * computed once per instance instead of once per behaviour.
 */
class ActivationUnit extends Module {
  readonly wh: Linear; readonly wc: Linear; readonly wp: Linear;
  readonly dice: Dice; readonly out: Linear;
  constructor(dim: number, hidden: number, rng: Rng) {
    super();
    this.wh = this.child('wh', new Linear(dim, hidden, rng));
    this.wc = this.child('wc', new Linear(dim, hidden, rng, { bias: false }));
    this.wp = this.child('wp', new Linear(dim, hidden, rng, { bias: false }));
    this.dice = this.child('dice', new Dice(hidden));
    this.out = this.child('out', new Linear(hidden, 1, rng));
  }
  /** h (T,d) behaviours, c (B,d) candidates, row (T) each behaviour's instance -> scores (T,1). */
  forward(h: Tensor, c: Tensor, row: Int32Array): Tensor {
    const cr = gatherRows(c, row);
    const z = add(add(this.wh.forward(h), gatherRows(this.wc.forward(c), row)), this.wp.forward(mul(h, cr)));
    return this.out.forward(this.dice.forward(z));
  }
}

class DinNet extends Module {
  readonly fields: FieldEmbeddings;
  readonly unit: ActivationUnit;
  readonly mlp: DiceMlp;
  constructor(ctx: ModelContext) {
    super();
    const { dataset, config, rng } = ctx;
    this.fields = this.child('fields', new FieldEmbeddings(dataset, config.dim, rng));
    this.unit = this.child('attention', new ActivationUnit(config.dim, 36, rng));
    const n = this.fields.numFieldsWithHistory;
    this.mlp = this.child('mlp', new DiceMlp([n * config.dim, ...config.hidden, 1], rng));
  }

  /** Softmax-weighted sum of each instance's behaviours (B,d); zeros for an empty history. */
  interest(batch: Batch, cand: Tensor): Tensor {
    const h = flattenHistory(batch);
    const T = h.items.length;  // padded: softmax shifts and pooling use ptr, the real entries only
    if (T === 0) return mul(cand, tensor([0]));
    const H = this.fields.itemVector(h.items);
    const s = this.unit.forward(H, cand, h.row);
    // a per-row constant shift keeps exp finite and leaves the softmax (and its gradient) unchanged
    const shift = new Float32Array(T), sd = s.data;
    for (let b = 0; b + 1 < h.ptr.length; b++) {
      let m = -Infinity;
      for (let p = h.ptr[b]; p < h.ptr[b + 1]; p++) m = Math.max(m, sd[p]);
      for (let p = h.ptr[b]; p < h.ptr[b + 1]; p++) shift[p] = m;
    }
    const e = exp(sub(s, tensor(shift, [T, 1])));
    const P = poolingMatrix(h, 'sum');
    return div(spmm(P, mul(H, e)), addScalar(spmm(P, e), 1e-6));
  }

  forward(batch: Batch, training: boolean): Tensor {
    this.train(training);
    const user = this.fields.userFields(batch.user), item = this.fields.itemFields(batch.item);
    const cand = item.reduce((a, b) => add(a, b));
    const parts = [...user, ...item];
    if (this.fields.hasQuery) parts.push(this.fields.queryField(batch.query));
    parts.push(this.interest(batch, cand));
    return this.mlp.forward(concatCols(parts));
  }
}

export function createDin(ctx: ModelContext): Model {
  const net = new DinNet(ctx);
  return { name: 'din', module: net, forward: (b, t) => net.forward(b, t) };
}
