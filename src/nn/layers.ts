/** Standard layers: Linear, Embedding, MLP, Dropout, LayerNorm. */
import type { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';
import { xavierUniform, heNormal, zerosInit, normalInit, constInit, type InitName } from './init.js';
import { matmul } from '../autograd/ops/matmul.js';
import { add, sub, mul, div, relu, tanh, sigmoid, leakyRelu, sqrt, addScalar, square } from '../autograd/ops/elementwise.js';
import { mean } from '../autograd/ops/reduce.js';
import { gatherRows } from '../autograd/ops/shape.js';
import { dropout } from '../autograd/ops/dropout.js';
import { UserError } from '../errors.js';

/** y = x W + b. x: (N,in) -> (N,out). */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(readonly inFeatures: number, readonly outFeatures: number, rng: Rng,
    opts: { bias?: boolean; init?: InitName } = {}) {
    super();
    const shape: [number, number] = [inFeatures, outFeatures];
    this.weight = this.param('weight', opts.init === 'he' ? heNormal(shape, rng) : xavierUniform(shape, rng));
    this.bias = opts.bias === false ? null : this.param('bias', zerosInit([outFeatures]));
  }
  forward(x: Tensor): Tensor {
    const y = matmul(x, this.weight);
    return this.bias ? add(y, this.bias) : y;
  }
}

/** A lookup table: ids (B) -> (B,dim). */
export class Embedding extends Module {
  readonly weight: Tensor;
  constructor(readonly count: number, readonly dim: number, rng: Rng, std = 0.1) {
    super();
    this.weight = this.param('weight', normalInit([count, dim], rng, std));
  }
  forward(ids: Int32Array): Tensor { return gatherRows(this.weight, ids); }
}

export type Activation = 'relu' | 'tanh' | 'sigmoid' | 'leaky_relu' | 'none';

export function activate(x: Tensor, act: Activation): Tensor {
  switch (act) {
    case 'relu': return relu(x);
    case 'tanh': return tanh(x);
    case 'sigmoid': return sigmoid(x);
    case 'leaky_relu': return leakyRelu(x, 0.01);
    case 'none': return x;
    default: return act satisfies never;
  }
}

/** Inverted dropout, active in training mode only. */
export class Dropout extends Module {
  constructor(readonly p: number, private readonly rng: Rng) { super(); }
  forward(x: Tensor): Tensor { return this.training && this.p > 0 ? dropout(x, this.p, this.rng) : x; }
}

/** Layers sizes[0] -> ... -> sizes[last]; activation between layers, none after the last. */
export class MLP extends Module {
  readonly layers: Linear[] = [];
  private readonly drop: Dropout | null;
  constructor(sizes: number[], rng: Rng, readonly act: Activation = 'relu', dropoutP = 0) {
    super();
    if (sizes.length < 2) throw new UserError(`MLP: needs at least two sizes (got [${sizes.join(',')}])`);
    for (let i = 0; i + 1 < sizes.length; i++) {
      this.layers.push(this.child(String(i), new Linear(sizes[i], sizes[i + 1], rng, { init: act === 'relu' ? 'he' : 'xavier' })));
    }
    this.drop = dropoutP > 0 ? this.child('dropout', new Dropout(dropoutP, rng)) : null;
  }
  forward(x: Tensor): Tensor {
    this.layers.forEach((l, i) => {
      x = l.forward(x);
      if (i + 1 < this.layers.length) {
        x = activate(x, this.act);
        if (this.drop) x = this.drop.forward(x);
      }
    });
    return x;
  }
}

/** Normalises each row to zero mean, unit variance, then scales and shifts. x: (N,F). */
export class LayerNorm extends Module {
  readonly gamma: Tensor;
  readonly beta: Tensor;
  constructor(readonly features: number, readonly eps = 1e-5) {
    super();
    this.gamma = this.param('gamma', constInit([features], 1));
    this.beta = this.param('beta', zerosInit([features]));
  }
  forward(x: Tensor): Tensor {
    const xc = sub(x, mean(x, 1));
    const std = sqrt(addScalar(mean(square(xc), 1), this.eps));
    return add(mul(div(xc, std), this.gamma), this.beta);
  }
}
