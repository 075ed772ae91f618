import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { generateSynthetic } from '../../src/data/synthetic.js';
import { loadDataset } from '../../src/data/spec.js';
import { buildHeteroGraph } from '../../src/graph/hetero.js';
import { testUnless } from '../helpers/skip.js';

const test = suite('data/synthetic');
const small = { users: 300, items: 200, interactions: 5000 };

test('same seed -> identical data; another seed differs', () => {
  const a = generateSynthetic({ ...small, seed: 7 }), b = generateSynthetic({ ...small, seed: 7 }), c = generateSynthetic({ ...small, seed: 8 });
  assert.equal(a.interactions.item, b.interactions.item);
  assert.equal(a.interactions.time, b.interactions.time);
  assert.equal(a.interactions.query, b.interactions.query);
  assert.equal(a.userFeatures.values, b.userFeatures.values);
  assert.equal(a.itemTitles, b.itemTitles);
  assert.equal(a.oracle!.segments, b.oracle!.segments);
  assert.is(a.oracle!.clickProb(3, 5, a.interactions.time[0]), b.oracle!.clickProb(3, 5, a.interactions.time[0]));
  assert.not.equal(a.interactions.item, c.interactions.item);
  assert.not.equal(a.itemTitles, c.itemTitles);
});

test('sizes, sorting, features and oracle', () => {
  const ds = generateSynthetic(small);
  assert.is(ds.numUsers, 300); assert.is(ds.numItems, 200); assert.is(ds.interactions.length, 5000);
  assert.is(ds.numQueries, 8 * 4 * 3);
  const it = ds.interactions;
  for (let k = 1; k < it.length; k++) assert.ok(it.user[k] > it.user[k - 1] || it.time[k] >= it.time[k - 1]);
  let withQuery = 0;
  for (let k = 0; k < it.length; k++) {
    if (it.query[k] >= 0) withQuery++;
    assert.ok(ds.shownNegative![k] >= -1 && ds.shownNegative![k] < ds.numItems);
    const p = ds.oracle!.clickProb(it.user[k], it.item[k], it.time[k]);
    assert.ok(p > 0 && p < 1);
  }
  assert.ok(withQuery > 0.3 * it.length && withQuery < 0.8 * it.length, `query share ${withQuery / it.length}`);
  // user features carry the segment: the most common age band within a segment is over-represented
  const seg = ds.oracle!.segments, f = ds.userFeatures;
  let agree = 0;
  for (let u = 0; u < ds.numUsers; u++) for (let v = u + 1; v < Math.min(ds.numUsers, u + 20); v++) {
    if (seg[u] === seg[v]) agree += f.values[u * 4 + 3] === f.values[v * 4 + 3] ? 1 : -0.2;
  }
  assert.ok(agree > 0, 'income band correlates with segment');
  assert.ok(ds.numTerms > 50);
});

test('spec options and default name', async () => {
  const ds = await loadDataset('synthetic:users=100,items=80,interactions=900,seed=3');
  assert.is(ds.numUsers, 100); assert.is(ds.interactions.length, 900);
  assert.is(generateSynthetic(small).name, 'synthetic:users=300,items=200,interactions=5000');
});

// timings are printed, not asserted: this machine is shared (the README quotes medians)
testUnless(test, process.env.DPGCN_SKIP_SLOW ? 'DPGCN_SKIP_SLOW set' : null, 'Amazon-Electronics scale (1.7M interactions) generates and builds its graph', () => {
  const t0 = performance.now();
  const ds = generateSynthetic({ users: 192000, items: 63000, interactions: 1700000 });
  const t1 = performance.now();
  const g = buildHeteroGraph(ds);
  g.normalized('user-item', 'sym'); g.normalized('user-item', 'mean', 'backward');
  const t2 = performance.now();
  console.log(`  synthetic 1.7M: generate ${((t1 - t0) / 1000).toFixed(2)} s, graph ${((t2 - t1) / 1000).toFixed(2)} s`);
  assert.is(ds.interactions.length, 1700000);
  assert.is(g.adj['user-item'].nnz > 0, true);
});

test.run();
