/**
 * Offline pre-training of the online decision layer on the log alone: a
 * replay of logged users (src/rl/batched_env.ts). An episode starts at a
 * random point of a user's logged clicks, with a fresh LinUCB posterior
 * warm-started on the clicks before it (as the bandit warm-starts on the log
 * online) and fresh session features. Each step the knob scorer shows a slate
 * of K; the reward is the number of the user's next `horizon` logged clicks
 * in it (the log's clicks, as a slate would have caught them); every shown
 * item enters the posterior with r = 1 if it is one of them, else 0, and the
 * logged click itself enters with r = 1; then the episode moves to the next
 * logged click. No true probability is read.
 */
import type { Rng } from '../tensor/rng.js';
import type { Dataset } from '../data/types.js';
import type { BatchedEnv, BatchedStep } from '../rl/batched_env.js';
import { LinearBandit } from './bandits.js';
import { SlateFeatures, stateSize } from './slate_scorer.js';
import type { KnobScorer } from './slate_policy.js';

export interface LoggedSlateEnvOptions { steps?: number; horizon?: number; gamma?: number; slate?: number }

export class LoggedSlateEnv implements BatchedEnv {
  readonly stateDim: number;
  readonly actionDim: number;
  private readonly o: Required<LoggedSlateEnvOptions>;
  private readonly users: number[] = [];
  private bandit!: LinearBandit;
  private features!: SlateFeatures;
  private slotUser: number[] = [];
  private slotPos: number[] = [];
  private slotEnd: number[] = [];
  private prefix = new Map<number, Int32Array>();

  constructor(private readonly scorer: KnobScorer, private readonly ds: Dataset, opts: LoggedSlateEnvOptions = {}) {
    this.o = { steps: 8, horizon: 5, gamma: 0.8, slate: 10, ...opts };
    this.actionDim = scorer.actionDim;
    this.stateDim = stateSize(scorer.d, new SlateFeatures(scorer.model.categories, scorer.d).numCats);
    for (let u = 0; u < ds.numUsers; u++) if (ds.userPtr[u + 1] - ds.userPtr[u] >= this.o.steps + this.o.horizon + 2) this.users.push(u);
  }

  private logged(u: number, a: number, b: number): Int32Array { return this.ds.interactions.item.subarray(this.ds.userPtr[u] + a, this.ds.userPtr[u] + b); }

  private stateOf(slot: number): Float32Array {
    return this.scorer.state(this.bandit, this.features, slot, this.slotUser[slot], this.o.slate, 0).s;
  }

  reset(n: number, rng: Rng): Float32Array {
    this.prefix = new Map();
    this.bandit = new LinearBandit('replay', 'linucb', this.scorer.rows, this.scorer.d, (slot) => this.prefix.get(slot) ?? new Int32Array(0), rng.fork());
    this.features = new SlateFeatures(this.scorer.model.categories, this.scorer.d);
    this.slotUser = []; this.slotPos = []; this.slotEnd = [];
    const out = new Float32Array(n * this.stateDim);
    for (let q = 0; q < n; q++) {
      const u = this.users[rng.int(this.users.length)], len = this.ds.userPtr[u + 1] - this.ds.userPtr[u];
      const pos = 1 + rng.int(len - this.o.steps - this.o.horizon);
      this.slotUser.push(u); this.slotPos.push(pos); this.slotEnd.push(pos + this.o.steps);
      this.prefix.set(q, this.logged(u, 0, pos).slice());
      this.features.startSession(q, 0);
      out.set(this.stateOf(q), q * this.stateDim);
    }
    return out;
  }

  step(slots: Int32Array, actions: Float32Array, _rng: Rng): BatchedStep {
    const n = slots.length, A = this.actionDim, sd = this.stateDim, K = this.o.slate;
    const st: BatchedStep = { rewards: new Float32Array(n), nextStates: new Float32Array(n * sd), discounts: new Float32Array(n), ended: new Uint8Array(n) };
    for (let q = 0; q < n; q++) {
      const slot = slots[q], u = this.slotUser[slot], pos = this.slotPos[slot];
      const a = actions.subarray(q * A, (q + 1) * A);
      const slate = this.scorer.slate(this.bandit, this.features, slot, u, K, a, this.logged(u, 0, pos));
      const next = new Set(this.logged(u, pos, pos + this.o.horizon)), clicks = Uint8Array.from(slate, (i) => (next.has(i) ? 1 : 0));
      let r = 0;
      for (const c of clicks) r += c;
      slate.forEach((i, j) => this.bandit.observeItem(slot, i, clicks[j]));
      this.bandit.observeItem(slot, this.logged(u, pos, pos + 1)[0], 1);
      this.features.observe(slot, 0, slate, clicks, this.scorer.rows);
      this.slotPos[slot] = pos + 1;
      const ended = this.slotPos[slot] >= this.slotEnd[slot];
      st.rewards[q] = r; st.ended[q] = ended ? 1 : 0;
      // a replayed episode ends by truncation: the value of the next state is not zero
      st.discounts[q] = this.o.gamma;
      st.nextStates.set(this.stateOf(slot), q * sd);
    }
    return st;
  }
}
