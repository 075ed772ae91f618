/**
 * The one adapter between serving and the decision layer (issue 19): every
 * use of today's DecisionLayer / DDPG by the serving learner goes through
 * PolicyCore, so a new policy (issue 18) drops in by implementing it.
 *
 * A served policy is Gaussian around the actor's mean mu(s): the logged
 * action is a_raw = mu(s) + sigma * eps, the applied one clip(a_raw, -1, 1),
 * and the logged density (the propensity) is that of a_raw, so importance
 * weights of another policy are pi'(a_raw | s) / pi(a_raw | s) with the same
 * sigma. Exploration noise for decision number `seq` comes from its own
 * stream Rng(mix(seed, seq)): a seed and a request order fix every answer.
 */
import { Rng } from '../tensor/rng.js';
import { UserError } from '../errors.js';
import { DecisionLayer, type DecisionOptions } from '../models/decision.js';
import type { Batch } from '../rl/replay_buffer.js';
import type { Model } from '../models/types.js';

export type Weights = Record<string, { shape: number[]; data: Float32Array }>;

/** What the serving learner needs from a policy. */
export interface PolicyCore {
  readonly stateDim: number;
  readonly actionDim: number;
  /** mu(s) for B states (B x actionDim). */
  means(states: Float32Array, B: number): Float32Array;
  /** One learning step on a batch of (s, a, r, s', done); returns the critic loss. */
  update(batch: Batch): number;
  /** The acting part (what replicas swap in). */
  actorWeights(): Weights;
  setActorWeights(w: Weights): void;
  /** Everything learning resumes from (actor, critic, targets, optimiser states, step count). */
  stateDict(): Weights;
  loadStateDict(w: Weights): void;
  /** A plain-data description a worker thread rebuilds the same policy from (policyFromSpec). */
  spec(): PolicySpec;
}

export interface PolicySpec { kind: 'ddpg-decision'; options: DecisionOptions; state: Weights; gamma: number }

class DdpgCore implements PolicyCore {
  constructor(private readonly dec: DecisionLayer) {}
  get stateDim(): number { return this.dec.stateDim; }
  get actionDim(): number { return this.dec.actionDim; }
  means(states: Float32Array, B: number): Float32Array { return this.dec.actions(states, B); }
  update(batch: Batch): number { return this.dec.ddpg.update(batch).criticLoss; }
  actorWeights(): Weights {
    const out: Weights = {};
    for (const [n, t] of Object.entries(this.dec.ddpg.actor.stateDict())) out[n] = { shape: [...t.shape], data: t.data.slice() };
    return out;
  }
  setActorWeights(w: Weights): void { this.dec.ddpg.actor.loadStateDict(w); }
  stateDict(): Weights {
    const out: Weights = {};
    for (const [n, t] of Object.entries(this.dec.ddpg.stateDict())) out[n] = { shape: [...t.shape], data: t.data.slice() };
    return out;
  }
  loadStateDict(w: Weights): void { this.dec.ddpg.loadStateDict(w); }
  spec(): PolicySpec { return { kind: 'ddpg-decision', options: { ...this.dec.opts }, state: this.stateDict(), gamma: this.dec.ddpg.gamma }; }
  setGamma(g: number): void { this.dec.ddpg.gamma = g; }
}

/** The served model's policy (acting on the serving thread), or null when the model has no decision layer. */
export function servedPolicy(model: Model): PolicyCore | null {
  const dec = (model as unknown as { decision?: unknown }).decision;
  return dec instanceof DecisionLayer ? new DdpgCore(dec) : null;
}

/** A separate learning copy of a policy (a worker thread builds its own from the spec), with the online discount. */
export function policyFromSpec(spec: PolicySpec, gamma: number): PolicyCore {
  if (spec.kind !== 'ddpg-decision') throw new UserError(`learner: unknown policy kind "${String(spec.kind)}"`);
  const core = new DdpgCore(new DecisionLayer(spec.options, new Rng(1)));
  core.loadStateDict(spec.state);
  core.setGamma(gamma);
  return core;
}

/** A decision's action: the mean, the exploration noise, the applied (clipped) action and log pi(a_raw | s). */
export interface Act { mean: Float32Array; noise: Float32Array; action: Float32Array; logDensity: number }

const LOG_2PI = Math.log(2 * Math.PI);

/** log N(aRaw; mean, sigma^2 I). */
export function gaussianLogDensity(aRaw: ArrayLike<number>, mean: ArrayLike<number>, sigma: number): number {
  let s = 0;
  for (let k = 0; k < mean.length; k++) { const z = (aRaw[k] - mean[k]) / sigma; s += z * z; }
  return -0.5 * s - mean.length * (Math.log(sigma) + 0.5 * LOG_2PI);
}

/** The stream of decision seq under seed (independent of every other decision's). */
export function decisionRng(seed: number, seq: number): Rng {
  let h = (seed | 0) ^ 0x2f6b1a3d;
  h = Math.imul(h ^ (seq | 0), 0x85ebca6b) ^ (h >>> 13);
  h = Math.imul(h ^ Math.floor(seq / 4294967296), 0xc2b2ae35) ^ (h >>> 16);
  return new Rng(h | 0);
}

/** Acts in state s: sigma 0 (no exploration) gives the mean with density 0. */
export function act(core: PolicyCore, state: Float32Array, sigma: number, rng: Rng | null): Act {
  const mean = core.means(state, 1), m = mean.length, noise = new Float32Array(m), action = new Float32Array(m);
  const explore = sigma > 0 && rng !== null;
  for (let k = 0; k < m; k++) {
    noise[k] = explore ? sigma * rng!.normal() : 0;
    action[k] = Math.min(1, Math.max(-1, mean[k] + noise[k]));
  }
  const raw = Float32Array.from(mean, (v, k) => v + noise[k]);
  return { mean, noise, action, logDensity: explore ? gaussianLogDensity(raw, mean, sigma) : 0 };
}
