/** Modules: stable parameter names, counts, modes, state dicts; optimisers and schedules. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as T from '../../src/index.js';
import { assertClose } from '../helpers/close.js';

const s = suite('nn/module+optim');

s('named parameter tree is stable and counts parameters', () => {
  const mlp = new T.MLP([4, 8, 3], new T.Rng(1), 'relu', 0.5);
  assert.equal(mlp.namedParameters().map(([n]) => n), ['0.weight', '0.bias', '1.weight', '1.bias']);
  assert.is(mlp.numParameters(), 4 * 8 + 8 + 8 * 3 + 3);
  const again = new T.MLP([4, 8, 3], new T.Rng(1), 'relu', 0.5);
  assert.equal(Array.from(again.parameters()[0].data), Array.from(mlp.parameters()[0].data));
});

s('train/eval switches dropout recursively', () => {
  const mlp = new T.MLP([4, 8, 3], new T.Rng(1), 'relu', 0.5);
  const x = T.ones([2, 4]);
  mlp.eval();
  const a = T.noGrad(() => mlp.forward(x).data.slice());
  const b = T.noGrad(() => mlp.forward(x).data.slice());
  assert.equal(Array.from(a), Array.from(b));
  mlp.train();
  assert.is(mlp.layers[0].training, true);
});

s('stateDict round-trips; a missing parameter is a clear error', () => {
  const a = new T.Linear(3, 2, new T.Rng(1)), b = new T.Linear(3, 2, new T.Rng(2));
  b.loadStateDict(a.stateDict());
  assert.equal(Array.from(b.weight.data), Array.from(a.weight.data));
  assert.throws(() => b.loadStateDict({}), /weight/);
});

s('SGD with momentum, Adam and AdamW minimise a quadratic', () => {
  for (const make of [
    (p: T.Tensor[]) => new T.SGD(p, { lr: 0.1, momentum: 0.9 }),
    (p: T.Tensor[]) => new T.SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true }),
    (p: T.Tensor[]) => new T.Adam(p, { lr: 0.1 }),
    (p: T.Tensor[]) => new T.AdamW(p, { lr: 0.1, weightDecay: 0 }),
  ]) {
    const x = T.keep(T.tensor([3, -2, 1], [3], true));
    const opt = make([x]);
    for (let i = 0; i < 300; i++) T.tidy(() => { opt.zeroGrad(); T.backward(T.sum(T.square(T.addScalar(x, -1)))); opt.step(); });
    assertClose(x.data, [1, 1, 1], { atol: 1e-2, rtol: 0 });
  }
});

s('AdamW decays weights without gradient; Adam step matches a hand computation', () => {
  const x = T.keep(T.tensor([1], [1], true));
  const opt = new T.Adam([x], { lr: 0.1 });
  T.backward(T.mulScalar(x, 2));
  opt.step(); // first Adam step moves by lr * sign(g)
  assertClose(x.data, [0.9], { atol: 1e-6 });
  const w = T.keep(T.tensor([1], [1], true));
  const ow = new T.AdamW([w], { lr: 0.1, weightDecay: 0.5 });
  w.grad = T.zeros([1]);
  ow.step();
  assertClose(w.data, [0.95], { atol: 1e-6 });
});

s('clipGradNorm scales to the global norm; schedules', () => {
  const a = T.tensor([3], [1], true), b = T.tensor([4], [1], true);
  a.grad = T.tensor([3]); b.grad = T.tensor([4]);
  const norm = T.clipGradNorm([a, b], 1);
  assertClose([norm], [5]);
  assertClose([a.grad.data[0], b.grad.data[0]], [0.6, 0.8], { atol: 1e-6 });
  const st = T.stepDecay(10, 0.5);
  assert.is(st(0, 1), 1); assert.is(st(10, 1), 0.5); assert.is(st(25, 1), 0.25);
  const cos = T.cosineDecay(100, 0);
  assertClose([cos(0, 1), cos(50, 1), cos(100, 1)], [1, 0.5, 0], { atol: 1e-9 });
});

s.run();
