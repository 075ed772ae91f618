/** Tape semantics: errors, noGrad, detach, freed graphs, hand-computed forward values, shape messages. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as T from '../../src/index.js';
import { assertClose } from '../helpers/close.js';

const s = suite('autograd/engine');

s('hand-computed forward cases', () => {
  assertClose(T.relu(T.tensor([1, -2, 0, 3, -0.1])).data, [1, 0, 0, 3, 0]);
  assertClose(T.matmul(T.tensor([[1, 2], [3, 4]]), T.tensor([[5], [6]])).data, [17, 39]);
  assertClose(T.add(T.tensor([[1, 2], [3, 4]]), T.tensor([10, 20])).data, [11, 22, 13, 24]);
  assertClose(T.sub(T.tensor([[1, 2], [3, 4]]), T.tensor([[1], [2]])).data, [0, 1, 1, 2]);
  assertClose(T.sum(T.tensor([[1, 2], [3, 4]]), 0).data, [4, 6]);
  assertClose(T.max(T.tensor([[1, 5], [7, 4]]), 1).data, [5, 7]);
  assertClose(T.softmax(T.tensor([[0, Math.log(3)]])).data, [0.25, 0.75]);
  assertClose(T.bceWithLogits(T.tensor([0]), Float32Array.from([1])).data, [Math.log(2)]);
  assertClose(T.bceWithLogits(T.tensor([1000, -1000]), Float32Array.from([1, 0])).data, [0], { atol: 1e-6 });
});

s('shape errors name the op and both shapes', () => {
  assert.throws(() => T.matmul(T.zeros([2, 3]), T.zeros([4, 5])), (e: Error) => e instanceof T.ShapeError && e.message.includes('matmul') && e.message.includes('[2,3]') && e.message.includes('[4,5]'));
  assert.throws(() => T.add(T.zeros([2, 3]), T.zeros([3, 2])), (e: Error) => e.message.includes('add') && e.message.includes('[2,3]') && e.message.includes('[3,2]'));
  assert.throws(() => T.reshape(T.zeros([2, 3]), [4, 2]), /reshape/);
});

s('backward on a non-scalar needs a seed gradient', () => {
  const x = T.tensor([1, 2, 3], [3], true);
  const y = T.mul(x, x);
  assert.throws(() => T.backward(y), (e: Error) => e instanceof T.GraphError && e.message.includes('seed'));
  T.backward(y, { grad: T.tensor([1, 1, 1]) });
  assertClose(x.grad!.data, [2, 4, 6]);
});

s('backward through a freed graph is a clear error; retainGraph allows twice', () => {
  const x = T.tensor([1, 2], [2], true);
  const l = T.sum(T.mul(x, x));
  T.backward(l);
  assert.throws(() => T.backward(l), (e: Error) => e instanceof T.GraphError && e.message.includes('freed'));
  const x2 = T.tensor([1, 2], [2], true);
  const l2 = T.sum(T.mul(x2, x2));
  T.backward(l2, { retainGraph: true });
  T.backward(l2);
  assertClose(x2.grad!.data, [4, 8]);
});

s('noGrad records nothing; detach cuts the graph', () => {
  const x = T.tensor([1, 2], [2], true);
  const y = T.noGrad(() => T.mul(x, x));
  assert.is(y.requiresGrad, false);
  assert.is(y.node, null);
  const z = T.detach(T.mul(x, x));
  assert.is(z.requiresGrad, false);
  const w = T.mul(z, x);
  T.backward(T.sum(w));
  assertClose(x.grad!.data, [1, 4]);
});

s('fan-out accumulates (x used twice)', () => {
  const x = T.tensor([3], [1], true);
  T.backward(T.add(T.mul(x, x), x));
  assertClose(x.grad!.data, [7]);
});

s('tidy disposes intermediates, keeps results and parameters', () => {
  const p = T.keep(T.tensor([1, 2], [2], true));
  let inner: T.Tensor | null = null;
  const out = T.tidy(() => {
    inner = T.mul(p, p);
    return T.sum(inner);
  });
  assert.is(out.isDisposed, false);
  assert.is(inner!.isDisposed, true);
  assert.is(p.isDisposed, false);
  assert.throws(() => inner!.data, /disposed/);
});

s.run();
