/** Small problems with known answers: XOR, a logistic regression optimum, and a GCN on Zachary's karate club. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as T from '../../src/index.js';
import { KARATE_EDGES, KARATE_FACTION } from '../fixtures/karate.js';

const s = suite('nn/learning');

s('a 2-layer MLP learns XOR', () => {
  const rng = new T.Rng(1);
  const mlp = new T.MLP([2, 8, 1], rng, 'tanh');
  const x = T.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const y = Float32Array.from([0, 1, 1, 0]);
  const opt = new T.Adam(mlp.parameters(), { lr: 0.05 });
  let loss = Infinity;
  for (let step = 0; step < 400; step++) {
    loss = T.tidy(() => {
      opt.zeroGrad();
      const l = T.bceWithLogits(mlp.forward(x), y);
      T.backward(l);
      opt.step();
      return l.item();
    });
  }
  const out = T.noGrad(() => T.sigmoid(mlp.forward(x)).data);
  assert.ok(loss < 0.05, `final loss ${loss}`);
  for (let i = 0; i < 4; i++) assert.is(out[i] > 0.5 ? 1 : 0, y[i], `xor row ${i}: ${out[i]}`);
});

s('logistic regression reaches the closed-form maximum-likelihood optimum', () => {
  // one binary feature: the MLE matches each group's empirical rate,
  // so b = logit(3/4) = ln 3 and w = logit(1/5) - logit(3/4) = -ln 4 - ln 3
  const xs = [0, 0, 0, 0, 1, 1, 1, 1, 1], ys = [1, 1, 1, 0, 1, 0, 0, 0, 0];
  const x = T.tensor(xs, [9, 1]);
  const lin = new T.Linear(1, 1, new T.Rng(2));
  const opt = new T.Adam(lin.parameters(), { lr: 0.05 });
  for (let step = 0; step < 3000; step++) {
    T.tidy(() => {
      opt.zeroGrad();
      T.backward(T.bceWithLogits(lin.forward(x), Float32Array.from(ys)));
      opt.step();
    });
  }
  assert.ok(Math.abs(lin.bias!.data[0] - Math.log(3)) < 1e-2, `b = ${lin.bias!.data[0]}`);
  assert.ok(Math.abs(lin.weight.data[0] - (-Math.log(4) - Math.log(3))) < 1e-2, `w = ${lin.weight.data[0]}`);
});

function normalizedAdjacency(n: number, edges: [number, number][]): T.CsrMatrix {
  const r: number[] = [], c: number[] = [];
  for (const [a, b] of edges) { r.push(a, b); c.push(b, a); }
  for (let i = 0; i < n; i++) { r.push(i); c.push(i); }
  const deg = new Float64Array(n);
  for (const i of r) deg[i]++;
  const v = r.map((a, k) => 1 / Math.sqrt(deg[a] * deg[c[k]]));
  return T.CsrMatrix.fromCoo(n, n, r, c, v);
}

s('a 2-layer GCN on the karate club, one labelled member per faction, classifies >= 85% of the rest', () => {
  const n = 34;
  assert.is(KARATE_EDGES.length, 78);
  const A = normalizedAdjacency(n, KARATE_EDGES);
  const rng = new T.Rng(42);
  const eye = T.zeros([n, n]);
  for (let i = 0; i < n; i++) eye.data[i * n + i] = 1;
  const w1 = new T.Linear(n, 16, rng), w2 = new T.Linear(16, 2, rng);
  const params = [...w1.parameters(), ...w2.parameters()];
  const opt = new T.Adam(params, { lr: 0.01, weightDecay: 5e-4 });
  const forward = () => T.spmm(A, w2.forward(T.relu(T.spmm(A, w1.forward(eye)))));
  const labelled = Int32Array.from([0, 33]);
  for (let epoch = 0; epoch < 200; epoch++) {
    T.tidy(() => {
      opt.zeroGrad();
      const logits = T.gatherRows(forward(), labelled);
      T.backward(T.crossEntropy(logits, Int32Array.from([KARATE_FACTION[0], KARATE_FACTION[33]])));
      opt.step();
    });
  }
  const out = T.noGrad(forward).data;
  let correct = 0;
  for (let i = 1; i < 33; i++) if ((out[2 * i + 1] > out[2 * i] ? 1 : 0) === KARATE_FACTION[i]) correct++;
  assert.ok(correct / 32 >= 0.85, `accuracy ${correct}/32`);
});

s.run();
