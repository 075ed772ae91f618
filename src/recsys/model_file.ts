/**
 * The model file (model file version 2): one checkpoint that holds all a
 * trained model needs to be evaluated and served with no data set on disk.
 *
 * meta: the recipe (model, config, protocol, seed), the data set's scalar
 * parts (ids, titles, query texts, vocabulary, feature names) and what serving
 * appended (feedback histories, added users and items, deleted and opted-out users).
 * tensors:
 *   param/<name>      the model's parameters (module.stateDict)
 *   ddpg/<name>       decision layer: actor, critic, both targets, both Adam states
 *   data/<name>       the data set's arrays (interactions, features, term CSRs, ...):
 *                     eval rebuilds the seed's split from them exactly as from the source
 *   train/<name>      the interactions the model was trained on (its graph, what each user has seen)
 *   graph/<rel>.<x>   every relation's CSR of the served graph, checked against the
 *                     rebuilt graph at load so a file never serves a different graph silently
 *   learner/<name>    learning while serving (meta.learner): the learning policy with its
 *                     critic, targets and optimiser states, the published actor, the replay
 *                     buffer and the held-out decisions
 *
 * Version 1 files (meta without fileVersion) named a data spec and rebuilt
 * everything from it; they load with an error that says how to convert them.
 */
import { UserError } from '../errors.js';
import { Rng } from '../tensor/rng.js';
import { CsrMatrix } from '../sparse/csr.js';
import type { CatFeatures, Dataset, Interactions, Oracle } from '../data/types.js';
import { parseSpec } from '../data/spec.js';
import { generateSynthetic } from '../data/synthetic.js';
import { MODEL_NAMES, type Model, type ModelConfig, type ModelName } from '../models/types.js';
import { createModel, isModelName } from '../models/registry.js';
import { deriveSeed, PROTOCOLS, type Protocol } from './split.js';
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { trimNativeHeap } from '../backend/native/index.js';
import { decodeCheckpoint, loadCheckpoint, saveCheckpoint, type CheckpointTensor, type TensorData } from './checkpoint.js';

export const MODEL_FILE_VERSION = 2;

/** Serving state appended after training (see Recommender). */
export interface ServedState {
  /** Events folded into histories: parallel arrays in tensors served/*. */
  events: number;
  /** Users whose data was erased (rows kept so ids stay dense). */
  deleted: number[];
  optedOut: number[];
  /** Users and items added at serving time (rows >= the trained counts), with what they were added with. */
  addedUsers: { id: string; features: Record<string, string | number> }[];
  addedItems: { id: string; title: string; attributes: Record<string, string | number> }[];
}

export interface ModelMeta {
  kind: 'dpgcn-model';
  fileVersion: number;
  model: ModelName;
  config: ModelConfig;
  dataSpec: string;
  protocol: Protocol;
  seed: number;
  /** Shape of the data it was trained on. */
  data: { users: number; items: number; interactions: number };
  trained: { epochs: number; bestEpoch: number; valAuc: number | null; valNdcg10?: number | null; refitEpochs?: number; trainSeconds: number };
  /**
   * Hyperparameters chosen on validation that are not parameters (FitResult.selected): EASE's lambda of
   * dp-gcn's item-item input, the closed-form models' value. The model is rebuilt with them.
   */
  selected?: Record<string, number>;
  /** The data set's non-array parts. */
  dataset: {
    name: string; numUsers: number; numItems: number; numQueries: number; numTerms: number;
    userIds: string[]; itemIds: string[]; itemTitles: string[]; queryText: string[]; vocab: string[];
    userFeatures: { names: string[]; cardinalities: number[] }; itemFeatures: { names: string[]; cardinalities: number[] };
    itemTerms: [number, number]; queryTerms: [number, number]; social: [number, number] | null;
  };
  /** Unix ms when this file was written (feedback newer than this is replayed on restart). */
  savedAt: number;
  served?: ServedState;
  /** The serving learner's plain state (its tensors are learner/*). */
  learner?: Record<string, unknown>;
}

/** The serving learner's state (src/recsys/serving_learner.ts): plain meta, and tensors stored under learner/. */
export interface SavedLearner { meta: Record<string, unknown>; tensors: Record<string, { shape: number[]; data: Float32Array }> }

/** Everything a model file holds, decoded. */
export interface ModelFile {
  meta: ModelMeta;
  ds: Dataset;
  train: Interactions;
  params: Record<string, { shape: number[]; data: Float32Array }>;
  ddpg: Record<string, { shape: number[]; data: Float32Array }> | null;
  /** served/* tensors (feedback events folded into histories). */
  served: { user: Int32Array; item: Int32Array; time: Float64Array; type: Int32Array } | null;
  /** graph/* tensors: the trained graph's CSRs, checked against the rebuilt graph. */
  graph: Record<string, CheckpointTensor>;
  /** learner/* tensors and meta.learner: learning while serving resumes from them. */
  learner: SavedLearner | null;
}

/** Models that carry a graph and a DDPG decision layer expose them under these names (graph_models.ts). */

const f32 = (t: CheckpointTensor | undefined, name: string, file: string): Float32Array => {
  if (!t || !(t.data instanceof Float32Array)) throw new UserError(`${file}: model file lacks float32 tensor ${name}`);
  return t.data;
};
const i32 = (t: CheckpointTensor | undefined, name: string, file: string): Int32Array => {
  if (!t || !(t.data instanceof Int32Array)) throw new UserError(`${file}: model file lacks int32 tensor ${name}`);
  return t.data;
};
const f64 = (t: CheckpointTensor | undefined, name: string, file: string): Float64Array => {
  if (!t || !(t.data instanceof Float64Array)) throw new UserError(`${file}: model file lacks float64 tensor ${name}`);
  return t.data;
};

function putInteractions(out: Record<string, CheckpointTensor>, prefix: string, it: Interactions): void {
  const put = (n: string, d: TensorData) => { out[`${prefix}/${n}`] = { shape: [d.length], data: d }; };
  put('user', it.user); put('item', it.item); put('time', it.time); put('query', it.query);
  if (it.rating) put('rating', it.rating);
}
function getInteractions(t: Record<string, CheckpointTensor>, prefix: string, file: string): Interactions {
  const user = i32(t[`${prefix}/user`], `${prefix}/user`, file);
  const r = t[`${prefix}/rating`];
  return { length: user.length, user, item: i32(t[`${prefix}/item`], `${prefix}/item`, file), time: f64(t[`${prefix}/time`], `${prefix}/time`, file),
    query: i32(t[`${prefix}/query`], `${prefix}/query`, file), rating: r ? f32(r, `${prefix}/rating`, file) : null };
}
function putCsr(out: Record<string, CheckpointTensor>, prefix: string, m: CsrMatrix): void {
  out[`${prefix}.rowPtr`] = { shape: [m.rowPtr.length], data: m.rowPtr };
  out[`${prefix}.colIdx`] = { shape: [m.colIdx.length], data: m.colIdx };
  out[`${prefix}.values`] = { shape: [m.values.length], data: m.values };
}
function getCsr(t: Record<string, CheckpointTensor>, prefix: string, rows: number, cols: number, file: string): CsrMatrix {
  return new CsrMatrix(rows, cols, i32(t[`${prefix}.rowPtr`], prefix, file), i32(t[`${prefix}.colIdx`], prefix, file), f32(t[`${prefix}.values`], prefix, file));
}
const feats = (f: CatFeatures) => ({ names: f.names, cardinalities: f.cardinalities });

export interface WriteOptions {
  meta: Omit<ModelMeta, 'kind' | 'fileVersion' | 'dataset' | 'savedAt' | 'data'> & { served?: ServedState };
  ds: Dataset;
  train: Interactions;
  model: Model;
  served?: ModelFile['served'] | null;
  learner?: SavedLearner | null;
}

/** Writes a model file atomically. */
export async function writeModelFile(file: string, o: WriteOptions): Promise<ModelMeta> {
  const { ds, model } = o;
  const meta: ModelMeta = {
    kind: 'dpgcn-model', fileVersion: MODEL_FILE_VERSION, ...o.meta,
    data: { users: ds.numUsers, items: ds.numItems, interactions: ds.interactions.length },
    dataset: {
      name: ds.name, numUsers: ds.numUsers, numItems: ds.numItems, numQueries: ds.numQueries, numTerms: ds.numTerms,
      userIds: ds.userIds, itemIds: ds.itemIds, itemTitles: ds.itemTitles, queryText: ds.queryText, vocab: ds.vocab,
      userFeatures: feats(ds.userFeatures), itemFeatures: feats(ds.itemFeatures),
      itemTerms: [ds.itemTerms.rows, ds.itemTerms.cols], queryTerms: [ds.queryTerms.rows, ds.queryTerms.cols],
      social: ds.social ? [ds.social.rows, ds.social.cols] : null,
    },
    savedAt: Date.now(),
    ...(o.learner ? { learner: o.learner.meta } : {}),
  };
  const t: Record<string, CheckpointTensor> = {};
  for (const [n, p] of Object.entries(model.module.stateDict())) t[`param/${n}`] = { shape: p.shape, data: p.data };
  const g = model;
  if (g.decision) for (const [n, p] of Object.entries(g.decision.ddpg.stateDict())) t[`ddpg/${n}`] = { shape: p.shape, data: p.data };
  if (g.graph) for (const [rel, m] of Object.entries(g.graph.adj)) putCsr(t, `graph/${rel}`, m);
  putInteractions(t, 'data/interactions', ds.interactions);
  putInteractions(t, 'train', o.train);
  t['data/userPtr'] = { shape: [ds.userPtr.length], data: ds.userPtr };
  t['data/userFeatures'] = { shape: [ds.userFeatures.values.length], data: ds.userFeatures.values };
  t['data/itemFeatures'] = { shape: [ds.itemFeatures.values.length], data: ds.itemFeatures.values };
  putCsr(t, 'data/itemTerms', ds.itemTerms);
  putCsr(t, 'data/queryTerms', ds.queryTerms);
  if (ds.social) putCsr(t, 'data/social', ds.social);
  if (ds.shownNegative) t['data/shownNegative'] = { shape: [ds.shownNegative.length], data: ds.shownNegative };
  // the synthetic market's true segments travel with the file (segment validity); its click model is regenerated from the spec
  if (ds.oracle) t['data/trueSegments'] = { shape: [ds.oracle.segments.length], data: ds.oracle.segments };
  if (o.served) {
    for (const [n, d] of Object.entries(o.served)) t[`served/${n}`] = { shape: [d.length], data: d };
  }
  if (o.learner) for (const [n, x] of Object.entries(o.learner.tensors)) t[`learner/${n}`] = { shape: x.shape, data: x.data };
  await saveCheckpoint(file, { meta, tensors: t });
  return meta;
}

function convertHint(m: Partial<ModelMeta>): string {
  const cmd = m.dataSpec && m.model ? `dpgcn train --data ${m.dataSpec} --model ${m.model} --seed ${m.seed ?? 1} --protocol ${m.protocol ?? 'dien'} --out FILE`
    : 'dpgcn train ... --out FILE';
  return `convert it by re-running \`${cmd}\` (the data set must be on disk once, for that run)`;
}

function checkMeta(raw: unknown, file: string): ModelMeta {
  const m = raw as Partial<ModelMeta> | null;
  if (!m || typeof m !== 'object' || m.kind !== 'dpgcn-model') throw new UserError(`${file}: not a dpgcn model file (meta.kind is not "dpgcn-model")`);
  if (m.fileVersion === undefined) {
    throw new UserError(`${file}: model file version 1 (it reads its data set from disk), this dpgcn reads version ${MODEL_FILE_VERSION}: ${convertHint(m)}`);
  }
  if (m.fileVersion !== MODEL_FILE_VERSION) {
    throw new UserError(`${file}: model file version ${m.fileVersion}, this dpgcn reads version ${MODEL_FILE_VERSION}${m.fileVersion < MODEL_FILE_VERSION ? `: ${convertHint(m)}` : ' (written by a newer dpgcn)'}`);
  }
  if (typeof m.model !== 'string' || !isModelName(m.model)) throw new UserError(`${file}: unknown model "${String(m.model)}" (known: ${MODEL_NAMES.join(', ')})`);
  if (!m.config || typeof m.seed !== 'number' || !m.dataset || !(PROTOCOLS as string[]).includes(String(m.protocol))) throw new UserError(`${file}: model file meta is incomplete`);
  return m as ModelMeta;
}

/**
 * The true segments stored in the file; click probabilities come from the
 * synthetic market regenerated from its spec (deterministic), on first use.
 */
function fileOracle(spec: string, segments: Int32Array): Oracle {
  let market: Oracle | null = null;
  return {
    segments,
    clickProb(user, item, time) {
      if (!market) {
        const p = parseSpec(spec);
        if (p.kind !== 'synthetic') throw new UserError(`${spec}: true click probabilities exist for synthetic markets only`);
        market = generateSynthetic(p.options).oracle!;
      }
      return market.clickProb(user, item, time);
    },
  };
}

/** Reads and checks a model file (no model built yet). */
export async function readModelFile(file: string): Promise<ModelFile> {
  const ck = await loadCheckpoint(file);
  const meta = checkMeta(ck.meta, file), t = ck.tensors, d = meta.dataset;
  const cat = (f: { names: string[]; cardinalities: number[] }, name: string): CatFeatures => ({ ...f, values: i32(t[name], name, file) });
  const ds: Dataset = {
    name: d.name, numUsers: d.numUsers, numItems: d.numItems, numQueries: d.numQueries, numTerms: d.numTerms,
    userIds: d.userIds, itemIds: d.itemIds, itemTitles: d.itemTitles, queryText: d.queryText, vocab: d.vocab,
    interactions: getInteractions(t, 'data/interactions', file), userPtr: i32(t['data/userPtr'], 'data/userPtr', file),
    userFeatures: cat(d.userFeatures, 'data/userFeatures'), itemFeatures: cat(d.itemFeatures, 'data/itemFeatures'),
    itemTerms: getCsr(t, 'data/itemTerms', d.itemTerms[0], d.itemTerms[1], file),
    queryTerms: getCsr(t, 'data/queryTerms', d.queryTerms[0], d.queryTerms[1], file),
    shownNegative: t['data/shownNegative'] ? i32(t['data/shownNegative'], 'data/shownNegative', file) : null,
    social: d.social ? getCsr(t, 'data/social', d.social[0], d.social[1], file) : null,
    oracle: t['data/trueSegments'] ? fileOracle(d.name, i32(t['data/trueSegments'], 'data/trueSegments', file)) : null,
  };
  if (ds.userIds.length !== ds.numUsers || ds.itemIds.length !== ds.numItems || ds.userPtr.length !== ds.numUsers + 1) {
    throw new UserError(`${file}: model file is inconsistent (id maps do not match the user and item counts)`);
  }
  const params: ModelFile['params'] = {}, ddpg: ModelFile['ddpg'] = {};
  for (const [n, x] of Object.entries(t)) {
    if (n.startsWith('param/')) params[n.slice(6)] = { shape: x.shape, data: f32(x, n, file) };
    else if (n.startsWith('ddpg/')) ddpg[n.slice(5)] = { shape: x.shape, data: f32(x, n, file) };
  }
  const served = t['served/user'] ? { user: i32(t['served/user'], 'served/user', file), item: i32(t['served/item'], 'served/item', file),
    time: f64(t['served/time'], 'served/time', file), type: i32(t['served/type'], 'served/type', file) } : null;
  const graph = Object.fromEntries(Object.entries(t).filter(([n]) => n.startsWith('graph/')));
  const lt: SavedLearner['tensors'] = {};
  for (const [n, x] of Object.entries(t)) if (n.startsWith('learner/')) lt[n.slice(8)] = { shape: x.shape, data: f32(x, n, file) };
  const learner = meta.learner ? { meta: meta.learner, tensors: lt } : null;
  return { meta, ds, train: getInteractions(t, 'train', file), params, ddpg: Object.keys(ddpg).length ? ddpg : null, served, graph, learner };
}

/** Builds the model a file describes on its own data (or `ds`/`train` given: a serving rebuild) and loads its state. */
export function buildFromFile(mf: ModelFile, file: string, over?: { ds?: Dataset; train?: Interactions; checkGraph?: boolean }): Model {
  const { meta } = mf, ds = over?.ds ?? mf.ds, train = over?.train ?? mf.train, sel = meta.selected ?? {};
  const config = sel.lambda !== undefined && meta.config.easeLambda === undefined ? { ...meta.config, easeLambda: sel.lambda } : meta.config;
  const model = createModel(meta.model, { dataset: ds, trainInteractions: train, config, rng: new Rng(deriveSeed(meta.seed, meta.model, 'init')) });
  try {
    model.module.loadStateDict(mf.params);
  } catch (e) {
    throw new UserError(`${file}: parameters do not fit a ${meta.model} model (${(e as Error).message})`);
  }
  // closed-form models (pop, ease) keep no parameters: refit with the selected value, deterministic from the training data
  const cf = model.closedForm;
  if (cf) cf.fit(sel[cf.hyper] ?? cf.initial);
  const g = model;
  if (g.decision && mf.ddpg) g.decision.ddpg.loadStateDict(mf.ddpg);
  if (g.graph && over?.checkGraph !== false && !over?.train) {
    const stored = mf.graph;
    for (const [rel, m] of Object.entries(g.graph.adj)) {
      const rp = stored[`graph/${rel}.rowPtr`]?.data, ci = stored[`graph/${rel}.colIdx`]?.data;
      if (!rp || !ci || !sameInts(rp, m.rowPtr) || !sameInts(ci, m.colIdx)) {
        throw new UserError(`${file}: the ${rel} graph rebuilt from the file differs from the one it was trained with (file damaged or written by another dpgcn)`);
      }
    }
  }
  return model;
}

function sameInts(a: TensorData, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Serving reads per request only the id maps, the histories and the scorer's
 * own tables. The file's copies of the parameters (the model holds its own),
 * the data set's interactions (evaluation's) and the graph CSRs (checked once,
 * at the first build) go back to disk here: each is re-read from the file on
 * first use (a rebuild after an erasure, a save) and then kept, so edits made
 * to them (an erasure zeroing a user's rows) stay. A file changed on disk
 * since the load is refused rather than read. Models with a decision layer or
 * a learner keep everything (policy swaps write into the parameters).
 */
export function parkModelFile(mf: ModelFile, file: string): void {
  if (mf.ddpg || mf.learner) return;
  const savedAt = mf.meta.savedAt;
  let tensors: Record<string, CheckpointTensor> | null = null;
  const reread = (what: string): Record<string, CheckpointTensor> => {
    if (!tensors) {
      let ck;
      try { ck = decodeCheckpoint<Partial<ModelMeta>>(readFileSync(file), file); } catch (e) {
        throw new UserError(`${file}: cannot re-read the model file for its ${what} (${(e as Error).message})`);
      }
      if (ck.meta.savedAt !== savedAt) throw new UserError(`${file}: the model file changed on disk since it was loaded; its ${what} cannot be re-read from it`);
      tensors = ck.tensors;
    }
    return tensors;
  };
  const lazy = <T>(obj: object, key: string, load: () => T) => {
    let v: T | null = null;
    Object.defineProperty(obj, key, { configurable: true, enumerable: true, get: () => (v ??= load()), set: (x: T) => { v = x; } });
  };
  lazy(mf, 'params', () => {
    const t = reread('parameters'), params: ModelFile['params'] = {};
    for (const [n, x] of Object.entries(t)) if (n.startsWith('param/')) params[n.slice(6)] = { shape: x.shape, data: f32(x, n, file) };
    return params;
  });
  lazy(mf.ds, 'interactions', () => getInteractions(reread('interactions'), 'data/interactions', file));
  mf.graph = {};
}

/**
 * One full garbage collection, once a served model is built, then the C
 * heap's free pages back to the OS: the arrays training-time code freed (the
 * file's tensors, propagation's pooled storage) are external memory that V8
 * frees only at a full collection, which an idle server may not run for a
 * long time, and glibc keeps freed pages mapped (about 400 MB at 100k items).
 */
export async function collectGarbage(): Promise<void> {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    // array buffers are swept concurrently after the collection
    await new Promise((r) => setTimeout(r, 100));
    gc();
  } catch { /* a runtime without it keeps the memory until its own collection */ }
  trimNativeHeap();
}

/** Reads a model file and builds its model: what `dpgcn eval` and `dpgcn recommend` need. */
export async function loadModelFile(file: string): Promise<ModelFile & { model: Model }> {
  const mf = await readModelFile(file);
  return { ...mf, model: buildFromFile(mf, file) };
}
