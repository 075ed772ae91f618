/** SGD with momentum (heavy ball or Nesterov) and L2 weight decay. */
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer } from './optimizer.js';
import type { Schedule } from './schedule.js';

export interface SgdOptions { lr: number; momentum?: number; nesterov?: boolean; weightDecay?: number; schedule?: Schedule }

export class SGD extends Optimizer {
  private readonly vel: (Float32Array | null)[];
  constructor(params: Tensor[], readonly opts: SgdOptions) {
    super(params, opts.lr, opts.schedule ?? null);
    this.vel = params.map(() => null);
  }
  protected update(i: number, p: Tensor, g: Float32Array, lr: number): void {
    const mu = this.opts.momentum ?? 0, wd = this.opts.weightDecay ?? 0;
    const w = p.data;
    if (mu === 0) {
      for (let j = 0; j < w.length; j++) w[j] -= lr * (g[j] + wd * w[j]);
      return;
    }
    const v = (this.vel[i] ??= new Float32Array(w.length));
    for (let j = 0; j < w.length; j++) {
      const gj = g[j] + wd * w[j];
      v[j] = mu * v[j] + gj;
      w[j] -= lr * (this.opts.nesterov ? gj + mu * v[j] : v[j]);
    }
  }
}
