import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng, tidy, noGrad, backward } from '../../src/index.js';
import { generateSynthetic } from '../../src/data/synthetic.js';
import { msRecommendersSplit } from '../../src/data/protocols/ms_recommenders.js';
import { rankingData } from '../../src/eval/ranking_data.js';
import { candidateBatch } from '../../src/eval/batches.js';
import { topCandidates } from '../../src/eval/evaluate.js';
import { DEFAULT_CONFIG, type ModelConfig } from '../../src/models/types.js';
import { createModel } from '../../src/models/registry.js';
import { createGraphModel, type GraphModelName } from '../../src/models/graph_models.js';
import { easeWeights, gram, pruneRows, prunedEaseWeights, trainSets, userScores, userScoresSparse } from '../../src/models/item_item.js';
import { itemItemTerm } from '../../src/models/item_item_term.js';
import { bprLoss } from '../../src/eval/trainer.js';
import { assertClose } from '../helpers/close.js';

const ds = generateSynthetic({ users: 50, items: 36, interactions: 700, segments: 3, categories: 2, subcategories: 2, seed: 5 });
const split = msRecommendersSplit(ds, { rng: new Rng(2) });
const data = rankingData(split, { rng: new Rng(3) });
const train = split.graphInteractions;
const CFG: ModelConfig = { ...DEFAULT_CONFIG, dim: 8, hidden: [16], maxLen: 10, batchSize: 64, ddpgEpisodes: 4, head: 'dot', gcnLayers: 2, l2: 1e-4, loss: 'bpr', easeLambda: 20 };
const ctx = (cfg: Partial<ModelConfig> = {}, seed = 7) => ({ dataset: ds, trainInteractions: train, config: { ...CFG, ...cfg }, rng: new Rng(seed) });
const hist = (u: number) => data.src.seqItems.subarray(data.userStart[u], data.userStart[u + 1]);
/** forward's logits of every item for user u (eval mode, frozen as evaluation freezes). */
function forwardAll(m: ReturnType<typeof createModel>, u: number): Float32Array {
  const release = m.freeze?.();
  try {
    const items = Int32Array.from({ length: ds.numItems }, (_, i) => i);
    return tidy(() => noGrad(() => m.forward(candidateBatch(u, items, hist(u), CFG.maxLen, 0, -1), false).data.slice()));
  } finally { release?.(); }
}

const T = suite('ranking models');

T('EASE closed form: zero diagonal, (G + lambda I) B = G - diagMat(...) i.e. B = I - P diag(1/diag P), scores = X B', () => {
  const n = ds.numItems, sets = trainSets(ds.numUsers, train), G = gram(sets, ds.numUsers, n);
  // G = X^T X of the binary user x item matrix, built here from the raw interaction rows
  const X = new Uint8Array(ds.numUsers * n);
  for (let k = 0; k < train.length; k++) X[train.user[k] * n + train.item[k]] = 1;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let c = 0;
    for (let u = 0; u < ds.numUsers; u++) c += X[u * n + i] * X[u * n + j];
    assert.is(G[i * n + j], c, `G[${i}, ${j}]`);
  }
  const lam = 20, B = easeWeights(G, n, lam);
  for (let i = 0; i < n; i++) assert.is(B[i * n + i], 0);
  // EASE's stationarity: (G + lam I)(I - B) is diagonal (= diagMat(1 / diag P))
  const A = G.slice(); for (let i = 0; i < n; i++) A[i * n + i] += lam;
  let off = 0, diag = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += A[i * n + k] * ((k === j ? 1 : 0) - B[k * n + j]);
    if (i === j) diag = Math.max(diag, Math.abs(s)); else off = Math.max(off, Math.abs(s));
  }
  assert.ok(off < 1e-3 * diag, `off-diagonal ${off} vs diagonal ${diag}`);
  const S = userScores(B, sets, ds.numUsers, n);
  const full = pruneRows(B, n, n);
  assertClose(userScoresSparse(full, sets, ds.numUsers, n), S, { rtol: 1e-5, atol: 1e-5 });
  const p = pruneRows(B, n, 5);
  for (let j = 0; j < n; j++) assert.ok(p.rowPtr[j + 1] - p.rowPtr[j] <= 5);
});

T('pop and ease: forward and scoreItems agree; ease is fitted by its closed form', () => {
  for (const name of ['pop', 'ease'] as const) {
    const m = createModel(name, ctx());
    m.closedForm!.fit(name === 'ease' ? 20 : 0);
    for (const u of [0, 7, 33]) assertClose(forwardAll(m, u), m.scoreItems!(u, hist(u)), { rtol: 1e-6, atol: 1e-6 });
  }
});

for (const name of ['bpr-mf', 'lightgcn', 'gcn', 'd-gcn', 'dp-gcn'] as GraphModelName[]) {
  T(`${name}: the dot head trains with BPR, and scoreItems, servingTables and forward give the same scores`, () => {
    const m = createGraphModel(name, ctx());
    // one training step moves the loss (gradients reach the embeddings)
    const b = candidateBatch(3, Int32Array.from([1, 2, 5, 8]), hist(3), CFG.maxLen, 0, -1);
    b.label = Float32Array.from([1, 1, 0, 0]);
    tidy(() => { const l = bprLoss(m.forward(b, true), 2, 1); backward(l); assert.ok(Number.isFinite(l.item())); });
    if (m.postHoc) m.postHoc.set(0.6);
    const tables = m.servingTables!();
    for (const u of [0, 11, 40]) {
      const s = m.scoreItems!(u, hist(u));
      assertClose(forwardAll(m, u), s, { rtol: 2e-4, atol: 2e-4 });
      if (!m.decision) {
        // the factorised form: <user, item> + sum over the user's history of the item-item row
        const d = tables.dim, want = new Float32Array(ds.numItems);
        for (let i = 0; i < ds.numItems; i++) {
          let v = 0;
          for (let k = 0; k < d; k++) v += tables.user[u * d + k] * tables.item[i * d + k];
          want[i] = v;
        }
        if (tables.itemItem) {
          const B = tables.itemItem;
          for (const j of Array.from(new Set(hist(u)))) for (let q = B.rowPtr[j]; q < B.rowPtr[j + 1]; q++) want[B.colIdx[q]] += B.values[q];
        }
        assertClose(want, s, { rtol: 2e-4, atol: 2e-4 });
      }
    }
  });
}

T('dp-gcn mixes its towers and the item-item term by alpha: 1 ranks as the term alone', () => {
  const m = createGraphModel('dp-gcn', ctx());
  const ease = createModel('ease', ctx()); ease.closedForm!.fit(20);
  m.postHoc!.set(1);
  const all = Int32Array.from({ length: ds.numItems }, (_, i) => i);
  for (const u of [2, 9, 30]) {
    const got = topCandidates(m.scoreItems!(u, hist(u)), all, 10), want = topCandidates(ease.scoreItems!(u, hist(u)), all, 10);
    assert.equal(Array.from(got), Array.from(want), `user ${u}: alpha 1 does not rank as EASE (lambda 20) alone`);
  }
  // and alpha 0 is the towers alone: the item-item term no longer moves the ranking
  m.postHoc!.set(0);
  const towers = m.servingTables!(), d = towers.dim;
  for (const u of [2, 9, 30]) {
    const dot = Float32Array.from(all, (i) => { let v = 0; for (let k = 0; k < d; k++) v += towers.user[u * d + k] * towers.item[i * d + k]; return v; });
    assert.equal(Array.from(topCandidates(m.scoreItems!(u, hist(u)), all, 10)), Array.from(topCandidates(dot, all, 10)), `user ${u}: alpha 0`);
  }
  assert.is(m.postHoc!.grid[0], 0);
});

T('EASE shares its pruned weights with the item-item term built on the same interactions and lambda, and only then', () => {
  const n = ds.numItems, U = ds.numUsers, sets = trainSets(U, train);
  const fresh = pruneRows(easeWeights(gram(sets, U, n), n, 30), n, 7);
  // own copy of the interactions: the cache is keyed by the object, so other tests' entries cannot answer
  const it = { ...train };
  const own = (cfg: Partial<ModelConfig>) => ({ dataset: ds, trainInteractions: it, config: { ...CFG, ...cfg }, rng: new Rng(1) });
  assert.is.not(prunedEaseWeights(it, sets, U, n, 30, 7), prunedEaseWeights(it, sets, U, n, 30, 7), 'nothing shared yet: computed each time');
  const ease = createModel('ease', own({}));
  ease.closedForm!.fit(30); // before share(): nothing kept
  assert.is.not(prunedEaseWeights(it, sets, U, n, 30, 7), prunedEaseWeights(it, sets, U, n, 30, 7));
  ease.closedForm!.share!(7);
  ease.closedForm!.fit(30);
  const hit = prunedEaseWeights(it, sets, U, n, 30, 7);
  assert.is(hit, prunedEaseWeights(it, sets, U, n, 30, 7), 'shared: the same object');
  assert.equal([Array.from(hit.rowPtr), Array.from(hit.colIdx), Array.from(hit.values)],
    [Array.from(fresh.rowPtr), Array.from(fresh.colIdx), Array.from(fresh.values)], 'shared weights equal a fresh fit');
  // another lambda, another keep, or other interactions: not shared
  assert.is.not(prunedEaseWeights(it, sets, U, n, 31, 7), hit);
  assert.is.not(prunedEaseWeights(it, sets, U, n, 30, 8), hit);
  assert.is.not(prunedEaseWeights(train, sets, U, n, 30, 7), hit);
  assert.is(itemItemTerm(own({ easeLambda: 30, itemItemKeep: 7 }))!.weights, hit, 'the term takes the shared weights');
});

T('topCandidates: the n best by score, ties by item id, only among candidates', () => {
  const s = Float32Array.from([0.5, 0.9, 0.9, 0.1, 0.7]);
  assert.equal(Array.from(topCandidates(s, Int32Array.from([0, 1, 2, 3, 4]), 3)), [1, 2, 4]);
  assert.equal(Array.from(topCandidates(s, Int32Array.from([0, 3, 4]), 5)), [4, 0, 3]);
});

T.run();
