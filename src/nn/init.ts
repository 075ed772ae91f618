/** Weight initialisation: Xavier/Glorot and He/Kaiming, uniform and normal, seeded. */
import type { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { uniform, randn, zeros } from '../tensor/create.js';
import { untracked } from '../tensor/scope.js';

/** Glorot uniform: U(-a, a), a = sqrt(6 / (fanIn + fanOut)). For tanh/sigmoid layers. */
export function xavierUniform(shape: [number, number], rng: Rng): Tensor {
  const a = Math.sqrt(6 / (shape[0] + shape[1]));
  return untracked(() => uniform(shape, rng, -a, a));
}

export function xavierNormal(shape: [number, number], rng: Rng): Tensor {
  return untracked(() => randn(shape, rng, Math.sqrt(2 / (shape[0] + shape[1]))));
}

/** He normal: N(0, 2 / fanIn). For ReLU layers. */
export function heNormal(shape: [number, number], rng: Rng): Tensor {
  return untracked(() => randn(shape, rng, Math.sqrt(2 / shape[0])));
}

export function heUniform(shape: [number, number], rng: Rng): Tensor {
  const a = Math.sqrt(6 / shape[0]);
  return untracked(() => uniform(shape, rng, -a, a));
}

export function normalInit(shape: number[], rng: Rng, std: number): Tensor {
  return untracked(() => randn(shape, rng, std));
}

export function zerosInit(shape: number[]): Tensor { return untracked(() => zeros(shape)); }

export function constInit(shape: number[], v: number): Tensor {
  return untracked(() => { const t = zeros(shape); t.data.fill(v); return t; });
}

export type InitName = 'xavier' | 'he';
