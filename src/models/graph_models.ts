/**
 * The graph models of DESIGN §4 and their ablations:
 *   gcn    = one (homogeneous) multi-level GCN over the heterogeneous graph + MLP head;
 *   d-gcn  = gcn + the DDPG decision layer (no static features);
 *   dp-gcn = type-specific GCNs (one weight per relation; mean, sym or max-pool
 *            aggregation) + static-feature fusion with crossings + DDPG.
 * The graph is built from ctx.trainInteractions only. Each forward runs the
 * propagation over the whole graph (the last layer only on the batch's rows),
 * so there is no stale embedding cache to keep in sync with the optimiser.
 */
import type { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/create.js';
import { tidy } from '../tensor/scope.js';
import { noGrad } from '../autograd/engine.js';
import { add, mul, mulScalar, square, broadcastTo } from '../autograd/ops/elementwise.js';
import { sum } from '../autograd/ops/reduce.js';
import { rowDot } from '../autograd/ops/matmul.js';
import { currentBackend } from '../backend/registry.js';
import { Rng } from '../tensor/rng.js';
import { buildHeteroGraph, type HeteroGraph } from '../graph/hetero.js';
import type { Batch, ModelContext, Model, ServingTables } from './types.js';
import { HeteroGCN } from './hetero_gcn.js';
import { FusionHead } from './fusion.js';
import { DotHead } from './dot_head.js';
import { LightEncoder } from './light_encoder.js';
import type { DecisionLayer } from './decision.js';
import { GraphModule, isDotModel, distinctContexts, tableRows, decisionRng, ownEdges, type GraphModelName, type GraphModelOptions } from './graph_module.js';
import { SessionEnv, type Scorer } from './decision_env.js';
import { alignShownNegatives } from './graph_util.js';

/** Full embedding tables, row-major (n x dim). */
export { isDotModel, ownEdges, type GraphModelName, type GraphModelOptions };

export interface EmbeddingTables { dim: number; user: Float32Array; item: Float32Array; query: Float32Array }

/** Shares of the item-item term tried on validation (0: the towers alone, 1: the term alone). */
const MIX_GRID = [0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

export class GraphRecommender implements Model {
  readonly module: GraphModule;
  readonly graph: HeteroGraph;
  /** Representations used instead of the GCN's for these users (cold start, see cold_start.ts). */
  readonly userOverride = new Map<number, Float32Array>();
  private readonly shownNeg: Int32Array | null;
  private readonly ddpgRng: Rng;
  private readonly qiCounts = new Map<number, number>();
  /** Training clicks of item i under query q. */
  readonly queryItemCount = (q: number, i: number): number => this.qiCounts.get(q * this.ctx.dataset.numItems + i) ?? 0;

  constructor(readonly name: GraphModelName, readonly ctx: ModelContext, readonly opts: GraphModelOptions = {}) {
    this.graph = buildHeteroGraph(ctx.dataset, ctx.trainInteractions);
    this.module = new GraphModule(this.graph, name, ctx, opts);
    if (this.module.head instanceof DotHead) {
      this.scoreItems = (u, h, a) => this.scoreItemsDot(u, h, a);
      this.servingTables = () => this.servingTablesDot();
      const head = this.module.head;
      if (head.itemItem) this.postHoc = { hyper: 'alpha', grid: MIX_GRID, set: (alpha) => head.setMix(alpha, this.dotSpread()) };
    }
    this.shownNeg = this.module.decision ? alignShownNegatives(ctx.dataset, ctx.trainInteractions) : null;
    this.ddpgRng = decisionRng(decisionRng(ctx.rng));
    const it = ctx.trainInteractions, nI = ctx.dataset.numItems;
    for (let k = 0; k < it.length; k++) {
      if (it.query[k] < 0) continue;
      const key = it.query[k] * nI + it.item[k];
      this.qiCounts.set(key, (this.qiCounts.get(key) ?? 0) + 1);
    }
  }

  get dim(): number { return this.ctx.config.dim; }

  get decision(): DecisionLayer | null { return this.module.decision; }
  get head(): FusionHead | DotHead { return this.module.head; }
  /** The two-tower head, or null under the fusion MLP. */
  get dotHead(): DotHead | null { return this.module.head instanceof DotHead ? this.module.head : null; }

  /** Query embeddings for ids (-1 = no query: a learned vector). */
  private queryRows(eqAll: Tensor | undefined, queries: Int32Array): Tensor {
    const B = queries.length, none = broadcastTo(this.module.noQuery, [B, this.dim]);
    if (!eqAll) return none;
    const has = new Float32Array(B), hasNot = new Float32Array(B);
    for (let b = 0; b < B; b++) (queries[b] >= 0 ? has : hasNot)[b] = 1;
    return add(mul(eqAll, tensor(has, [B, 1])), mul(none, tensor(hasNot, [B, 1])));
  }

  /** User rows with cold-start overrides patched in. */
  private userRows(eu: Tensor, users: Int32Array): Tensor {
    if (this.userOverride.size === 0) return eu;
    const B = users.length, d = this.dim, keepM = new Float32Array(B).fill(1), over = new Float32Array(B * d);
    let any = false;
    for (let b = 0; b < B; b++) {
      const v = this.userOverride.get(users[b]);
      if (v) { keepM[b] = 0; over.set(v, b * d); any = true; }
    }
    return any ? add(mul(eu, tensor(keepM, [B, 1])), tensor(over, [B, d])) : eu;
  }

  /** Static user fields averaged (B x dim): dp-gcn's extra state for the decision layer. */
  staticMean(users: Int32Array): Float32Array | null {
    const st = this.head.userStatic;
    if (!st || !this.decision || this.decision.opts.extraDim === 0) return null;
    const d = this.dim, out = new Float32Array(users.length * d), n = st.count;
    st.tables.forEach((t, c) => {
      const col = st.column(c, users), w = t.weight.data;
      for (let b = 0; b < users.length; b++) for (let k = 0; k < d; k++) out[b * d + k] += w[col[b] * d + k] / n;
    });
    return out;
  }

  /**
   * Item vectors averaged into the decision state: the level-0 (id) embeddings.
   * The final GCN embeddings of history items would need the last layer run
   * on B*k extra rows per step (measured: it doubled a d-gcn step).
   */
  stateItemTable(): Float32Array { return this.module.gcn.emb.item.weight.data; }

  /** Final embeddings of every node while frozen (see freeze). */
  private frozenTables: EmbeddingTables | null = null;
  /** Every item's row projected on the decision layer's action space while frozen. */
  private frozenProjected: Float32Array | null = null;

  /** Propagates once; eval-mode forwards read the batch's rows from the tables until release. */
  freeze(): () => void {
    if (this.frozenTables) return () => {}; // nested: the outer freeze owns the tables
    this.frozenTables = this.tables();
    this.frozenItemTowers = this.dotHead ? this.itemTowerTable(this.frozenTables) : null;
    this.frozenProjected = this.decision ? this.decision.project(this.frozenItemTowers ?? this.frozenTables.item) : null;
    return () => { this.frozenTables = null; this.frozenProjected = null; this.frozenItemTowers = null; };
  }

  /** Every item's z_i (dot head) while frozen. */
  private frozenItemTowers: Float32Array | null = null;

  /** z_i of every item from the tables (noGrad, eval mode). */
  private itemTowerTable(tb: EmbeddingTables): Float32Array {
    const head = this.dotHead!, n = this.graph.counts.item, ids = Int32Array.from({ length: n }, (_, i) => i);
    const was = this.module.training;
    this.module.train(false);
    const out = tidy(() => noGrad(() => head.itemTower(tensor(tb.item.slice(), [n, tb.dim]), ids).data.slice()));
    this.module.train(was);
    return out;
  }

  /** z_u of one user in a context (no query: ranking protocols), plus the decision layer's shift for it. */
  private userVector(tb: EmbeddingTables, user: number, history: ArrayLike<number>, action?: Float32Array): Float32Array {
    const head = this.dotHead!, d = this.dim, u = Int32Array.of(user);
    const was = this.module.training;
    this.module.train(false);
    const z = tidy(() => noGrad(() => head.userTower(tableRows(tb.user, u, d), this.queryRows(undefined, Int32Array.of(-1)), u).data.slice()));
    this.module.train(was);
    const dec = this.decision;
    if (dec) {
      const L = Math.max(1, history.length), h = new Int32Array(L).fill(-1);
      h.set(Array.from(history).slice(-L));
      const a = action ?? dec.actions(dec.states(tb.user.slice(user * d, (user + 1) * d), this.staticMean(u), h, Int32Array.of(history.length), L, this.stateItemTable()), 1);
      const shift = dec.userShift(a);
      for (let k = 0; k < d; k++) z[k] += shift[k];
    }
    return z;
  }

  readonly postHoc?: { hyper: string; grid: number[]; set(value: number): void };

  /** Spread of the towers' inner product over (user, item) cells of up to 200 users (frozen, no decision term). */
  private dotSpread(): number {
    const head = this.dotHead!;
    head.setMix(0, 1);
    const release = this.freeze();
    try {
      const tb = this.frozenTables!, Z = this.frozenItemTowers!, n = this.graph.counts.item, d = this.dim, U = this.graph.counts.user;
      let s = 0, ss = 0, c = 0;
      const out = new Float32Array(n);
      for (let u = 0; u < U; u += Math.max(1, Math.floor(U / 200))) {
        currentBackend().kernels.gemm(Z, tb.user.subarray(u * d, (u + 1) * d), out, n, 1, d, false, false, 1, 0);
        for (let i = 0; i < n; i++) { s += out[i]; ss += out[i] * out[i]; c++; }
      }
      return Math.sqrt(Math.max(1e-24, ss / c - (s / c) ** 2));
    } finally { release(); }
  }

  /** Present with the dot head only (see Model.scoreItems and Model.servingTables). */
  readonly scoreItems?: (user: number, history: ArrayLike<number>, action?: Float32Array) => Float32Array;

  /** The decision layer's state for user in a context, from the frozen tables (see Model.decisionState). */
  decisionState(user: number, history: ArrayLike<number>): Float32Array | null {
    const dec = this.decision;
    if (!dec) return null;
    const release = this.freeze();
    try {
      const tb = this.frozenTables!, d = this.dim, L = Math.max(1, history.length), h = new Int32Array(L).fill(-1);
      h.set(Array.from(history).slice(-L));
      return dec.states(tb.user.slice(user * d, (user + 1) * d), this.staticMean(Int32Array.of(user)), h, Int32Array.of(history.length), L, this.stateItemTable());
    } finally { release(); }
  }
  readonly servingTables?: () => ServingTables;

  /** One pass over the item towers, plus the item-item term of the user's history. */
  private scoreItemsDot(user: number, history: ArrayLike<number>, action?: Float32Array): Float32Array {
    const head = this.dotHead;
    if (!head) throw new Error(`${this.name}: scoreItems needs the dot head`);
    const release = this.freeze();
    try {
      const tb = this.frozenTables!, Z = this.frozenItemTowers!, n = this.graph.counts.item, d = this.dim;
      const z = this.userVector(tb, user, history, action), out = new Float32Array(n);
      currentBackend().kernels.gemm(Z, z, out, n, 1, d, false, false, head.dotWeight, 0);
      const t = head.itemItem, b = head.mix ? head.mix.data[1] : 0;
      if (t && b !== 0) {
        const f = b * t.scale, S = t.scores.subarray(user * n, (user + 1) * n);
        for (let i = 0; i < n; i++) out[i] += f * S[i];
      }
      return out;
    } finally { release(); }
  }

  /** z_u for every user with no context, z_i, and w c B. */
  private servingTablesDot(): ServingTables {
    const head = this.dotHead;
    if (!head) throw new Error(`${this.name}: servingTables needs the dot head`);
    const release = this.freeze();
    try {
      const tb = this.frozenTables!, U = this.graph.counts.user, d = this.dim, user = new Float32Array(U * d);
      const a = head.dotWeight;
      for (let u = 0; u < U; u++) user.set(this.userVector(tb, u, []).map((v) => v * a), u * d);
      const t = head.itemItem, b = head.mix ? head.mix.data[1] : 0;
      const itemItem = t && b !== 0 ? { ...t.weights, values: t.weights.values.map((v) => v * b * t.scale) } : null;
      return { dim: d, user, item: this.frozenItemTowers!.slice(), itemBias: null, itemItem };
    } finally { release(); }
  }

  dispose(): void { this.graph.dispose(); }

  /** LightGCN's L2 on the batch's ego embeddings: l2/2 (|e_u|^2 + |e_i|^2) summed over rows, per positive. */
  penalty(batch: Batch): Tensor | null {
    const l2 = this.ctx.config.l2 ?? 0, gcn = this.module.gcn;
    if (!(l2 > 0) || !(gcn instanceof LightEncoder)) return null;
    let pos = batch.size;
    if (batch.label) { pos = 0; for (let b = 0; b < batch.size; b++) if (batch.label[b] > 0.5) pos++; }
    const e = add(sum(square(gcn.ego('user', batch.user))), sum(square(gcn.ego('item', batch.item))));
    return mulScalar(e, l2 / 2 / Math.max(1, pos));
  }

  /** The batch's user, item and query rows: propagated for this batch, or read from frozen tables. */
  private batchRows(batch: Batch, training: boolean): { eu: Tensor; ei: Tensor; eq: Tensor } {
    const tb = training ? null : this.frozenTables;
    if (tb) {
      return { eu: tableRows(tb.user, batch.user, tb.dim), ei: tableRows(tb.item, batch.item, tb.dim),
        eq: this.queryRows(tb.query.length ? tableRows(tb.query, batch.query, tb.dim) : undefined, batch.query) };
    }
    const q = batch.query.map((x) => Math.max(0, x)), gcn = this.module.gcn;
    const req = { user: batch.user, item: batch.item, query: this.graph.counts.query > 0 ? q : new Int32Array(0) };
    // LightGCN trains on the full graph, as He et al. do; the MLP head needs its positives' edges hidden
    const out = gcn instanceof HeteroGCN ? gcn.encode(req, training ? ownEdges(batch, this.queryItemCount) : undefined) : gcn.encode(req);
    return { eu: this.userRows(out.user!, batch.user), ei: out.item!, eq: this.queryRows(out.query, batch.query) };
  }

  forward(batch: Batch, training: boolean): Tensor {
    this.module.train(training);
    const dec = this.decision;
    const { eu, ei, eq } = this.batchRows(batch, training);
    const dot = this.dotHead;
    if (dot) {
      const zu = dot.userTower(eu, eq, batch.user);
      const zi = !training && this.frozenItemTowers ? tableRows(this.frozenItemTowers, batch.item, this.dim) : dot.itemTower(ei, batch.item);
      let logits = rowDot(zu, zi);
      if (training) return logits;
      // scoring: a * (<z_u, z_i> + adjustment) + b * c * S, as scoreItems and servingTables factorise it
      if (dec) logits = add(logits, noGrad(() => this.adjustment(dec, batch, eu.data, zi.data)));
      if (dot.dotWeight !== 1) logits = mulScalar(logits, dot.dotWeight);
      const ii = dot.itemItemLogits(batch.user, batch.item);
      return ii ? add(logits, ii) : logits;
    }
    const logits = this.head.forward({ eu, ei, eq, users: batch.user, items: batch.item });
    // the adjustment only at scoring time: added in training too, the BCE head co-adapts to this epoch's
    // policy (it learns to undo or lean on it) and d-gcn's base model drifts from gcn's (measured under
    // the DIN protocol: test AUC 0.662 with it in training, 0.670 without, same seeds)
    if (!dec || training) return logits;
    return add(logits, noGrad(() => this.adjustment(dec, batch, eu.data, ei.data)));
  }

  /**
   * The decision layer's (B,1) logit term. Rows with the same user and
   * history share a state, so the state and the actor run once per distinct
   * context (a ranking batch is one user's candidates); while frozen the
   * projected item rows come from a table projected once.
   */
  private adjustment(dec: DecisionLayer, batch: Batch, eu: Float32Array, ei: Float32Array): Tensor {
    const B = batch.size, d = this.dim, m = dec.actionDim, L = batch.maxLen;
    const { reps, of } = distinctContexts(batch);
    const R = reps.length, users = Int32Array.from(reps, (b) => batch.user[b]);
    const ru = new Float32Array(R * d), rh = new Int32Array(R * L), rl = Int32Array.from(reps, (b) => batch.historyLen[b]);
    reps.forEach((b, r) => { ru.set(eu.subarray(b * d, (b + 1) * d), r * d); rh.set(batch.history.subarray(b * L, (b + 1) * L), r * L); });
    // serving with an explicit action (exploration): one context, its action in place of mu(s)
    const a = batch.action && R === 1 ? batch.action : dec.actions(dec.states(ru, this.staticMean(users), rh, rl, L, this.stateItemTable()), R);
    const acts = new Float32Array(B * m);
    for (let b = 0; b < B; b++) acts.set(a.subarray(of[b] * m, (of[b] + 1) * m), b * m);
    let z: Float32Array;
    if (this.frozenProjected) {
      z = new Float32Array(B * m);
      for (let b = 0; b < B; b++) z.set(this.frozenProjected.subarray(batch.item[b] * m, (batch.item[b] + 1) * m), b * m);
    } else {
      z = dec.project(ei);
    }
    return tensor(dec.adjustmentProjected(acts, z), [B, 1]);
  }

  /** Every user's, item's and query's final embedding (noGrad, eval mode), overrides applied to users. */
  tables(): EmbeddingTables {
    const c = this.graph.counts, d = this.dim;
    const ar = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
    const was = this.module.training;
    this.module.train(false);
    const t = tidy(() => noGrad(() => {
      const o = this.module.gcn.encode({ user: ar(c.user), item: ar(c.item), query: ar(c.query) });
      return { dim: d, user: o.user?.data.slice() ?? new Float32Array(0), item: o.item?.data.slice() ?? new Float32Array(0),
        query: o.query?.data.slice() ?? new Float32Array(0) };
    }));
    this.module.train(was);
    for (const [u, v] of this.userOverride) t.user.set(v, u * d);
    return t;
  }

  /** Fusion logits of (user, item, query) triples from precomputed tables (no decision term). */
  logitsFromTables(tb: EmbeddingTables, users: Int32Array, items: Int32Array, queries: Int32Array): Float32Array {
    const d = tb.dim, rows = (tab: Float32Array, ids: Int32Array) => tableRows(tab, ids, d);
    const was = this.module.training;
    this.module.train(false);
    const out = tidy(() => noGrad(() => {
      const eq = this.queryRows(tb.query.length ? rows(tb.query, queries) : undefined, queries);
      return this.head.forward({ eu: rows(tb.user, users), ei: rows(tb.item, items), eq, users, items }).data.slice();
    }));
    this.module.train(was);
    return out;
  }

  /** The environments' view of the model, frozen at the current parameters. */
  scorer(): Scorer {
    const tb = this.tables(), d = this.dim;
    return {
      dim: d, itemTable: tb.item, stateItemTable: this.stateItemTable().slice(),
      userState: (u) => {
        const s = this.staticMean(Int32Array.of(u));
        const out = new Float32Array(d + (s ? d : 0));
        out.set(tb.user.subarray(u * d, (u + 1) * d));
        if (s) out.set(s, d);
        return out;
      },
      baseLogits: (users, items, queries) => this.logitsFromTables(tb, users, items, queries),
    };
  }

  /**
   * DDPG on this epoch's frozen model. Its randomness comes from the decision
   * layer's own seeded stream, not the trainer's, so the trainer's batches
   * are those of the model without the decision layer.
   */
  afterEpoch(_epoch: number, _rng: Rng): void {
    const dec = this.decision;
    if (!dec) return;
    const ds = this.ctx.dataset, o = this.opts, sc = this.scorer(), r = this.ddpgRng.fork();
    dec.refreshBasis(sc.itemTable);
    // the log alone by default (issue 18): true probabilities only where asked for ('online', a diagnostic)
    const oracle = o.decisionEnv === 'online' && ds.oracle ? ds.oracle : null;
    const env = new SessionEnv(dec, sc, this.ctx.trainInteractions, ds.numUsers, this.shownNeg, oracle, { steps: o.episodeSteps ?? 8 });
    dec.learn(env, {
      episodes: o.episodes ?? 4 * this.ctx.config.ddpgEpisodes, updatesPerStep: o.updatesPerStep ?? 2,
      evalEpisodes: o.evalEpisodes ?? 128,
    }, r);
  }
}

export function createGraphModel(name: GraphModelName, ctx: ModelContext, opts: GraphModelOptions = {}): GraphRecommender {
  return new GraphRecommender(name, ctx, opts);
}
