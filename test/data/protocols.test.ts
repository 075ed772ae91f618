import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { generateSynthetic } from '../../src/data/synthetic.js';
import { dinSplit } from '../../src/data/protocols/din.js';
import { dienSplit } from '../../src/data/protocols/dien.js';
import { leaveLastSplit } from '../../src/data/protocols/leave_last.js';
import { history, historyBatch, queriesDeriveFromItems, type CtrSplit } from '../../src/data/protocols/common.js';
import { rankingSplit, candidates, relevantItems, trainItems, testUsers } from '../../src/data/protocols/ranking.js';
import { msRecommendersSplit, msRecommendersRoles, msRecommendersUserSplit, roundHalfEven } from '../../src/data/protocols/ms_recommenders.js';
import { oracleScores } from '../../src/data/oracle.js';
import { auc, gauc } from '../../src/eval/metrics.js';
import { buildHeteroGraph } from '../../src/graph/hetero.js';
import { Rng } from '../../src/tensor/rng.js';

const test = suite('data/protocols');
const ds = generateSynthetic({ users: 400, items: 300, interactions: 8000, seed: 5 });

function key(u: number, i: number, t: number): string { return `${u}/${i}/${t}`; }

function checkCtr(sp: CtrSplit): void {
  const it = ds.interactions;
  const inGraph = new Set<string>();
  for (let k = 0; k < sp.graphInteractions.length; k++) inGraph.add(key(sp.graphInteractions.user[k], sp.graphInteractions.item[k], sp.graphInteractions.time[k]));
  for (const set of [sp.val, sp.test]) {
    for (let k = 0; k < set.length; k++) {
      if (set.label[k] === 1) assert.not.ok(inGraph.has(key(set.user[k], set.item[k], set.time[k])), 'held-out positive in the graph');
    }
  }
  for (const set of [sp.train, sp.val, sp.test]) {
    let pos = 0;
    for (let k = 0; k < set.length; k++) {
      pos += set.label[k];
      const h = history(sp, set, k);
      assert.ok(h.length <= sp.maxLen);
      for (let p = set.histStart[k]; p < set.histEnd[k]; p++) {
        assert.is(it.user[p], set.user[k], 'history belongs to the user');
        assert.ok(it.time[p] <= set.time[k], 'history precedes the instance');
      }
      if (set.histEnd[k] > set.histStart[k]) assert.ok(set.time[k] >= it.time[set.histEnd[k] - 1], 'the instance follows its history');
    }
    assert.ok(pos * 2 === set.length, 'one negative per positive');
  }
  // the graph built from the split has no held-out edge the full data would add for a test-only pair
  const g = buildHeteroGraph(ds, sp.graphInteractions);
  assert.ok(g.adj['user-item'].nnz <= buildHeteroGraph(ds).adj['user-item'].nnz);
  const hb = historyBatch(sp, sp.test, [0, 1], 5);
  assert.is(hb.items.length, 10);
  assert.ok(hb.lengths[0] <= 5);
}

test('din: last behaviour is test, one before is val; no leakage; time order', () => {
  const sp = dinSplit(ds, { rng: new Rng(1), maxLen: 20 });
  checkCtr(sp);
  let users2 = 0, users3 = 0;
  for (let u = 0; u < ds.numUsers; u++) { const n = ds.userPtr[u + 1] - ds.userPtr[u]; if (n >= 2) users2++; if (n >= 3) users3++; }
  assert.is(sp.test.length, 2 * users2); assert.is(sp.val.length, 2 * users3);
  assert.is(sp.graphInteractions.length, ds.interactions.length - users2 - users3);
  for (let k = 0; k < sp.test.length; k += 2) assert.is(sp.test.histEnd[k], ds.userPtr[sp.test.user[k] + 1] - 1);
  assert.is(sp.negatives, 'shown');
  const o = { auc: auc(oracleScores(ds, sp.test), sp.test.label) };
  assert.ok(o.auc > 0.6 && o.auc < 1, `oracle auc ${o.auc}`);
});

test('dien: ~10% test users, last pair per user, graph excludes val/test targets', () => {
  const sp = dienSplit(ds, { rng: new Rng(2), negatives: 'uniform' });
  checkCtr(sp);
  const testUsersSet = new Set(sp.test.user);
  const valUsers = new Set(sp.val.user);
  assert.ok(Math.abs(testUsersSet.size - 40) <= 1, `${testUsersSet.size} test users`);
  for (const u of testUsersSet) assert.not.ok(valUsers.has(u));
  assert.is(sp.test.length, 2 * testUsersSet.size);
  assert.is(sp.graphInteractions.length, ds.interactions.length - testUsersSet.size - valUsers.size);
  const again = dienSplit(ds, { rng: new Rng(2), negatives: 'uniform' });
  assert.equal(again.test.item, sp.test.item, 'seeded');
});

test('leave-last: sizes and no leakage', () => {
  const sp = leaveLastSplit(ds, { rng: new Rng(3), negatives: 'popularity' });
  checkCtr(sp);
  assert.is(sp.train.length / 2 + sp.val.length / 2 + sp.test.length / 2, ds.interactions.length);
});

test('ranking: candidates exclude training items; sampled has 100 negatives', () => {
  const sp = rankingSplit(ds, { rng: new Rng(4), testFraction: 0.2 });
  for (let k = 0; k < sp.graphInteractions.length; k++) {
    const u = sp.graphInteractions.user[k];
    assert.ok(trainItems(sp, u).includes(sp.graphInteractions.item[k]));
  }
  for (const u of testUsers(sp).slice(0, 50)) {
    const full = candidates(sp, u, 'full'), tr = trainItems(sp, u);
    assert.is(full.length, ds.numItems - tr.length);
    for (const i of tr) assert.not.ok(full.includes(i));
    for (const i of relevantItems(sp, u)) assert.ok(full.includes(i) || tr.includes(i));
    const s = candidates(sp, u, 'sampled');
    assert.ok(s.length >= 100);
    for (const i of relevantItems(sp, u)) assert.ok(s.includes(i));
    assert.equal(Array.from(candidates(sp, u, 'rated')), Array.from(sp.test.items.subarray(sp.test.ptr[u], sp.test.ptr[u + 1])));
  }
});

test('ms-recommenders: 75/25 stratified per item with Python rounding, seeded; validation leaves test unchanged', () => {
  assert.equal([0.5, 1.5, 2.5, 0.75, 2.25, 4.5, 3.75].map(roundHalfEven), [0, 2, 2, 1, 2, 4, 4]);
  const sp = msRecommendersSplit(ds, { rng: new Rng(42) });
  const role = msRecommendersRoles(ds, { rng: new Rng(42) }), it = ds.interactions;
  const nTr = new Int32Array(ds.numItems), n = new Int32Array(ds.numItems);
  for (let k = 0; k < it.length; k++) { n[it.item[k]]++; if (role[k] === 0) nTr[it.item[k]]++; }
  // every item keeps exactly round_half_even(0.75 n) of its interactions for training
  for (let i = 0; i < ds.numItems; i++) assert.is(nTr[i], roundHalfEven(0.75 * n[i]), `item ${i}`);
  const v = msRecommendersSplit(ds, { rng: new Rng(42), valFraction: 0.1 });
  const vRole = msRecommendersRoles(ds, { rng: new Rng(42), valFraction: 0.1 });
  assert.equal(Array.from(vRole, (r) => r === 2), Array.from(role, (r) => r === 2), 'test roles unchanged by validation');
  assert.ok(v.val.items.length > 0);
  for (const u of testUsers(sp)) assert.ok(sp.train.ptr[u + 1] > sp.train.ptr[u], 'test users have training items');
});

test('ms-recommenders-user: 75/25 per user, seeded', () => {
  const sp = msRecommendersUserSplit(ds, { rng: new Rng(42) });
  const tr = sp.graphInteractions.length;
  assert.ok(Math.abs(tr / ds.interactions.length - 0.75) < 0.02, `${tr / ds.interactions.length}`);
  const sp2 = msRecommendersUserSplit(ds, { rng: new Rng(42) });
  assert.equal(sp2.test.items, sp.test.items);
});

test('queries derived from the clicked item never reach a CTR instance (no label leak)', () => {
  const ds = generateSynthetic({ users: 60, items: 40, seed: 4 });
  assert.is(queriesDeriveFromItems(ds), false); // a real search log: instances keep their own query
  // derive each interaction's query from its item, as loaders without a search log do
  const it = ds.interactions;
  for (let k = 0; k < it.length; k++) it.query[k] = it.item[k] % Math.max(1, ds.numQueries);
  const derived = { ...ds };
  assert.is(queriesDeriveFromItems(derived), true);
  const split = dinSplit(derived, { rng: new Rng(1) });
  for (const set of [split.train, split.test]) {
    for (let k = 0; k < set.length; k++) {
      if (set.label[k] !== 1) continue;
      const own = set.item[k] % Math.max(1, ds.numQueries);
      const prev = set.histEnd[k] > derived.userPtr[set.user[k]] ? split.seqItems[set.histEnd[k] - 1] % Math.max(1, ds.numQueries) : -1;
      assert.is(set.query[k], prev, `instance ${k}: query must be the previous interaction's (own item's would be ${own})`);
    }
  }
});

test('auc and gauc on hand cases (ties count one half)', () => {
  assert.is(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
  assert.is(auc([0.5, 0.5], [0, 1]), 0.5);
  assert.is(gauc([0, 0, 1, 1, 2], [0.1, 0.9, 0.9, 0.1, 0.3], [0, 1, 0, 1, 1]), 0.5);
});

test.run();
