/**
 * The action-value function Q(s, a): an MLP over the concatenation [s, a].
 * Concatenating at the input (rather than the paper's injection at the second
 * layer) keeps the critic a plain MLP; for the small state and action sizes
 * used here the difference does not matter. The output layer starts small
 * so initial Q estimates are near zero and the first bootstrapped targets are
 * close to the rewards.
 */
import type { Rng } from '../tensor/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { MLP, type Activation } from '../nn/layers.js';
import { concat } from '../autograd/ops/shape.js';
import { initOutputLayer } from './actor.js';

export interface CriticOptions {
  hidden?: number[];
  activation?: Activation;
  finalInit?: number;
}

export class Critic extends Module {
  readonly net: MLP;

  constructor(readonly stateDim: number, readonly actionDim: number, rng: Rng, opts: CriticOptions = {}) {
    super();
    this.net = this.child('net', new MLP([stateDim + actionDim, ...(opts.hidden ?? [64, 64]), 1], rng, opts.activation ?? 'relu'));
    initOutputLayer(this.net, rng, opts.finalInit ?? 3e-3);
  }

  /** states (N, stateDim), actions (N, actionDim) -> Q values (N, 1). */
  forward(states: Tensor, actions: Tensor): Tensor {
    return this.net.forward(concat([states, actions], 1));
  }
}
