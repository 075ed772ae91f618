/**
 * Deep Deterministic Policy Gradient (Lillicrap et al. 2016), the decision
 * layer of DP-GCN (DESIGN section 4, Eqs. 4-5). The critic regresses onto
 * r + gamma (1 - done) Q'(s', mu'(s')), with the target networks evaluated
 * under noGrad so no graph is recorded through them; the actor ascends
 * Q(s, mu(s)), the gradient flowing through the critic into the actor while
 * the critic's weights are frozen for that pass (so the actor step neither
 * computes nor leaves critic gradients). Targets track the online networks by
 * Polyak averaging with rate tau. All randomness (initial weights,
 * exploration) comes from the Rng passed in.
 */
import { Rng } from '../tensor/rng.js';
import { tensor } from '../tensor/create.js';
import { tidy } from '../tensor/scope.js';
import { backward, noGrad } from '../autograd/engine.js';
import { neg } from '../autograd/ops/elementwise.js';
import { mean } from '../autograd/ops/reduce.js';
import { mse } from '../autograd/ops/loss.js';
import type { Module } from '../nn/module.js';
import type { Activation } from '../nn/layers.js';
import { Adam } from '../optim/adam.js';
import { clipGradNorm } from '../optim/clip.js';
import type { Schedule } from '../optim/schedule.js';
import { UserError } from '../errors.js';
import { Actor } from './actor.js';
import { Critic } from './critic.js';
import { OUNoise, GaussianNoise, type ActionNoise, type OUOptions } from './noise.js';
import type { Batch } from './replay_buffer.js';

export interface DDPGOptions {
  stateDim: number;
  actionDim: number;
  rng: Rng;
  maxAction?: number;
  actorHidden?: number[];
  criticHidden?: number[];
  activation?: Activation;
  actorLr?: number;
  criticLr?: number;
  criticWeightDecay?: number;
  /** Learning-rate schedules over update steps; a decay to a small rate removes the policy jitter that a constant rate leaves. */
  actorSchedule?: Schedule;
  criticSchedule?: Schedule;
  gamma?: number;
  tau?: number;
  /** Global L2 norm each network's gradient is clipped to before its step. */
  clipNorm?: number;
  /** 'ou' (default), 'gaussian', or a ready-made process. Options apply to the named kinds. */
  noise?: 'ou' | 'gaussian' | ActionNoise;
  noiseOptions?: OUOptions;
}

export interface UpdateStats {
  criticLoss: number;
  /** -mean Q(s, mu(s)) before the actor step. */
  actorLoss: number;
  /** Mean Q(s, a) over the batch. */
  meanQ: number;
}

/** target <- (1 - tau) target + tau source, parameter by parameter (matched by path). */
export function softUpdate(target: Module, source: Module, tau: number): void {
  const tp = target.namedParameters(), sp = source.namedParameters();
  if (tp.length !== sp.length) throw new UserError(`softUpdate: ${tp.length} target vs ${sp.length} source parameters`);
  for (let k = 0; k < tp.length; k++) {
    const [name, t] = tp[k], [sname, s] = sp[k];
    if (name !== sname || t.size !== s.size) throw new UserError(`softUpdate: parameter '${name}' does not match '${sname}'`);
    const td = t.data, sd = s.data;
    for (let i = 0; i < td.length; i++) td[i] += tau * (sd[i] - td[i]);
  }
}

export class DDPG {
  readonly actor: Actor;
  readonly critic: Critic;
  readonly actorTarget: Actor;
  readonly criticTarget: Critic;
  readonly noise: ActionNoise;
  readonly stateDim: number; readonly actionDim: number; readonly maxAction: number;
  /** Not readonly: online learning (src/online/ddpg_policy.ts) continues an offline-trained agent with its own discount. */
  gamma: number;
  readonly tau: number; readonly clipNorm: number;
  private readonly actorOpt: Adam;
  private readonly criticOpt: Adam;
  /** Updates performed so far. */
  steps = 0;

  constructor(opts: DDPGOptions) {
    const { stateDim, actionDim } = opts;
    this.stateDim = stateDim; this.actionDim = actionDim;
    this.maxAction = opts.maxAction ?? 1;
    this.gamma = opts.gamma ?? 0.99;
    this.tau = opts.tau ?? 0.005;
    this.clipNorm = opts.clipNorm ?? 10;
    // separate streams so changing e.g. the noise kind leaves the initial weights unchanged
    const initRng = opts.rng.fork(), noiseRng = opts.rng.fork();
    const aopts = { hidden: opts.actorHidden, maxAction: this.maxAction, activation: opts.activation };
    const copts = { hidden: opts.criticHidden, activation: opts.activation };
    this.actor = new Actor(stateDim, actionDim, initRng, aopts);
    this.critic = new Critic(stateDim, actionDim, initRng, copts);
    this.actorTarget = new Actor(stateDim, actionDim, initRng, aopts);
    this.criticTarget = new Critic(stateDim, actionDim, initRng, copts);
    this.actorTarget.loadStateDict(this.actor.stateDict());
    this.criticTarget.loadStateDict(this.critic.stateDict());
    this.actorOpt = new Adam(this.actor.parameters(), { lr: opts.actorLr ?? 1e-3, schedule: opts.actorSchedule });
    this.criticOpt = new Adam(this.critic.parameters(), { lr: opts.criticLr ?? 1e-3, weightDecay: opts.criticWeightDecay ?? 0, schedule: opts.criticSchedule });
    const noise = opts.noise ?? 'ou';
    if (noise === 'ou') this.noise = new OUNoise(actionDim, noiseRng, opts.noiseOptions);
    else if (noise === 'gaussian') this.noise = new GaussianNoise(actionDim, noiseRng, opts.noiseOptions);
    else this.noise = noise;
  }

  /** Everything learning resumes from: actor, critic, both targets, both optimisers, the update count (flat names). */
  /**
   * Frees what only training uses (the critic, both targets, the optimisers' moments) and keeps
   * the actor, which may still score or belong to a module that frees it.
   */
  releaseTraining(): void {
    for (const m of [this.critic, this.actorTarget, this.criticTarget]) m.releaseStorage();
    this.actorOpt.dispose();
    this.criticOpt.dispose();
  }

  stateDict(): Record<string, { shape: number[]; data: Float32Array }> {
    const out: Record<string, { shape: number[]; data: Float32Array }> = { steps: { shape: [1], data: Float32Array.of(this.steps) } };
    const parts: [string, Record<string, { shape: number[]; data: Float32Array }>][] = [
      ['actor', this.actor.stateDict()], ['critic', this.critic.stateDict()], ['actorTarget', this.actorTarget.stateDict()],
      ['criticTarget', this.criticTarget.stateDict()], ['actorOpt', this.actorOpt.stateDict()], ['criticOpt', this.criticOpt.stateDict()]];
    for (const [p, sd] of parts) for (const [n, t] of Object.entries(sd)) out[`${p}/${n}`] = t;
    return out;
  }

  /** Restores what stateDict saved. */
  loadStateDict(state: Record<string, { shape: number[]; data: Float32Array }>): void {
    const part = (p: string) => {
      const o: Record<string, { shape: number[]; data: Float32Array }> = {};
      for (const [n, t] of Object.entries(state)) if (n.startsWith(p + '/')) o[n.slice(p.length + 1)] = t;
      return o;
    };
    this.actor.loadStateDict(part('actor')); this.critic.loadStateDict(part('critic'));
    this.actorTarget.loadStateDict(part('actorTarget')); this.criticTarget.loadStateDict(part('criticTarget'));
    this.actorOpt.loadStateDict(part('actorOpt')); this.criticOpt.loadStateDict(part('criticOpt'));
    this.steps = state.steps ? state.steps.data[0] : 0;
  }

  /** mu(state), plus exploration noise when explore is set, kept inside the action bounds. */
  act(state: Float32Array, explore = false): Float32Array {
    if (state.length !== this.stateDim) throw new UserError(`DDPG.act: state has ${state.length} values, expected ${this.stateDim}`);
    const a = tidy(() => noGrad(() => this.actor.forward(tensor(state, [1, this.stateDim])).data.slice()));
    if (explore) {
      const n = this.noise.sample();
      const m = this.maxAction;
      for (let i = 0; i < a.length; i++) a[i] = Math.min(m, Math.max(-m, a[i] + n[i]));
    }
    return a;
  }

  /** One critic step, one actor step, then the soft target update. */
  update(b: Batch): UpdateStats {
    const n = b.size, sd = this.stateDim, ad = this.actionDim;
    const stats = tidy(() => {
      const s = tensor(b.states, [n, sd]), a = tensor(b.actions, [n, ad]);
      const y = noGrad(() => {
        const s2 = tensor(b.nextStates, [n, sd]);
        const q2 = this.criticTarget.forward(s2, this.actorTarget.forward(s2)).data;
        const out = new Float32Array(n);
        for (let i = 0; i < n; i++) out[i] = b.rewards[i] + this.gamma * (1 - b.dones[i]) * q2[i];
        return tensor(out, [n, 1]);
      });

      this.criticOpt.zeroGrad();
      const q = this.critic.forward(s, a);
      const criticLoss = mse(q, y);
      const meanQ = noGrad(() => mean(q).item());
      backward(criticLoss);
      if (Number.isFinite(this.clipNorm)) clipGradNorm(this.critic.parameters(), this.clipNorm);
      this.criticOpt.step();

      const cparams = this.critic.parameters();
      for (const p of cparams) p.requiresGrad = false;
      let actorLoss: number;
      try {
        this.actorOpt.zeroGrad();
        const loss = neg(mean(this.critic.forward(s, this.actor.forward(s))));
        actorLoss = loss.item();
        backward(loss);
      } finally {
        for (const p of cparams) p.requiresGrad = true;
      }
      if (Number.isFinite(this.clipNorm)) clipGradNorm(this.actor.parameters(), this.clipNorm);
      this.actorOpt.step();
      return { criticLoss: criticLoss.item(), actorLoss, meanQ };
    });
    softUpdate(this.actorTarget, this.actor, this.tau);
    softUpdate(this.criticTarget, this.critic, this.tau);
    this.steps++;
    return stats;
  }
}
