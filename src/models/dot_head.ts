/**
 * The two-tower scoring head of the graph models under ranking protocols:
 * logit(u, i) = <z_u, z_i> + w * c * S[u, i], where
 * - z_u = e_u + e_q + mean of the user's static field embeddings,
 * - z_i = e_i + mean of the item's static field embeddings,
 *   so the inner product carries every user-field x item-field crossing
 *   (<f_age, f_genre>, <f_income, f_price>: PNN's inner products, summed);
 * - S = X B is the item-item collaborative term (EASE's B, pruned to the
 *   largest entries of each row; see item_item.ts) from the training
 *   interactions, c scales it to unit spread and w is learned.
 * Everything factorises, so a user is scored against all items with one
 * pass over the item table (servingTables), and ranking evaluation computes
 * the user side once.
 *
 * Why not the fusion MLP here (measured, README "Ranking quality"): an MLP
 * over concatenated GCN embeddings learned the training pairs and ranked
 * held-out items barely above popularity on a long-tailed ratings file.
 */
import type { Rng } from '../tensor/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/create.js';
import type { CatFeatures } from '../data/types.js';
import { Module } from '../nn/module.js';
import { constInit } from '../nn/init.js';
import { add, mul, mulScalar, broadcastTo } from '../autograd/ops/elementwise.js';
import { rowDot } from '../autograd/ops/matmul.js';
import { StaticFields, type FusionInput } from './fusion.js';

/** The fixed item-item term: S (users x items) and its pruned weights B (for serving), with the scale c. */
export interface ItemItemTerm {
  numItems: number;
  scores: Float32Array;
  weights: { rowPtr: Int32Array; colIdx: Int32Array; values: Float32Array };
  scale: number;
  lambda: number;
}

export interface DotHeadOptions {
  dim: number;
  userFeatures: CatFeatures | null;
  itemFeatures: CatFeatures | null;
  itemItem: ItemItemTerm | null;
}

export class DotHead extends Module {
  readonly userStatic: StaticFields | null;
  readonly itemStatic: StaticFields | null;
  readonly itemItem: ItemItemTerm | null;
  /** Weight of the item-item term (absent without one). */
  readonly w: Tensor | null;

  constructor(opts: DotHeadOptions, rng: Rng) {
    super();
    const live = (f: CatFeatures | null) => (f && f.names.length > 0 ? f : null);
    const uf = live(opts.userFeatures), itf = live(opts.itemFeatures);
    this.userStatic = uf ? this.child('user_static', new StaticFields(uf, opts.dim, rng)) : null;
    this.itemStatic = itf ? this.child('item_static', new StaticFields(itf, opts.dim, rng)) : null;
    this.itemItem = opts.itemItem;
    this.w = opts.itemItem ? this.param('item_item_w', constInit([1, 1], 1)) : null;
  }

  private pooled(st: StaticFields | null, ids: Int32Array): Tensor | null {
    if (!st) return null;
    const f = st.fields(ids);
    return f.length === 1 ? f[0] : mulScalar(f.reduce((a, b) => add(a, b)), 1 / f.length);
  }

  /** z_u = e_u + e_q + the user's pooled static fields (B x dim). */
  userTower(eu: Tensor, eq: Tensor, users: Int32Array): Tensor {
    const su = this.pooled(this.userStatic, users), z = add(eu, eq);
    return su ? add(z, su) : z;
  }

  /** z_i = e_i + the item's pooled static fields (B x dim). */
  itemTower(ei: Tensor, items: Int32Array): Tensor {
    const si = this.pooled(this.itemStatic, items);
    return si ? add(ei, si) : ei;
  }

  /** The item-item term's (B,1) contribution w * c * S[u, i]. */
  itemItemLogits(users: Int32Array, items: Int32Array): Tensor | null {
    const t = this.itemItem;
    if (!t || !this.w) return null;
    const s = Float32Array.from(items, (i, b) => t.scores[users[b] * t.numItems + i] * t.scale);
    return mul(tensor(s, [users.length, 1]), broadcastTo(this.w, [users.length, 1]));
  }

  forward(x: FusionInput): Tensor {
    return this.logits(this.userTower(x.eu, x.eq, x.users), this.itemTower(x.ei, x.items), x.users, x.items);
  }

  /** Logits (B,1) from the towers. */
  logits(zu: Tensor, zi: Tensor, users: Int32Array, items: Int32Array): Tensor {
    const dot = rowDot(zu, zi);
    const ii = this.itemItemLogits(users, items);
    return ii ? add(dot, ii) : dot;
  }
}
