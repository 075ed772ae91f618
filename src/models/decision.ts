/**
 * The DDPG decision layer (DESIGN §4, Eqs. 4-5). State s = [user
 * representation, mean of the last k interacted items' embeddings]; action
 * a = mu(s) in [-1,1]^m; the final logit of candidate j is
 *   logit_fusion(u, j) + beta * <a, P^T unit(e_j)> / sqrt(m),
 * where P (d x m, orthonormal columns) spans the m leading principal
 * directions of the unit item embeddings (m = d: the identity, the design's
 * a in R^d). Normalising e_j and dividing by sqrt(m) bound the adjustment by
 * beta in logit units whatever the embeddings' scale, so a saturated actor
 * cannot swamp what the fusion network learned. A small m is what makes the
 * critic learnable from a few thousand transitions per epoch: Q(s, a) over a
 * 16-d action instead of a 64-d one, and the 16 directions are those along
 * which items differ most (so the ones that can reorder a list).
 *
 * The action is computed under noGrad and added as a constant: the BCE
 * trainer never moves the actor. The actor-critic learns in afterEpoch from
 * the logged-session environment (./decision_env.ts), whose feedback is the
 * log (by default; the synthetic market's true click probabilities only when
 * asked for, as a diagnostic). Rankings do
 * not change the logged next state, so the default discount is 0 (a
 * contextual bandit: Q(s, a) is the expected list reward), which only removes
 * variance — with gamma > 0 the best action is the same, since the future
 * value does not depend on it.
 *
 * Every epoch ends with a check on a fixed stream of lists drawn apart from
 * the training ones (same environment, its own seed): the noise-free policy is kept only if its
 * mean return beats both the policy it started the epoch with and no
 * adjustment at all (reward 0 by construction); otherwise the better of those
 * is restored. Only training interactions enter this check.
 */
import { Rng } from '../tensor/rng.js';
import { orthonormalColumns } from '../linalg/orthonormal.js';
import { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/create.js';
import { tidy } from '../tensor/scope.js';
import { noGrad } from '../autograd/engine.js';
import { Module } from '../nn/module.js';
import { zerosInit } from '../nn/init.js';
import { DDPG } from '../rl/ddpg.js';
import { ReplayBuffer } from '../rl/replay_buffer.js';
import type { TrainResult } from '../rl/train.js';
import type { SessionEnv } from './decision_env.js';

export interface DecisionOptions {
  dim: number;
  /** Extra state features (e.g. dp-gcn's static user vector), appended after the user representation. */
  extraDim: number;
  beta: number;
  /** Action size m (default min(16, dim)); m < dim projects through the item embeddings' principal directions. */
  actionDim?: number;
  /** Items averaged into the state. */
  lastK?: number;
  /**
   * Project unit item rows (default) or the rows as they are. Raw rows make the adjustment linear in
   * the item vector, <f P a, e_j>, so a dot-product scorer folds it into the user's vector (userShift).
   */
  unitItems?: boolean;
  gamma?: number;
  tau?: number;
  hidden?: number[];
}

export interface LearnOptions {
  /** Episodes per call (each one user's run of logged steps). */
  episodes: number;
  /** Episodes run side by side (one batched scoring call per step). */
  parallel?: number;
  updatesPerStep?: number;
  batchSize?: number;
  /** Std of the Gaussian exploration noise on each action component. */
  sigma?: number;
  /** Episodes of the held-out check that decides which policy is kept (0 = keep the trained one). */
  evalEpisodes?: number;
}

/** What a learn() call did: the generic TrainResult plus which policy it kept. */
export interface DecisionRun extends TrainResult {
  /** Mean return of the policy the call started with, on the check lists. */
  startReturn: number;
  /** Mean return of the trained policy on the same lists. */
  trainedReturn: number;
  kept: 'trained' | 'previous' | 'none';
}

/** Unit rows of a (n x d) row-major matrix (zero rows stay zero). */
export function unitRows(x: Float32Array, d: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let o = 0; o < x.length; o += d) {
    let s = 0;
    for (let k = 0; k < d; k++) s += x[o + k] * x[o + k];
    const f = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let k = 0; k < d; k++) out[o + k] = x[o + k] * f;
  }
  return out;
}


export class DecisionLayer extends Module {
  readonly ddpg: DDPG;
  readonly stateDim: number;
  readonly actionDim: number;
  readonly lastK: number;
  /** P (d x m), row-major; a constant of the layer (no gradient), saved with it. */
  readonly basis: Tensor | null;
  /** Stats of the last learn() call (for tests and reports). */
  lastRun: DecisionRun | null = null;

  constructor(readonly opts: DecisionOptions, rng: Rng) {
    super();
    const d = opts.dim;
    this.lastK = opts.lastK ?? 5;
    this.actionDim = Math.max(1, Math.min(d, opts.actionDim ?? Math.min(16, d)));
    this.stateDim = 2 * d + opts.extraDim;
    this.ddpg = new DDPG({
      stateDim: this.stateDim, actionDim: this.actionDim, rng,
      actorHidden: opts.hidden ?? [64], criticHidden: opts.hidden ?? [64],
      gamma: opts.gamma ?? 0, tau: opts.tau ?? 0.01,
      actorLr: 1e-3, criticLr: 2e-3, noise: 'gaussian', noiseOptions: { sigma: 0.3 },
    });
    // only the actor scores; registering it puts it in checkpoints and best-epoch restores
    this.child('actor', this.ddpg.actor);
    // a = 0 until DDPG has learned something: before the first afterEpoch the model scores exactly as without the layer
    this.zeroPolicy();
    if (this.actionDim < d) {
      const m = this.actionDim, b = zerosInit([d, m]);
      for (let k = 0; k < m; k++) b.data[k * m + k] = 1; // until the first refresh: the first m axes
      this.basis = this.param('basis', b);
    } else {
      this.basis = null;
    }
  }

  /**
   * Re-points P at the m leading principal directions of the unit rows of
   * itemTable (orthogonal iteration started from the current P, columns
   * sign-aligned with it, so the actor's coordinates move as little as possible).
   */
  refreshBasis(itemTable: Float32Array): void {
    if (!this.basis) return;
    const d = this.opts.dim, m = this.actionDim, u = unitRows(itemTable, d), n = u.length / d;
    if (n < 2) return;
    const mu = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mu[k] += u[i * d + k] / n;
    const C = new Float64Array(d * d), x = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < d; k++) x[k] = u[i * d + k] - mu[k];
      for (let r = 0; r < d; r++) { const xr = x[r]; if (xr === 0) continue; for (let c = 0; c < d; c++) C[r * d + c] += xr * x[c]; }
    }
    const old = Float64Array.from(this.basis.data);
    let p = Float64Array.from(old);
    for (let it = 0; it < 30; it++) {
      const y = new Float64Array(d * m);
      for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) {
        const v = C[r * d + c];
        if (v === 0) continue;
        for (let k = 0; k < m; k++) y[r * m + k] += v * p[c * m + k];
      }
      orthonormalColumns(y, d, m);
      p = y;
    }
    for (let k = 0; k < m; k++) {
      let dot = 0;
      for (let r = 0; r < d; r++) dot += p[r * m + k] * old[r * m + k];
      if (dot < 0) for (let r = 0; r < d; r++) p[r * m + k] = -p[r * m + k];
    }
    this.basis.data.set(Float32Array.from(p));
  }

  /**
   * States (B x stateDim) from user rows (B x d), extra rows (B x extraDim or null)
   * and history item ids (B x maxLen, -1 padded, oldest first) over an item table (I x d).
   */
  states(userRows: Float32Array, extra: Float32Array | null, history: Int32Array, historyLen: Int32Array,
    maxLen: number, itemTable: Float32Array): Float32Array {
    const d = this.opts.dim, e = this.opts.extraDim, sd = this.stateDim, B = historyLen.length, K = this.lastK;
    const s = new Float32Array(B * sd);
    const ids = new Int32Array(B * K).fill(-1);
    for (let b = 0; b < B; b++) {
      const n = Math.min(K, historyLen[b]);
      for (let j = 0; j < n; j++) ids[b * K + j] = history[b * maxLen + historyLen[b] - 1 - j];
    }
    for (let b = 0; b < B; b++) {
      const o = b * sd;
      s.set(userRows.subarray(b * d, (b + 1) * d), o);
      if (e && extra) s.set(extra.subarray(b * e, (b + 1) * e), o + d);
      let n = 0;
      for (let j = 0; j < K; j++) {
        const i = ids[b * K + j];
        if (i < 0) continue;
        const src = itemTable.subarray(i * d, (i + 1) * d);
        n++;
        for (let k = 0; k < d; k++) s[o + d + e + k] += src[k];
      }
      if (n > 1) for (let k = 0; k < d; k++) s[o + d + e + k] /= n;
    }
    return s;
  }

  /** mu(s) for many states (B x m), no exploration. */
  actions(states: Float32Array, B: number): Float32Array {
    return tidy(() => noGrad(() => this.ddpg.actor.forward(tensor(states, [B, this.stateDim])).data.slice()));
  }

  /** Coordinates of unit item rows (n x d) in the action space (n x m): P^T unit(e). */
  project(itemRows: Float32Array): Float32Array {
    const d = this.opts.dim, u = this.opts.unitItems === false ? itemRows : unitRows(itemRows, d);
    if (!this.basis) return u;
    const m = this.actionDim, n = u.length / d, P = this.basis.data, out = new Float32Array(n * m);
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < d; r++) {
        const v = u[i * d + r];
        if (v === 0) continue;
        for (let k = 0; k < m; k++) out[i * m + k] += v * P[r * m + k];
      }
    }
    return out;
  }

  /** The additive logit term beta * <a_b, P^T unit(e_b)> / sqrt(m) per row (actions B x m, itemRows B x d). */
  adjustment(actions: Float32Array, itemRows: Float32Array): Float32Array {
    return this.adjustmentProjected(actions, this.project(itemRows));
  }

  /** The user-side vector f P a (d) whose inner product with a raw item row is the adjustment (unitItems false). */
  userShift(action: Float32Array): Float32Array {
    const d = this.opts.dim, m = this.actionDim, f = this.opts.beta / Math.sqrt(m), out = new Float32Array(d);
    if (!this.basis) { for (let k = 0; k < d; k++) out[k] = f * action[k]; return out; }
    const P = this.basis.data;
    for (let r = 0; r < d; r++) { let s = 0; for (let k = 0; k < m; k++) s += P[r * m + k] * action[k]; out[r] = f * s; }
    return out;
  }

  /** adjustment() with the item rows already projected (z: B x m, see project). */
  adjustmentProjected(actions: Float32Array, z: Float32Array): Float32Array {
    const m = this.actionDim, B = actions.length / m;
    const f = this.opts.beta / Math.sqrt(m), out = new Float32Array(B);
    for (let b = 0; b < B; b++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += actions[b * m + k] * z[b * m + k];
      out[b] = f * s;
    }
    return out;
  }

  /** The same term as a constant (B,1) tensor, to be added to the fusion logits. */
  adjustmentTensor(actions: Float32Array, itemRows: Float32Array): Tensor {
    const a = this.adjustment(actions, itemRows);
    return tensor(a, [a.length, 1]);
  }

  /** Adjustments of lists: list q (listLens[q] consecutive entries of items) is scored with action row q. */
  deltas(actions: Float32Array, items: Int32Array, listLens: number[], itemTable: Float32Array): Float32Array {
    const d = this.opts.dim, m = this.actionDim, n = items.length;
    const rows = new Float32Array(n * d), acts = new Float32Array(n * m);
    for (let q = 0, o = 0; q < listLens.length; q++) {
      for (let j = 0; j < listLens[q]; j++, o++) {
        rows.set(itemTable.subarray(items[o] * d, (items[o] + 1) * d), o * d);
        acts.set(actions.subarray(q * m, (q + 1) * m), o * m);
      }
    }
    return this.adjustment(acts, rows);
  }

  /** Mean return of the noise-free policy over `episodes` episodes drawn by rng. */
  private evaluate(env: SessionEnv, episodes: number, parallel: number, rng: Rng): number {
    let total = 0;
    for (let done = 0; done < episodes; done += parallel) {
      let states = env.reset(Math.min(parallel, episodes - done), rng);
      let slots = env.active();
      while (slots.length) {
        const st = env.step(slots, this.actions(states, slots.length), rng);
        for (let q = 0; q < slots.length; q++) total += st.rewards[q];
        const keep = slots.map((_, q) => q).filter((q) => !st.ended[q]);
        slots = Int32Array.from(keep, (q) => slots[q]);
        states = this.rows(st.nextStates, keep);
      }
    }
    return total / Math.max(1, episodes);
  }

  private rows(x: Float32Array, idx: ArrayLike<number>): Float32Array {
    const sd = this.stateDim, out = new Float32Array(idx.length * sd);
    for (let q = 0; q < idx.length; q++) out.set(x.subarray(idx[q] * sd, (idx[q] + 1) * sd), q * sd);
    return out;
  }

  /**
   * DDPG on env: parallel episodes with Gaussian exploration, a fresh replay
   * buffer (the rewards are relative to this epoch's model), updatesPerStep
   * minibatch updates after every batched step, then the held-out check.
   * Actor/critic gradients are dropped after, so the BCE optimiser skips them.
   */
  learn(env: SessionEnv, opts: LearnOptions, rng: Rng): DecisionRun {
    const P = Math.max(1, opts.parallel ?? 32), perStep = opts.updatesPerStep ?? 2, bs = opts.batchSize ?? 128;
    const sigma = opts.sigma ?? 0.3, evalEps = opts.evalEpisodes ?? 0, m = this.actionDim, sd = this.stateDim;
    const evalSeed = rng.fork(), trainRng = rng.fork(), bufRng = rng.fork();
    // every policy is checked on the same lists: a fresh copy of one stream each time
    const evalOn = () => (evalEps > 0 ? this.evaluate(env, evalEps, P, new Rng(evalSeed.seed)) : NaN);
    const startState = this.ddpg.actor.stateDict();
    const startReturn = evalOn();
    const buffer = new ReplayBuffer(Math.max(bs, opts.episodes * 16), sd, m, bufRng);
    const res: DecisionRun = { episodeReturns: [], evals: [], totalSteps: 0, updates: 0, startReturn, trainedReturn: NaN, kept: 'trained' };
    for (let done = 0; done < opts.episodes; done += P) {
      const n = Math.min(P, opts.episodes - done);
      let states = env.reset(n, trainRng);
      let slots = env.active();
      const ret = new Float64Array(n);
      while (slots.length) {
        const a = this.actions(states, slots.length);
        for (let i = 0; i < a.length; i++) a[i] = Math.min(1, Math.max(-1, a[i] + sigma * trainRng.normal()));
        const st = env.step(slots, a, trainRng);
        for (let q = 0; q < slots.length; q++) {
          buffer.add(states.subarray(q * sd, (q + 1) * sd), a.subarray(q * m, (q + 1) * m), st.rewards[q],
            st.nextStates.subarray(q * sd, (q + 1) * sd), false); // logged sessions end by truncation only
          ret[slots[q]] += st.rewards[q];
        }
        res.totalSteps += slots.length;
        if (buffer.size >= Math.min(bs, 32)) {
          for (let k = 0; k < perStep; k++) { this.ddpg.update(buffer.sample(Math.min(bs, buffer.size))); res.updates++; }
        }
        const keep = slots.map((_, q) => q).filter((q) => !st.ended[q]);
        slots = Int32Array.from(keep, (q) => slots[q]);
        states = this.rows(st.nextStates, keep);
      }
      res.episodeReturns.push(...ret);
    }
    if (evalEps > 0) {
      res.trainedReturn = evalOn();
      res.evals.push({ episode: 0, meanReturn: startReturn }, { episode: opts.episodes, meanReturn: res.trainedReturn });
      if (!(res.trainedReturn > Math.max(0, startReturn))) {
        if (startReturn > 0) { this.ddpg.actor.loadStateDict(startState); res.kept = 'previous'; }
        else { this.zeroPolicy(); res.kept = 'none'; }
      }
    }
    for (const mod of [this.ddpg.actor, this.ddpg.critic]) {
      for (const p of mod.parameters()) { p.grad?.dispose(); p.grad = null; }
    }
    this.lastRun = res;
    return res;
  }

  /** mu(s) = 0 for every s (the output layer zeroed; training moves it again). */
  zeroPolicy(): void {
    const layers = this.ddpg.actor.net.layers, last = layers[layers.length - 1];
    last.weight.data.fill(0);
    last.bias?.data.fill(0);
  }
}
