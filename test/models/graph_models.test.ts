import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng, Adam, tidy, backward, noGrad, bceWithLogits } from '../../src/index.js';
import { generateSynthetic } from '../../src/data/synthetic.js';
import { dienSplit } from '../../src/data/protocols/dien.js';
import { makeBatch } from '../../src/eval/batches.js';
import { auc } from '../../src/eval/metrics.js';
import { DEFAULT_CONFIG, type ModelConfig, type Batch } from '../../src/models/types.js';
import { createGraphModel, ownEdges, type GraphModelName } from '../../src/models/graph_models.js';
import { listReward } from '../../src/models/decision_env.js';
import { alignShownNegatives } from '../../src/models/graph_util.js';
import type { Interactions } from '../../src/data/types.js';
import { assertClose } from '../helpers/close.js';

// a tiny market: every test below builds models in milliseconds, even on the js backend
const ds = generateSynthetic({ users: 40, items: 30, interactions: 400, segments: 3, categories: 2, subcategories: 2, seed: 3 });
const split = dienSplit(ds, { rng: new Rng(1), maxLen: 10 });
const CFG: ModelConfig = { ...DEFAULT_CONFIG, dim: 8, hidden: [16], dropout: 0, maxLen: 10, batchSize: 64, ddpgEpisodes: 8 };
const NAMES: GraphModelName[] = ['gcn', 'd-gcn', 'dp-gcn'];

const make = (name: GraphModelName, seed = 7, cfg: Partial<ModelConfig> = {}, train: Interactions = split.graphInteractions) =>
  createGraphModel(name, { dataset: ds, trainInteractions: train, config: { ...CFG, ...cfg }, rng: new Rng(seed) });
const batchOf = (n: number, set = split.train): Batch => makeBatch(split, set, Int32Array.from({ length: n }, (_, k) => k), CFG.maxLen);
const logits = (m: ReturnType<typeof make>, b: Batch) => tidy(() => noGrad(() => m.forward(b, false).data.slice()));

const T = suite('graph models');

T('forward gives (B,1) finite logits for every model and aggregation', () => {
  const b = batchOf(24);
  for (const name of NAMES) {
    for (const aggregation of ['sym', 'mean', 'max'] as const) {
      const m = make(name, 7, { aggregation });
      tidy(() => {
        const y = m.forward(b, true);
        assert.equal([...y.shape], [24, 1], `${name}/${aggregation}`);
        assert.ok(y.data.every(Number.isFinite), `${name}/${aggregation} finite`);
        backward(bceWithLogits(y, b.label!)); // gradients flow through every part
      });
      assert.ok(m.module.parameters().some((p) => p.grad && p.grad.data.some((g) => g !== 0)), `${name}/${aggregation} has gradients`);
    }
  }
});

T('frozen evaluation (one propagation, rows read from tables) scores as per-batch propagation does', () => {
  const b = batchOf(Math.min(24, split.test.length), split.test);
  for (const name of NAMES) {
    for (const aggregation of ['sym', 'max'] as const) {
      const m = make(name, 7, { aggregation });
      const live = logits(m, b);
      const release = m.freeze();
      const cached = logits(m, b);
      release();
      assertClose(cached, live, { atol: 1e-5, rtol: 1e-5 }, `${name}/${aggregation}`);
      tidy(() => { m.forward(b, true); }); // training forwards never read the tables
    }
  }
});

T('only dp-gcn embeds static features; only d-gcn and dp-gcn have a decision layer', () => {
  assert.is(make('gcn').decision, null);
  assert.ok(make('d-gcn').decision);
  assert.is(make('d-gcn').head.userStatic, null);
  assert.ok(make('dp-gcn').head.userStatic && make('dp-gcn').head.itemStatic);
});

T('hidden training edges are zeroed for the step and restored by the next forward', () => {
  for (const name of ['gcn', 'dp-gcn'] as const) {
    const m = make(name);
    const A = name === 'gcn' ? m.graph.homogeneous({ kind: 'sym', selfLoops: true }) : m.graph.normalized('user-item', 'sym', 'forward');
    const before = A.values.slice(), beforeT = A.transpose().values.slice();
    const b = batchOf(40);
    tidy(() => m.forward(b, true));
    const zeroed = A.values.filter((v, k) => v === 0 && before[k] !== 0).length;
    assert.ok(zeroed > 0, `${name}: the batch's own edges are hidden`);
    assert.is(A.transpose().values.filter((v, k) => v === 0 && beforeT[k] !== 0).length, zeroed, 'and in the transpose');
    logits(m, b);
    assertClose(A.values, before, { rtol: 0, atol: 0 }, 'restored');
    assertClose(A.transpose().values, beforeT, { rtol: 0, atol: 0 }, 'restored transpose');
  }
});

T('training hides each positive\'s own edge unless the item is already in its history', () => {
  const b = batchOf(40);
  const e = ownEdges(b);
  for (let k = 0; k < e.users.length; k++) {
    const i = Array.from({ length: b.size }, (_, j) => j).find((j) => b.user[j] === e.users[k] && b.item[j] === e.items[k] && b.label![j] === 1);
    assert.ok(i !== undefined, 'a hidden edge is a positive of the batch');
  }
  assert.ok(e.users.length > 0);
  // train and eval forward differ only through the hidden edges
  const m = make('gcn');
  const tr = tidy(() => m.forward(b, true).data.slice()), ev = logits(m, b);
  assert.ok(tr.some((v, k) => Math.abs(v - ev[k]) > 1e-7));
});

T('shown negatives are aligned to the training interactions', () => {
  const sn = alignShownNegatives(ds, split.graphInteractions)!;
  assert.is(sn.length, split.graphInteractions.length);
  assert.ok(sn.some((x) => x >= 0));
});

T('overfits a small fixed training set', () => {
  for (const name of ['gcn', 'dp-gcn'] as const) {
    const m = make(name, 3, { lr: 1e-2 });
    const b = batchOf(64);
    const opt = new Adam(m.module.parameters(), { lr: 1e-2 });
    const first = tidy(() => bceWithLogits(m.forward(b, true), b.label!).item());
    let last = first;
    // gcn leaves the raw id embeddings out of its output (propagatedOnly), so it memorises more slowly
    for (let s = 0, n = name === 'gcn' ? 200 : 80; s < n; s++) {
      last = tidy(() => { opt.zeroGrad(); const l = bceWithLogits(m.forward(b, true), b.label!); backward(l); opt.step(); return l.item(); });
    }
    assert.ok(last < 0.3 * first, `${name}: loss ${first} -> ${last}`);
    assert.ok(auc(logits(m, b), b.label!) > 0.95, `${name}: train AUC`);
  }
});

T('dp-gcn\'s decision layer changes scores and its DDPG update runs', () => {
  // evalEpisodes 0: keep whatever DDPG trained (the check could restore the starting actor)
  const m = createGraphModel('dp-gcn', { dataset: ds, trainInteractions: split.graphInteractions, config: { ...CFG, beta: 2 }, rng: new Rng(5) }, { evalEpisodes: 0 });
  const dec = m.decision!;
  const b = batchOf(32);
  // a non-trivial actor: its action moves the logits by beta * <a, P^T unit(e_j)> / sqrt(m)
  for (const p of dec.ddpg.actor.parameters()) p.data.forEach((_, i) => (p.data[i] = 0.3 * Math.sin(i + 1)));
  const withAct = logits(m, b);
  const fusion = m.logitsFromTables(m.tables(), b.user, b.item, b.query.map((q) => Math.max(q, -1)));
  const diff = withAct.map((v, k) => v - fusion[k]);
  assert.ok(diff.some((v) => Math.abs(v) > 1e-4), 'the action adjusts the logits');
  assert.ok(diff.every((v) => Math.abs(v) <= 2 + 1e-5), 'bounded by beta');
  const before = dec.ddpg.actor.parameters().map((p) => p.data.slice());
  const headBefore = m.head.parameters().map((p) => p.data.slice());
  m.afterEpoch(0, new Rng(9));
  assert.ok(dec.lastRun && dec.lastRun.updates > 0, 'DDPG updated');
  assert.ok(dec.ddpg.actor.parameters().some((p, k) => p.data.some((v, i) => v !== before[k][i])), 'actor moved');
  m.head.parameters().forEach((p, k) => assertClose(p.data, headBefore[k], { rtol: 0, atol: 0 }, 'fusion untouched'));
  assert.ok(dec.ddpg.actor.parameters().every((p) => p.grad === null), 'no stale gradients left for the BCE optimiser');
  assert.ok(logits(m, b).some((v, k) => v !== withAct[k]), 'scores follow the new actor');
});

T('the decision layer learns from the log and from the market, and starts as a no-op', () => {
  for (const decisionEnv of ['offline', 'online'] as const) {
    const m = createGraphModel('d-gcn', { dataset: ds, trainInteractions: split.graphInteractions, config: CFG, rng: new Rng(2) },
      { decisionEnv, episodeSteps: 4, episodes: 16, evalEpisodes: 8 });
    const b = batchOf(16);
    const fusion = m.logitsFromTables(m.tables(), b.user, b.item, b.query);
    assertClose(logits(m, b), fusion, { rtol: 0, atol: 1e-6 }, 'a = 0 before any learning');
    m.afterEpoch(0, new Rng(1));
    const run = m.decision!.lastRun!;
    assert.ok(run.totalSteps > 0 && run.totalSteps <= 4 * 16 && run.updates > 0, decisionEnv);
    assert.is(run.episodeReturns.length, 16);
    assert.ok(run.episodeReturns.every(Number.isFinite) && Number.isFinite(run.startReturn) && Number.isFinite(run.trainedReturn));
    assert.ok(['trained', 'previous', 'none'].includes(run.kept));
    if (run.kept === 'none') assertClose(logits(m, b), fusion, { rtol: 0, atol: 1e-6 }, 'the check fell back to no adjustment');
  }
});

T('list reward: better ordering is positive, worse negative, no adjustment zero', () => {
  const p = [0.9, 0.1, 0.5], base = [0, 0, 0];
  assert.is(listReward(p, base, [0, 0, 0]), 0);
  assert.ok(listReward(p, base, [1, -1, 0]) > 0);
  assert.ok(listReward(p, base, [-1, 1, 0]) < 0);
  // with 0/1 feedback only pairs with the clicked item count
  assertClose([listReward([1, 0, 0], [0, 0, 0], [0, 0, 5])], [listReward([1, 0, 0], [0, 0, 0], [0, 5, 5]) / 2], { atol: 1e-9 });
});

T('the action is projected on the item embeddings\' principal directions', () => {
  const m = make('d-gcn', 3);
  const dec = m.decision!;
  assert.is(dec.actionDim, CFG.dim < 16 ? CFG.dim : 16);
  const big = createGraphModel('d-gcn', { dataset: ds, trainInteractions: split.graphInteractions, config: { ...CFG, dim: 24 }, rng: new Rng(3) }, { actionDim: 4 });
  const d2 = big.decision!, P = d2.basis!;
  d2.refreshBasis(big.tables().item);
  for (let a = 0; a < 4; a++) for (let c = 0; c < 4; c++) {
    let dot = 0;
    for (let r = 0; r < 24; r++) dot += P.data[r * 4 + a] * P.data[r * 4 + c];
    assertClose([dot], [a === c ? 1 : 0], { atol: 1e-4 }, 'orthonormal columns');
  }
  // |adjustment| <= beta for any action in the box
  const acts = Float32Array.from({ length: 5 * 4 }, (_, i) => (i % 2 ? 1 : -1));
  const rows = Float32Array.from({ length: 5 * 24 }, (_, i) => Math.sin(i));
  assert.ok([...d2.adjustment(acts, rows)].every((v) => Math.abs(v) <= CFG.beta + 1e-6));
});

T('same seed, same model, same training: identical scores', () => {
  const run = () => {
    const m = make('dp-gcn', 11);
    const opt = new Adam(m.module.parameters(), { lr: 1e-2 });
    const b = batchOf(48);
    for (let s = 0; s < 3; s++) tidy(() => { opt.zeroGrad(); backward(bceWithLogits(m.forward(b, true), b.label!)); opt.step(); });
    m.afterEpoch(0, new Rng(4));
    return logits(m, batchOf(30, split.val.length >= 30 ? split.val : split.train));
  };
  assert.equal([...run()], [...run()]);
  const other = make('dp-gcn', 12);
  assert.ok(logits(other, batchOf(10)).some((v, k) => v !== logits(make('dp-gcn', 11), batchOf(10))[k]), 'another seed differs');
});

T.run();
