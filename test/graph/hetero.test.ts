import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildHeteroGraph } from '../../src/graph/hetero.js';
import { assembleDataset } from '../../src/data/build.js';

const test = suite('graph/hetero');

// 3 users, 3 items, 2 queries; user 2 clicked item 2 without a query
const ds = assembleDataset({
  name: 'tiny', userIds: ['a', 'b', 'c'], itemIds: ['x', 'y', 'z'],
  raw: { user: Int32Array.from([0, 0, 1, 2, 0]), item: Int32Array.from([0, 1, 1, 2, 0]), time: Float64Array.from([1, 2, 1, 5, 3]),
    rating: null, query: Int32Array.from([0, 1, 1, -1, 0]) },
  itemTexts: ['red running shoes', 'blue running shoe', 'green hat'], queryText: ['running shoes', 'hat'],
});

test('relations, counts and dedup', () => {
  const g = buildHeteroGraph(ds);
  assert.equal(g.counts, { user: 3, item: 3, query: 2, term: ds.numTerms });
  assert.equal(g.relationNnz(), { 'user-item': 4, 'user-query': 3, 'query-item': 2, 'item-term': 8, 'query-term': 3 });
  assert.ok(ds.vocab.includes('run') && ds.vocab.includes('shoe'), ds.vocab.join(','));
  const ui = g.adj['user-item'];
  assert.equal(Array.from(ui.rowPtr), [0, 2, 3, 4]);
  assert.is(ui.transpose().rows, 3);
});

test('normalized adjacencies are cached and directional', () => {
  const g = buildHeteroGraph(ds);
  const m = g.normalized('user-item', 'mean', 'backward');
  assert.is(m, g.normalized('user-item', 'mean', 'backward'));
  assert.is(m.rows, 3); // items x users
  // item 1 was clicked by users 0 and 1: mean weights 1/2 each
  assert.equal(Array.from(m.values.subarray(m.rowPtr[1], m.rowPtr[2])), [0.5, 0.5]);
  const s = g.normalized('user-item', 'sym', 'backward');
  assert.is(s, g.normalized('user-item', 'sym').transpose());
});

test('built from training interactions only', () => {
  const train = { ...ds.interactions, length: 3, user: ds.interactions.user.slice(0, 3), item: ds.interactions.item.slice(0, 3),
    time: ds.interactions.time.slice(0, 3), query: ds.interactions.query.slice(0, 3) };
  const g = buildHeteroGraph(ds, train);
  assert.ok(g.adj['user-item'].nnz < buildHeteroGraph(ds).adj['user-item'].nnz);
});

test('homogeneous adjacency is symmetric with self-loops', () => {
  const g = buildHeteroGraph(ds);
  const h = g.homogeneous();
  const N = 3 + 3 + 2 + ds.numTerms;
  assert.is(h.rows, N);
  const t = h.transpose();
  assert.equal(t.rowPtr, h.rowPtr); assert.equal(t.colIdx, h.colIdx);
  for (let k = 0; k < h.nnz; k++) assert.ok(Math.abs(t.values[k] - h.values[k]) < 1e-7);
  for (let i = 0; i < N; i++) {
    let diag = false;
    for (let p = h.rowPtr[i]; p < h.rowPtr[i + 1]; p++) if (h.colIdx[p] === i) diag = true;
    assert.ok(diag);
  }
});

test.run();
