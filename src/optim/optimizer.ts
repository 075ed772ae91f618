/** Optimiser base: a parameter list, zeroGrad, and a learning-rate schedule hook. */
import type { Tensor } from '../tensor/tensor.js';
import type { Schedule } from './schedule.js';

export abstract class Optimizer {
  /** Steps taken so far. */
  t = 0;
  constructor(readonly params: Tensor[], public lr: number, readonly schedule: Schedule | null = null) {}

  zeroGrad(): void {
    for (const p of this.params) if (p.grad) p.grad.data.fill(0);
  }

  /** Learning rate for the next step (the schedule applied to the base lr). */
  currentLr(): number { return this.schedule ? this.schedule(this.t, this.lr) : this.lr; }

  step(): void {
    const lr = this.currentLr();
    this.t++;
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i];
      if (p.grad) this.update(i, p, p.grad.data, lr);
    }
  }

  /** Releases the optimiser's state buffers; the optimiser is not used afterwards. */
  dispose(): void {}

  protected abstract update(i: number, p: Tensor, g: Float32Array, lr: number): void;
}
