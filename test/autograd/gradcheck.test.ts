/** A finite-difference gradient check for every differentiable op, on shapes with sizes 1 and odd sizes. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as T from '../../src/index.js';
import { gradcheck } from '../helpers/gradcheck.js';

const rng = new T.Rng(7);
const SHAPES: [number, number][] = [[1, 1], [3, 5], [4, 1], [1, 7], [6, 3]];

/** Random values with |x| in [lo, hi] and a random sign unless positive. */
function rand(shape: number[], lo = 0.2, hi = 1.5, positive = false): T.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.range(lo, hi) * (positive || rng.uniform() < 0.5 ? 1 : -1);
  return T.tensor(v, shape);
}

const g = suite('autograd/gradcheck');

const unaries: [string, (x: T.Tensor) => T.Tensor, boolean][] = [
  ['neg', T.neg, false], ['exp', T.exp, false], ['log', T.log, true], ['sqrt', T.sqrt, true],
  ['abs', T.abs, false], ['sigmoid', T.sigmoid, false], ['tanh', T.tanh, false], ['relu', T.relu, false],
  ['leakyRelu', (x) => T.leakyRelu(x, 0.1), false], ['softplus', T.softplus, false], ['square', T.square, false],
  ['pow', (x) => T.pow(x, 2.5), true], ['clamp', (x) => T.clamp(x, -0.9, 0.9), false],
  ['mulScalar', (x) => T.mulScalar(x, -1.7), false], ['addScalar', (x) => T.addScalar(x, 0.3), false],
];
for (const [name, f, pos] of unaries) {
  g(`unary ${name}`, () => {
    for (const s of SHAPES) {
      let x = rand(s, 0.2, 1.5, pos);
      if (name === 'clamp') x = T.tensor(x.data.map((v) => (Math.abs(Math.abs(v) - 0.9) < 0.05 ? v * 0.5 : v)), s);
      gradcheck(name, f, [x]);
    }
  });
}

const binaries: [string, (a: T.Tensor, b: T.Tensor) => T.Tensor][] = [
  ['add', T.add], ['sub', T.sub], ['mul', T.mul], ['div', T.div], ['maximum', T.maximum], ['minimum', T.minimum],
];
for (const [name, f] of binaries) {
  g(`binary ${name} with full, row, column and scalar broadcasting`, () => {
    for (const [m, n] of SHAPES) {
      const bShapes = [[m, n], [n], [1, n], [m, 1], [1]];
      for (const bs of bShapes) {
        const a = rand([m, n]);
        const b = name === 'div' ? rand(bs, 0.5, 1.5) : name === 'maximum' || name === 'minimum' ? rand(bs, 0.2, 1.5) : rand(bs);
        // keep max/min away from ties
        if (name === 'maximum' || name === 'minimum') for (let i = 0; i < a.size; i++) a.data[i] += 3 * (i % 2 ? 1 : -1);
        gradcheck(`${name} b=[${bs}]`, f, [a, b]);
      }
    }
  });
}
g('binary broadcasts a smaller left operand', () => {
  gradcheck('sub row-left', T.sub, [rand([4]), rand([3, 4])]);
  gradcheck('div scalar-left', T.div, [rand([1]), rand([3, 2], 0.5, 1.5)]);
});

g('prelu', () => {
  gradcheck('prelu', T.prelu, [rand([3, 5]), rand([5], 0.1, 0.4, true)]);
});

g('matmul with every transpose combination', () => {
  for (const [m, k, n] of [[1, 1, 1], [3, 5, 2], [4, 1, 7], [2, 9, 1]]) {
    for (const ta of [false, true]) for (const tb of [false, true]) {
      const a = rand(ta ? [k, m] : [m, k]), b = rand(tb ? [n, k] : [k, n]);
      gradcheck(`matmul ta=${ta} tb=${tb}`, (x, y) => T.matmul(x, y, { transA: ta, transB: tb }), [a, b]);
    }
  }
});

g('rowDot', () => {
  for (const [m, n] of SHAPES) gradcheck('rowDot', T.rowDot, [rand([m, n]), rand([m, n])]);
});

g('sum, mean, max over all and each axis', () => {
  for (const s of SHAPES) {
    const x = rand(s);
    gradcheck('sum', (t) => T.sum(t), [x]);
    gradcheck('sum0', (t) => T.sum(t, 0), [x]);
    gradcheck('sum1', (t) => T.sum(t, 1), [x]);
    gradcheck('mean', (t) => T.mean(t), [x]);
    gradcheck('mean0', (t) => T.mean(t, 0), [x]);
    gradcheck('mean1', (t) => T.mean(t, 1), [x]);
    const distinct = T.tensor(Float32Array.from(x.data, (_, i) => (i * 0.37) % 2.1 - 1), s);
    gradcheck('max', (t) => T.max(t), [distinct]);
    gradcheck('max0', (t) => T.max(t, 0), [distinct]);
    gradcheck('max1', (t) => T.max(t, 1), [distinct]);
  }
});

g('reshape, transpose, concat, slice, gatherRows', () => {
  gradcheck('reshape', (t) => T.reshape(t, [5, 3]), [rand([3, 5])]);
  gradcheck('reshape -1', (t) => T.reshape(t, [-1]), [rand([3, 5])]);
  for (const s of SHAPES) gradcheck('transpose', T.transpose, [rand(s)]);
  gradcheck('concat cols', (a, b, c) => T.concat([a, b, c], 1), [rand([3, 2]), rand([3, 1]), rand([3, 4])]);
  gradcheck('concat rows', (a, b) => T.concat([a, b], 0), [rand([2, 3]), rand([1, 3])]);
  gradcheck('slice rows', (t) => T.slice(t, 1, 4, 0), [rand([5, 3])]);
  gradcheck('slice cols', (t) => T.slice(t, 2, 3, 1), [rand([4, 5])]);
  const idx = Int32Array.from([2, 0, 2, 4, 1, 2]);
  gradcheck('gatherRows (repeated indices)', (t) => T.gatherRows(t, idx), [rand([5, 3])]);
});

g('softmax and logSoftmax', () => {
  for (const s of SHAPES) {
    gradcheck('softmax', T.softmax, [rand(s)]);
    gradcheck('logSoftmax', T.logSoftmax, [rand(s)]);
  }
});

g('losses: bceWithLogits and mse', () => {
  const t = Float32Array.from([1, 0, 1, 1, 0, 0, 1]);
  gradcheck('bce', (z) => T.bceWithLogits(z, t), [rand([7, 1], 0.1, 3)]);
  gradcheck('mse', T.mse, [rand([3, 4]), rand([3, 4])]);
});

g('dropout (fixed mask from a fixed seed)', () => {
  const x = rand([4, 6]);
  gradcheck('dropout', (t) => T.dropout(t, 0.4, new T.Rng(3)), [x]);
});

g('spmm and segmentMax (w.r.t. X)', () => {
  const A = T.CsrMatrix.fromCoo(4, 5, [0, 0, 1, 3, 3, 3], [1, 4, 0, 2, 3, 4], [0.5, -1, 2, 1, 0.25, -0.75]);
  gradcheck('spmm', (x) => T.spmm(A, x), [rand([5, 3])]);
  const x = T.tensor(Float32Array.from({ length: 15 }, (_, i) => ((i * 7) % 15) / 3 - 2), [5, 3]);
  gradcheck('segmentMax', (t) => T.segmentMax(A, t), [x]);
});

g('layerNorm', () => {
  const ln = new T.LayerNorm(5);
  gradcheck('layerNorm', (x) => ln.forward(x), [rand([3, 5])]);
});

g('gradients accumulate: backward twice gives twice the gradient', () => {
  const x = rand([3, 4]);
  x.requiresGrad = true;
  T.backward(T.sum(T.mul(x, x)));
  const once = x.grad!.data.slice();
  T.backward(T.sum(T.mul(x, x)));
  for (let i = 0; i < once.length; i++) assert.ok(Math.abs(x.grad!.data[i] - 2 * once[i]) < 1e-5);
});

g.run();
