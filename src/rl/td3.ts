/**
 * TD3 (Fujimoto et al. 2018): DDPG with twin critics (the target takes the
 * smaller of the two target critics, against the overestimation that made
 * the single critic of ./ddpg.ts diverge online: loss 3.2 -> 43, mean Q
 * 2.9 -> 18 over 1,900 updates), target policy smoothing (clipped Gaussian
 * noise on the target action) and delayed actor and target updates (every
 * `policyDelay` critic steps).
 *
 * Two additions for a decision layer that must start as good as a reference
 * policy and can only learn its way up:
 * - the actor starts at the reference action (its output layer zeroed, so
 *   mu(s) = 0 = the reference for every s) and its loss carries
 *   refWeight * mean |mu(s)|^2, pulling it back to the reference where the
 *   critic has no evidence;
 * - each transition carries its own discount (gamma^days between sessions,
 *   or 0 for a terminal), so one buffer holds within-session and
 *   across-session steps.
 * `choose` is the Wolpertinger step (Dulac-Arnold et al. 2015): of several
 * candidate actions, the one the (twin-min) critic values most.
 */
import type { Rng } from '../tensor/rng.js';
import { tensor } from '../tensor/create.js';
import { tidy } from '../tensor/scope.js';
import { backward, noGrad } from '../autograd/engine.js';
import { add, neg, square, mulScalar } from '../autograd/ops/elementwise.js';
import { mean } from '../autograd/ops/reduce.js';
import { mse } from '../autograd/ops/loss.js';
import { Adam } from '../optim/adam.js';
import { clipGradNorm } from '../optim/clip.js';
import { UserError } from '../errors.js';
import { Actor } from './actor.js';
import { Critic } from './critic.js';
import { softUpdate } from './ddpg.js';

export interface TD3Options {
  stateDim: number;
  actionDim: number;
  rng: Rng;
  hidden?: number[];
  actorLr?: number;
  criticLr?: number;
  tau?: number;
  /** Critic steps per actor (and target) step. */
  policyDelay?: number;
  /** Std and clip of the target-smoothing noise. */
  targetNoise?: number;
  targetClip?: number;
  /** Weight of mean |mu(s)|^2 in the actor's loss (the pull toward the reference action 0). */
  refWeight?: number;
  clipNorm?: number;
}

/** A minibatch with a discount per transition (0 = terminal). */
export interface TD3Batch {
  size: number;
  states: Float32Array;
  actions: Float32Array;
  rewards: Float32Array;
  nextStates: Float32Array;
  discounts: Float32Array;
}

type Resolved = Required<Omit<TD3Options, 'rng' | 'stateDim' | 'actionDim'>>;

export interface TD3Stats { criticLoss: number; meanQ: number; actorLoss: number | null }

/** A ring buffer of transitions with a discount each, sampled uniformly with replacement. */
export class TransitionBuffer {
  private readonly s: Float32Array; private readonly a: Float32Array; private readonly r: Float32Array;
  private readonly s2: Float32Array; private readonly g: Float32Array;
  private next = 0; private count = 0;
  constructor(readonly capacity: number, readonly stateDim: number, readonly actionDim: number, private readonly rng: Rng) {
    this.s = new Float32Array(capacity * stateDim); this.s2 = new Float32Array(capacity * stateDim);
    this.a = new Float32Array(capacity * actionDim); this.r = new Float32Array(capacity); this.g = new Float32Array(capacity);
  }
  get size(): number { return this.count; }
  add(s: ArrayLike<number>, a: ArrayLike<number>, r: number, s2: ArrayLike<number>, discount: number): void {
    if (s.length !== this.stateDim || s2.length !== this.stateDim || a.length !== this.actionDim) throw new UserError('TransitionBuffer.add: wrong state or action size');
    const i = this.next, sd = this.stateDim, ad = this.actionDim;
    this.s.set(s, i * sd); this.s2.set(s2, i * sd); this.a.set(a, i * ad); this.r[i] = r; this.g[i] = discount;
    this.next = (i + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }
  sample(n: number): TD3Batch {
    const sd = this.stateDim, ad = this.actionDim;
    const b: TD3Batch = { size: n, states: new Float32Array(n * sd), actions: new Float32Array(n * ad), rewards: new Float32Array(n),
      nextStates: new Float32Array(n * sd), discounts: new Float32Array(n) };
    for (let k = 0; k < n; k++) {
      const i = this.rng.int(this.count);
      b.states.set(this.s.subarray(i * sd, (i + 1) * sd), k * sd); b.nextStates.set(this.s2.subarray(i * sd, (i + 1) * sd), k * sd);
      b.actions.set(this.a.subarray(i * ad, (i + 1) * ad), k * ad); b.rewards[k] = this.r[i]; b.discounts[k] = this.g[i];
    }
    return b;
  }
}

export class TD3 {
  readonly actor: Actor; readonly actorTarget: Actor;
  readonly critics: [Critic, Critic]; readonly criticTargets: [Critic, Critic];
  readonly stateDim: number; readonly actionDim: number;
  private readonly actorOpt: Adam; private readonly criticOpt: Adam;
  private readonly o: Resolved;
  private readonly noiseRng: Rng;
  /** Critic updates so far. */
  steps = 0;
  /** Last stats (diagnostics). */
  last: TD3Stats | null = null;

  constructor(opts: TD3Options) {
    const { stateDim, actionDim } = opts;
    this.stateDim = stateDim; this.actionDim = actionDim;
    this.o = { hidden: [64, 64], actorLr: 3e-4, criticLr: 1e-3, tau: 0.005, policyDelay: 2, targetNoise: 0.2, targetClip: 0.5,
      refWeight: 0.1, clipNorm: 10, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as Resolved;
    const init = opts.rng.fork();
    this.noiseRng = opts.rng.fork();
    const h = { hidden: this.o.hidden };
    this.actor = new Actor(stateDim, actionDim, init, h);
    this.actorTarget = new Actor(stateDim, actionDim, init, h);
    this.critics = [new Critic(stateDim, actionDim, init, h), new Critic(stateDim, actionDim, init, h)];
    this.criticTargets = [new Critic(stateDim, actionDim, init, h), new Critic(stateDim, actionDim, init, h)];
    // the reference action: mu(s) = 0 for every s until the actor learns otherwise
    const last = this.actor.net.layers[this.actor.net.layers.length - 1];
    last.weight.data.fill(0); last.bias?.data.fill(0);
    this.actorTarget.loadStateDict(this.actor.stateDict());
    for (let k = 0; k < 2; k++) this.criticTargets[k].loadStateDict(this.critics[k].stateDict());
    this.actorOpt = new Adam(this.actor.parameters(), { lr: this.o.actorLr });
    this.criticOpt = new Adam([...this.critics[0].parameters(), ...this.critics[1].parameters()], { lr: this.o.criticLr });
  }

  /** mu(s) for B states (B x actionDim), no noise. */
  act(states: Float32Array, B: number): Float32Array {
    if (states.length !== B * this.stateDim) throw new UserError(`TD3.act: expected ${B} x ${this.stateDim} state values, got ${states.length}`);
    return tidy(() => noGrad(() => this.actor.forward(tensor(states, [B, this.stateDim])).data.slice()));
  }

  /** min(Q1, Q2)(s, a_c) of C candidate actions (C x actionDim) in one state. */
  values(state: Float32Array, actions: Float32Array): Float32Array {
    const C = actions.length / this.actionDim, s = new Float32Array(C * this.stateDim);
    for (let c = 0; c < C; c++) s.set(state, c * this.stateDim);
    return tidy(() => noGrad(() => {
      const st = tensor(s, [C, this.stateDim]), at = tensor(actions, [C, this.actionDim]);
      const q1 = this.critics[0].forward(st, at).data, q2 = this.critics[1].forward(st, at).data;
      return Float32Array.from(q1, (v, i) => Math.min(v, q2[i]));
    }));
  }

  /** Wolpertinger: index of the candidate action the critic values most (first on ties). */
  choose(state: Float32Array, actions: Float32Array): number {
    const q = this.values(state, actions);
    let best = 0;
    for (let c = 1; c < q.length; c++) if (q[c] > q[best]) best = c;
    return best;
  }

  /** One critic step on both critics; every policyDelay-th call also an actor step and the soft target updates. */
  update(b: TD3Batch): TD3Stats {
    const n = b.size, sd = this.stateDim, ad = this.actionDim, o = this.o;
    const stats = tidy((): TD3Stats => {
      const s = tensor(b.states, [n, sd]), a = tensor(b.actions, [n, ad]);
      const y = noGrad(() => {
        const s2 = tensor(b.nextStates, [n, sd]);
        const a2 = this.actorTarget.forward(s2).data.slice();
        for (let i = 0; i < a2.length; i++) {
          const e = Math.max(-o.targetClip, Math.min(o.targetClip, o.targetNoise * this.noiseRng.normal()));
          a2[i] = Math.max(-1, Math.min(1, a2[i] + e));
        }
        const at = tensor(a2, [n, ad]);
        const q1 = this.criticTargets[0].forward(s2, at).data, q2 = this.criticTargets[1].forward(s2, at).data;
        return tensor(Float32Array.from(b.rewards, (r, i) => r + b.discounts[i] * Math.min(q1[i], q2[i])), [n, 1]);
      });
      this.criticOpt.zeroGrad();
      const qa = this.critics[0].forward(s, a), qb = this.critics[1].forward(s, a);
      const loss = add(mse(qa, y), mse(qb, y));
      const meanQ = noGrad(() => mean(qa).item());
      backward(loss);
      clipGradNorm([...this.critics[0].parameters(), ...this.critics[1].parameters()], o.clipNorm);
      this.criticOpt.step();
      let actorLoss: number | null = null;
      if ((this.steps + 1) % o.policyDelay === 0) {
        const cp = this.critics[0].parameters();
        for (const p of cp) p.requiresGrad = false;
        try {
          this.actorOpt.zeroGrad();
          const mu = this.actor.forward(s);
          const l = add(neg(mean(this.critics[0].forward(s, mu))), mulScalar(mean(square(mu)), o.refWeight * ad));
          actorLoss = l.item();
          backward(l);
        } finally { for (const p of cp) p.requiresGrad = true; }
        clipGradNorm(this.actor.parameters(), o.clipNorm);
        this.actorOpt.step();
      }
      return { criticLoss: loss.item() / 2, meanQ, actorLoss };
    });
    if (stats.actorLoss !== null) {
      softUpdate(this.actorTarget, this.actor, o.tau);
      for (let k = 0; k < 2; k++) softUpdate(this.criticTargets[k], this.critics[k], o.tau);
    }
    this.steps++;
    this.last = stats;
    return stats;
  }
}
