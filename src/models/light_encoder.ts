/**
 * LightGCN propagation (He et al. 2020) over the heterogeneous graph: no
 * weights and no nonlinearity, H_{l+1} = Â H_l with Â = D^-1/2 A D^-1/2 over
 * the chosen relations (each with its transpose, no self-loops), and the
 * output is the mean of levels 0..L. With relations ['user-item'] it is
 * LightGCN itself; with no layers it is matrix factorisation's embeddings.
 *
 * Every step propagates the whole graph (one spmm per layer over N x dim)
 * rather than the batch's neighbourhoods: on the data sets here that is a
 * fraction of a millisecond natively, and the backward of a whole-graph spmm
 * is one more spmm (Â is symmetric, its own transpose).
 */
import type { Rng } from '../tensor/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { Embedding } from '../nn/layers.js';
import { spmm } from '../autograd/ops/spmm.js';
import { concat, gatherRows } from '../autograd/ops/shape.js';
import { add, mulScalar } from '../autograd/ops/elementwise.js';
import { NODE_TYPES, type HeteroGraph, type NodeType, type RelationName } from '../graph/hetero.js';
import type { OutType } from './hetero_gcn.js';

export interface LightOptions { dim: number; layers: number; relations: RelationName[]; initStd?: number }

export class LightEncoder extends Module {
  readonly emb: Record<NodeType, Embedding>;

  constructor(readonly graph: HeteroGraph, readonly opts: LightOptions, rng: Rng) {
    super();
    const std = opts.initStd ?? 0.1;
    this.emb = {} as Record<NodeType, Embedding>;
    for (const t of NODE_TYPES) this.emb[t] = this.child(`emb_${t}`, new Embedding(Math.max(1, graph.counts[t]), opts.dim, rng, std));
  }

  /** Level-0 (id) embeddings of the items. */
  itemEgo(): Float32Array { return this.emb.item.weight.data; }

  /** The mean of levels 0..L for every node, in the graph's homogeneous numbering (user, item, query, term). */
  private all(): Tensor {
    const g = this.graph;
    const H0 = concat(NODE_TYPES.map((t) => (g.counts[t] > 0 ? this.emb[t].weight : null)).filter((x): x is Tensor => x !== null), 0);
    if (this.opts.layers === 0) return H0;
    const A = g.homogeneous({ relations: this.opts.relations, kind: 'sym', selfLoops: false });
    let H = H0, acc = H0;
    for (let l = 0; l < this.opts.layers; l++) { H = spmm(A, H); acc = add(acc, H); }
    return mulScalar(acc, 1 / (this.opts.layers + 1));
  }

  /** Final embeddings (B_t, dim) of the requested ids per type; hiding edges does not apply to LightGCN. */
  encode(req: Partial<Record<OutType, Int32Array>>): Partial<Record<OutType, Tensor>> {
    const out: Partial<Record<OutType, Tensor>> = {};
    const want = (Object.keys(req) as OutType[]).filter((t) => req[t]!.length > 0 && this.graph.counts[t] > 0);
    if (!want.length) return out;
    if (this.opts.layers === 0) {
      for (const t of want) out[t] = gatherRows(this.emb[t].weight, req[t]!);
      return out;
    }
    const H = this.all(), off = this.graph.offsets();
    for (const t of want) out[t] = gatherRows(H, req[t]!.map((i) => i + off[t]));
    return out;
  }

  /** Ego embeddings of the batch's rows: what LightGCN's L2 penalty acts on. */
  ego(t: NodeType, ids: Int32Array): Tensor { return gatherRows(this.emb[t].weight, ids); }
}
