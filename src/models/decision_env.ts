/**
 * The environment the decision layer learns in: replay of the training users'
 * logged sessions in time order. An episode is one user's run of consecutive
 * logged steps; at step t the state is built from the history before the
 * t-th logged click, and the model ranks a candidate list for that moment:
 * the item the user clicked next, the item shown but not clicked next to it
 * (when logged) and items drawn from the training click distribution (so
 * candidates look like what a user is shown, as in the evaluation pairs).
 *
 * The feedback on the list comes from one of two sources:
 * - offline (any data set): the log itself, p = 1 for the next clicked item
 *   and 0 for the others;
 * - online (the synthetic market, when dataset.oracle exists): the market
 *   answers with every candidate's true click probability p_j at the moment
 *   of the step, so drift in the user's taste is what it is at that time.
 *
 * Reward (dense, per list): the pairwise ranking quality of the adjusted
 * scores minus that of the unadjusted ones,
 *   R(delta) = sum_{i,j} (p_i - p_j)_+ sigmoid(s_i - s_j) / sum_{i,j} (p_i - p_j)_+,
 *   s_j = logit_fusion(u, j) + delta_j,   reward = scale * (R(delta) - R(0)),
 * a soft AUC of the list against the feedback (with 0/1 feedback, the soft AUC
 * of the next item against the others). Unlike a rank-discounted hit it moves
 * with every candidate's score, so each step carries information about every
 * direction of the action. The baseline R(0) depends on the state only: it
 * does not change which action is best, but removes the variance of how easy
 * a user's list is.
 *
 * Episodes run in parallel (one batched scoring call per step for all of
 * them); the action never changes the logged next state, so the return is a
 * sum of per-step list rewards.
 */
import type { Rng } from '../tensor/rng.js';
import type { Interactions, Oracle } from '../data/types.js';

/** What the environment reads from the model (tables computed once per epoch, under noGrad). */
export interface Scorer {
  readonly dim: number;
  /** Final item embeddings (I x dim): the e_j of the adjustment. */
  readonly itemTable: Float32Array;
  /** Item vectors the state averages (I x dim). */
  readonly stateItemTable: Float32Array;
  /** The user part of the state: [user representation, extra] (dim + extraDim). */
  userState(user: number): Float32Array;
  /** Fusion logits (no decision term) of the pairs. */
  baseLogits(users: Int32Array, items: Int32Array, queries: Int32Array): Float32Array;
}

/** Per-user slices of a (user, time)-sorted interaction table. */
export function userSlices(it: Interactions, numUsers: number): Int32Array {
  const ptr = new Int32Array(numUsers + 1);
  for (let k = 0; k < it.length; k++) ptr[it.user[k] + 1]++;
  for (let u = 0; u < numUsers; u++) ptr[u + 1] += ptr[u];
  return ptr;
}

/** R(delta) - R(0) of one list (see the header); p are the feedback values, base the fusion logits. */
export function listReward(p: ArrayLike<number>, base: ArrayLike<number>, delta: ArrayLike<number>): number {
  const n = p.length;
  let num = 0, z = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const w = p[i] - p[j];
      if (!(w > 0)) continue;
      const d0 = base[i] - base[j], d1 = d0 + delta[i] - delta[j];
      num += w * (1 / (1 + Math.exp(-d1)) - 1 / (1 + Math.exp(-d0)));
      z += w;
    }
  }
  return z > 0 ? num / z : 0;
}

/**
 * What the environment needs from the layer that acts in it: its state
 * encoding and its score adjustments. Declared here, not imported, so the
 * layer (which trains in this environment) and the environment do not import
 * each other.
 */
export interface ActingLayer {
  readonly stateDim: number;
  readonly lastK: number;
  states(userRows: Float32Array, extra: Float32Array | null, history: Int32Array, historyLen: Int32Array,
    maxLen: number, itemTable: Float32Array): Float32Array;
  deltas(actions: Float32Array, items: Int32Array, listLens: number[], itemTable: Float32Array): Float32Array;
}

export interface SessionEnvOptions {
  /** Logged steps per episode (default 8). */
  steps?: number;
  /** Candidates drawn from the click distribution per list (default 14). */
  sampled?: number;
  /** Multiplies the reward (default 10): soft-AUC differences are small numbers. */
  rewardScale?: number;
}

export interface EnvStep {
  /** Rewards of the active episodes, in slot order. */
  rewards: Float32Array;
  /** Next states (active x stateDim). */
  nextStates: Float32Array;
  /** 1 where the episode ended with this step. */
  ended: Uint8Array;
}

export class SessionEnv {
  readonly stateDim: number;
  readonly feedback: 'oracle' | 'log';
  private readonly ptr: Int32Array;
  private readonly users: Int32Array;
  private readonly pool: Int32Array;
  private readonly steps: number;
  private readonly sampled: number;
  private readonly scale: number;
  /** Per slot: user, current logged position, end position. */
  private slotUser = new Int32Array(0);
  private slotPos = new Int32Array(0);
  private slotEnd = new Int32Array(0);

  /** shownNegative[k] (aligned with `it`, -1 = none) is the hard negative of step k. */
  constructor(private readonly layer: ActingLayer, private readonly sc: Scorer, private readonly it: Interactions, numUsers: number,
    private readonly shownNegative: Int32Array | null, private readonly oracle: Oracle | null, opts: SessionEnvOptions = {}) {
    this.stateDim = layer.stateDim;
    this.feedback = oracle ? 'oracle' : 'log';
    this.steps = opts.steps ?? 8;
    this.sampled = opts.sampled ?? 14;
    this.scale = opts.rewardScale ?? 10;
    this.ptr = userSlices(it, numUsers);
    const us: number[] = [];
    for (let u = 0; u < numUsers; u++) if (this.ptr[u + 1] - this.ptr[u] >= 2) us.push(u);
    this.users = Int32Array.from(us);
    this.pool = it.item; // drawing a logged click uniformly = drawing from the click distribution
  }

  get numSlots(): number { return this.slotUser.length; }

  /** The state before logged step k of user u. */
  private stateAt(u: number, k: number): Float32Array {
    const d = this.sc.dim, K = this.layer.lastK, a = this.ptr[u], us = this.sc.userState(u);
    const from = Math.max(a, k - K);
    const hist = this.it.item.slice(from, k);
    const extra = us.length > d ? us.subarray(d) : null;
    return this.layer.states(us.subarray(0, d), extra, hist, Int32Array.of(hist.length), Math.max(1, hist.length), this.sc.stateItemTable);
  }

  /** Starts n parallel episodes; returns their first states (n x stateDim). */
  reset(n: number, rng: Rng): Float32Array {
    this.slotUser = new Int32Array(n); this.slotPos = new Int32Array(n); this.slotEnd = new Int32Array(n);
    const out = new Float32Array(n * this.stateDim);
    for (let s = 0; s < n; s++) {
      const u = this.users.length ? this.users[rng.int(this.users.length)] : 0;
      const a = this.ptr[u], b = this.ptr[u + 1];
      // start anywhere with at least one history item, so late sessions are replayed too
      const pos = a + 1 + (b - a > 1 + this.steps ? rng.int(b - a - this.steps) : 0);
      this.slotUser[s] = u; this.slotPos[s] = pos; this.slotEnd[s] = Math.min(b, pos + this.steps);
      out.set(this.stateAt(u, pos), s * this.stateDim);
    }
    return out;
  }

  /** Slots whose episode is still running. */
  active(): Int32Array {
    const a: number[] = [];
    for (let s = 0; s < this.slotUser.length; s++) if (this.slotPos[s] < this.slotEnd[s]) a.push(s);
    return Int32Array.from(a);
  }

  /** Ranks one list per active slot with actions (slots.length x actionDim), scores it, advances. */
  step(slots: Int32Array, actions: Float32Array, rng: Rng): EnvStep {
    const n = slots.length, sd = this.stateDim;
    const lists: number[][] = [];
    let total = 0;
    for (let q = 0; q < n; q++) {
      const k = this.slotPos[slots[q]], pos = this.it.item[k];
      const cand = [pos];
      const shown = this.shownNegative ? this.shownNegative[k] : -1;
      if (shown >= 0 && shown !== pos) cand.push(shown);
      for (let m = 0; m < this.sampled; m++) {
        const j = this.pool[rng.int(this.pool.length)];
        if (j !== pos) cand.push(j);
      }
      lists.push(cand);
      total += cand.length;
    }
    const users = new Int32Array(total), items = new Int32Array(total), queries = new Int32Array(total);
    for (let q = 0, o = 0; q < n; q++) {
      const k = this.slotPos[slots[q]];
      for (const j of lists[q]) { users[o] = this.slotUser[slots[q]]; items[o] = j; queries[o] = this.it.query[k]; o++; }
    }
    const base = this.sc.baseLogits(users, items, queries);
    const delta = this.layer.deltas(actions, items, lists.map((l) => l.length), this.sc.itemTable);
    const rewards = new Float32Array(n), next = new Float32Array(n * sd), ended = new Uint8Array(n);
    for (let q = 0, o = 0; q < n; q++) {
      const s = slots[q], k = this.slotPos[s], u = this.slotUser[s], c = lists[q], m = c.length;
      const p = new Float64Array(m);
      if (this.oracle) for (let j = 0; j < m; j++) p[j] = this.oracle.clickProb(u, c[j], this.it.time[k]);
      else p[0] = 1;
      rewards[q] = this.scale * listReward(p, base.subarray(o, o + m), delta.subarray(o, o + m));
      o += m;
      this.slotPos[s]++;
      ended[q] = this.slotPos[s] >= this.slotEnd[s] ? 1 : 0;
      next.set(this.stateAt(u, this.slotPos[s]), q * sd);
    }
    return { rewards, nextStates: next, ended };
  }
}
