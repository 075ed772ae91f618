/**
 * d-gcn / dp-gcn learning online: the decision layer's DDPG agent, trained
 * offline in afterEpoch, keeps learning from the feedback stream as
 * sequential RL. The state is the layer's own [user representation, static
 * fields (dp-gcn), mean of the last k clicked items], built from the history
 * that ends with this session's clicks, so it carries the session so far.
 * The action a (exploration: Gaussian, sigma) shifts the user tower by
 * DecisionLayer.userShift(a); the slate is the top K of the shifted scores.
 * A transition is (s, a, clicks in the slate, s' = the state after what the
 * user actually did, done = the user left), stored in a replay buffer; every
 * feedback event is followed by `updatesPerEvent` DDPG updates with discount
 * gamma > 0, so the critic values what a slate does to the rest of the session.
 */
import type { Rng } from '../tensor/rng.js';
import { ReplayBuffer } from '../rl/replay_buffer.js';
import type { GraphRecommender } from '../models/graph_models.js';
import type { Scorer } from '../models/decision_env.js';
import type { DecisionLayer } from '../models/decision.js';
import { topK, type FeedbackEvent, type OnlinePolicy, type SlateContext } from './policy.js';

export interface OnlineDdpgOptions {
  gamma?: number;
  sigma?: number;
  batchSize?: number;
  updatesPerEvent?: number;
  bufferCapacity?: number;
}

export class OnlineDdpgPolicy implements OnlinePolicy {
  learnSeconds = 0;
  learnEvents = 0;
  private readonly dec: DecisionLayer;
  private readonly release: () => void;
  private readonly sc: Scorer;
  private readonly Z: Float32Array;
  private readonly dotWeight: number;
  private readonly buffer: ReplayBuffer;
  private readonly pending = new Map<number, { s: Float32Array; a: Float32Array }>();
  private readonly o: Required<OnlineDdpgOptions>;
  private readonly prevGamma: number;

  constructor(readonly name: string, private readonly model: GraphRecommender, private readonly rng: Rng, opts: OnlineDdpgOptions = {}) {
    const dec = model.decision, head = model.dotHead;
    if (!dec || !head || !model.scoreItems || !model.servingTables) throw new Error(`${name}: online DDPG needs a decision layer and the dot head`);
    this.dec = dec;
    this.o = { gamma: 0.9, sigma: 0.3, batchSize: 64, updatesPerEvent: 1, bufferCapacity: 20000, ...opts };
    this.release = model.freeze();
    this.sc = model.scorer();
    this.Z = model.servingTables().item;
    this.dotWeight = head.dotWeight;
    this.buffer = new ReplayBuffer(this.o.bufferCapacity, dec.stateDim, dec.actionDim, rng.fork());
    this.prevGamma = dec.ddpg.gamma;
    dec.ddpg.gamma = this.o.gamma;
  }

  private state(u: number, history: Int32Array): Float32Array {
    const d = this.sc.dim, us = this.sc.userState(u), L = Math.max(1, history.length), h = new Int32Array(L).fill(-1);
    h.set(history);
    return this.dec.states(us.subarray(0, d), us.length > d ? us.subarray(d) : null, h, Int32Array.of(history.length), L, this.sc.stateItemTable);
  }

  recommend(u: number, k: number, ctx: SlateContext): Int32Array {
    const s = this.state(u, ctx.history), mu = this.dec.actions(s, 1), a = mu.slice();
    for (let j = 0; j < a.length; j++) a[j] = Math.min(1, Math.max(-1, a[j] + this.o.sigma * this.rng.normal()));
    // scoreItems holds the shift of mu(s); move it to the explored action's
    const scores = this.model.scoreItems!(u, ctx.history), s0 = this.dec.userShift(mu), s1 = this.dec.userShift(a);
    const d = this.sc.dim, delta = s1.map((x, j) => this.dotWeight * (x - s0[j]));
    for (let i = 0; i < scores.length; i++) { let t = 0; for (let j = 0; j < d; j++) t += delta[j] * this.Z[i * d + j]; scores[i] += t; }
    this.pending.set(u, { s, a });
    return topK(scores, k);
  }

  feedback(events: FeedbackEvent[]): void {
    for (const e of events) {
      const p = this.pending.get(e.user);
      if (!p) continue;
      this.pending.delete(e.user);
      const t0 = performance.now();
      let r = 0;
      for (const c of e.clicks) r += c;
      const s2 = e.done ? p.s : this.state(e.user, e.history);
      this.buffer.add(p.s, p.a, r, s2, e.done);
      if (this.buffer.size >= this.o.batchSize) for (let k = 0; k < this.o.updatesPerEvent; k++) this.dec.ddpg.update(this.buffer.sample(this.o.batchSize));
      this.learnSeconds += (performance.now() - t0) / 1000;
      this.learnEvents++;
    }
  }

  close(): void { this.dec.ddpg.gamma = this.prevGamma; this.release(); }
}
