/**
 * The deterministic policy mu(s): an MLP whose output passes through tanh and
 * is scaled to [-maxAction, maxAction], so every action the agent emits is
 * admissible without clipping (clipping would zero the policy gradient at the
 * bound). The last layer starts with tiny weights (the DDPG paper's
 * U(-3e-3, 3e-3)) so the first actions are near zero and the critic sees
 * unsaturated tanh inputs early on.
 */
import type { Rng } from '../tensor/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { MLP, type Activation } from '../nn/layers.js';
import { tanh, mulScalar } from '../autograd/ops/elementwise.js';

export interface ActorOptions {
  hidden?: number[];
  maxAction?: number;
  activation?: Activation;
  /** Half-width of the uniform init of the output layer. */
  finalInit?: number;
}

export class Actor extends Module {
  readonly net: MLP;
  readonly maxAction: number;

  constructor(readonly stateDim: number, readonly actionDim: number, rng: Rng, opts: ActorOptions = {}) {
    super();
    this.maxAction = opts.maxAction ?? 1;
    this.net = this.child('net', new MLP([stateDim, ...(opts.hidden ?? [64, 64]), actionDim], rng, opts.activation ?? 'relu'));
    initOutputLayer(this.net, rng, opts.finalInit ?? 3e-3);
  }

  /** states (N, stateDim) -> actions (N, actionDim) in [-maxAction, maxAction]. */
  forward(states: Tensor): Tensor {
    const y = tanh(this.net.forward(states));
    return this.maxAction === 1 ? y : mulScalar(y, this.maxAction);
  }
}

/** Re-draws the last layer of an MLP from U(-w, w) with a zero bias. */
export function initOutputLayer(net: MLP, rng: Rng, w: number): void {
  const last = net.layers[net.layers.length - 1];
  const d = last.weight.data;
  for (let i = 0; i < d.length; i++) d[i] = rng.range(-w, w);
  if (last.bias) last.bias.data.fill(0);
}
