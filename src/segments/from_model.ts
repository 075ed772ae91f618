/**
 * SegmentInput from one of dpgcn's models. The representation is the model's
 * fused user vector: Model.servingTables().user where the model exposes its
 * factorised scorer (the two-tower contract), otherwise, for the graph models,
 * what their fusion head sees of a user: the GCN user vector beside the mean
 * of the user's static-field embeddings, each block scaled to unit total
 * variance so neither swamps the other in the distances. Scores are the
 * model's logits without a query and without the decision layer's adjustment.
 */
import { UserError } from '../errors.js';
import type { Dataset, Interactions } from '../data/types.js';
import type { Model, ServingTables } from '../models/types.js';
import { GraphRecommender } from '../models/graph_models.js';
import { tensor } from '../tensor/create.js';
import { tidy } from '../tensor/scope.js';
import { noGrad } from '../autograd/engine.js';
import { matmul } from '../autograd/ops/matmul.js';
import type { SegmentInput } from './types.js';
import { graphEmbedding } from './graph_embedding.js';
import { staticOneHot } from './baselines.js';

export interface Representation { users: Float32Array; dim: number; name: string }

/** Centres a block's columns and scales it to unit mean squared norm per row. */
export function unitBlock(x: Float32Array, n: number, d: number): Float32Array {
  const o = new Float32Array(n * d), mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) mean[t] += x[i * d + t] / n;
  let ss = 0;
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) { const v = x[i * d + t] - mean[t]; ss += v * v; }
  const s = ss > 0 ? Math.sqrt(n / ss) : 1;
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) o[i * d + t] = (x[i * d + t] - mean[t]) * s;
  return o;
}

/** Rows of a and b side by side. */
export function concatRows(a: Float32Array, da: number, b: Float32Array, db: number, n: number): Float32Array {
  const o = new Float32Array(n * (da + db));
  for (let i = 0; i < n; i++) { o.set(a.subarray(i * da, (i + 1) * da), i * (da + db)); o.set(b.subarray(i * db, (i + 1) * db), i * (da + db) + da); }
  return o;
}

/** Mean of each user's static-field embeddings (n x dim), or null without user features. */
function staticMean(m: GraphRecommender, n: number): Float32Array | null {
  const st = m.head.userStatic;
  if (!st) return null;
  const d = m.dim, out = new Float32Array(n * d), ids = Int32Array.from({ length: n }, (_, i) => i);
  st.tables.forEach((t, c) => {
    const col = st.column(c, ids), w = t.weight.data;
    for (let u = 0; u < n; u++) for (let k = 0; k < d; k++) out[u * d + k] += w[col[u] * d + k] / st.count;
  });
  return out;
}

export function userRepresentation(model: Model, n: number): Representation {
  if (model.servingTables) {
    const t = model.servingTables();
    return { users: t.user, dim: t.dim, name: `${model.name} fused user vector (servingTables)` };
  }
  if (!(model instanceof GraphRecommender)) {
    throw new UserError(`--model: a ${model.name} model has no user representation to segment (graph models and models with serving tables have one)`);
  }
  const d = model.dim, g = unitBlock(model.tables().user, n, d), s = staticMean(model, n);
  if (!s) return { users: g, dim: d, name: `${model.name} GCN user vector` };
  return { users: concatRows(g, d, unitBlock(s, n, d), d, n), dim: 2 * d, name: `${model.name} GCN user vector + static-field embeddings (unit-variance blocks)` };
}

/** Each user's training items (CSR over users) for the item-item term. */
function userItems(it: Interactions, n: number): { ptr: Int32Array; items: Int32Array } {
  const ptr = new Int32Array(n + 1);
  for (let r = 0; r < it.length; r++) ptr[it.user[r] + 1]++;
  for (let u = 0; u < n; u++) ptr[u + 1] += ptr[u];
  const fill = ptr.slice(0, n), items = new Int32Array(it.length);
  for (let r = 0; r < it.length; r++) items[fill[it.user[r]]++] = it.item[r];
  return { ptr, items };
}

/** Logits from a factorised scorer: U I^T + bias + the history's item-item weights. */
function tableScorer(t: ServingTables, nI: number, it: Interactions, n: number): (users: Int32Array) => Float32Array {
  const hist = t.itemItem ? userItems(it, n) : null;
  return (users) => {
    const B = users.length, d = t.dim, q = new Float32Array(B * d);
    users.forEach((u, b) => q.set(t.user.subarray(u * d, (u + 1) * d), b * d));
    const z = tidy(() => noGrad(() => matmul(tensor(q, [B, d]), tensor(t.item, [nI, d]), { transB: true }).data.slice()));
    for (let b = 0; b < B; b++) {
      const row = b * nI;
      if (t.itemBias) for (let i = 0; i < nI; i++) z[row + i] += t.itemBias[i];
      if (hist && t.itemItem) {
        const u = users[b], ii = t.itemItem;
        for (let p = hist.ptr[u]; p < hist.ptr[u + 1]; p++) {
          const j = hist.items[p];
          for (let e = ii.rowPtr[j]; e < ii.rowPtr[j + 1]; e++) z[row + ii.colIdx[e]] += ii.values[e];
        }
      }
    }
    return z;
  };
}

export function modelScorer(model: Model, ds: Dataset, it: Interactions): (users: Int32Array) => Float32Array {
  const nI = ds.numItems;
  if (model.servingTables) return tableScorer(model.servingTables(), nI, it, ds.numUsers);
  if (!(model instanceof GraphRecommender)) throw new UserError(`--model: a ${model.name} model cannot be scored for segments`);
  const tb = model.tables(), items = Int32Array.from({ length: nI }, (_, i) => i);
  // the head's pairwise inner products hold one copy of a batch's rows per field pair: a few thousand
  // rows at a time keep that in cache instead of hundreds of MB per call
  const CHUNK = 4096;
  return (users) => {
    const B = users.length, out = new Float32Array(B * nI), u = new Int32Array(B * nI), i = new Int32Array(B * nI);
    for (let b = 0; b < B; b++) { u.fill(users[b], b * nI, (b + 1) * nI); i.set(items, b * nI); }
    for (let r0 = 0; r0 < B * nI; r0 += CHUNK) {
      const r1 = Math.min(B * nI, r0 + CHUNK);
      out.set(model.logitsFromTables(tb, u.subarray(r0, r1), i.subarray(r0, r1), new Int32Array(r1 - r0).fill(-1)), r0);
    }
    return out;
  };
}

/** Each user's training interactions split into their chronological first and second halves. */
export function userHalves(it: Interactions, n: number): [Interactions, Interactions] {
  const count = new Int32Array(n);
  for (let r = 0; r < it.length; r++) count[it.user[r]]++;
  const seen = new Int32Array(n), early: number[] = [], late: number[] = [];
  // interactions are sorted by (user, time), so the running count is the rank in time
  for (let r = 0; r < it.length; r++) {
    const u = it.user[r];
    (seen[u]++ < Math.floor(count[u] / 2) ? early : late).push(r);
  }
  const pick = (rows: number[]): Interactions => ({
    length: rows.length, user: Int32Array.from(rows, (r) => it.user[r]), item: Int32Array.from(rows, (r) => it.item[r]),
    time: Float64Array.from(rows, (r) => it.time[r]), rating: it.rating ? Float32Array.from(rows, (r) => it.rating![r]) : null,
    query: Int32Array.from(rows, (r) => it.query[r]),
  });
  return [pick(early), pick(late)];
}

export interface FromModelOptions {
  /** Rebuilds the model (same parameters) on another interaction set, for the time windows; absent: no window stability. */
  rebuild?: (interactions: Interactions) => Model;
  /** Also consider the interaction graph's embedding with the static features (default true): the higher silhouette is used. */
  graph?: boolean;
}

/**
 * The interaction graph's spectral embedding (graph_embedding.ts) beside the
 * one-hot static features, each block scaled to unit total variance: a
 * representation that needs no trained parameter, so the segments do not
 * depend on the protocol the model was trained with.
 */
export function graphStaticRepresentation(ds: Dataset, it: Interactions, components = GRAPH_COMPONENTS): { users: Float32Array; dim: number; name: string } {
  const n = ds.numUsers, g = graphEmbedding(it, n, ds.numItems, components);
  const gu = unitBlock(g.users, n, g.dim);
  if (ds.userFeatures.names.length === 0) return { users: gu, dim: g.dim, name: `interaction-graph spectral embedding (${g.dim} dims)` };
  const st = staticOneHot(ds);
  return { users: concatRows(gu, g.dim, unitBlock(st.data, n, st.d), st.d, n), dim: g.dim + st.d,
    name: `interaction-graph spectral embedding (${g.dim} dims) + static features (unit-variance blocks)` };
}

/** Leading singular directions of the interaction graph kept (the trivial one dropped): 7 dimensions. */
export const GRAPH_COMPONENTS = 8;

export function segmentInputFromModel(model: Model, ds: Dataset, interactions: Interactions, opts: FromModelOptions = {}): SegmentInput {
  const rep = userRepresentation(model, ds.numUsers);
  const input: SegmentInput = { dataset: ds, interactions, users: rep.users, dim: rep.dim, representation: rep.name, scoreUsers: modelScorer(model, ds, interactions) };
  const [a, b] = userHalves(interactions, ds.numUsers);
  if (opts.rebuild) {
    const of = (w: Interactions) => { const m = opts.rebuild!(w); try { return userRepresentation(m, ds.numUsers).users; } finally { m.dispose?.(); } };
    input.windows = { early: of(a), late: of(b), description: "the same parameters propagated over each user's first and second half of training interactions (by time)" };
  }
  if (opts.graph !== false) {
    const g = graphStaticRepresentation(ds, interactions);
    input.alternatives = [{ users: g.users, dim: g.dim, representation: g.name,
      windows: { early: graphStaticRepresentation(ds, a).users, late: graphStaticRepresentation(ds, b).users, description: "the embedding of each user's first and second half of training interactions (by time)" } }];
  }
  return input;
}
