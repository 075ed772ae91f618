/**
 * The DP-GCN decision layer as an environment (DESIGN section 4). The models
 * layer plugs in through callbacks, so this file knows nothing about GCNs:
 *   state s_t  = [userState(u), mean of the last k interacted items' embeddings]
 *   action a_t in R^d (tanh-bounded by the actor) shifts every candidate's score:
 *                score_j = baseLogits(u, j) + beta * <a_t, e_j>
 *   reward     = feedback(u, t, shown list), e.g. a rank-discounted hit of the
 *                logged next item (offline replay) or the oracle's click
 *                probabilities (online, synthetic market); see hitFeedback and
 *                clickFeedback.
 * An episode replays one user's logged session in time order: at step t the
 * history is sessions[u][0..t) (plus whatever `next` appended instead), and
 * after the step the logged item t (or next(...)) joins it. Ranking by the
 * logit is the same as ranking by sigmoid(logit), so no sigmoid is applied.
 */
import type { Rng } from '../../tensor/rng.js';
import { UserError } from '../../errors.js';
import type { Env, StepResult } from '../env.js';

export interface RecommendationEnvOptions {
  /** Embedding size: the action length and each item embedding's length. */
  d: number;
  /** How many recent items the state averages. */
  k: number;
  /** Weight of the actor's adjustment in the score. */
  beta: number;
  /** Items to rank for user at step t (e.g. all items minus the history, or sampled negatives plus the target). */
  candidates(user: number, t: number): ArrayLike<number>;
  /** logit_fusion(u, j) for each candidate j, in the same order. */
  baseLogits(user: number, items: ArrayLike<number>): ArrayLike<number>;
  itemEmbedding(item: number): ArrayLike<number>;
  /** The user's fused representation (fixed length for every user). */
  userState(user: number): ArrayLike<number>;
  /** Reward for showing `shown` (best first) to user at step t. */
  feedback(user: number, t: number, shown: Int32Array): number;
  /** Logged interactions per user in time order; an episode replays one user's list. */
  sessions: ReadonlyMap<number, ArrayLike<number>> | ArrayLike<ArrayLike<number>>;
  /** Length of the recommended list (default 10). */
  listSize?: number;
  /** Steps before the first decision: the history an episode starts from (default 1). */
  minHistory?: number;
  /** Cap on steps per episode (the end is then a truncation). */
  maxSteps?: number;
  /** The item that joins the history after step t (default: the logged sessions[u][t]). */
  next?(user: number, t: number, shown: Int32Array): number;
  /** Picks episode users at random; without it users are visited in turn. */
  rng?: Rng;
}

export class RecommendationEnv implements Env {
  readonly stateDim: number;
  readonly actionDim: number;
  readonly userDim: number;
  private readonly users: number[];
  private readonly seqs: Map<number, ArrayLike<number>>;
  private nextUser = 0;
  private user = -1;
  private t = 0;
  private steps = 0;
  private history: number[] = [];

  constructor(private readonly o: RecommendationEnvOptions) {
    if (!(o.d > 0 && o.k > 0)) throw new UserError(`RecommendationEnv: d and k must be positive (got d=${o.d}, k=${o.k})`);
    this.seqs = new Map();
    if (o.sessions instanceof Map) for (const [u, s] of o.sessions) this.seqs.set(u, s);
    else for (let u = 0; u < (o.sessions as ArrayLike<ArrayLike<number>>).length; u++) this.seqs.set(u, (o.sessions as ArrayLike<ArrayLike<number>>)[u]);
    const minH = o.minHistory ?? 1;
    this.users = [...this.seqs.keys()].filter((u) => this.seqs.get(u)!.length > minH);
    if (this.users.length === 0) throw new UserError(`RecommendationEnv: no user has more than ${minH} logged interactions`);
    this.userDim = o.userState(this.users[0]).length;
    this.actionDim = o.d;
    this.stateDim = this.userDim + o.d;
  }

  /** The user of the current episode. */
  get currentUser(): number { return this.user; }
  /** The current step (index of the logged item the next decision targets). */
  get currentStep(): number { return this.t; }

  reset(): Float32Array {
    this.user = this.o.rng ? this.users[this.o.rng.int(this.users.length)] : this.users[this.nextUser++ % this.users.length];
    this.t = this.o.minHistory ?? 1;
    this.steps = 0;
    this.history = Array.from(this.seqs.get(this.user)!).slice(0, this.t);
    return this.state(this.user, this.history);
  }

  step(action: Float32Array): StepResult {
    if (this.user < 0) throw new UserError('RecommendationEnv.step: call reset() first');
    const seq = this.seqs.get(this.user)!;
    if (this.t >= seq.length) throw new UserError('RecommendationEnv.step: the episode is over; call reset()');
    const shown = this.recommend(this.user, this.t, action);
    const reward = this.o.feedback(this.user, this.t, shown);
    this.history.push(this.o.next ? this.o.next(this.user, this.t, shown) : seq[this.t]);
    this.t++; this.steps++;
    const ended = this.t >= seq.length;
    const cut = !ended && this.o.maxSteps !== undefined && this.steps >= this.o.maxSteps;
    return { state: this.state(this.user, this.history), reward, done: ended || cut, truncated: cut };
  }

  /** s = [userState(u), mean of the last k items of history] (zeros when the history is empty). */
  state(user: number, history: ArrayLike<number>): Float32Array {
    const { d, k } = this.o;
    const us = this.o.userState(user);
    if (us.length !== this.userDim) throw new UserError(`RecommendationEnv: userState(${user}) has ${us.length} values, expected ${this.userDim}`);
    const s = new Float32Array(this.stateDim);
    s.set(us);
    const from = Math.max(0, history.length - k), n = history.length - from;
    for (let h = from; h < history.length; h++) {
      const e = this.embedding(history[h]);
      for (let i = 0; i < d; i++) s[this.userDim + i] += e[i] / n;
    }
    return s;
  }

  /** score_j = baseLogit(u, j) + beta <a, e_j> for each item, in order. */
  scores(user: number, items: ArrayLike<number>, action: ArrayLike<number>): Float32Array {
    const { d, beta } = this.o;
    if (action.length !== d) throw new UserError(`RecommendationEnv: action has ${action.length} values, expected ${d}`);
    const base = this.o.baseLogits(user, items);
    if (base.length !== items.length) throw new UserError(`RecommendationEnv: baseLogits returned ${base.length} values for ${items.length} items`);
    const out = new Float32Array(items.length);
    for (let j = 0; j < items.length; j++) {
      const e = this.embedding(items[j]);
      let dot = 0;
      for (let i = 0; i < d; i++) dot += action[i] * e[i];
      out[j] = base[j] + beta * dot;
    }
    return out;
  }

  /** The top listSize candidates for user at step t under action, best first (ties: candidate order). */
  recommend(user: number, t: number, action: ArrayLike<number>): Int32Array {
    const items = this.o.candidates(user, t);
    const sc = this.scores(user, items, action);
    const order = Array.from({ length: items.length }, (_, j) => j).sort((a, b) => sc[b] - sc[a] || a - b);
    const n = Math.min(this.o.listSize ?? 10, items.length);
    return Int32Array.from(order.slice(0, n), (j) => items[j]);
  }

  private embedding(item: number): ArrayLike<number> {
    const e = this.o.itemEmbedding(item);
    if (e.length !== this.o.d) throw new UserError(`RecommendationEnv: itemEmbedding(${item}) has ${e.length} values, expected d=${this.o.d}`);
    return e;
  }
}

/** Rank discount 1 / log2(rank + 2), rank 0-based (the top slot counts 1). */
export function rankDiscount(rank: number): number { return 1 / Math.log2(rank + 2); }

/** Offline reward: the discount of the rank where the logged next item appears, 0 if it was not shown. */
export function hitFeedback(sessions: RecommendationEnvOptions['sessions']): RecommendationEnvOptions['feedback'] {
  const seq = (u: number) => (sessions instanceof Map ? sessions.get(u) : (sessions as ArrayLike<ArrayLike<number>>)[u]);
  return (user, t, shown) => {
    const s = seq(user);
    if (!s || t >= s.length) return 0;
    const r = shown.indexOf(s[t]);
    return r < 0 ? 0 : rankDiscount(r);
  };
}

/** Online reward: sum over the shown list of the true click probability, discounted by rank. */
export function clickFeedback(clickProb: (user: number, item: number, t: number) => number): RecommendationEnvOptions['feedback'] {
  return (user, t, shown) => {
    let r = 0;
    for (let i = 0; i < shown.length; i++) r += clickProb(user, shown[i], t) * rankDiscount(i);
    return r;
  };
}
