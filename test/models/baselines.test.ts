import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assertClose } from '../helpers/close.js';
import { Rng, Adam, tidy, backward, bceWithLogits, noGrad, tensor, concat, sum, mul, randn } from '../../src/index.js';
import { generateSynthetic } from '../../src/data/synthetic.js';
import { dienSplit } from '../../src/data/protocols/dien.js';
import { DEFAULT_CONFIG, MODEL_NAMES, type ModelConfig, type ModelName, type Model } from '../../src/models/types.js';
import { createModel, parseModelList } from '../../src/models/registry.js';
import { createPnn, rowOuter } from '../../src/models/pnn.js';
import { FLAT_BUCKET, FieldEmbeddings, concatCols, flattenHistory, pooledHistory, queriesDeriveFromItems } from '../../src/models/features.js';
import { Dice } from '../../src/models/din.js';
import { makeBatch } from '../../src/eval/batches.js';
import { UserError } from '../../src/errors.js';

const ds = generateSynthetic({ users: 40, items: 30, interactions: 400, seed: 3 });
const split = dienSplit(ds, { rng: new Rng(1), maxLen: 8 });
const config: ModelConfig = { ...DEFAULT_CONFIG, dim: 8, hidden: [16], dropout: 0, maxLen: 8 };
const BASELINES: ModelName[] = ['embedding-mlp', 'wide-deep', 'pnn', 'din'];
const idx = Int32Array.from({ length: 48 }, (_, k) => k);
const batch = makeBatch(split, split.train, idx, config.maxLen);

function build(name: ModelName, seed = 1): Model {
  return createModel(name, { dataset: ds, trainInteractions: split.graphInteractions, config, rng: new Rng(seed) });
}

function fit(model: Model, steps: number): number[] {
  const opt = new Adam(model.module.parameters(), { lr: 0.02 });
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    losses.push(tidy(() => {
      opt.zeroGrad();
      const l = bceWithLogits(model.forward(batch, true), batch.label!);
      backward(l);
      opt.step();
      return l.item();
    }));
  }
  return losses;
}

const t = suite('baselines');

for (const name of BASELINES) {
  t(`${name}: logits are (B,1) in training and evaluation`, () => {
    const m = build(name);
    const z = tidy(() => Array.from(m.forward(batch, true).data));
    assert.is(z.length, batch.size);
    const shape = noGrad(() => tidy(() => [...m.forward(batch, false).shape]));
    assert.equal(shape, [batch.size, 1]);
    assert.ok(z.every(Number.isFinite));
  });

  t(`${name}: overfits a fixed batch`, () => {
    const losses = fit(build(name), 80);
    assert.ok(losses[0] > 0.6, `start ${losses[0]}`);
    assert.ok(losses[losses.length - 1] < 0.15, `${name} final loss ${losses[losses.length - 1]}`);
  });

  t(`${name}: same seed, same parameters and outputs`, () => {
    const a = build(name, 7), b = build(name, 7);
    fit(a, 2); fit(b, 2);
    const za = noGrad(() => tidy(() => Array.from(a.forward(batch, false).data)));
    const zb = noGrad(() => tidy(() => Array.from(b.forward(batch, false).data)));
    assert.equal(za, zb);
  });
}

t('pnn outer product variant learns too', () => {
  const m = createPnn({ dataset: ds, trainInteractions: split.graphInteractions, config, rng: new Rng(2) }, { product: 'outer', outerDim: 4 });
  const losses = fit(m, 80);
  assert.ok(losses[losses.length - 1] < 0.15, `final ${losses[losses.length - 1]}`);
});

t('concatCols matches concat in values and gradients', () => {
  const rng = new Rng(4);
  const mk = () => [randn([3, 2], rng, 1, true), randn([3, 1], rng, 1, true), randn([3, 4], rng, 1, true)];
  const xs = mk();
  const ys = xs.map((x) => tensor(Array.from(x.data), [...x.shape] as number[], true));
  const w = randn([3, 7], rng);
  const a = concatCols(xs), b = concat(ys, 1);
  assert.equal(Array.from(a.data), Array.from(b.data));
  backward(sum(mul(a, w))); backward(sum(mul(b, w)));
  xs.forEach((x, i) => assert.equal(Array.from(x.grad!.data), Array.from(ys[i].grad!.data)));
});

t('rowOuter gives s_i s_j per row', () => {
  const s = tensor([[1, 2], [3, -1]]);
  assert.equal(Array.from(rowOuter(s).data), [1, 2, 2, 4, 9, -3, -3, 1]);
});

t('history pooling sums the valid behaviours only', () => {
  const fe = new FieldEmbeddings(ds, 4, new Rng(3));
  const h = flattenHistory(batch);
  assert.is(h.ptr[batch.size], Array.from(batch.historyLen).reduce((a, b) => a + b, 0));
  assert.is(h.items.length % FLAT_BUCKET, 0);
  const pooled = pooledHistory(fe, batch, 'sum').data;
  const b = Array.from(batch.historyLen).findIndex((n) => n >= 2);
  const items = h.items.subarray(h.ptr[b], h.ptr[b + 1]);
  const v = fe.itemVector(items).data;
  for (let j = 0; j < 4; j++) {
    let sum = 0;
    for (let r = 0; r < items.length; r++) sum += v[r * 4 + j];
    assert.ok(Math.abs(pooled[b * 4 + j] - sum) < 1e-5);
  }
});

t('Dice uses batch statistics in training and running averages in evaluation', () => {
  const d = new Dice(3);
  const x = tensor([[1, 2, 3], [3, 2, 1], [0, 0, 0], [4, 4, 4]]);
  d.alpha.data.fill(0.25);
  const X = [[1, 2, 3], [3, 2, 1], [0, 0, 0], [4, 4, 4]];
  // Dice(s) = s * (p + (1 - p) * alpha), p = sigmoid((s - mean) / sqrt(var + eps)), per column
  const dice = (s: number, mu: number, v: number) => { const p = 1 / (1 + Math.exp(-(s - mu) / Math.sqrt(v + 1e-8))); return s * (p + (1 - p) * 0.25); };
  const mu = [2, 2, 2], v = [2.5, 2, 2.5]; // the batch's column means and (population) variances
  d.train(true);
  const y = d.forward(x);
  assert.equal(y.shape, [4, 3]);
  assertClose(y.data, Float32Array.from(X.flatMap((r) => r.map((s, j) => dice(s, mu[j], v[j])))), { rtol: 1e-5, atol: 1e-6 });
  // momentum 0.95 from (mean 0, var 1) towards the batch's statistics
  const rm = mu.map((m) => 0.05 * m), rv = v.map((s) => 0.95 + 0.05 * s);
  assertClose(d.runMean.data, Float32Array.from(rm), { rtol: 1e-6, atol: 1e-7 });
  assertClose(d.runVar.data, Float32Array.from(rv), { rtol: 1e-6, atol: 1e-7 });
  d.eval();
  const ye = d.forward(x);
  assertClose(ye.data, Float32Array.from(X.flatMap((r) => r.map((s, j) => dice(s, rm[j], rv[j])))), { rtol: 1e-5, atol: 1e-6 });
  // evaluation reads the running statistics and does not move them
  d.forward(tensor([[100, -100, 7]]));
  assertClose(d.runMean.data, Float32Array.from(rm), { rtol: 1e-6, atol: 1e-7 });
  assert.ok(!d.parameters().includes(d.runMean) || d.runMean.requiresGrad === false);
});

t('queries derived from the clicked item are detected and kept out of the fields', () => {
  assert.is(queriesDeriveFromItems(ds), false);
  const it = ds.interactions;
  const leaky = { ...ds, interactions: { ...it, query: Int32Array.from(it.item, (i) => i % 3) } };
  assert.is(queriesDeriveFromItems(leaky), true);
  assert.is(new FieldEmbeddings(leaky, 4, new Rng(1)).hasQuery, false);
});

t('parseModelList', () => {
  assert.equal(parseModelList('all'), MODEL_NAMES);
  assert.equal(parseModelList('din, pnn,din'), ['din', 'pnn']);
  assert.throws(() => parseModelList('din,bert'), (e: unknown) => e instanceof UserError && /bert/.test((e as Error).message));
  assert.throws(() => parseModelList(''), (e: unknown) => e instanceof UserError);
});

t.run();
