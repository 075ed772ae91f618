/**
 * The closed-loop market: the synthetic market's click model run forward in
 * time, where what a policy shows changes what the user does next. A user
 * arrives in sessions (one per day, after the log ends); at each step the
 * policy shows a slate of K distinct items and the user scans it top-down,
 * clicking item j with the true probability
 *   p_j = sigmoid(logit(u, j, tau, shift_u)) * (1 - fatigue)^f_u[leaf_j]
 * at that moment. Then the state moves:
 * - interest evolution: each click moves the user's taste offset toward the
 *   clicked item's latent vector, shift += interestStep * (q_j - taste - shift)
 *   (RecSim's interest evolution); the offset persists across sessions;
 * - fatigue: every exposure to a leaf adds 1 to f_u[leaf], items further down
 *   the same slate included, and f decays by fatigueDecay per slate (reset
 *   at a new session);
 * - session exit: after a slate the user leaves with probability
 *   exitBase + exitGrowth * (slates in a row without a click), and always
 *   after maxSlates (a time budget, as RecSim's long-term satisfaction and
 *   KuaiSim's session depth);
 * - drift: tau = 1/2 + day / days continues the market's linear drift past
 *   the log.
 * Every draw of a session comes from its own Rng, derived from (seed, user,
 * day), so two policies meet the same users with the same random numbers
 * wherever their choices coincide. `dynamics: false` turns interest evolution,
 * fatigue and exit growth off (the myopic oracle is then optimal).
 */
import { Rng } from '../tensor/rng.js';
import { UserError } from '../errors.js';
import type { Dataset, MarketLatent } from '../data/types.js';

export interface MarketParams {
  /** Slate size K. */
  slate: number;
  interestStep: number;
  /** Share of a leaf's click probability each unit of fatigue takes away. */
  fatigue: number;
  fatigueDecay: number;
  exitBase: number;
  exitGrowth: number;
  maxSlates: number;
  /** Sessions (days) per user. */
  sessions: number;
  dynamics: boolean;
}

/**
 * Fixed before any comparison (README "Online" says how they were chosen);
 * never tuned per policy.
 */
export const MARKET_DEFAULTS: MarketParams = {
  slate: 10, interestStep: 0.1, fatigue: 0.15, fatigueDecay: 0.8, exitBase: 0.1, exitGrowth: 0.5,
  maxSlates: 20, sessions: 3, dynamics: true,
};

/** What the user did with one slate. */
export interface SlateOutcome {
  clicks: Uint8Array;
  /** True click probability of each shown item as scanned (the expected clicks are their sum). */
  probs: Float32Array;
  /** The session is over. */
  done: boolean;
}

/** A user's live state during a session. */
interface UserState {
  shift: Float32Array;
  fatigue: Float32Array;
  noClick: number;
  step: number;
  tau: number;
  rng: Rng;
  done: boolean;
}

export function sessionSeed(seed: number, user: number, day: number): number {
  let h = (seed | 0) ^ 0x9e3779b9;
  for (const x of [user, day]) h = Math.imul(h ^ x, 0x85ebca6b) ^ (h >>> 13);
  return (h >>> 1) | 0;
}

export class ClosedLoopMarket {
  readonly params: MarketParams;
  readonly latent: MarketLatent;
  readonly numItems: number;
  readonly numLeaves: number;
  private readonly shifts = new Map<number, Float32Array>();
  private readonly live = new Map<number, UserState>();

  constructor(readonly dataset: Dataset, readonly seed: number, params: Partial<MarketParams> = {}) {
    const m = dataset.oracle?.market;
    if (!m) throw new UserError(`${dataset.name}: the online protocol needs the synthetic market (--data synthetic)`);
    this.latent = m;
    this.params = { ...MARKET_DEFAULTS, ...params };
    if (!this.params.dynamics) Object.assign(this.params, { interestStep: 0, fatigue: 0, exitGrowth: 0 });
    this.numItems = dataset.numItems;
    this.numLeaves = Math.max(...m.leaf) + 1;
  }

  /** Starts user's session on day (0-based, counted from the end of the log). */
  startSession(user: number, day: number): void {
    let shift = this.shifts.get(user);
    if (!shift) { shift = new Float32Array(this.latent.dim); this.shifts.set(user, shift); }
    this.live.set(user, { shift, fatigue: new Float32Array(this.numLeaves), noClick: 0, step: 0,
      tau: 0.5 + day / this.latent.days, rng: new Rng(sessionSeed(this.seed, user, day)), done: false });
  }

  private state(user: number): UserState {
    const s = this.live.get(user);
    if (!s || s.done) throw new Error(`market: user ${user} has no open session`);
    return s;
  }

  /** True click probability of every item for user right now (before the next slate is scanned). */
  trueProbs(user: number): Float32Array {
    const s = this.state(user), out = new Float32Array(this.numItems), leaf = this.latent.leaf, f = this.params.fatigue;
    for (let i = 0; i < this.numItems; i++) out[i] = sigmoid(this.latent.logit(user, i, s.tau, s.shift)) * Math.pow(1 - f, s.fatigue[leaf[i]]);
    return out;
  }

  /** Expected clicks of slate for user now, scanning it with within-slate fatigue (no state change). */
  expectedClicks(user: number, slate: ArrayLike<number>): number {
    return this.scan(this.state(user), user, slate).reduce((a, b) => a + b, 0);
  }

  private scan(s: UserState, user: number, slate: ArrayLike<number>): Float32Array {
    const f = s.fatigue.slice(), leaf = this.latent.leaf, w = this.params.fatigue, p = new Float32Array(slate.length);
    for (let j = 0; j < slate.length; j++) {
      const i = slate[j];
      p[j] = sigmoid(this.latent.logit(user, i, s.tau, s.shift)) * Math.pow(1 - w, f[leaf[i]]);
      f[leaf[i]] += 1;
    }
    return p;
  }

  /** Shows slate to user: draws the clicks, then moves taste, fatigue and the exit state. */
  show(user: number, slate: Int32Array): SlateOutcome {
    const s = this.state(user), P = this.params, K = slate.length;
    if (K === 0 || K > this.numItems) throw new UserError(`market: a slate needs 1..${this.numItems} items, got ${K}`);
    const seen = new Set<number>();
    for (const i of slate) {
      if (!(Number.isInteger(i) && i >= 0 && i < this.numItems) || seen.has(i)) throw new UserError(`market: slate item ${i} is out of range or repeated`);
      seen.add(i);
    }
    const probs = this.scan(s, user, slate), clicks = new Uint8Array(K);
    let n = 0;
    for (let j = 0; j < K; j++) if (s.rng.uniform() < probs[j]) { clicks[j] = 1; n++; }
    const d = this.latent.dim, q = this.latent.item;
    if (P.interestStep > 0 && n > 0) {
      const taste = this.latent.taste(user, s.tau);
      for (let j = 0; j < K; j++) {
        if (!clicks[j]) continue;
        for (let k = 0; k < d; k++) s.shift[k] += P.interestStep * (q[slate[j] * d + k] - taste[k] - s.shift[k]);
      }
    }
    for (let l = 0; l < s.fatigue.length; l++) s.fatigue[l] *= P.fatigueDecay;
    if (P.fatigue > 0) for (const i of slate) s.fatigue[this.latent.leaf[i]] += 1;
    s.noClick = n > 0 ? 0 : s.noClick + 1;
    s.step++;
    const exit = Math.min(1, P.exitBase + P.exitGrowth * s.noClick);
    s.done = s.step >= P.maxSlates || s.rng.uniform() < exit;
    if (s.done) this.live.delete(user);
    return { clicks, probs, done: s.done };
  }
}

function sigmoid(z: number): number { return 1 / (1 + Math.exp(-z)); }
