/**
 * Scoring one user against every item, two ways.
 *
 * TableScorer (models with servingTables): the score factorises, so a request
 * is one pass over a row-major item table with the scoreTopK kernel. Each row
 * is [item_i | z_i | bias_i] and the query [user_u | c * a | 1]: the DDPG
 * adjustment beta * <a, P^T unit(e_i)> / sqrt(m) is linear in z_i =
 * P^T unit(e_i), so it folds into the same dot product (c = beta / sqrt(m)).
 * The sparse item-item term touches only the items in the history rows of the
 * CSR: those are excluded from the kernel's pass, scored exactly here and
 * merged, so the top-k is exact. Concurrent requests can be scored as one
 * GEMM (topKBatch), reading the table once for the whole batch.
 *
 * ForwardScorer (any other model): every candidate through the model's frozen
 * eval-mode forward in batches, as evaluation does.
 */
import { noGrad } from '../autograd/engine.js';
import { tidy } from '../tensor/scope.js';
import { backendFromEnv, currentBackend, getBackend } from '../backend/registry.js';
import type { Backend, BackendName } from '../backend/kernels.js';
import { candidateBatch } from '../eval/batches.js';
import type { Model, ServingTables } from '../models/types.js';
import type { DecisionLayer } from '../models/decision.js';
import { finish, itemItemTerm, maskWith, selectTopK, type TopK } from './table_math.js';
import { QUANTIZE_MIN_ITEMS, exactTopK, exactTopKFromScores, quantizeRows, rowScales, type QuantWork, type QuantizedTable } from './quantized.js';

const tryBackend = (n: BackendName): Backend | null => { try { return getBackend(n); } catch { return null; } };

/**
 * Which backend runs which serving kernel. Measured on this machine's 2 cores
 * (docs/serving-scale.md): below QUANTIZE_MIN_ITEMS wasm's SIMD scoreTopK over
 * a table resident in its memory runs at the memory-bandwidth bound; from it
 * the int8 pass on native (AVX2, both cores) answered a 100k-item request in
 * 0.65-0.67 ms p50 against wasm's 0.82-1.18 ms. Native's GEMM is the fastest
 * for a batch. DPGCN_BACKEND, when set, applies to both.
 */
function servingBackends(nItems: number): { one: Backend; many: Backend } {
  if (backendFromEnv() !== null) { const b = currentBackend(); return { one: b, many: b }; }
  const cur = currentBackend(), native = tryBackend('native'), wasm = tryBackend('wasm');
  return { one: (nItems >= QUANTIZE_MIN_ITEMS ? native ?? wasm : wasm) ?? cur, many: native ?? cur };
}

/** Batches smaller than this are scored one request at a time (one pass each is then cheaper than the GEMM). */
export const MIN_GEMM_BATCH = 4;
/** Queries per GEMM: bounds the score scratch (16 x 100k floats = 6.4 MB) while the table is still read once per 16 requests. */
export const GEMM_CHUNK = 16;

export type { TopK };

/** What scoring needs to know about one request. */
export interface ScoreContext {
  /** Row of the user in the scorer's tables (added users included). */
  user: number;
  /** Items the user interacted with, oldest first (state and item-item term). */
  history: ArrayLike<number>;
  /** 1 = never recommend (seen, excluded, deleted); length >= numItems. */
  exclude: Uint8Array;
  k: number;
  query: number;
  time: number;
  /** The decision layer's action to score with instead of mu(state) (exploration at serving; see decisionState). */
  action?: Float32Array;
}

export interface Scorer {
  readonly kind: 'tables' | 'items' | 'forward';
  readonly numItems: number;
  topK(c: ScoreContext): TopK;
  /** Several requests at once (the table is read once for all of them). */
  topKBatch(cs: ScoreContext[]): TopK[];
  /** Appends a user row: vector in the user table's space (tables) or a proxy trained user (forward). */
  addUser(vector: Float32Array | null, proxy: number): number;
  /** Appends an item row built from existing items (their mean). */
  addItem(neighbours: number[]): number;
  /** The user's representation (tables only; null otherwise). */
  userVector(u: number): Float32Array | null;
  /** The decision layer's state for the request (the actor's input), or null when the model has none. */
  decisionState(c: ScoreContext): Float32Array | null;
}

/**
 * A model whose servingTables leave the DDPG adjustment out exposes its
 * decision layer this way (as the serving test model does); the table scorer
 * then folds the adjustment into the dot product. Models that fold it into
 * their own user side and have scoreItems take ItemsScorer instead.
 */
export interface DecisionSource {
  decision: DecisionLayer | null;
  staticMean(users: Int32Array): Float32Array | null;
  stateItemTable(): Float32Array;
}
const decisionOf = (m: Model): DecisionSource | null =>
  m.decision && m.staticMean && m.stateItemTable ? { decision: m.decision, staticMean: (u) => m.staticMean!(u), stateItemTable: () => m.stateItemTable!() } : null;

export class TableScorer implements Scorer {
  readonly kind = 'tables' as const;
  readonly dim: number;
  /** Row width: dim + action size (decision) + 1 (bias). */
  readonly width: number;
  private table: Float32Array;
  private users: Float32Array;
  private nItems: number;
  private nUsers: number;
  private readonly dec: DecisionSource | null;
  private readonly m: number;
  private readonly factor: number;
  private readonly stateItems: Float32Array | null;
  private readonly trainedItems: number;
  private readonly trainedUsers: number;
  private readonly be: { one: Backend; many: Backend };
  private scratch = new Float32Array(0);
  /** Single requests go through the int8 table with an exact re-rank (src/recsys/quantized.ts). */
  readonly quantize: boolean;
  private quant: { qt: QuantizedTable; work: QuantWork; storage: Float32Array[] } | null = null;

  /** quantize: default on for catalogues of QUANTIZE_MIN_ITEMS or more when wasm or native (their SIMD int8 kernels) serve single requests. */
  /** The sparse item-item term (the rest of the tables is copied into table and users, so the model's may be released). */
  private readonly itemItem: ServingTables['itemItem'];
  /** Row scales for the batch path's error bound when there is no int8 table. */
  private scales: Float32Array | null = null;
  private readonly batchWork: { cand?: Int32Array; sub?: Float32Array } = {};

  constructor(tables: ServingTables, model: Model, private readonly maxLen: number, opts: { quantize?: boolean } = {}) {
    const d = tables.dim;
    this.dim = d;
    this.nItems = tables.item.length / d;
    this.nUsers = tables.user.length / d;
    this.be = servingBackends(this.nItems);
    this.trainedItems = this.nItems; this.trainedUsers = this.nUsers;
    const src = decisionOf(model);
    this.dec = src;
    const dl = src?.decision ?? null;
    this.m = dl ? dl.actionDim : 0;
    this.factor = dl ? dl.opts.beta / Math.sqrt(this.m) : 0;
    this.stateItems = src ? src.stateItemTable().slice() : null;
    this.width = d + this.m + 1;
    const w = this.width, z = dl ? dl.project(tables.item) : null;
    // in the single-request kernel's own storage (wasm: its linear memory), so it reads the table in place
    this.table = this.be.one.allocF32(this.nItems * w);
    this.table.fill(0);
    for (let i = 0; i < this.nItems; i++) {
      this.table.set(tables.item.subarray(i * d, (i + 1) * d), i * w);
      if (z) this.table.set(z.subarray(i * this.m, (i + 1) * this.m), i * w + d);
      this.table[i * w + w - 1] = tables.itemBias ? tables.itemBias[i] : 0;
    }
    this.users = tables.user.slice();
    this.itemItem = tables.itemItem;
    // js has no SIMD int8 kernel: there the float32 pass is as cheap
    this.quantize = opts.quantize ?? (this.nItems >= QUANTIZE_MIN_ITEMS && this.be.one.name !== 'js');
  }

  get numItems(): number { return this.nItems; }

  /** Returns the table's backend storage. */
  dispose(): void { this.dropQuantized(); this.be.one.free(this.table); this.table = new Float32Array(0); this.nItems = 0; }

  /** Bytes one request reads from the item table (the bandwidth bound's numerator). */
  get tableBytes(): number { return this.nItems * this.width * 4; }

  userVector(u: number): Float32Array | null { return this.users.slice(u * this.dim, (u + 1) * this.dim); }

  /** Copies of the item rows [item | z | bias] and the item-item term (the web export). */
  rows(): { width: number; rows: Float32Array; trainedItems: number; itemItem: ServingTables['itemItem'] } {
    return { width: this.width, rows: this.table.slice(0, this.nItems * this.width), trainedItems: this.trainedItems, itemItem: this.itemItem };
  }

  decisionState(c: ScoreContext): Float32Array | null {
    const dl = this.dec?.decision, d = this.dim;
    if (!dl || !this.dec || !this.stateItems) return null;
    const L = this.maxLen, h = Array.from(c.history).filter((i) => i < this.trainedItems).slice(-L);
    const hist = new Int32Array(L).fill(-1);
    hist.set(h);
    const extra = c.user < this.trainedUsers ? this.dec.staticMean(Int32Array.of(c.user)) : null;
    return dl.states(this.users.subarray(c.user * d, (c.user + 1) * d), extra && extra.length ? extra : null, hist, Int32Array.of(h.length), L, this.stateItems);
  }

  /** The query row [user | c * a | 1] of a request (a: the context's action, else mu(state)). */
  query(c: ScoreContext): Float32Array {
    const d = this.dim, w = this.width, q = new Float32Array(w);
    q.set(this.users.subarray(c.user * d, (c.user + 1) * d));
    q[w - 1] = 1;
    const dl = this.dec?.decision;
    if (dl) {
      const a = c.action ?? dl.actions(this.decisionState(c)!, 1);
      for (let k = 0; k < this.m; k++) q[d + k] = this.factor * a[k];
    }
    return q;
  }

  private sparse(c: ScoreContext): Map<number, number> | null { return itemItemTerm(this.itemItem, c.history, c.exclude, this.trainedItems); }
  private maskWith(c: ScoreContext, sp: Map<number, number> | null): Uint8Array { return maskWith(c.exclude, this.nItems, sp); }
  private finish(c: ScoreContext, q: Float32Array, sp: Map<number, number> | null, idx: Int32Array, sc: Float32Array, n: number): TopK {
    return finish(this.table, this.width, q, c.k, sp, idx, sc, n);
  }

  /** The int8 copy of the table (built on first use, again after addItem), in the single-request backend's storage. */
  private quantized(): { qt: QuantizedTable; work: QuantWork } | null {
    if (!this.quantize) return null;
    if (!this.quant) {
      const n = this.nItems, w = this.width, b = this.be.one, q8 = b.allocF32(Math.ceil((n * w) / 4)), scale = b.allocF32(n);
      const qt = quantizeRows(this.table, n, w, new Int8Array(q8.buffer, q8.byteOffset, n * w), scale);
      this.quant = { qt, work: { approx: b.allocF32(n), q16: new Int16Array(w), cand: b.allocI32(n) }, storage: [q8, scale] };
    }
    return this.quant;
  }
  private dropQuantized(): void {
    if (!this.quant) return;
    for (const a of [...this.quant.storage, this.quant.work.approx, this.quant.work.cand!]) this.be.one.free(a);
    this.quant = null;
    this.scales = null;
  }

  topK(c: ScoreContext): TopK {
    const q = this.query(c), sp = this.sparse(c), ex = this.maskWith(c, sp);
    const idx = new Int32Array(c.k), sc = new Float32Array(c.k);
    const mask = ex.length === this.nItems ? ex : ex.subarray(0, this.nItems), table = this.table.subarray(0, this.nItems * this.width);
    const qz = this.quantized();
    const n = qz ? exactTopK(this.be.one.kernels, table, qz.qt, q, c.k, mask, idx, sc, qz.work)
      : this.be.one.kernels.scoreTopK(table, q, this.nItems, this.width, c.k, mask, idx, sc);
    return this.finish(c, q, sp, idx, sc, n);
  }

  /**
   * One GEMM per GEMM_CHUNK requests reads the table once for all of them;
   * each row of scores then keeps only the items within the GEMM's error bound
   * of its k-th best (boundCandidates), re-ranked exactly: the same answers as topK.
   */
  topKBatch(cs: ScoreContext[]): TopK[] {
    // Measured at 100k items on 2 shared cores (docs/serving-scale.md): the int8 pass per request (0.3-0.6 ms)
    // beats a float32 GEMM's share (0.55-0.85 ms per query for 16), so with the int8 table requests stay single.
    if (cs.length < MIN_GEMM_BATCH || this.quantize) return cs.map((c) => this.topK(c));
    const w = this.width, N = this.nItems, table = this.table.subarray(0, N * w), out: TopK[] = [];
    const scale = this.quantized()?.qt.scale ?? (this.scales ??= rowScales(table, N, w));
    for (let o = 0; o < cs.length; o += GEMM_CHUNK) {
      const part = cs.slice(o, o + GEMM_CHUNK), B = part.length, Q = new Float32Array(B * w);
      const qs = part.map((c, b) => { const q = this.query(c); Q.set(q, b * w); return q; });
      if (this.scratch.length < B * N) this.scratch = new Float32Array(GEMM_CHUNK * N);
      const S = this.scratch.subarray(0, B * N);
      this.be.many.kernels.gemm(Q, table, S, B, N, w, false, true, 1, 0);
      part.forEach((c, b) => {
        const sp = this.sparse(c), ex = this.maskWith(c, sp);
        const idx = new Int32Array(c.k), sc = new Float32Array(c.k), mask = ex.length === N ? ex : ex.subarray(0, N);
        const n = exactTopKFromScores(this.be.many.kernels, this.be.one.kernels, table, w, scale, S.subarray(b * N, (b + 1) * N), N, qs[b], c.k, mask,
          idx, sc, this.batchWork);
        out.push(this.finish(c, qs[b], sp, idx, sc, n));
      });
    }
    return out;
  }

  addUser(vector: Float32Array | null, _proxy: number): number {
    const d = this.dim, u = this.nUsers;
    const grown = new Float32Array((u + 1) * d);
    grown.set(this.users.subarray(0, u * d));
    if (vector) grown.set(vector, u * d);
    this.users = grown;
    return this.nUsers++;
  }

  addItem(neighbours: number[]): number {
    const w = this.width, i = this.nItems;
    this.dropQuantized();
    if ((i + 1) * w > this.table.length) {
      const grown = this.be.one.allocF32(Math.max((i + 1) * w, Math.ceil(this.table.length * 1.25)));
      grown.set(this.table.subarray(0, i * w));
      this.be.one.free(this.table);
      this.table = grown;
    }
    const row = this.table.subarray(i * w, (i + 1) * w);
    row.fill(0);
    const from = neighbours.length ? neighbours : Array.from({ length: this.trainedItems }, (_, j) => j);
    for (const j of from) for (let c = 0; c < w; c++) row[c] += this.table[j * w + c] / from.length;
    const dl = this.dec?.decision;
    if (dl) row.set(dl.project(row.slice(0, this.dim)), this.dim);
    return this.nItems++;
  }
}

/**
 * Models with servingTables whose decision layer depends on the request's
 * history (its state is built from the last items) and that fold it into the
 * user side themselves: the user-independent tables would score every
 * request with the empty-history state, so each request goes through the
 * model's exact scoreItems(user, history) (one pass over its item table) and
 * the selection here.
 */
export class ItemsScorer implements Scorer {
  readonly kind = 'items' as const;
  private readonly userProxy: number[] = [];
  private readonly itemProxy: number[] = [];
  constructor(private readonly model: Model & { scoreItems(u: number, h: ArrayLike<number>, a?: Float32Array): Float32Array },
    private readonly trainedUsers: number, private readonly trainedItems: number) {}
  get numItems(): number { return this.trainedItems + this.itemProxy.length; }
  userVector(): Float32Array | null { return null; }
  private row(c: ScoreContext): { user: number; history: number[] } {
    return { user: c.user < this.trainedUsers ? c.user : this.userProxy[c.user - this.trainedUsers], history: Array.from(c.history).filter((i) => i < this.trainedItems) };
  }
  decisionState(c: ScoreContext): Float32Array | null {
    if (!this.model.decisionState) return null;
    const r = this.row(c);
    return this.model.decisionState(r.user, r.history) ?? null;
  }
  topK(c: ScoreContext): TopK {
    const { user, history } = this.row(c);
    const base = this.model.scoreItems(user, history, c.action), N = this.numItems;
    const scores = N === base.length ? base : new Float32Array(N);
    if (scores !== base) { scores.set(base); this.itemProxy.forEach((p, j) => { scores[this.trainedItems + j] = base[p]; }); }
    const idx = new Int32Array(c.k), sc = new Float32Array(c.k);
    const n = selectTopK(scores, N, c.exclude, c.k, idx, sc);
    return { items: idx.slice(0, n), scores: sc.slice(0, n) };
  }
  topKBatch(cs: ScoreContext[]): TopK[] { return cs.map((c) => this.topK(c)); }
  addUser(_v: Float32Array | null, proxy: number): number { this.userProxy.push(proxy); return this.trainedUsers + this.userProxy.length - 1; }
  addItem(neighbours: number[]): number { this.itemProxy.push(neighbours.length ? neighbours[0] : 0); return this.numItems - 1; }
}

/** The scorer a model allows: its tables (fast), its exact per-user scoreItems, or every candidate through forward. */
export function chooseScorer(model: Model, users: number, items: number, maxLen: number): Scorer {
  const dec = model.decision;
  if (model.servingTables && dec && model.scoreItems) {
    return new ItemsScorer(model as Model & { scoreItems(u: number, h: ArrayLike<number>): Float32Array }, users, items);
  }
  const tables = model.servingTables?.();
  return tables ? new TableScorer(tables, model, maxLen) : new ForwardScorer(model, users, items, maxLen);
}

const FORWARD_BATCH = 2048;

export class ForwardScorer implements Scorer {
  readonly kind = 'forward' as const;
  /** Added users and items are scored as the trained row they stand in for. */
  private readonly userProxy: number[] = [];
  private readonly itemProxy: number[] = [];
  constructor(private readonly model: Model, private readonly trainedUsers: number, private readonly trainedItems: number,
    private readonly maxLen: number) {}

  get numItems(): number { return this.trainedItems + this.itemProxy.length; }

  userVector(): Float32Array | null { return null; }

  decisionState(c: ScoreContext): Float32Array | null {
    if (!this.model.decisionState) return null;
    const user = c.user < this.trainedUsers ? c.user : this.userProxy[c.user - this.trainedUsers];
    return this.model.decisionState(user, Array.from(c.history).filter((i) => i < this.trainedItems).slice(-this.maxLen)) ?? null;
  }

  topK(c: ScoreContext): TopK {
    const N = this.numItems, cand: number[] = [];
    for (let i = 0; i < N; i++) if (!c.exclude[i]) cand.push(i);
    const items = Int32Array.from(cand), rows = Int32Array.from(cand, (i) => (i < this.trainedItems ? i : this.itemProxy[i - this.trainedItems]));
    const user = c.user < this.trainedUsers ? c.user : this.userProxy[c.user - this.trainedUsers];
    const hist = Array.from(c.history).filter((i) => i < this.trainedItems);
    const scores = new Float32Array(items.length);
    noGrad(() => {
      for (let o = 0; o < rows.length; o += FORWARD_BATCH) {
        const part = rows.subarray(o, Math.min(rows.length, o + FORWARD_BATCH));
        const batch = candidateBatch(user, part, hist, this.maxLen, c.time, c.query);
        if (c.action) batch.action = c.action;
        tidy(() => { scores.set(this.model.forward(batch, false).data, o); });
      }
    });
    const idx = new Int32Array(c.k), sc = new Float32Array(c.k);
    const n = selectTopK(scores, scores.length, new Uint8Array(scores.length), c.k, idx, sc);
    return { items: Int32Array.from(idx.subarray(0, n), (j) => items[j]), scores: sc.slice(0, n) };
  }

  topKBatch(cs: ScoreContext[]): TopK[] { return cs.map((c) => this.topK(c)); }

  addUser(_v: Float32Array | null, proxy: number): number {
    this.userProxy.push(proxy);
    return this.trainedUsers + this.userProxy.length - 1;
  }

  addItem(neighbours: number[]): number {
    this.itemProxy.push(neighbours.length ? neighbours[0] : 0);
    return this.numItems - 1;
  }
}
