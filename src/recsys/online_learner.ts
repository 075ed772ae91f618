/**
 * Learning from served decisions: joined transitions (s, a, r, s', done) go
 * to a replay buffer, and each one is followed by `updatesPerEvent` policy
 * updates on a minibatch (bounded work per event, as the in-process online
 * learner src/online/ddpg_policy.ts does). Every `heldOutEvery`-th explored
 * transition is held out instead: the gate (gate.ts) scores candidate and
 * current policies on those logged decisions every `publishEvery`
 * transitions, and only a candidate that passes becomes the next version.
 *
 * Determinism: minibatch k is drawn by its own stream (decisionRng(seed, k)),
 * so a restored learner continues exactly as one that never stopped; the
 * whole state (policy with critic, targets and optimisers, the published
 * actor, replay buffer, held-out set, counters) round-trips through
 * snapshot() / OnlineLearner.restore.
 */
import { Rng } from '../tensor/rng.js';
import { ReplayBuffer } from '../rl/replay_buffer.js';
import { decisionRng, gaussianLogDensity, type PolicyCore, type Weights } from './learner.js';
import { gate, snips, type GateDecision, type OffPolicyEstimate } from './gate.js';

export interface Transition {
  decisionId: string;
  state: Float32Array;
  /** Applied action (clipped). */
  action: Float32Array;
  /** Raw action mean + noise (what the density is of). */
  rawAction: Float32Array;
  /** log density of rawAction under the policy that served it; null: not explored (no propensity). */
  logDensity: number | null;
  reward: number;
  next: Float32Array;
  done: boolean;
}

export interface LearnerOptions {
  gamma: number; sigma: number; batchSize: number; updatesPerEvent: number; capacity: number;
  publishEvery: number; heldOutEvery: number; heldOutCapacity: number; minHeldOut: number; seed: number;
}

/** The in-process online learner's settings (src/online/ddpg_policy.ts), so served and in-process learning match. */
export const LEARNER_DEFAULTS: LearnerOptions = {
  gamma: 0.9, sigma: 0.3, batchSize: 64, updatesPerEvent: 1, capacity: 20000,
  publishEvery: 50, heldOutEvery: 5, heldOutCapacity: 1000, minHeldOut: 20, seed: 1,
};

export interface GateRecord extends GateDecision { version: number; transitions: number; updates: number }

export interface LearnerState { meta: { version: number; transitions: number; updates: number; adds: number; explored: number; held: number; heldNext: number }; tensors: Weights }

export class OnlineLearner {
  version = 0;
  transitions = 0;
  updates = 0;
  private adds = 0;
  private explored = 0;
  private readonly buffer: ReplayBuffer;
  private readonly hS: Float32Array; private readonly hA: Float32Array; private readonly hP: Float32Array; private readonly hR: Float32Array;
  private held = 0; private heldNext = 0;
  lastGate: GateRecord | null = null;

  /** core learns; published acts as the version being served (for its estimate). */
  constructor(readonly core: PolicyCore, readonly published: PolicyCore, readonly o: LearnerOptions) {
    const sd = core.stateDim, m = core.actionDim, H = o.heldOutCapacity;
    this.buffer = new ReplayBuffer(o.capacity, sd, m, new Rng(0));
    this.hS = new Float32Array(H * sd); this.hA = new Float32Array(H * m); this.hP = new Float32Array(H); this.hR = new Float32Array(H);
  }

  get replaySize(): number { return this.buffer.size; }
  get heldOut(): number { return this.held; }

  /** Learns from one transition; returns the gate's record when this one completed a publication period. */
  add(t: Transition): GateRecord | null {
    this.transitions++;
    if (t.logDensity !== null && this.explored++ % this.o.heldOutEvery === this.o.heldOutEvery - 1) {
      const sd = this.core.stateDim, m = this.core.actionDim, j = this.heldNext;
      this.hS.set(t.state, j * sd); this.hA.set(t.rawAction, j * m); this.hP[j] = t.logDensity; this.hR[j] = t.reward;
      this.heldNext = (j + 1) % this.o.heldOutCapacity;
      this.held = Math.min(this.held + 1, this.o.heldOutCapacity);
    } else {
      this.buffer.add(t.state, t.action, t.reward, t.next, t.done);
      this.adds++;
      if (this.buffer.size >= this.o.batchSize) {
        for (let k = 0; k < this.o.updatesPerEvent; k++) {
          const rng = decisionRng(this.o.seed ^ 0x51ed270b, this.updates), n = this.buffer.size;
          const idx = new Int32Array(this.o.batchSize);
          for (let b = 0; b < idx.length; b++) idx[b] = rng.int(n);
          this.core.update(this.buffer.gather(idx));
          this.updates++;
        }
      }
    }
    if (this.transitions % this.o.publishEvery !== 0) return null;
    return this.tick();
  }

  /** SNIPS of a policy on the held-out decisions. */
  estimate(p: PolicyCore): OffPolicyEstimate {
    const n = this.held, sd = this.core.stateDim, m = this.core.actionDim;
    if (n === 0) return snips([], []);
    const mu = p.means(this.hS.subarray(0, n * sd), n), lr = new Float64Array(n);
    for (let i = 0; i < n; i++) lr[i] = gaussianLogDensity(this.hA.subarray(i * m, (i + 1) * m), mu.subarray(i * m, (i + 1) * m), this.o.sigma) - this.hP[i];
    return snips(lr, this.hR.subarray(0, n));
  }

  /** The gate: the candidate becomes the next version (copied into published) or is withheld. */
  tick(): GateRecord {
    const g = gate(this.estimate(this.core), this.estimate(this.published), this.o.minHeldOut);
    if (g.publish) { this.published.setActorWeights(this.core.actorWeights()); this.version++; }
    this.lastGate = { ...g, version: this.version, transitions: this.transitions, updates: this.updates };
    return this.lastGate;
  }

  snapshot(): LearnerState {
    const t: Weights = {}, put = (n: string, d: Float32Array, shape = [d.length]) => { t[n] = { shape, data: d.slice() }; };
    for (const [n, w] of Object.entries(this.core.stateDict())) t[`policy/${n}`] = w;
    for (const [n, w] of Object.entries(this.published.actorWeights())) t[`published/${n}`] = w;
    const b = this.buffer.gather(Int32Array.from({ length: this.buffer.size }, (_, i) => i));
    put('replay/states', b.states); put('replay/actions', b.actions); put('replay/rewards', b.rewards); put('replay/next', b.nextStates); put('replay/dones', b.dones);
    put('heldout/states', this.hS); put('heldout/actions', this.hA); put('heldout/logp', this.hP); put('heldout/rewards', this.hR);
    return { meta: { version: this.version, transitions: this.transitions, updates: this.updates, adds: this.adds, explored: this.explored, held: this.held, heldNext: this.heldNext }, tensors: t };
  }

  /** A learner continuing from snapshot s (core and published are fresh copies of the policy). */
  static restore(core: PolicyCore, published: PolicyCore, o: LearnerOptions, s: LearnerState): OnlineLearner {
    const part = (p: string) => Object.fromEntries(Object.entries(s.tensors).filter(([n]) => n.startsWith(p)).map(([n, w]) => [n.slice(p.length), w]));
    core.loadStateDict(part('policy/'));
    published.setActorWeights(part('published/'));
    const l = new OnlineLearner(core, published, o), sd = core.stateDim, m = core.actionDim, T = s.tensors;
    const n = T['replay/rewards'].data.length, cap = o.capacity, wrapped = s.meta.adds > cap ? s.meta.adds % cap : 0;
    // slots 0..n-1 in order, then 0..wrapped-1 again: the ring ends with the same layout and write position
    const slot = (i: number) => l.buffer.add(T['replay/states'].data.subarray(i * sd, (i + 1) * sd), T['replay/actions'].data.subarray(i * m, (i + 1) * m),
      T['replay/rewards'].data[i], T['replay/next'].data.subarray(i * sd, (i + 1) * sd), T['replay/dones'].data[i] > 0.5);
    for (let i = 0; i < n; i++) slot(i);
    for (let i = 0; i < wrapped && n === cap; i++) slot(i);
    const H = Math.min(o.heldOutCapacity, T['heldout/logp'].data.length);
    l.hS.set(T['heldout/states'].data.subarray(0, H * sd)); l.hA.set(T['heldout/actions'].data.subarray(0, H * m));
    l.hP.set(T['heldout/logp'].data.subarray(0, H)); l.hR.set(T['heldout/rewards'].data.subarray(0, H));
    Object.assign(l, { version: s.meta.version, transitions: s.meta.transitions, updates: s.meta.updates, adds: s.meta.adds, explored: s.meta.explored,
      held: Math.min(s.meta.held, H), heldNext: s.meta.heldNext % o.heldOutCapacity });
    return l;
  }
}
