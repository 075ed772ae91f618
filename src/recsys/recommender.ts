/**
 * The recommender as a library: a model file loaded once (propagation at
 * load), then per-request scoring of one user against the item table, user
 * histories updated by feedback, cold-start users and items, and the privacy
 * operations. Ids are the data set's external strings; rows stay dense (an
 * erased user keeps its row, emptied, so nothing else moves).
 */
import { UserError } from '../errors.js';
import type { Dataset, Interactions } from '../data/types.js';
import type { Model } from '../models/types.js';
import { featureNeighbours, parseFeatures } from './cold_start.js';
import { TableScorer, chooseScorer, type Scorer, type ScoreContext, type TopK } from './scorer.js';
import type { WebTables } from './web_bundle.js';
import { currentBackend } from '../backend/registry.js';
import { buildFromFile, collectGarbage, parkModelFile, readModelFile, writeModelFile, type ModelFile, type ModelMeta, type ServedState } from './model_file.js';
import { dropUsers, popularity, recount, userHistories } from './histories.js';
import { servedPolicy, type PolicyCore, type Weights } from './learner.js';
import type { SavedLearner } from './model_file.js';
import { suggestQueries } from './suggest.js';

export class NotFoundError extends UserError {
  constructor(readonly field: string, message: string) { super(message); }
}

export type FeedbackType = 'click' | 'impression' | 'purchase';
export const FEEDBACK_TYPES: FeedbackType[] = ['click', 'impression', 'purchase'];
export interface FeedbackEvent { user: string; item: string; type: FeedbackType; time?: number; decisionId?: string | null }
/** seen: also recommend items the user interacted with (default false: they are excluded). */
export interface RecommendOptions { k?: number; exclude?: string[]; query?: string; explain?: boolean; seen?: boolean }
export interface Recommendation { item: string; score: number; title: string; explain?: Record<string, unknown> }
export interface FeedbackResult { accepted: number; discarded: number; applied: FeedbackEvent[] }
export const MAX_K = 1000;
/** See Recommender.decide: request index, decision state, the user's last items -> the action to score with. */
export type ActHook = (request: number, state: Float32Array | null, history: string[]) => Float32Array | null;

/** What a Recommender is made of; `rebuild` builds the model again on other training interactions (deleteUser). */
export interface RecommenderParts {
  file: ModelFile;
  model: Model;
  rebuild(train: Interactions): Model;
}

const TYPE_CODE: Record<FeedbackType, number> = { click: 0, impression: 1, purchase: 2 };

export class Recommender {
  private model: Model;
  private release: (() => void) | null = null;
  private scorer!: Scorer;
  private readonly userRow = new Map<string, number>();
  private readonly itemRow = new Map<string, number>();
  private readonly queryRow = new Map<string, number>();
  private readonly itemIds: string[];
  private readonly titles: string[];
  private readonly userIds: string[];
  private readonly histories: number[][];
  private readonly deleted = new Set<number>();
  private readonly optedOut = new Set<number>();
  private readonly addedUsers: ServedState['addedUsers'] = [];
  private readonly addedItems: ServedState['addedItems'] = [];
  private readonly addedUserFeatures: Int32Array[] = [];
  private readonly addedItemFeatures: Int32Array[] = [];
  private served: { user: number[]; item: number[]; time: number[]; type: number[] } = { user: [], item: [], time: [], type: [] };
  private popular: Int32Array;
  /** Identifies the model (and its file) behind every answer. */
  readonly modelVersion: string;

  private constructor(private readonly parts: RecommenderParts) {
    const { file } = parts, ds = file.ds;
    this.model = parts.model;
    this.modelVersion = `${file.meta.model}-${file.meta.savedAt}`;
    this.userIds = ds.userIds.slice(); this.itemIds = ds.itemIds.slice(); this.titles = ds.itemTitles.slice();
    this.userIds.forEach((id, u) => this.userRow.set(id, u));
    this.itemIds.forEach((id, i) => this.itemRow.set(id, i));
    ds.queryText.forEach((q, i) => { if (!this.queryRow.has(q)) this.queryRow.set(q, i); });
    this.histories = userHistories(file.train, ds.numUsers);
    this.popular = popularity(file.train, ds.numItems);
    this.prepare();
    const st = file.meta.served;
    if (st) {
      // an erased added user keeps its row (id ''), so later rows keep their numbers
      st.addedUsers.forEach((a, n) => this.addUser(a.id || `\u0000erased:${n}`, a.features));
      for (const a of st.addedItems) this.addItem(a.id, { title: a.title, ...a.attributes });
      for (const u of st.deleted) {
        this.deleted.add(u); this.userRow.delete(this.userIds[u]); this.userIds[u] = '';
        if (u >= ds.numUsers) this.addedUsers[u - ds.numUsers].id = '';
      }
      for (const u of st.optedOut) this.optedOut.add(u);
    }
    if (file.served) {
      const s = file.served;
      for (let k = 0; k < s.user.length; k++) this.applyEvent(s.user[k], s.item[k], s.type[k], s.time[k]);
    }
  }

  /** Loads a model file (version 2) and propagates once. */
  static async load(file: string): Promise<Recommender> {
    const mf = await readModelFile(file);
    const model = buildFromFile(mf, file);
    parkModelFile(mf, file);
    const rec = new Recommender({ file: mf, model, rebuild: (train) => buildFromFile(mf, file, { train }) });
    await collectGarbage();
    return rec;
  }

  /** From parts in memory (a custom model, tests). */
  static fromParts(parts: RecommenderParts): Recommender { return new Recommender(parts); }

  get meta(): ModelMeta { return this.parts.file.meta; }
  /** The learner state the model file was saved with (null: none). */
  get savedLearner(): SavedLearner | null { return this.parts.file.learner; }
  /** 'tables' (factorised fast path), 'items' (the model's own scoreItems per request) or 'forward' (every candidate through the model). */
  get scoring(): 'tables' | 'items' | 'forward' { return this.scorer.kind; }
  get numItems(): number { return this.itemIds.length; }
  get numUsers(): number { return this.userIds.length - this.deleted.size; }
  /** Bytes of item table one request reads (fast path; null for the forward path). */
  get tableBytes(): number | null { return this.scorer instanceof TableScorer ? this.scorer.tableBytes : null; }

  /** Freezes the model and builds the scorer for it. */
  private prepare(): void {
    const ds = this.parts.file.ds, L = this.meta.config.maxLen;
    if (this.scorer instanceof TableScorer) this.scorer.dispose();
    this.release = this.model.freeze?.() ?? null;
    this.scorer = chooseScorer(this.model, ds.numUsers, ds.numItems, L);
    // the table scorer copied what it reads: without a decision layer the model's frozen tables need not stay resident
    if (this.scorer instanceof TableScorer && !this.model.decision) { this.release?.(); this.release = null; }
    // propagation's freed storage is pooled for reuse by training; serving does not reuse it (300 MB at 100k items)
    currentBackend().releaseIdle?.();
  }

  /** Releases the model's frozen tables and backend memory. */
  close(): void {
    if (this.scorer instanceof TableScorer) this.scorer.dispose();
    this.release?.(); this.release = null;
    this.model.dispose?.();
  }

  hasUser(id: string): boolean { return this.userRow.has(id); }
  hasItem(id: string): boolean { return this.itemRow.has(id); }
  isOptedOut(id: string): boolean { const u = this.userRow.get(id); return u !== undefined && this.optedOut.has(u); }

  private user(id: string, field = 'user'): number {
    const u = this.userRow.get(id);
    if (u === undefined) throw new NotFoundError(field, `${field}: unknown user "${id}"`);
    return u;
  }
  private item(id: string, field = 'item'): number {
    const i = this.itemRow.get(id);
    if (i === undefined) throw new NotFoundError(field, `${field}: unknown item "${id}"`);
    return i;
  }

  /** The scoring request of a recommend call (validated); null for an opted-out user (non-personalised). */
  private context(user: string, o: RecommendOptions): ScoreContext | null {
    const k = o.k ?? 10;
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new UserError(`k: expected an integer in [1, ${MAX_K}], got ${k}`);
    const u = this.user(user);
    const exclude = new Uint8Array(this.numItems);
    for (const id of o.exclude ?? []) exclude[this.item(id, 'exclude')] = 1;
    let query = -1;
    if (o.query !== undefined && o.query !== '') {
      const q = this.queryRow.get(o.query);
      if (q === undefined) throw new NotFoundError('query', `query: unknown query "${o.query}"`);
      query = q;
    }
    if (this.optedOut.has(u)) return null;
    const h = this.histories[u];
    if (!o.seen) for (const i of h) exclude[i] = 1;
    return { user: u, history: h, exclude, k, query, time: Date.now() / 1000 };
  }

  private answer(c: ScoreContext, top: TopK, explain: boolean): Recommendation[] {
    return Array.from(top.items, (i, r) => ({ item: this.itemIds[i], score: +top.scores[r].toFixed(6), title: this.titles[i] ?? '',
      ...(explain ? { explain: { scoring: this.scorer.kind, historyLength: c.history.length, rank: r + 1 } } : {}) }));
  }

  private nonPersonal(o: RecommendOptions): Recommendation[] {
    const k = o.k ?? 10, ex = new Set((o.exclude ?? []).map((id) => this.itemRow.get(id)));
    const out: Recommendation[] = [];
    for (const i of this.popular) {
      if (out.length >= k) break;
      if (!ex.has(i)) out.push({ item: this.itemIds[i], score: 0, title: this.titles[i] ?? '', ...(o.explain ? { explain: { scoring: 'popularity', optedOut: true } } : {}) });
    }
    return out;
  }

  /** Top-k items the user has not interacted with, best first. */
  recommend(user: string, o: RecommendOptions = {}): Recommendation[] {
    const c = this.context(user, o);
    if (!c) return this.nonPersonal(o);
    return this.answer(c, this.scorer.topK(c), !!o.explain);
  }

  /** Many recommend calls scored together (one pass over the item table for all); errors are returned per request. */
  recommendMany(reqs: { user: string; options?: RecommendOptions }[]): (Recommendation[] | Error)[] { return this.decide(reqs, null); }

  /**
   * recommendMany with a policy hook: for each personalised request, act(user, state, history) is given
   * the decision layer's state (null without one) and the user's last items, and may return the action
   * to score with (exploration). Opted-out users never reach act.
   */
  decide(reqs: { user: string; options?: RecommendOptions }[], act: ActHook | null): (Recommendation[] | Error)[] {
    const out: (Recommendation[] | Error)[] = new Array(reqs.length);
    const ctx: ScoreContext[] = [], at: number[] = [];
    reqs.forEach((r, j) => {
      try {
        const c = this.context(r.user, r.options ?? {});
        if (c && act) c.action = act(j, this.scorer.decisionState(c), Array.from(c.history).slice(-10).map((i) => this.itemIds[i])) ?? undefined;
        if (c) { ctx.push(c); at.push(j); } else out[j] = this.nonPersonal(r.options ?? {});
      } catch (e) { out[j] = e as Error; }
    });
    if (ctx.length) this.scorer.topKBatch(ctx).forEach((t, n) => { out[at[n]] = this.answer(ctx[n], t, !!reqs[at[n]].options?.explain); });
    return out;
  }

  /** Queries for the user (see suggest.ts). */
  suggestQueries(user: string, k = 10): { query: string; score: number }[] {
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new UserError(`k: expected an integer in [1, ${MAX_K}], got ${k}`);
    const u = this.user(user);
    if (this.optedOut.has(u)) return [];
    return suggestQueries(this.scorer, this.parts.file.train, this.parts.file.ds, u, this.histories[u], this.numItems, k);
  }

  private applyEvent(u: number, i: number, type: number, time: number): void {
    if (type !== TYPE_CODE.impression) this.histories[u].push(i);
    this.served.user.push(u); this.served.item.push(i); this.served.type.push(type); this.served.time.push(time);
  }

  /** Validates every event first (nothing is applied if one is bad); opted-out users' events are discarded. */
  feedback(events: FeedbackEvent[]): FeedbackResult {
    const rows = events.map((e, n) => {
      if (!(e.type in TYPE_CODE)) throw new UserError(`events[${n}].type: expected one of ${FEEDBACK_TYPES.join(', ')}, got ${JSON.stringify(e.type)}`);
      if (e.time !== undefined && !(typeof e.time === 'number' && Number.isFinite(e.time))) throw new UserError(`events[${n}].time: expected a number of seconds`);
      return { u: this.user(e.user, `events[${n}].user`), i: this.item(e.item, `events[${n}].item`), e };
    });
    const applied: FeedbackEvent[] = [];
    for (const r of rows) {
      if (this.optedOut.has(r.u)) continue;
      const time = r.e.time ?? Date.now() / 1000;
      this.applyEvent(r.u, r.i, TYPE_CODE[r.e.type], time);
      applied.push({ ...r.e, time });
    }
    return { accepted: applied.length, discarded: rows.length - applied.length, applied };
  }

  /** A user without retraining: the mean representation of the nearest users by static features. Returns false if it existed. */
  addUser(id: string, features: Record<string, string | number> = {}): boolean {
    if (typeof id !== 'string' || id === '') throw new UserError('user: expected a non-empty id');
    if (this.userRow.has(id)) return false;
    const q = parseFeatures(this.parts.file.ds.userFeatures, features, 'features');
    const u = this.addUserRow(q);
    if (u !== this.userIds.length) throw new Error('addUser: scorer and id map out of step');
    this.userIds.push(id); this.userRow.set(id, u); this.histories.push([]);
    this.addedUsers.push({ id, features }); this.addedUserFeatures.push(q);
    return true;
  }

  /** The scorer row of an added user: the mean vector of its nearest warm users (all warm users without features). */
  private addUserRow(q: Int32Array): number { const f = this.foldIn(q); return this.scorer.addUser(f.vec, f.nb[0] ?? 0); }
  private foldIn(q: Int32Array): { vec: Float32Array | null; nb: number[] } {
    const ds = this.parts.file.ds, f = ds.userFeatures;
    const warm = (r: number) => r < ds.numUsers && this.histories[r].length > 0 && !this.deleted.has(r);
    let nb = featureNeighbours(f, ds.numUsers, q, warm);
    if (nb.length === 0) nb = Array.from({ length: ds.numUsers }, (_, r) => r).filter(warm);
    let vec: Float32Array | null = null;
    for (const r of nb) {
      const v = this.scorer.userVector(r);
      if (!v) break;
      vec ??= new Float32Array(v.length);
      for (let j = 0; j < v.length; j++) vec[j] += v[j] / nb.length;
    }
    return { vec, nb };
  }

  /** The web export's inputs (null unless scoring is the plain tables path): a visitor is a user added now without features. */
  webTables(): WebTables | null {
    const s = this.scorer;
    if (!(s instanceof TableScorer) || s.width !== s.dim + 1) return null;
    const visitor = new Float32Array(s.width).fill(1, s.dim);
    visitor.set(this.foldIn(new Int32Array(this.parts.file.ds.userFeatures.names.length).fill(-1)).vec ?? []);
    return { ...s.rows(), query: visitor, itemIds: this.itemIds.slice(), titles: this.titles.slice(), popular: this.popular.slice() };
  }

  /** An item without retraining: the mean of the items sharing its static features (all items if none given). */
  addItem(id: string, attributes: Record<string, string | number> = {}): boolean {
    if (typeof id !== 'string' || id === '') throw new UserError('item: expected a non-empty id');
    if (this.itemRow.has(id)) return false;
    const ds = this.parts.file.ds, f = ds.itemFeatures;
    if (attributes.title !== undefined && typeof attributes.title !== 'string') throw new UserError('attributes.title: expected a string');
    const q = parseFeatures(f, attributes, 'attributes', ['title']);
    const i = this.scorer.addItem(featureNeighbours(f, ds.numItems, q, () => true));
    if (i !== this.itemIds.length) throw new Error('addItem: scorer and id map out of step');
    const title = String(attributes.title ?? '');
    this.itemIds.push(id); this.titles.push(title); this.itemRow.set(id, i);
    const rest = { ...attributes }; delete rest.title;
    this.addedItems.push({ id, title, attributes: rest }); this.addedItemFeatures.push(q);
    return true;
  }

  /** Everything held about the user (an access request). */
  exportUser(id: string): Record<string, unknown> {
    const u = this.user(id), ds = this.parts.file.ds, F = ds.userFeatures.names.length;
    const feats: Record<string, number> = {};
    const vals = u < ds.numUsers ? ds.userFeatures.values.subarray(u * F, (u + 1) * F) : this.addedUserFeatures[u - ds.numUsers];
    ds.userFeatures.names.forEach((n, c) => { if (vals[c] >= 0) feats[n] = vals[c]; });
    const tr = this.parts.file.train, training: { item: string; time: number }[] = [];
    for (let n = 0; n < tr.length; n++) if (tr.user[n] === u) training.push({ item: this.itemIds[tr.item[n]], time: tr.time[n] });
    const s = this.served, fb: { item: string; type: FeedbackType; time: number }[] = [];
    for (let n = 0; n < s.user.length; n++) if (s.user[n] === u) fb.push({ item: this.itemIds[s.item[n]], type: FEEDBACK_TYPES[s.type[n]], time: s.time[n] });
    return { user: id, features: feats, optedOut: this.optedOut.has(u), added: u >= ds.numUsers, training, feedback: fb };
  }

  /** Non-personalised recommendations from now on, and no more of the user's feedback kept. */
  optOut(id: string): void { this.optedOut.add(this.user(id)); }

  /**
   * Erases the user: history, feedback, features and their edges in the
   * served graph. The model is rebuilt on the training interactions without
   * them (graph models propagate again), with the user's parameter rows zeroed.
   */
  deleteUser(id: string): void { this.deleteUsers([id]); }

  /** deleteUser for many users with one rebuild of the model. */
  deleteUsers(ids: string[]): void {
    const file = this.parts.file, ds = file.ds;
    const rows = [...new Set(ids.map((id) => this.user(id)))];
    const trained = rows.filter((u) => u < ds.numUsers);
    if (trained.length) {
      const gone = new Set(trained), F = ds.userFeatures.names.length;
      file.train = dropUsers(file.train, gone).it;
      const drop = dropUsers(ds.interactions, gone, ds.shownNegative);
      ds.interactions = drop.it; ds.shownNegative = drop.aligned;
      ds.userPtr = recount(drop.it, ds.numUsers);
      for (const u of trained) {
        ds.userFeatures.values.fill(0, u * F, (u + 1) * F);
        for (const p of Object.values(file.params)) if (p.shape[0] === ds.numUsers && p.shape.length === 2) p.data.fill(0, u * p.shape[1], (u + 1) * p.shape[1]);
      }
      this.release?.(); this.model.dispose?.();
      this.model = this.parts.rebuild(file.train);
      this.popular = popularity(file.train, ds.numItems);
      this.prepare();
      // the new scorer gets the added rows again, in their order (their ids are mapped already)
      for (const q of this.addedUserFeatures) this.addUserRow(q);
      for (const q of this.addedItemFeatures) this.scorer.addItem(featureNeighbours(ds.itemFeatures, ds.numItems, q, () => true));
    }
    const erased = new Set(rows), s = this.served, keep = s.user.map((x) => !erased.has(x));
    this.served = { user: s.user.filter((_, n) => keep[n]), item: s.item.filter((_, n) => keep[n]), time: s.time.filter((_, n) => keep[n]), type: s.type.filter((_, n) => keep[n]) };
    for (const u of rows) {
      this.histories[u] = [];
      this.deleted.add(u); this.optedOut.delete(u);
      this.userRow.delete(this.userIds[u]);
      this.userIds[u] = '';
      if (u < ds.numUsers) ds.userIds[u] = `\u0000deleted:${u}`;
      else { const a = this.addedUsers[u - ds.numUsers]; a.id = ''; a.features = {}; this.addedUserFeatures[u - ds.numUsers].fill(-1); }
    }
  }

  /** The served model's policy (decision layer), or null (see learner.ts). */
  policy(): PolicyCore | null { return servedPolicy(this.model); }
  /**
   * Swaps in new actor parameters (all checked before any is written). Every scorer evaluates the actor
   * per request, so nothing frozen needs rebuilding; synchronous, so no request sees half a policy.
   */
  loadPolicy(weights: Weights): void {
    const p = this.policy();
    if (!p) throw new UserError('policy: this model has no decision layer');
    const mine = p.actorWeights();
    if (Object.keys(weights).length !== Object.keys(mine).length) throw new UserError(`policy: expected ${Object.keys(mine).length} actor parameters, got ${Object.keys(weights).length}`);
    for (const [n, w] of Object.entries(weights)) {
      if (!mine[n]) throw new UserError(`policy: unknown parameter "${n}"`);
      if (w.data.length !== mine[n].data.length) throw new UserError(`policy: "${n}" has ${w.data.length} values, expected ${mine[n].data.length}`);
    }
    p.setActorWeights(weights);
    // a later rebuild (deleteUsers) starts from the file's state: keep the new policy there too
    const f = this.parts.file;
    for (const [n, w] of Object.entries(weights)) {
      f.ddpg?.[`actor/${n}`]?.data.set(w.data);
      for (const [k, v] of Object.entries(f.params)) if (k.endsWith(`actor.${n}`) && v.data.length === w.data.length) v.data.set(w.data);
    }
  }

  /** What Recommender.save adds to the model file: the serving learner's state (serving_learner.ts). */
  learnerState: (() => Promise<SavedLearner | null>) | null = null;
  /** Writes the served state (histories from feedback, added users and items, erasures) into a new model file. */
  async save(file: string): Promise<ModelMeta> {
    const mf = this.parts.file, m = mf.meta;
    const served: ServedState = { events: this.served.user.length, deleted: [...this.deleted], optedOut: [...this.optedOut],
      addedUsers: this.addedUsers, addedItems: this.addedItems };
    return writeModelFile(file, {
      meta: { model: m.model, config: m.config, dataSpec: m.dataSpec, protocol: m.protocol, seed: m.seed, trained: m.trained, served,
        ...(m.selected ? { selected: m.selected } : {}) },
      ds: mf.ds, train: mf.train, model: this.model,
      served: { user: Int32Array.from(this.served.user), item: Int32Array.from(this.served.item), time: Float64Array.from(this.served.time), type: Int32Array.from(this.served.type) },
      learner: this.learnerState ? await this.learnerState() : this.parts.file.learner,
    });
  }
}

export type { Dataset };
