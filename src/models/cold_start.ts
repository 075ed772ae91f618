/**
 * Cold start (DESIGN §4): a user with no history has no edges, so the GCN can
 * say nothing about them. Their representation is the mean GCN embedding of
 * the k nearest warm users by static features, compared in embedding space:
 * the model's learned static-field embeddings when it has them (dp-gcn), else
 * one-hot feature vectors (so gcn and d-gcn get it too). Cosine similarity;
 * ties go to the lower user id so the result is deterministic.
 */
import { UserError } from '../errors.js';
import type { GraphRecommender, EmbeddingTables } from './graph_models.js';

export interface ColdStartResult {
  /** The representation (dim). */
  vector: Float32Array;
  /** The neighbours it was averaged from, most similar first. */
  neighbours: Int32Array;
  similarities: Float32Array;
}

/** Static-feature vectors of every user, (U x width) row-major. */
function featureSpace(model: GraphRecommender): { width: number; x: Float32Array } {
  const ds = model.ctx.dataset, f = ds.userFeatures, F = f.names.length, U = ds.numUsers;
  if (F === 0) throw new UserError(`${ds.name}: cold start needs static user features and this data set has none`);
  const st = model.head.userStatic;
  if (st) {
    const d = model.dim, width = F * d, x = new Float32Array(U * width);
    st.tables.forEach((t, c) => {
      const w = t.weight.data;
      for (let u = 0; u < U; u++) x.set(w.subarray(f.values[u * F + c] * d, (f.values[u * F + c] + 1) * d), u * width + c * d);
    });
    return { width, x };
  }
  const off: number[] = [];
  let width = 0;
  for (const c of f.cardinalities) { off.push(width); width += c; }
  const x = new Float32Array(U * width);
  for (let u = 0; u < U; u++) for (let c = 0; c < F; c++) x[u * width + off[c] + f.values[u * F + c]] = 1;
  return { width, x };
}

/** Users with at least one training interaction (a node with edges). */
export function warmUsers(model: GraphRecommender): Uint8Array {
  const ui = model.graph.adj['user-item'], w = new Uint8Array(ui.rows);
  for (let u = 0; u < ui.rows; u++) w[u] = ui.rowPtr[u + 1] > ui.rowPtr[u] ? 1 : 0;
  return w;
}

/** The cold-start representation of `user` from its k nearest warm users. */
export function coldStartRepresentation(model: GraphRecommender, user: number, k = 10, tables?: EmbeddingTables): ColdStartResult {
  const U = model.ctx.dataset.numUsers;
  if (!(user >= 0 && user < U)) throw new UserError(`coldStart: user ${user} is outside [0, ${U})`);
  const { width, x } = featureSpace(model);
  const warm = warmUsers(model);
  const norm = (u: number) => { let s = 0; for (let j = 0; j < width; j++) s += x[u * width + j] ** 2; return Math.sqrt(s) || 1; };
  const nq = norm(user), cand: [number, number][] = [];
  for (let v = 0; v < U; v++) {
    if (!warm[v] || v === user) continue;
    let s = 0;
    for (let j = 0; j < width; j++) s += x[user * width + j] * x[v * width + j];
    cand.push([s / (nq * norm(v)), v]);
  }
  if (cand.length === 0) throw new UserError('coldStart: there are no warm users to borrow from');
  cand.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const top = cand.slice(0, Math.max(1, k));
  const tb = tables ?? model.tables(), d = model.dim, vector = new Float32Array(d);
  for (const [, v] of top) for (let j = 0; j < d; j++) vector[j] += tb.user[v * d + j] / top.length;
  return { vector, neighbours: Int32Array.from(top, (t) => t[1]), similarities: Float32Array.from(top, (t) => t[0]) };
}

/**
 * Gives every listed user (default: every user without training history) its
 * cold-start representation; the model then scores them with it. Returns the users patched.
 */
export function applyColdStart(model: GraphRecommender, k = 10, users?: ArrayLike<number>): number[] {
  const warm = warmUsers(model);
  const list = users ? Array.from(users) : Array.from({ length: warm.length }, (_, u) => u).filter((u) => !warm[u]);
  if (list.length === 0) return [];
  model.userOverride.clear();
  const tb = model.tables();
  for (const u of list) model.userOverride.set(u, coldStartRepresentation(model, u, k, tb).vector);
  return list;
}
