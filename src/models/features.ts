/**
 * Shared input layer of the baseline models: one embedding table per id type
 * (user, item, query) and per static categorical feature, all of width dim,
 * so every model sees the same fields and PNN can take products between any
 * two of them. Behaviour histories are flattened to their valid entries and
 * pooled with a per-batch sparse matrix: padding never costs compute and the
 * pooling gradient is one transposed spmm.
 */
import { trackTensor } from '../tensor/scope.js';
import type { Rng } from '../tensor/rng.js';
import { empty, type Tensor } from '../tensor/tensor.js';
import { record, gradOf } from '../autograd/engine.js';
import { ShapeError } from '../errors.js';
import { Module } from '../nn/module.js';
import { Embedding } from '../nn/layers.js';
import { add } from '../autograd/ops/elementwise.js';
import { spmm } from '../autograd/ops/spmm.js';
import { CsrMatrix } from '../sparse/csr.js';
import type { CatFeatures, Dataset } from '../data/types.js';
import { queriesDeriveFromItems } from '../data/protocols/common.js';
import type { Batch } from './types.js';

/**
 * Column-wise concatenation of 2-D tensors with equal row counts. Same
 * result as the engine's concat(xs, 1), whose backward makes one kernel call
 * per row and input (about 30% of a PNN step at batch 1024); this one copies
 * gradient blocks back in plain loops. Safe on every backend: wasm storage is
 * a shared memory whose views never detach.
 */
export function concatCols(xs: Tensor[]): Tensor {
  if (xs.length === 0) throw new ShapeError('concatCols: needs at least one tensor');
  const m = xs[0].shape[0];
  for (const x of xs) if (x.ndim !== 2 || x.shape[0] !== m) throw new ShapeError(`concatCols: needs 2-D tensors with ${m} rows (got [${x.shape.join(',')}])`);
  const W = xs.reduce((s, x) => s + x.shape[1], 0);
  const y = empty([m, W]);
  const out = y.data;
  let off = 0;
  for (const x of xs) {
    const n = x.shape[1], xd = x.data;
    for (let i = 0; i < m; i++) {
      const xi = i * n, oi = i * W + off;
      for (let j = 0; j < n; j++) out[oi + j] = xd[xi + j];
    }
    off += n;
  }
  return record('concatCols', y, xs, (dy) => {
    let o = 0;
    for (const x of xs) {
      const n = x.shape[1];
      if (x.requiresGrad) {
        const g = gradOf(x);
        for (let i = 0; i < m; i++) {
          const gi = i * n, di = i * W + o;
          for (let j = 0; j < n; j++) g[gi + j] += dy[di + j];
        }
      }
      o += n;
    }
  });
}

/** Column f of a feature block for the given rows (ids -1 map to value 0). */
export function featureColumn(fs: CatFeatures, f: number, ids: Int32Array): Int32Array {
  const F = fs.names.length, out = new Int32Array(ids.length);
  for (let k = 0; k < ids.length; k++) out[k] = ids[k] < 0 ? 0 : fs.values[ids[k] * F + f];
  return out;
}


/**
 * True when every interaction's query is a function of its item (each item
 * always comes with the same query): loaders without a query log derive the
 * query from the clicked item's category path (movielens, amazon). Then the
 * query of a CTR instance encodes its positive item, and since protocols give
 * the negative the positive's query, feeding it to a model leaks the label
 * (ml-100k DIN protocol: AUC 0.99 with it). The CTR protocols now hand such
 * instances the user's previous query instead; the baselines still leave the
 * query field out on these data sets, where it carries little signal.
 */
export { queriesDeriveFromItems };

export interface FieldOptions {
  /** Keep a query field (default: when the data set has a query log, see queriesDeriveFromItems). */
  query?: boolean;
  /** Init std of the tables. */
  std?: number;
}

/** Embedding tables for ids and static features; each lookup returns (n, dim). */
export class FieldEmbeddings extends Module {
  readonly userId: Embedding;
  readonly itemId: Embedding;
  readonly query: Embedding | null;
  readonly userFeat: Embedding[] = [];
  readonly itemFeat: Embedding[] = [];

  constructor(readonly dataset: Dataset, readonly dim: number, rng: Rng, opts: FieldOptions = {}) {
    super();
    const std = opts.std ?? 0.05;
    this.userId = this.child('user', new Embedding(Math.max(1, dataset.numUsers), dim, rng, std));
    this.itemId = this.child('item', new Embedding(Math.max(1, dataset.numItems), dim, rng, std));
    const withQuery = opts.query ?? (dataset.numQueries > 0 && !queriesDeriveFromItems(dataset));
    // row 0 stands for "no query", so instances without one share a learned vector
    this.query = withQuery ? this.child('query', new Embedding(dataset.numQueries + 1, dim, rng, std)) : null;
    dataset.userFeatures.names.forEach((n, f) => this.userFeat.push(this.child(`uf_${n}`, new Embedding(dataset.userFeatures.cardinalities[f], dim, rng, std))));
    dataset.itemFeatures.names.forEach((n, f) => this.itemFeat.push(this.child(`if_${n}`, new Embedding(dataset.itemFeatures.cardinalities[f], dim, rng, std))));
  }

  get numUserFields(): number { return 1 + this.userFeat.length; }
  get numItemFields(): number { return 1 + this.itemFeat.length; }
  get hasQuery(): boolean { return this.query !== null; }
  /** Fields a model concatenates: batchFields() plus the pooled behaviour history. */
  get numFieldsWithHistory(): number { return this.numUserFields + this.numItemFields + (this.hasQuery ? 1 : 0) + 1; }

  /** [user id, user features...], each (n, dim). */
  userFields(users: Int32Array): Tensor[] {
    const out = [this.userId.forward(users)];
    this.userFeat.forEach((e, f) => out.push(e.forward(featureColumn(this.dataset.userFeatures, f, users))));
    return out;
  }

  /** [item id, item features...], each (n, dim). */
  itemFields(items: Int32Array): Tensor[] {
    const out = [this.itemId.forward(items)];
    this.itemFeat.forEach((e, f) => out.push(e.forward(featureColumn(this.dataset.itemFeatures, f, items))));
    return out;
  }

  /**
   * One vector per item: the sum of its id and attribute embeddings. Summing
   * (rather than concatenating) keeps behaviours and candidates at width dim,
   * which DIN's activation unit and history pooling rely on.
   */
  itemVector(items: Int32Array): Tensor {
    return this.itemFields(items).reduce((a, b) => add(a, b));
  }

  /** Query field (n, dim); -1 (no query) is row 0. */
  queryField(q: Int32Array): Tensor {
    if (!this.query) throw new Error('FieldEmbeddings: built without a query field');
    return this.query.forward(Int32Array.from(q, (x) => x + 1));
  }

  /** Every field of a batch in a fixed order: user fields, item fields, [query]. */
  batchFields(batch: Batch): Tensor[] {
    const out = [...this.userFields(batch.user), ...this.itemFields(batch.item)];
    if (this.query) out.push(this.queryField(batch.query));
    return out;
  }
}

/**
 * The valid (non-padding) history entries of a batch: entries ptr[b]..ptr[b+1]
 * belong to row b. items and row are padded past ptr[B] to a multiple of
 * FLAT_BUCKET by repeating real entries; no pooling matrix refers to the
 * padding. Padding keeps (T, d) tensor sizes to a few classes, because the
 * js/native array pools reuse storage by exact length only and a fresh
 * multi-megabyte array per step (T varies with every batch) cost more than
 * the arithmetic (15 ms vs 1 ms per add backward at T = 10k on native).
 */
export interface FlatHistory { items: Int32Array; ptr: Int32Array; row: Int32Array }

export const FLAT_BUCKET = 512;

export function flattenHistory(batch: Batch): FlatHistory {
  const B = batch.size, L = batch.maxLen;
  const ptr = new Int32Array(B + 1);
  for (let b = 0; b < B; b++) ptr[b + 1] = ptr[b] + Math.min(L, batch.historyLen[b]);
  const T = ptr[B], Tp = T === 0 ? 0 : Math.ceil(T / FLAT_BUCKET) * FLAT_BUCKET;
  const items = new Int32Array(Tp), row = new Int32Array(Tp);
  for (let b = 0; b < B; b++) {
    for (let j = 0, p = ptr[b]; p < ptr[b + 1]; j++) {
      const it = batch.history[b * L + j];
      if (it < 0) break;
      items[p] = it; row[p] = b; p++;
    }
  }
  for (let p = T; p < Tp; p++) { items[p] = items[p - T]; row[p] = row[p - T]; }
  return { items, ptr, row };
}

/**
 * Pooling matrix (B x T): row b holds ones (sum) or 1/len (mean) over row
 * b's entries.
 */
export function poolingMatrix(h: FlatHistory, mode: 'sum' | 'mean' = 'sum'): CsrMatrix {
  const B = h.ptr.length - 1, T = h.ptr[B];
  const col = new Int32Array(T), val = new Float32Array(T);
  for (let b = 0; b < B; b++) {
    const n = h.ptr[b + 1] - h.ptr[b];
    for (let p = h.ptr[b]; p < h.ptr[b + 1]; p++) { col[p] = p; val[p] = mode === 'mean' ? 1 / n : 1; }
  }
  const P = new CsrMatrix(B, Math.max(h.items.length, 1), h.ptr.slice(), col, val);
  // a matrix per batch: its backend-resident copies go with the step's scope (wasm memory is otherwise
  // returned only when the garbage collector runs finalisers, which a loop of fits never lets happen)
  let done = false;
  trackTensor({ dispose: () => { done = true; P.dispose(); }, get isDisposed() { return done; } });
  return P;
}

/** Sums rows of x (T, d) per batch row: (B, d); rows with an empty history get zeros. */
export function poolRows(h: FlatHistory, x: Tensor, mode: 'sum' | 'mean' = 'sum'): Tensor {
  return spmm(poolingMatrix(h, mode), x);
}

/** Pooled item vectors of each row's behaviour history: (B, dim). */
export function pooledHistory(fe: FieldEmbeddings, batch: Batch, mode: 'sum' | 'mean' = 'sum'): Tensor {
  const h = flattenHistory(batch);
  // an all-empty batch still needs a (1, dim) operand for the (B x 1) pooling matrix
  const items = h.items.length ? h.items : new Int32Array(1);
  return spmm(poolingMatrix(h, mode), fe.itemVector(items));
}
