/**
 * The two-tower scoring head of the graph models under ranking protocols:
 * logit(u, i) = <z_u, z_i> + w * c * S[u, i], where
 * - z_u = e_u + e_q + mean of the user's static field embeddings,
 * - z_i = e_i + mean of the item's static field embeddings,
 *   so the inner product carries every user-field x item-field crossing
 *   (<f_age, f_genre>, <f_income, f_price>: PNN's inner products, summed);
 * - S = X B is the item-item collaborative term (EASE's B, pruned to the
 *   largest entries of each row; see item_item.ts) from the training
 *   interactions. The towers are trained by BPR alone; the two parts are
 *   then mixed as a * <z_u, z_i> + b * c * S, with (a, b) from a share alpha
 *   selected on validation (setMix). Trained jointly, the towers learned
 *   what S already knew and validation NDCG@10 fell below S's own (ml-100k:
 *   0.168 against EASE's 0.177); mixed after training it rose above it.
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
import { add, mulScalar } from '../autograd/ops/elementwise.js';
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
  /** (a, b): weights of the towers' inner product and of the item-item term at scoring time (absent without one). */
  readonly mix: Tensor | null;

  constructor(opts: DotHeadOptions, rng: Rng) {
    super();
    const live = (f: CatFeatures | null) => (f && f.names.length > 0 ? f : null);
    const uf = live(opts.userFeatures), itf = live(opts.itemFeatures);
    this.userStatic = uf ? this.child('user_static', new StaticFields(uf, opts.dim, rng)) : null;
    this.itemStatic = itf ? this.child('item_static', new StaticFields(itf, opts.dim, rng)) : null;
    this.itemItem = opts.itemItem;
    // a constant of the head, set by setMix (saved with the parameters; never in a gradient path)
    this.mix = opts.itemItem ? this.param('item_item_mix', constInit([1, 2], 0)) : null;
    if (this.mix) this.mix.data[0] = 1;
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

  /** The item-item term's (B,1) contribution b * c * S[u, i] (a constant), or null. */
  itemItemLogits(users: Int32Array, items: Int32Array): Tensor | null {
    const t = this.itemItem;
    if (!t || !this.mix || this.mix.data[1] === 0) return null;
    const f = this.mix.data[1] * t.scale;
    return tensor(Float32Array.from(items, (i, b) => t.scores[users[b] * t.numItems + i] * f), [users.length, 1]);
  }

  /** Weight of the inner product at scoring time (1 without an item-item term). */
  get dotWeight(): number { return this.mix ? this.mix.data[0] : 1; }

  /**
   * a = (1 - alpha) / sdDot and b = alpha / sdS (sdS with c applied is 1): the mix of the two unit-spread
   * parts, alpha = 0 the towers alone, 1 the item-item term alone.
   */
  setMix(alpha: number, sdDot: number): void {
    if (!this.mix) return;
    this.mix.data[0] = alpha === 1 ? 0 : (1 - alpha) / Math.max(1e-12, sdDot);
    this.mix.data[1] = alpha;
  }

  /** The towers' inner product (B,1): the training logit. */
  forward(x: FusionInput): Tensor {
    return rowDot(this.userTower(x.eu, x.eq, x.users), this.itemTower(x.ei, x.items));
  }
}
