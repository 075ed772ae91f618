/**
 * Segments as a server holds them (GET /segments, GET /users/:id/segment):
 * the result of segmentUsers reduced to what serving needs, written by
 * `dpgcn segments --out FILE` or computed from the model file at start.
 *
 * A user of the model is in the segment k-means gave it, at its distance to
 * the centroid. A user added at run time has no row in the representation:
 * it gets the mean representation of the training users that share the most
 * of its static features (all users without features), the same fold-in
 * the Recommender uses for its scores (recsys/cold_start.ts), and the
 * nearest centroid.
 */
import * as fs from 'node:fs';
import { UserError } from '../errors.js';
import type { CatFeatures } from '../data/types.js';
import { featureNeighbours } from './cold_start.js';
import { loadModelFile } from './model_file.js';
import { segmentInputFromModel } from '../segments/from_model.js';
import { segmentUsers } from '../segments/segment_users.js';
import { sqDistances } from '../segments/distance.js';
import { headerLines, profileLine, targetingLine } from '../segments/summary.js';
import type { SegmentInput, SegmentsResult } from '../segments/types.js';

export interface ServedSegmentsFile {
  format: 'dpgcn-segments-1';
  /** The model file's version (model-savedAt) the segments were computed from. */
  modelVersion: string;
  representation: string;
  k: number;
  dim: number;
  header: string[];
  segments: { id: number; size: number; share: number; profile: string; targeting: string; expectedCtr: number; populationExpectedCtr: number;
    topCategories: string[]; targets: { item: string; lift: number }[] }[];
  userIds: string[];
  labels: number[];
  /** Float32 rows, base64: centroids (k x dim) and users (n x dim). */
  centroids: string;
  users: string;
  userFeatures: { names: string[]; cardinalities: number[]; values: string };
}

const b64 = (x: Float32Array | Int32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64');
function fromB64<T extends Float32Array | Int32Array>(s: string, C: new (b: ArrayBuffer) => T): T {
  const b = Buffer.from(s, 'base64'), ab = new ArrayBuffer(b.byteLength);
  new Uint8Array(ab).set(b);
  return new C(ab);
}

/** The representation segmentUsers used (the input's own or one of its alternatives). */
export function chosenRepresentation(input: SegmentInput, r: SegmentsResult): { users: Float32Array; dim: number } {
  const c = [{ users: input.users, dim: input.dim, representation: input.representation }, ...(input.alternatives ?? [])].find((x) => x.representation === r.representation);
  if (!c) throw new Error(`segments: no representation named "${r.representation}" in the input`);
  return c;
}

export function servedSegmentsFile(r: SegmentsResult, input: SegmentInput, userIds: string[], uf: CatFeatures, modelVersion: string): ServedSegmentsFile {
  const { users, dim } = chosenRepresentation(input, r);
  return {
    format: 'dpgcn-segments-1', modelVersion, representation: r.representation, k: r.k, dim, header: headerLines(r),
    segments: r.segments.map((s) => ({ id: s.id, size: s.size, share: s.share, profile: profileLine(s), targeting: targetingLine(s),
      expectedCtr: s.profile.expectedCtr, populationExpectedCtr: s.profile.populationExpectedCtr,
      topCategories: s.topCategories.slice(0, 3).map((c) => c.label), targets: s.targets.items.slice(0, 3).map((t) => ({ item: t.item, lift: t.lift })) })),
    userIds, labels: Array.from(r.labels), centroids: b64(r.centroids), users: b64(users),
    userFeatures: { names: uf.names, cardinalities: uf.cardinalities, values: b64(uf.values) },
  };
}

export interface Assignment { user: string; segment: number; distance: number; assigned: 'k-means' | 'nearest centroid' }

export class ServedSegments {
  private readonly row = new Map<string, number>();
  private readonly centroids: Float32Array;
  private readonly users: Float32Array;
  private readonly uf: CatFeatures;
  private readonly cache = new Map<string, Assignment>();

  constructor(readonly file: ServedSegmentsFile) {
    file.userIds.forEach((id, u) => this.row.set(id, u));
    this.centroids = fromB64(file.centroids, Float32Array);
    this.users = fromB64(file.users, Float32Array);
    this.uf = { names: file.userFeatures.names, cardinalities: file.userFeatures.cardinalities, values: fromB64(file.userFeatures.values, Int32Array) };
    if (this.users.length !== file.userIds.length * file.dim || this.centroids.length !== file.k * file.dim) throw new UserError('segments: the file\'s vectors do not match its users, k and dim');
  }

  static read(path: string): ServedSegments {
    let f: ServedSegmentsFile;
    try { f = JSON.parse(fs.readFileSync(path, 'utf8')) as ServedSegmentsFile; } catch (e) { throw new UserError(`--segments ${path}: cannot read it (${(e as Error).message})`); }
    if (f?.format !== 'dpgcn-segments-1') throw new UserError(`--segments ${path}: not a segments file (write one with dpgcn segments --out FILE)`);
    return new ServedSegments(f);
  }

  /** GET /segments. */
  list(): Record<string, unknown> {
    const f = this.file;
    return { k: f.k, users: f.userIds.length, representation: f.representation, modelVersion: f.modelVersion, header: f.header, segments: f.segments };
  }

  private nearest(v: Float32Array): { segment: number; distance: number } {
    const d2 = sqDistances(v, 1, this.centroids, this.file.k, this.file.dim);
    let best = 0;
    for (let j = 1; j < this.file.k; j++) if (d2[j] < d2[best]) best = j;
    return { segment: best, distance: Math.sqrt(d2[best]) };
  }

  /**
   * A user's segment: a user of the segmented model by its label; an added
   * user (features: the index per feature name it was added with) by its
   * fold-in representation's nearest centroid. null: not a user of the file
   * and no features given (the caller knows whether the user exists).
   */
  assign(user: string, added: Record<string, number> | null): Assignment | null {
    const u = this.row.get(user), D = this.file.dim;
    if (u !== undefined) {
      const seg = this.file.labels[u];
      const d2 = sqDistances(this.users.subarray(u * D, (u + 1) * D), 1, this.centroids.subarray(seg * D, (seg + 1) * D), 1, D);
      return { user, segment: seg, distance: Math.sqrt(d2[0]), assigned: 'k-means' };
    }
    if (!added) return null;
    const key = `${user}\u0000${JSON.stringify(added)}`, hit = this.cache.get(key);
    if (hit) return hit;
    const q = new Int32Array(this.uf.names.length).fill(-1);
    this.uf.names.forEach((n, c) => { if (typeof added[n] === 'number') q[c] = added[n]; });
    const n = this.file.userIds.length;
    let nb = featureNeighbours(this.uf, n, q, () => true);
    if (nb.length === 0) nb = Array.from({ length: n }, (_, r) => r);
    const v = new Float32Array(D);
    for (const r of nb) for (let j = 0; j < D; j++) v[j] += this.users[r * D + j] / nb.length;
    const a: Assignment = { user, ...this.nearest(v), assigned: 'nearest centroid' };
    this.cache.set(key, a);
    return a;
  }
}

/** Segments computed from a model file now (a server started with segments 'compute'; dpgcn segments --out). */
export async function computeServedSegments(modelPath: string, o: { k?: number | 'auto'; seed?: number } = {}): Promise<{ result: SegmentsResult; file: ServedSegmentsFile }> {
  const mf = await loadModelFile(modelPath);
  const { ds, model } = mf;
  try {
    const input = segmentInputFromModel(model, ds, mf.train);
    const result = segmentUsers(input, { k: o.k ?? 'auto', seed: o.seed ?? 1 });
    return { result, file: servedSegmentsFile(result, input, ds.userIds, ds.userFeatures, `${mf.meta.model}-${mf.meta.savedAt}`) };
  } finally { model.dispose?.(); }
}
