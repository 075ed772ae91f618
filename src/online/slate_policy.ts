/**
 * The decision layer acting online (docs/decision.md): a TD3 agent
 * (src/rl/td3.ts) whose action is the knob vector of ./slate_scorer.ts over
 * LinUCB on the model's item tower. a = 0 is LinUCB exactly, the actor starts
 * there and is pulled back to it, so the policy starts as good as the bandit.
 *
 * Per slate: the state s (model user vector, posterior mean, session and
 * exposure features); mu(s) and `candidates - 1` Gaussian perturbations of
 * it; the twin critic picks one (Wolpertinger); its slate is shown. Per
 * feedback event: the posterior and the features take the impressions; the
 * reward is the slate's clicks; the transition (s, a, r, s') is completed at
 * the user's next slate, with discount gamma inside a session and
 * gamma too across a session end (s' = the state at the next session, whose
 * features carry the days since the last visit), so return reaches the
 * critic; then `updatesPerEvent` TD3 updates.
 */
import type { Rng } from '../tensor/rng.js';
import { TD3, TransitionBuffer, type TD3Options } from '../rl/td3.js';
import type { LinearBandit } from './bandits.js';
import { FIXED_KNOBS, SlateFeatures, knobTerms, slateState, stateSize, zscore } from './slate_scorer.js';
import { runBatched, type BatchedAgent, type BatchedEnv } from '../rl/batched_env.js';
import type { FeedbackEvent, OnlinePolicy, SlateContext } from './policy.js';

export interface SlatePolicyOptions {
  gamma?: number;
  /** Candidate actions per slate (mu(s) and candidates - 1 perturbations). */
  candidates?: number;
  sigma?: number;
  batchSize?: number;
  updatesPerEvent?: number;
  /** One round of updatesPerEvent updates every this many feedback events. */
  updateEvery?: number;
  /** Knobs that shift along principal directions of the item rows. */
  shiftDims?: number;
  bufferCapacity?: number;
  /** Episodes of offline pre-training on the logged replay before the run (0 = none). */
  pretrainEpisodes?: number;
  td3?: Partial<Omit<TD3Options, 'stateDim' | 'actionDim' | 'rng'>>;
}

export interface SlatePolicyModel {
  /** Item rows of the bandit (the model's item tower) are in `bandit`; the model's user vectors (U x d). */
  userVectors: Float32Array;
  /** The model's own scores of every item for a user and history (the prior knob), or null. */
  prior: ((u: number, history: Int32Array) => Float32Array) | null;
  /** Category of each item (the state's exposure per category). */
  categories: Int32Array;
}

export const SLATE_DEFAULTS: Required<Omit<SlatePolicyOptions, 'td3'>> = {
  gamma: 0.8, candidates: 5, sigma: 0.3, batchSize: 32, updatesPerEvent: 1, updateEvery: 3, shiftDims: 3, bufferCapacity: 50_000, pretrainEpisodes: 0,
};

/** The knob scorer over any bandit and feature tracker (the market's users, or replayed logged users). */
export class KnobScorer {
  readonly proj: Float32Array | null;
  readonly actionDim: number;
  constructor(readonly rows: Float32Array, readonly d: number, readonly model: SlatePolicyModel, readonly shiftDims: number) {
    this.proj = shiftDims > 0 ? principalCoordinates(rows, d, shiftDims) : null;
    this.actionDim = FIXED_KNOBS + (this.proj ? shiftDims : 0);
  }

  /** The slate of action a for key now (a = 0: LinUCB's); prior scores come from the model for user u. */
  slate(bandit: LinearBandit, f: SlateFeatures, key: number, u: number, k: number, a: Float32Array, history: Int32Array, mean = bandit.means(key)): Int32Array {
    const prior = a[3] !== 0 && this.model.prior ? zscore(this.model.prior(u, history)) : null;
    const { pre, alphaScale } = knobTerms(a, f, key, this.model.categories, this.rows, this.d, prior, this.proj, this.shiftDims);
    return bandit.knobSlate(key, k, mean, pre, alphaScale, null);
  }

  /** The state of key (user u's vector) now, and LinUCB's slate in it. */
  state(bandit: LinearBandit, f: SlateFeatures, key: number, u: number, k: number, day: number): { s: Float32Array; mean: Float32Array; ref: Int32Array } {
    const mean = bandit.means(key), ref = bandit.knobSlate(key, k, mean, null, 1, null);
    const uv = this.model.userVectors.subarray(u * this.d, (u + 1) * this.d);
    return { s: slateState(f, key, day, uv, bandit, mean, ref, this.model.categories), mean, ref };
  }
}

interface Pending { s: Float32Array; a: Float32Array; day: number; r?: number; done?: boolean }

export class SlatePolicy implements OnlinePolicy, BatchedAgent {
  learnSeconds = 0;
  learnCpuSeconds = 0;
  learnEvents = 0;
  readonly agent: TD3;
  readonly features: SlateFeatures;
  readonly actionDim: number;
  private readonly o: Required<Omit<SlatePolicyOptions, 'td3'>>;
  private buffer: TransitionBuffer;
  private readonly pending = new Map<number, Pending>();
  readonly scorer: KnobScorer;
  private updates = 0;
  /** Diagnostics: mean |a| of the chosen actions, the share of slates that differ from LinUCB's, and of slate overlap in a session. */
  readonly diag = { slates: 0, changed: 0, absAction: 0, saturated: 0, overlap: 0, overlapN: 0 };
  private readonly lastSlate = new Map<number, Int32Array>();

  constructor(readonly name: string, readonly bandit: LinearBandit, model: SlatePolicyModel, private readonly rng: Rng, opts: SlatePolicyOptions = {}) {
    this.o = { ...SLATE_DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([k, v]) => v !== undefined && k !== 'td3')) } as Required<Omit<SlatePolicyOptions, 'td3'>>;
    this.features = new SlateFeatures(model.categories, bandit.dim);
    this.scorer = new KnobScorer(bandit.rows, bandit.dim, model, this.o.shiftDims);
    this.actionDim = this.scorer.actionDim;
    const sd = stateSize(bandit.dim, this.features.numCats);
    this.agent = new TD3({ stateDim: sd, actionDim: this.actionDim, rng: rng.fork(), hidden: [32, 32], refWeight: 1, ...opts.td3 });
    this.buffer = new TransitionBuffer(this.o.bufferCapacity, sd, this.actionDim, rng.fork());
  }

  /** The slate of action a for u now (a = 0: LinUCB's). */
  slateFor(u: number, k: number, a: Float32Array, history: Int32Array): Int32Array {
    return this.scorer.slate(this.bandit, this.features, u, u, k, a, history);
  }

  /** mu(s) and candidates - 1 Gaussian perturbations of it; the twin critic picks one (Wolpertinger). */
  propose(s: Float32Array): Float32Array {
    const A = this.actionDim, mu = this.agent.act(s, 1), C = Math.max(1, this.o.candidates), cands = new Float32Array(C * A);
    for (let c = 0; c < C; c++) for (let j = 0; j < A; j++) cands[c * A + j] = c === 0 ? mu[j] : Math.max(-1, Math.min(1, mu[j] + this.o.sigma * this.rng.normal()));
    const pick = C > 1 ? this.agent.choose(s, cands) : 0;
    return cands.slice(pick * A, (pick + 1) * A);
  }

  /**
   * Offline pre-training (log only) in env, e.g. ./logged_slate_env.ts, by the same propose / remember / learn;
   * the replay's transitions are dropped after (their reward is logged hits, not clicks), the actor and critics kept.
   */
  pretrain(env: BatchedEnv, episodes: number, rng: Rng, parallel = 16): number {
    const ret = runBatched(env, this, episodes, parallel, rng);
    this.buffer = new TransitionBuffer(this.o.bufferCapacity, this.agent.stateDim, this.actionDim, rng.fork());
    return ret;
  }

  remember(s: Float32Array, a: Float32Array, r: number, s2: Float32Array, discount: number): void { this.buffer.add(s, a, r, s2, discount); }

  /** One round of updatesPerEvent TD3 updates every updateEvery calls, once the buffer holds a batch. */
  learn(): void {
    if (this.updates++ % this.o.updateEvery !== 0 || this.buffer.size < this.o.batchSize) return;
    for (let k = 0; k < this.o.updatesPerEvent; k++) this.agent.update(this.buffer.sample(this.o.batchSize));
  }

  recommend(u: number, k: number, ctx: SlateContext): Int32Array {
    if (ctx.step === 0) this.features.startSession(u, ctx.day);
    const { s, mean, ref } = this.scorer.state(this.bandit, this.features, u, u, k, ctx.day);
    const p = this.pending.get(u);
    if (p && p.r !== undefined) this.remember(p.s, p.a, p.r, s, this.o.gamma);
    const a = this.propose(s);
    const slate = a.every((v) => v === 0) ? ref : this.scorer.slate(this.bandit, this.features, u, u, k, a, ctx.history, mean);
    this.pending.set(u, { s, a, day: ctx.day });
    this.noteDiagnostics(u, ctx.step, a, slate, ref);
    return slate;
  }

  private noteDiagnostics(u: number, step: number, a: Float32Array, slate: Int32Array, ref: Int32Array): void {
    const g = this.diag;
    g.slates++;
    if (slate.some((v, j) => v !== ref[j])) g.changed++;
    for (const v of a) { g.absAction += Math.abs(v) / a.length; if (Math.abs(v) > 0.9) g.saturated += 1 / a.length; }
    const prev = this.lastSlate.get(u);
    if (prev && step > 0) { const set = new Set(prev); g.overlap += slate.filter((i) => set.has(i)).length / slate.length; g.overlapN++; }
    this.lastSlate.set(u, slate);
  }

  /** Share of slates unlike LinUCB's, mean |a|, share of action components beyond +-0.9, overlap of consecutive slates, the critic's last loss and mean Q. */
  diagnostics(): Record<string, number> {
    const g = this.diag, n = Math.max(1, g.slates), l = this.agent.last;
    return { changedShare: g.changed / n, meanAbsAction: g.absAction / n, saturation: g.saturated / n, overlap: g.overlapN ? g.overlap / g.overlapN : NaN,
      criticLoss: l ? l.criticLoss : NaN, meanQ: l ? l.meanQ : NaN, updates: this.agent.steps };
  }

  feedback(events: FeedbackEvent[]): void {
    for (const e of events) {
      const p = this.pending.get(e.user);
      const t0 = performance.now(), c0 = process.cpuUsage();
      e.items.forEach((i, j) => this.bandit.observeItem(e.user, i, e.clicks[j]));
      this.features.observe(e.user, p?.day ?? 0, e.items, e.clicks, this.bandit.rows);
      if (p) { let r = 0; for (const c of e.clicks) r += c; p.r = r; p.done = e.done; }
      this.learn();
      this.learnSeconds += (performance.now() - t0) / 1000;
      const c = process.cpuUsage(c0);
      this.learnCpuSeconds += (c.user + c.system) / 1e6;
      this.learnEvents++;
    }
  }
}

/** Coordinates (n x m) of the unit rows X (n x d) on their m leading principal directions (power iteration, fixed start). */
export function principalCoordinates(X: Float32Array, d: number, m: number): Float32Array {
  const n = X.length / d, mu = new Float64Array(d), C = new Float64Array(d * d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mu[k] += X[i * d + k] / n;
  const x = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) x[k] = X[i * d + k] - mu[k];
    for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) C[r * d + c] += x[r] * x[c] / n;
  }
  const P: Float64Array[] = [];
  for (let c = 0; c < m; c++) {
    let v = Float64Array.from({ length: d }, (_, k) => ((k * 7919 + c * 104729) % 13) - 6 + 0.5);
    for (let it = 0; it < 100; it++) {
      const w = new Float64Array(d);
      for (let r = 0; r < d; r++) { let s = 0; for (let q = 0; q < d; q++) s += C[r * d + q] * v[q]; w[r] = s; }
      for (const p of P) { let dot = 0; for (let k = 0; k < d; k++) dot += w[k] * p[k]; for (let k = 0; k < d; k++) w[k] -= dot * p[k]; }
      let s = 0;
      for (const y of w) s += y * y;
      s = Math.sqrt(s);
      if (!(s > 1e-12)) break;
      v = w.map((y) => y / s);
    }
    P.push(v);
  }
  const out = new Float32Array(n * m);
  for (let i = 0; i < n; i++) for (let c = 0; c < m; c++) { let s = 0; for (let k = 0; k < d; k++) s += (X[i * d + k] - mu[k]) * P[c][k]; out[i * m + c] = s; }
  return out;
}
