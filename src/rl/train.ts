/**
 * A generic off-policy training loop: episodes of interaction, a warm-up of
 * uniformly random actions that fills the replay buffer before the policy is
 * trusted, then `updatesPerStep` minibatch updates after every environment
 * step. Time-limit ends (`truncated`) are stored as non-terminal so the
 * critic keeps bootstrapping through them. Evaluation runs the policy without
 * noise and reports the mean undiscounted return.
 */
import type { Rng } from '../tensor/rng.js';
import type { Env } from './env.js';
import { ReplayBuffer, type Batch } from './replay_buffer.js';
import type { ActionNoise } from './noise.js';

/** What the loop needs from an agent (DDPG satisfies it). */
export interface Agent {
  readonly maxAction: number;
  readonly noise: ActionNoise;
  act(state: Float32Array, explore?: boolean): Float32Array;
  update(batch: Batch): unknown;
}

export interface TrainOptions {
  episodes: number;
  rng: Rng;
  /** Environment steps taken with uniform random actions before the policy acts. */
  warmupSteps?: number;
  batchSize?: number;
  updatesPerStep?: number;
  bufferCapacity?: number;
  /** A hard cap on steps per episode, for environments that do not end on their own. */
  maxEpisodeSteps?: number;
  /** When set, evaluate on this environment every evalEvery episodes. */
  evalEnv?: Env;
  evalEvery?: number;
  evalEpisodes?: number;
  onEpisode?: (info: { episode: number; return: number; steps: number; evalReturn?: number }) => void;
}

export interface TrainResult {
  episodeReturns: number[];
  evals: { episode: number; meanReturn: number }[];
  totalSteps: number;
  updates: number;
}

export function train(env: Env, agent: Agent, opts: TrainOptions): TrainResult {
  const batchSize = opts.batchSize ?? 64;
  const warmup = opts.warmupSteps ?? 0;
  const perStep = opts.updatesPerStep ?? 1;
  const maxSteps = opts.maxEpisodeSteps ?? Infinity;
  const buffer = new ReplayBuffer(opts.bufferCapacity ?? 100_000, env.stateDim, env.actionDim, opts.rng.fork());
  const rng = opts.rng.fork();
  const res: TrainResult = { episodeReturns: [], evals: [], totalSteps: 0, updates: 0 };
  const m = agent.maxAction;

  for (let ep = 0; ep < opts.episodes; ep++) {
    let s = env.reset();
    agent.noise.reset();
    let ret = 0, t = 0;
    for (;;) {
      const a = res.totalSteps < warmup
        ? Float32Array.from({ length: env.actionDim }, () => rng.range(-m, m))
        : agent.act(s, true);
      const r = env.step(a);
      t++; res.totalSteps++;
      const cut = t >= maxSteps;
      buffer.add(s, a, r.reward, r.state, r.done && !r.truncated);
      ret += r.reward;
      s = r.state;
      if (res.totalSteps >= warmup && buffer.size >= batchSize) {
        for (let k = 0; k < perStep; k++) { agent.update(buffer.sample(batchSize)); res.updates++; }
      }
      if (r.done || cut) break;
    }
    agent.noise.decay();
    res.episodeReturns.push(ret);
    let evalReturn: number | undefined;
    if (opts.evalEnv && opts.evalEvery && (ep + 1) % opts.evalEvery === 0) {
      evalReturn = evaluate(opts.evalEnv, agent, opts.evalEpisodes ?? 10, maxSteps);
      res.evals.push({ episode: ep + 1, meanReturn: evalReturn });
    }
    opts.onEpisode?.({ episode: ep + 1, return: ret, steps: t, evalReturn });
  }
  return res;
}

/** Mean undiscounted return of the noise-free policy over `episodes` episodes. */
export function evaluate(env: Env, agent: Pick<Agent, 'act'>, episodes: number, maxEpisodeSteps = Infinity): number {
  let total = 0;
  for (let ep = 0; ep < episodes; ep++) {
    let s = env.reset();
    for (let t = 0; t < maxEpisodeSteps; t++) {
      const r = env.step(agent.act(s, false));
      total += r.reward;
      s = r.state;
      if (r.done) break;
    }
  }
  return total / Math.max(1, episodes);
}
