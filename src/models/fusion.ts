/**
 * Feature fusion and the output layer (DESIGN §4, Eq. 6). Fields are the GCN
 * embeddings e_u, e_i, e_q and, when enabled, one embedding per static user
 * and item feature (all of size dim, so every pair has an inner product). The
 * MLP sees e_u, e_q, e_i, the mean of the user's and of the item's static
 * field embeddings, the element-wise crossings e_u*e_i and e_u*e_q, and PNN's
 * inner products <f_a, f_b> of every user-side field with every item-side
 * field (these keep each static field's identity, e.g. income x price band);
 * its output is the logit of p = sigmoid(w_o . MLP(fused)). Pooling the static
 * fields for the dense part halves the first layer's gemms (measured: the
 * head dominated a dp-gcn step with one gemm per field).
 * Only user x item pairs are crossed: those are the ones that can explain a
 * click (an income band against a price band, a segment against a category);
 * user x user products are constant per user and PNN's full set costs ~2x the
 * ops for nothing the MLP cannot already see.
 */
import type { Rng } from '../tensor/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import type { CatFeatures } from '../data/types.js';
import { Module } from '../nn/module.js';
import { Embedding, Linear, MLP, Dropout } from '../nn/layers.js';
import { concat, reshape, transpose } from '../autograd/ops/shape.js';
import { add, mul, mulScalar, relu } from '../autograd/ops/elementwise.js';
import { rowDot } from '../autograd/ops/matmul.js';

export interface FusionOptions {
  dim: number;
  hidden: number[];
  dropout: number;
  /** Static features to embed (null = none: the gcn and d-gcn ablations). */
  userFeatures: CatFeatures | null;
  itemFeatures: CatFeatures | null;
}

export interface FusionInput {
  eu: Tensor; ei: Tensor; eq: Tensor;
  users: Int32Array; items: Int32Array;
}

/** One embedding table per categorical column; lookup gives a (B,dim) field per column. */
export class StaticFields extends Module {
  readonly tables: Embedding[] = [];
  constructor(readonly feats: CatFeatures, dim: number, rng: Rng) {
    super();
    feats.names.forEach((n, c) => this.tables.push(this.child(n || `f${c}`, new Embedding(Math.max(1, feats.cardinalities[c]), dim, rng))));
  }
  get count(): number { return this.tables.length; }
  /** The column values of rows ids. */
  column(c: number, ids: Int32Array): Int32Array {
    const F = this.feats.names.length, v = this.feats.values;
    return ids.map((i) => v[i * F + c]);
  }
  fields(ids: Int32Array): Tensor[] { return this.tables.map((t, c) => t.forward(this.column(c, ids))); }
}

/**
 * The MLP's first layer over fields without materialising their
 * concatenation: sum_f f W_f + ips W_ip + b. A column concat copies row by row
 * (and its backward adds row by row), which cost more than the gemms here.
 */
class FieldLinear extends Module {
  readonly w: Linear[] = [];
  readonly ip: Linear | null;
  constructor(fields: number, dim: number, pairs: number, out: number, rng: Rng) {
    super();
    for (let f = 0; f < fields; f++) this.w.push(this.child(`f${f}`, new Linear(dim, out, rng, { bias: f === 0, init: 'he' })));
    this.ip = pairs > 0 ? this.child('ip', new Linear(pairs, out, rng, { bias: false, init: 'he' })) : null;
  }
  forward(fields: Tensor[], ips: Tensor | null): Tensor {
    let y = this.w[0].forward(fields[0]);
    for (let f = 1; f < fields.length; f++) y = add(y, this.w[f].forward(fields[f]));
    return ips && this.ip ? add(y, this.ip.forward(ips)) : y;
  }
}

export class FusionHead extends Module {
  readonly userStatic: StaticFields | null;
  readonly itemStatic: StaticFields | null;
  readonly first: FieldLinear;
  readonly drop: Dropout;
  readonly mlp: MLP;

  constructor(opts: FusionOptions, rng: Rng) {
    super();
    const d = opts.dim;
    const live = (f: CatFeatures | null) => (f && f.names.length > 0 ? f : null);
    const uf = live(opts.userFeatures), itf = live(opts.itemFeatures);
    this.userStatic = uf ? this.child('user_static', new StaticFields(uf, d, rng)) : null;
    this.itemStatic = itf ? this.child('item_static', new StaticFields(itf, d, rng)) : null;
    const nu = 2 + (this.userStatic?.count ?? 0), ni = 1 + (this.itemStatic?.count ?? 0);
    const h = opts.hidden.length ? opts.hidden : [d];
    const dense = 5 + (this.userStatic ? 1 : 0) + (this.itemStatic ? 1 : 0);
    this.first = this.child('first', new FieldLinear(dense, d, nu * ni, h[0], rng));
    this.drop = this.child('dropout', new Dropout(opts.dropout, rng));
    this.mlp = this.child('mlp', new MLP([...h, 1], rng, 'relu', opts.dropout));
  }

  /** The user's static fields concatenated (B, k*dim), or null without user features. */
  userStaticVector(users: Int32Array): Tensor | null {
    if (!this.userStatic) return null;
    const f = this.userStatic.fields(users);
    return f.length === 1 ? f[0] : concat(f, 1);
  }

  /** Fields (each (B,dim)) and the user x item inner products (B, pairs). */
  fields(x: FusionInput): { fields: Tensor[]; ips: Tensor } {
    const B = x.users.length;
    const us = this.userStatic?.fields(x.users) ?? [], is = this.itemStatic?.fields(x.items) ?? [];
    const userSide = [x.eu, x.eq, ...us], itemSide = [x.ei, ...is];
    // all pairs in one rowDot: stacking along rows is a contiguous copy
    const a: Tensor[] = [], b: Tensor[] = [];
    for (const u of userSide) for (const i of itemSide) { a.push(u); b.push(i); }
    const P = a.length;
    const ips = transpose(reshape(rowDot(concat(a, 0), concat(b, 0)), [P, B]));
    const pool = (fs: Tensor[]) => (fs.length ? [mulScalar(fs.reduce((p, q) => add(p, q)), 1 / fs.length)] : []);
    return { fields: [x.eu, x.eq, x.ei, ...pool(us), ...pool(is), mul(x.eu, x.ei), mul(x.eu, x.eq)], ips };
  }

  /** Logits (B,1). */
  forward(x: FusionInput): Tensor {
    const { fields, ips } = this.fields(x);
    return this.mlp.forward(this.drop.forward(relu(this.first.forward(fields, ips))));
  }
}
