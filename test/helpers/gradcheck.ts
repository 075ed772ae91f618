/**
 * Finite-difference gradient check. The loss is sum(f(inputs) * R) with a
 * fixed random R so errors cannot cancel, summed in float64. Central
 * differences with eps = 1e-2 on float32 inputs; passes when
 * |analytic - numeric| <= 1e-3 + 1e-2 |numeric| (ggml's grad mode).
 */
import * as assert from 'uvu/assert';
import { Tensor, Rng, backward, noGrad, sum, mul, tensor } from '../../src/index.js';

export interface GradcheckOptions { eps?: number; atol?: number; rtol?: number; seed?: number; check?: boolean[] }

export function gradcheck(name: string, fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): void {
  const eps = opts.eps ?? 1e-2, atol = opts.atol ?? 1e-3, rtol = opts.rtol ?? 1e-2;
  const rng = new Rng(opts.seed ?? 99);
  for (const x of inputs) { x.requiresGrad = true; x.grad = null; }
  const probe = noGrad(() => fn(...inputs));
  const r = new Float32Array(probe.size);
  for (let i = 0; i < r.length; i++) r[i] = rng.range(-1, 1);
  const R = tensor(r, probe.shape);
  const lossOf = (): number => noGrad(() => {
    const y = fn(...inputs).data;
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i] * r[i];
    return s;
  });
  const out = fn(...inputs);
  backward(sum(mul(out, R)));
  inputs.forEach((x, k) => {
    if (opts.check && !opts.check[k]) return;
    const analytic = x.grad ? x.grad.data : new Float32Array(x.size);
    for (let i = 0; i < x.size; i++) {
      const old = x.data[i];
      x.data[i] = old + eps; const lp = lossOf();
      x.data[i] = old - eps; const lm = lossOf();
      x.data[i] = old;
      const num = (lp - lm) / (2 * eps);
      const ga = analytic[i];
      if (!(Math.abs(ga - num) <= atol + rtol * Math.abs(num))) {
        assert.unreachable(`${name}: d/dinput${k}[${i}] analytic ${ga} vs numeric ${num}`);
      }
    }
  });
}
