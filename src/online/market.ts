/**
 * The closed-loop market: the synthetic market's click model run forward in
 * time over a horizon of `days` days, where what a policy shows changes what
 * the user does next, within a session and across sessions (DESIGN section 9).
 * A user has at most one session a day; at each step the policy shows a slate
 * of K distinct items and the user scans it top-down, clicking item j with
 *   p_j = sigmoid(logit(u, j, tau, shift_u) + bait (2 c_j - 1) + satClick (S_u - 1/2))
 *         * (1 - fatigue)^f_u[leaf_j] * (1 - boredom)^b_u[j]
 * at that moment. Then the state moves:
 * - interest evolution: each click moves the user's taste offset toward the
 *   clicked item's latent vector, shift += interestStep * (q_j - taste - shift)
 *   (RecSim's interest evolution); the offset persists across sessions;
 * - fatigue: every exposure to a leaf adds 1 to f_u[leaf], items further down
 *   the same slate included; f decays by fatigueDecay per slate and by
 *   fatigueDayDecay per day between sessions (it persists across sessions);
 * - boredom: every exposure of an item adds 1 to b_u[item]; b decays by
 *   boredomDecay per slate and boredomDayDecay per day;
 * - "chocolate and kale" (RecSim's long_term_satisfaction): each item has a
 *   fixed clickbait-ness c_j in (0, 1) (`bait`, a seeded attribute of the
 *   market, the same for every run seed). It raises the immediate click
 *   logit by bait (2c - 1), and each click moves the user's net positive
 *   exposure n_u <- satMemory n_u + (1 - 2 c_j); satisfaction is
 *   S_u = sigmoid(satSensitivity n_u) (1/2 at the start);
 * - return (KuaiSim's retention signal): day 0 every user has a session;
 *   on each later day a user comes back with probability
 *   returnMin + (returnMax - returnMin) S_u, so satisfaction decides how many
 *   sessions a user has over the horizon;
 * - session exit: after a slate the user leaves with probability
 *   exitBase + exitGrowth * (slates in a row without a click), and always
 *   after maxSlates;
 * - drift: tau = 1/2 + day / logDays continues the market's linear drift.
 * Every draw comes from Rngs derived from (seed, user, day): the session's
 * clicks and exits from one, the return decision from another, so two
 * policies meet the same users with the same random numbers wherever their
 * choices coincide. `dynamics: false` turns every dynamic off (no interest
 * evolution, fatigue, boredom or exit growth; satisfaction moves neither
 * clicks nor returns; everyone comes back every day), so the myopic oracle is
 * then optimal. The clickbait logit stays: it is a fixed item attribute.
 */
import { Rng } from '../tensor/rng.js';
import { UserError } from '../errors.js';
import type { Dataset, MarketLatent } from '../data/types.js';

export interface MarketParams {
  /** Slate size K. */
  slate: number;
  /** Days of the horizon (a user has at most one session a day). */
  days: number;
  interestStep: number;
  /** Share of a leaf's click probability each unit of fatigue takes away. */
  fatigue: number;
  fatigueDecay: number;
  fatigueDayDecay: number;
  /** Share of an item's click probability each unit of its own recent exposure takes away. */
  boredom: number;
  boredomDecay: number;
  boredomDayDecay: number;
  exitBase: number;
  exitGrowth: number;
  maxSlates: number;
  /** Clickbait's immediate logit boost: bait (2c - 1). */
  bait: number;
  /** Spread of the clickbait attribute: c = sigmoid(baitSpread (0.8 z_leaf + 0.6 z_item)). */
  baitSpread: number;
  satMemory: number;
  satSensitivity: number;
  /** Satisfaction's effect on the click logit: satClick (S - 1/2). */
  satClick: number;
  returnMin: number;
  returnMax: number;
  dynamics: boolean;
}

/**
 * Fixed before any comparison (docs/online.md says how they were chosen);
 * never tuned per policy.
 */
export const MARKET_DEFAULTS: MarketParams = {
  slate: 10, days: 20,
  interestStep: 0.1, fatigue: 0.15, fatigueDecay: 0.8, fatigueDayDecay: 0.5,
  boredom: 0.15, boredomDecay: 0.9, boredomDayDecay: 0.7,
  exitBase: 0.1, exitGrowth: 0.5, maxSlates: 20,
  bait: 1, baitSpread: 1.5, satMemory: 0.9, satSensitivity: 0.5, satClick: 1,
  returnMin: 0.3, returnMax: 0.9,
  dynamics: true,
};

/** What the dynamics switch turns off. */
const STATIC: Partial<MarketParams> = {
  interestStep: 0, fatigue: 0, boredom: 0, exitGrowth: 0, satSensitivity: 0, satClick: 0, returnMin: 1, returnMax: 1,
};

/** What the user did with one slate. */
export interface SlateOutcome {
  clicks: Uint8Array;
  /** True click probability of each shown item as scanned (the expected clicks are their sum). */
  probs: Float32Array;
  /** The session is over. */
  done: boolean;
}

/** A user's state over the whole horizon (persists across sessions). */
export interface UserTrueState {
  shift: Float32Array;
  fatigue: Float32Array;
  boredom: Float32Array;
  /** Net positive exposure n_u (satisfaction is sigmoid(satSensitivity n_u)). */
  npe: number;
  /** Day of the last session (-1 before the first). */
  lastDay: number;
}

/** A user's live session. */
interface SessionState {
  user: UserTrueState;
  noClick: number;
  step: number;
  day: number;
  tau: number;
  rng: Rng;
  done: boolean;
}

export function sessionSeed(seed: number, user: number, day: number): number {
  let h = (seed | 0) ^ 0x9e3779b9;
  for (const x of [user, day]) h = Math.imul(h ^ x, 0x85ebca6b) ^ (h >>> 13);
  return (h >>> 1) | 0;
}

/** The fixed clickbait-ness of every item: a leaf part and an item part, from a constant seed (a property of the market). */
export function clickbait(leaf: Int32Array, spread: number): Float32Array {
  const rng = new Rng(0x0c0c0a1e), L = Math.max(...leaf) + 1;
  const zl = Float64Array.from({ length: L }, () => rng.normal());
  return Float32Array.from(leaf, (l) => sigmoid(spread * (0.8 * zl[l] + 0.6 * rng.normal())));
}

export class ClosedLoopMarket {
  readonly params: MarketParams;
  readonly latent: MarketLatent;
  readonly numItems: number;
  readonly numLeaves: number;
  /** Clickbait-ness c_i of every item, in (0, 1). */
  readonly bait: Float32Array;
  private readonly users = new Map<number, UserTrueState>();
  private readonly live = new Map<number, SessionState>();

  constructor(readonly dataset: Dataset, readonly seed: number, params: Partial<MarketParams> = {}) {
    const m = dataset.oracle?.market;
    if (!m) throw new UserError(`${dataset.name}: the online protocol needs the synthetic market (--data synthetic)`);
    this.latent = m;
    this.params = { ...MARKET_DEFAULTS, ...params };
    if (!this.params.dynamics) Object.assign(this.params, STATIC);
    this.numItems = dataset.numItems;
    this.numLeaves = Math.max(...m.leaf) + 1;
    this.bait = clickbait(m.leaf, this.params.baitSpread);
  }

  /** The user's persistent true state (created on first use). Read by references only. */
  userState(user: number): UserTrueState {
    let s = this.users.get(user);
    if (!s) {
      s = { shift: new Float32Array(this.latent.dim), fatigue: new Float32Array(this.numLeaves), boredom: new Float32Array(this.numItems), npe: 0, lastDay: -1 };
      this.users.set(user, s);
    }
    return s;
  }

  /** Latent satisfaction S_u in (0, 1). */
  satisfaction(user: number): number { return sigmoid(this.params.satSensitivity * this.userState(user).npe); }

  /** Probability that user comes back on a day after day 0. */
  returnProb(user: number): number {
    const P = this.params;
    return P.returnMin + (P.returnMax - P.returnMin) * this.satisfaction(user);
  }

  /** Whether user has a session on day: always on day 0, later with returnProb (one draw per (seed, user, day)). */
  returns(user: number, day: number): boolean {
    if (day === 0) return true;
    const p = this.returnProb(user);
    return p >= 1 || new Rng(sessionSeed(this.seed ^ 0x7e7024a5, user, day)).uniform() < p;
  }

  /** Starts user's session on day (0-based, counted from the end of the log); fatigue and boredom decay over the days since the last. */
  startSession(user: number, day: number): void {
    const u = this.userState(user), P = this.params;
    if (u.lastDay >= 0 && day > u.lastDay) {
      const gap = day - u.lastDay, ff = Math.pow(P.fatigueDayDecay, gap), fb = Math.pow(P.boredomDayDecay, gap);
      for (let l = 0; l < u.fatigue.length; l++) u.fatigue[l] *= ff;
      for (let i = 0; i < u.boredom.length; i++) u.boredom[i] *= fb;
    }
    u.lastDay = day;
    this.live.set(user, { user: u, noClick: 0, step: 0, day, tau: 0.5 + day / this.latent.days,
      rng: new Rng(sessionSeed(this.seed, user, day)), done: false });
  }

  private state(user: number): SessionState {
    const s = this.live.get(user);
    if (!s || s.done) throw new Error(`market: user ${user} has no open session`);
    return s;
  }

  /** Day of user's open session. */
  day(user: number): number { return this.state(user).day; }

  /** The click probability of item before any within-slate fatigue (the session's current state). */
  private prob(s: SessionState, user: number, i: number, leafTired: number): number {
    const P = this.params, u = s.user, S = sigmoid(P.satSensitivity * u.npe);
    const z = this.latent.logit(user, i, s.tau, u.shift) + P.bait * (2 * this.bait[i] - 1) + P.satClick * (S - 0.5);
    let p = sigmoid(z);
    if (P.fatigue > 0) p *= Math.pow(1 - P.fatigue, leafTired);
    if (P.boredom > 0) p *= Math.pow(1 - P.boredom, u.boredom[i]);
    return p;
  }

  /** True click probability of every item for user right now (before the next slate is scanned). */
  trueProbs(user: number): Float32Array {
    const s = this.state(user), out = new Float32Array(this.numItems), leaf = this.latent.leaf;
    for (let i = 0; i < this.numItems; i++) out[i] = this.prob(s, user, i, s.user.fatigue[leaf[i]]);
    return out;
  }

  /** Expected clicks of slate for user now, scanning it with within-slate fatigue (no state change). */
  expectedClicks(user: number, slate: ArrayLike<number>): number {
    return this.scan(this.state(user), user, slate).reduce((a, b) => a + b, 0);
  }

  private scan(s: SessionState, user: number, slate: ArrayLike<number>): Float32Array {
    const f = s.user.fatigue.slice(), leaf = this.latent.leaf, p = new Float32Array(slate.length);
    for (let j = 0; j < slate.length; j++) {
      const i = slate[j];
      p[j] = this.prob(s, user, i, f[leaf[i]]);
      f[leaf[i]] += 1;
    }
    return p;
  }

  /** Shows slate to user: draws the clicks, then moves taste, satisfaction, fatigue, boredom and the exit state. */
  show(user: number, slate: Int32Array): SlateOutcome {
    const s = this.state(user), P = this.params, K = slate.length, u = s.user;
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
        for (let k = 0; k < d; k++) u.shift[k] += P.interestStep * (q[slate[j] * d + k] - taste[k] - u.shift[k]);
      }
    }
    for (let j = 0; j < K; j++) if (clicks[j]) u.npe = P.satMemory * u.npe + (1 - 2 * this.bait[slate[j]]);
    if (P.fatigue > 0) {
      for (let l = 0; l < u.fatigue.length; l++) u.fatigue[l] *= P.fatigueDecay;
      for (const i of slate) u.fatigue[this.latent.leaf[i]] += 1;
    }
    if (P.boredom > 0) {
      for (let i = 0; i < u.boredom.length; i++) u.boredom[i] *= P.boredomDecay;
      for (const i of slate) u.boredom[i] += 1;
    }
    s.noClick = n > 0 ? 0 : s.noClick + 1;
    s.step++;
    const exit = Math.min(1, P.exitBase + P.exitGrowth * s.noClick);
    s.done = s.step >= P.maxSlates || s.rng.uniform() < exit;
    if (s.done) this.live.delete(user);
    return { clicks, probs, done: s.done };
  }
}

export function sigmoid(z: number): number { return 1 / (1 + Math.exp(-z)); }
