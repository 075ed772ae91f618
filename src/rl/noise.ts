/**
 * Exploration noise added to the actor's action during training.
 * Ornstein-Uhlenbeck (the DDPG paper's choice) gives temporally correlated
 * noise, which explores better in systems with momentum; Gaussian is
 * independent per step. Both draw from a seeded Rng and shrink their scale by
 * `decay` per decay() call (per episode in the train loop) down to `sigmaMin`,
 * so late training exploits what was learned.
 */
import type { Rng } from '../tensor/rng.js';

export interface ActionNoise {
  readonly dim: number;
  /** Current noise scale. */
  readonly sigma: number;
  /** The next noise vector (length dim). */
  sample(): Float32Array;
  /** Restarts the process (episode boundary). */
  reset(): void;
  /** Shrinks sigma by the decay factor, not below sigmaMin. */
  decay(): void;
}

export interface NoiseOptions {
  sigma?: number;
  /** Multiplier applied to sigma per decay() call (1 = constant). */
  decay?: number;
  sigmaMin?: number;
}

export interface OUOptions extends NoiseOptions {
  /** Mean-reversion rate. */
  theta?: number;
  /** Long-run mean. */
  mu?: number;
  dt?: number;
}

/**
 * Euler-Maruyama discretisation of dx = theta (mu - x) dt + sigma dW:
 * an AR(1) process with lag-one correlation 1 - theta dt and stationary
 * variance sigma^2 dt / (1 - (1 - theta dt)^2).
 */
export class OUNoise implements ActionNoise {
  sigma: number;
  readonly theta: number; readonly mu: number; readonly dt: number;
  private readonly decayRate: number; private readonly sigmaMin: number;
  readonly x: Float32Array;

  constructor(readonly dim: number, private readonly rng: Rng, opts: OUOptions = {}) {
    this.sigma = opts.sigma ?? 0.2;
    this.theta = opts.theta ?? 0.15;
    this.mu = opts.mu ?? 0;
    this.dt = opts.dt ?? 1;
    this.decayRate = opts.decay ?? 1;
    this.sigmaMin = opts.sigmaMin ?? 0;
    this.x = new Float32Array(dim).fill(this.mu);
  }

  sample(): Float32Array {
    const sq = Math.sqrt(this.dt);
    for (let i = 0; i < this.dim; i++) {
      this.x[i] += this.theta * (this.mu - this.x[i]) * this.dt + this.sigma * sq * this.rng.normal();
    }
    return this.x.slice();
  }

  reset(): void { this.x.fill(this.mu); }

  decay(): void { this.sigma = Math.max(this.sigmaMin, this.sigma * this.decayRate); }
}

/** Independent N(0, sigma^2) per component and step. */
export class GaussianNoise implements ActionNoise {
  sigma: number;
  private readonly decayRate: number; private readonly sigmaMin: number;

  constructor(readonly dim: number, private readonly rng: Rng, opts: NoiseOptions = {}) {
    this.sigma = opts.sigma ?? 0.1;
    this.decayRate = opts.decay ?? 1;
    this.sigmaMin = opts.sigmaMin ?? 0;
  }

  sample(): Float32Array {
    const out = new Float32Array(this.dim);
    for (let i = 0; i < this.dim; i++) out[i] = this.rng.normal(0, this.sigma);
    return out;
  }

  reset(): void {}

  decay(): void { this.sigma = Math.max(this.sigmaMin, this.sigma * this.decayRate); }
}
