/** Bitwise reproducibility for a seed, and no tape or buffer leak over 1,000 steps. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as T from '../../src/index.js';

const s = suite('nn/determinism');

function trainedParams(seed: number, steps: number): Float32Array[] {
  const rng = new T.Rng(seed);
  const emb = new T.Embedding(50, 8, rng);
  const mlp = new T.MLP([16, 16, 1], rng, 'relu', 0.1);
  const params = [...emb.parameters(), ...mlp.parameters()];
  const opt = new T.Adam(params, { lr: 0.01 });
  const data = new T.Rng(seed + 1000);
  for (let step = 0; step < steps; step++) {
    const u = Int32Array.from({ length: 32 }, () => data.int(25));
    const i = Int32Array.from({ length: 32 }, () => 25 + data.int(25));
    const y = Float32Array.from({ length: 32 }, (_, k) => ((u[k] + i[k]) % 3 === 0 ? 1 : 0));
    T.tidy(() => {
      opt.zeroGrad();
      const x = T.concat([emb.forward(u), emb.forward(i)], 1);
      T.backward(T.bceWithLogits(mlp.forward(x), y));
      opt.step();
    });
  }
  return params.map((p) => p.data.slice());
}

s('the same seed gives bitwise-identical parameters after 100 Adam steps; another seed differs', () => {
  const a = trainedParams(11, 100), b = trainedParams(11, 100), c = trainedParams(12, 100);
  for (let k = 0; k < a.length; k++) assert.ok(Buffer.from(a[k].buffer, a[k].byteOffset, a[k].byteLength).equals(Buffer.from(b[k].buffer, b[k].byteOffset, b[k].byteLength)), `param ${k} differs`);
  assert.ok(a.some((p, k) => p.some((v, j) => v !== c[k][j])));
});

s('1,000 training steps keep the heap and the backend allocations bounded', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const rng = new T.Rng(3);
  const mlp = new T.MLP([32, 64, 64, 1], rng);
  const opt = new T.Adam(mlp.parameters(), { lr: 1e-3 });
  const x = T.keep(T.randn([128, 32], rng));
  const y = Float32Array.from({ length: 128 }, (_, i) => i % 2);
  const step = () => T.tidy(() => { opt.zeroGrad(); T.backward(T.bceWithLogits(mlp.forward(x), y)); opt.step(); });
  for (let i = 0; i < 100; i++) step();
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const live0 = T.currentBackend().liveAllocations();
  for (let i = 0; i < 1000; i++) step();
  gc();
  const grown = process.memoryUsage().heapUsed - heap0;
  assert.ok(grown < 4 * 1024 * 1024, `heap grew by ${(grown / 1048576).toFixed(1)} MB over 1,000 steps`);
  assert.ok(T.currentBackend().liveAllocations() <= live0, `backend allocations grew from ${live0} to ${T.currentBackend().liveAllocations()}`);
});

s.run();
