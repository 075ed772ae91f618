/**
 * Contextual bandits over a trained model's item embeddings: for each user a
 * ridge regression of click on x_i = unit(z_i) (the model's item tower rows),
 *   A_u = lambda I + sum x x^T,  b_u = sum r x,  theta_u = A_u^-1 b_u,
 * warm-started with the user's logged clicks as r = 1 observations (the log
 * has no non-click rows for most impressions) and updated with every shown
 * item (r = click). Three explorers share it:
 * - egreedy: greedy on theta^T x, each slot random with probability eps (0.05,
 *   Vowpal Wabbit's default explorer);
 * - linucb (Li et al. 2010): theta^T x + alpha sqrt(x^T A^-1 x); the bonus is
 *   computed for the 5K best means only (the full pass is I d^2 per slate);
 * - thompson: theta~ ~ N(theta, v^2 A^-1), greedy on theta~^T x.
 * A^-1 is kept directly (Sherman-Morrison per observation, O(d^2)).
 */
import type { Rng } from '../tensor/rng.js';
import { epsilonSlate, topK, type FeedbackEvent, type OnlinePolicy, type SlateContext } from './policy.js';

export type BanditKind = 'egreedy' | 'linucb' | 'thompson';

export interface BanditOptions { lambda?: number; eps?: number; alpha?: number; v?: number }

interface UserModel { Ainv: Float64Array; b: Float64Array }

export class LinearBandit implements OnlinePolicy {
  private readonly users = new Map<number, UserModel>();
  private readonly X: Float32Array;
  private readonly d: number;
  private readonly n: number;
  private readonly lambda: number; private readonly eps: number; private readonly alpha: number; private readonly v: number;

  constructor(readonly name: string, readonly kind: BanditKind, itemRows: Float32Array, dim: number,
    private readonly loggedHistory: (u: number) => ArrayLike<number>, private readonly rng: Rng, o: BanditOptions = {}) {
    this.d = dim; this.n = itemRows.length / dim;
    this.X = new Float32Array(itemRows.length);
    for (let i = 0; i < this.n; i++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += itemRows[i * dim + k] ** 2;
      const f = s > 0 ? 1 / Math.sqrt(s) : 0;
      for (let k = 0; k < dim; k++) this.X[i * dim + k] = itemRows[i * dim + k] * f;
    }
    this.lambda = o.lambda ?? 1; this.eps = o.eps ?? 0.05; this.alpha = o.alpha ?? 0.5; this.v = o.v ?? 0.3;
  }

  private model(u: number): UserModel {
    let m = this.users.get(u);
    if (m) return m;
    const d = this.d;
    m = { Ainv: new Float64Array(d * d), b: new Float64Array(d) };
    for (let k = 0; k < d; k++) m.Ainv[k * d + k] = 1 / this.lambda;
    this.users.set(u, m);
    for (const i of Array.from(this.loggedHistory(u))) this.observe(m, i, 1);
    return m;
  }

  /** Sherman-Morrison: A^-1 <- A^-1 - (A^-1 x)(A^-1 x)^T / (1 + x^T A^-1 x); b += r x. */
  private observe(m: UserModel, item: number, r: number): void {
    const d = this.d, x = this.X.subarray(item * d, (item + 1) * d), y = new Float64Array(d);
    let q = 0;
    for (let a = 0; a < d; a++) { let s = 0; for (let c = 0; c < d; c++) s += m.Ainv[a * d + c] * x[c]; y[a] = s; q += x[a] * s; }
    const f = 1 / (1 + q);
    for (let a = 0; a < d; a++) for (let c = 0; c < d; c++) m.Ainv[a * d + c] -= f * y[a] * y[c];
    if (r !== 0) for (let a = 0; a < d; a++) m.b[a] += r * x[a];
  }

  private theta(m: UserModel): Float64Array {
    const d = this.d, t = new Float64Array(d);
    for (let a = 0; a < d; a++) { let s = 0; for (let c = 0; c < d; c++) s += m.Ainv[a * d + c] * m.b[c]; t[a] = s; }
    return t;
  }

  private scores(t: ArrayLike<number>): Float32Array {
    const d = this.d, out = new Float32Array(this.n);
    for (let i = 0; i < this.n; i++) { let s = 0; for (let k = 0; k < d; k++) s += t[k] * this.X[i * d + k]; out[i] = s; }
    return out;
  }

  /** The user's posterior: A^-1 (d x d, row-major) and theta = A^-1 b (copies). */
  posterior(u: number): { Ainv: Float64Array; theta: Float64Array } {
    const m = this.model(u);
    return { Ainv: m.Ainv.slice(), theta: this.theta(m) };
  }

  /** LinUCB's score of each item: theta^T x + alpha sqrt(x^T A^-1 x). */
  ucbScores(u: number, items: ArrayLike<number>): Float64Array {
    const m = this.model(u), d = this.d, t = this.theta(m), out = new Float64Array(items.length);
    for (let j = 0; j < items.length; j++) {
      const x = this.X.subarray(items[j] * d, (items[j] + 1) * d);
      let mean = 0, q = 0;
      for (let a = 0; a < d; a++) { let s = 0; for (let c = 0; c < d; c++) s += m.Ainv[a * d + c] * x[c]; q += x[a] * s; mean += t[a] * x[a]; }
      out[j] = mean + this.alpha * Math.sqrt(Math.max(0, q));
    }
    return out;
  }

  /** The unit item rows the bandit regresses on (n x d). */
  get rows(): Float32Array { return this.X; }
  get dim(): number { return this.d; }

  /** theta^T x_i for every item, as recommend computes it. */
  means(u: number): Float32Array { return this.scores(this.theta(this.model(u))); }

  /** Shows item to user's posterior with reward r (Sherman-Morrison), as feedback does. */
  observeItem(u: number, item: number, r: number): void { this.observe(this.model(u), item, r); }

  /**
   * LinUCB's slate with knobs (./slate_scorer.ts): the pool is the poolK best of mean + pre, each pool
   * item scores mean + alpha alphaScale sqrt(x^T A^-1 x) + post(i). With pre null, alphaScale 1 and
   * post null this is recommend() exactly (same arithmetic, same ties).
   */
  knobSlate(u: number, k: number, mean: Float32Array, pre: Float32Array | null, alphaScale: number, post: ((i: number) => number) | null, poolK = 5 * k): Int32Array {
    const m = this.model(u), d = this.d;
    let base = mean;
    if (pre) { base = new Float32Array(mean.length); for (let i = 0; i < mean.length; i++) base[i] = mean[i] + pre[i]; }
    const cand = topK(base, Math.min(this.n, poolK)), ucb = new Float32Array(cand.length), al = this.alpha * alphaScale;
    cand.forEach((i, j) => {
      const x = this.X.subarray(i * d, (i + 1) * d);
      let q = 0;
      for (let a = 0; a < d; a++) { let s = 0; for (let c = 0; c < d; c++) s += m.Ainv[a * d + c] * x[c]; q += x[a] * s; }
      ucb[j] = post ? base[i] + al * Math.sqrt(Math.max(0, q)) + post(i) : base[i] + al * Math.sqrt(Math.max(0, q));
    });
    return Int32Array.from(topK(ucb, k), (j) => cand[j]);
  }

  recommend(u: number, k: number, _ctx: SlateContext): Int32Array {
    const m = this.model(u), d = this.d;
    if (this.kind === 'egreedy') return epsilonSlate(topK(this.scores(this.theta(m)), 2 * k), this.n, k, this.eps, this.rng);
    if (this.kind === 'thompson') {
      const L = cholesky(m.Ainv, d), t = this.theta(m), z = Float64Array.from({ length: d }, () => this.rng.normal());
      for (let a = 0; a < d; a++) { let s = 0; for (let c = 0; c <= a; c++) s += L[a * d + c] * z[c]; t[a] += this.v * s; }
      return topK(this.scores(t), k);
    }
    const mean = this.scores(this.theta(m)), cand = topK(mean, Math.min(this.n, 5 * k)), ucb = new Float32Array(cand.length);
    cand.forEach((i, j) => {
      const x = this.X.subarray(i * d, (i + 1) * d);
      let q = 0;
      for (let a = 0; a < d; a++) { let s = 0; for (let c = 0; c < d; c++) s += m.Ainv[a * d + c] * x[c]; q += x[a] * s; }
      ucb[j] = mean[i] + this.alpha * Math.sqrt(Math.max(0, q));
    });
    return Int32Array.from(topK(ucb, k), (j) => cand[j]);
  }

  feedback(events: FeedbackEvent[]): void {
    for (const e of events) {
      const m = this.model(e.user);
      e.items.forEach((i, j) => this.observe(m, i, e.clicks[j]));
    }
  }
}

/** Lower Cholesky factor of a symmetric positive definite (d x d) matrix (jitter on a non-positive pivot). */
function cholesky(A: Float64Array, d: number): Float64Array {
  const L = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * d + j];
      for (let k = 0; k < j; k++) s -= L[i * d + k] * L[j * d + k];
      if (i === j) L[i * d + i] = Math.sqrt(Math.max(s, 1e-12));
      else L[i * d + j] = s / L[j * d + j];
    }
  }
  return L;
}
