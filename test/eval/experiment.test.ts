import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../src/index.js';
import { generateSynthetic } from '../../src/data/synthetic.js';
import { DEFAULT_CONFIG, type ModelConfig } from '../../src/models/types.js';
import { runExperiment } from '../../src/experiment/run.js';
import { prepareSplit, lossFor } from '../../src/recsys/split.js';
import { buildModel, fitModel } from '../../src/recsys/fit.js';
import { parseExperimentResult } from '../../src/eval/result_types.js';
import { renderTable } from '../../src/experiment/table.js';
import { renderReport } from '../../src/experiment/report.js';
import { trainModel, safeAuc, bprLoss, validationNdcg10 } from '../../src/eval/trainer.js';
import { tensor } from '../../src/index.js';
import { evaluateCtr, scoreSet } from '../../src/eval/evaluate.js';
import { shuffledBatches, candidateBatch, pairBatch } from '../../src/eval/batches.js';

const ds = generateSynthetic({ users: 80, items: 50, interactions: 900, seed: 5 });
const config: ModelConfig = { ...DEFAULT_CONFIG, dim: 8, hidden: [16], epochs: 2, batchSize: 64, maxLen: 8, lr: 0.01 };

const t = suite('experiment');

t('a tiny experiment gives a valid ExperimentResult', () => {
  const r = runExperiment({ dataset: ds, protocol: 'dien', models: ['embedding-mlp', 'din'], seeds: [1, 2], config });
  const json = JSON.parse(JSON.stringify(r));
  parseExperimentResult(json, 'result');
  for (const k of ['dataset', 'protocol', 'seeds', 'oracleAuc', 'models']) assert.ok(k in json, k);
  assert.equal(json.seeds, [1, 2]);
  assert.is(json.models.length, 2);
  for (const m of json.models) {
    for (const k of ['name', 'auc', 'gauc', 'relaImpr', 'p5', 'p10', 'ndcg5', 'ndcg10', 'trainSeconds', 'testSeconds', 'curves']) assert.ok(k in m, `${m.name}.${k}`);
    assert.ok(m.auc.mean > 0 && m.auc.mean < 1);
    assert.is(m.curves.loss.length, 2);
    assert.is(m.curves.valAuc.length, 2);
    assert.is(m.perSeed.length, 2);
  }
  assert.is(json.models[0].relaImpr, 0); // embedding-mlp is the base
  assert.ok(json.oracleAuc > 0.5);
  const table = renderTable(r);
  assert.match(table, /embedding-mlp/);
  assert.match(table, /oracle AUC/);
});

t('same seeds, same numbers (apart from timings)', () => {
  const a = runExperiment({ dataset: ds, protocol: 'din', models: ['wide-deep'], seeds: [3], config });
  const b = runExperiment({ dataset: ds, protocol: 'din', models: ['wide-deep'], seeds: [3], config });
  assert.is(a.models[0].auc.mean, b.models[0].auc.mean);
  assert.equal(a.models[0].curves, b.models[0].curves);
});

t('ranking protocols run end to end', () => {
  for (const protocol of ['ranking', 'ms-recommenders'] as const) {
    const r = runExperiment({ dataset: ds, protocol, models: ['embedding-mlp'], seeds: [1], config: { ...config, epochs: 1 }, candidates: 'sampled' });
    const m = r.models[0];
    assert.ok(m.p10 >= 0 && m.p10 <= 1 && m.ndcg10 >= 0 && m.ndcg10 <= 1, protocol);
  }
});

t('the trainer keeps the parameters of the best validation epoch', () => {
  const prepared = prepareSplit(ds, 'din', 1, config);
  const model = buildModel('pnn', ds, prepared, config);
  const tr = trainModel(model, prepared.train, { config: { ...config, epochs: 4 }, rng: new Rng(9) });
  assert.is(tr.loss.length, 4);
  const again = safeAuc(scoreSet(model, prepared.train.src, prepared.train.val, config), prepared.train.val.label);
  assert.ok(Math.abs(again - tr.bestValAuc) < 1e-9, `${again} vs ${tr.bestValAuc}`);
  assert.is(tr.valAuc[tr.bestEpoch - 1], tr.bestValAuc);
});

t('batches: shuffled epochs cover every instance once; candidate batches share the history', () => {
  const bs = shuffledBatches(103, 16, new Rng(1));
  const all = bs.flatMap((b) => Array.from(b)).sort((x, y) => x - y);
  assert.equal(all, Array.from({ length: 103 }, (_, k) => k));
  const cb = candidateBatch(2, Int32Array.from([4, 5, 6]), [1, 2, 3, 9], 3);
  assert.equal(Array.from(cb.history), [2, 3, 9, 2, 3, 9, 2, 3, 9]);
  assert.equal(Array.from(cb.historyLen), [3, 3, 3]);
});

t('bpr loss: mean softplus(s_neg - s_pos), negatives in blocks after the positives', () => {
  // B = 2 positives (1, 3), R = 2 blocks of negatives: (0, 1) then (2, -1)
  const logits = tensor(Float32Array.from([1, 3, 0, 1, 2, -1]), [6, 1]);
  const sp = (x: number) => Math.log1p(Math.exp(x));
  const want = (sp(0 - 1) + sp(1 - 3) + sp(2 - 1) + sp(-1 - 3)) / 4;
  assert.ok(Math.abs(bprLoss(logits, 2, 2).item() - want) < 1e-6);
});

t('bpr training runs end to end on a tiny ranking split, lowers its loss and selects on validation NDCG@10', () => {
  const prepared = prepareSplit(ds, 'ms-recommenders', 1, config);
  const sel = prepared.selection!;
  const p = sel.train.pairs!;
  assert.ok(p.valRanking.users.length > 0);
  // a pair batch repeats the positive's context for its negatives
  const b = pairBatch(sel.train.src, sel.train.train, [0, 1], Int32Array.from([7, 8, 9, 10]), 8);
  assert.is(b.size, 6);
  assert.equal(Array.from(b.label!), [1, 1, 0, 0, 0, 0]);
  assert.equal(Array.from(b.item.subarray(2)), [7, 8, 9, 10]);
  assert.is(b.user[4], b.user[0]);
  assert.equal(Array.from(b.history.subarray(5 * 8, 6 * 8)), Array.from(b.history.subarray(8, 16)));
  const cfg: ModelConfig = { ...config, loss: 'bpr', negatives: 2, epochs: 4 };
  const model = buildModel('embedding-mlp', ds, prepared, cfg, sel.graphInteractions);
  const tr = trainModel(model, sel.train, { config: cfg, rng: new Rng(3) });
  assert.is(tr.loss.length, 4);
  assert.is(tr.selectedOn, 'ndcg10');
  assert.ok(tr.loss[3] < tr.loss[0], `loss ${tr.loss.join(', ')}`);
  assert.ok(tr.loss[0] < 0.7 && tr.loss[3] > 0, `${tr.loss[0]}`); // starts near log 2
  const nd = tr.valNdcg10!;
  assert.is(nd.length, 4);
  assert.is(Math.max(...nd), nd[tr.bestEpoch - 1]);
  assert.ok(Math.abs(validationNdcg10(model, p.valRanking, cfg) - nd[tr.bestEpoch - 1]) < 1e-9);
  // held-out validation items are candidates, the user's training items are not
  const u = p.valRanking.users[0], cand = p.valRanking.candidates(u, 0);
  assert.ok(cand.includes(p.valRanking.relevant(u, 0)[0]));
  for (const h of Array.from(p.valRanking.history(u, 0))) assert.not.ok(cand.includes(h));
  // seeded: same run, same losses
  const again = trainModel(buildModel('embedding-mlp', ds, prepared, cfg, sel.graphInteractions), sel.train, { config: cfg, rng: new Rng(3) });
  assert.equal(again.loss, tr.loss);
});

t('ranking protocols select on a validation split held out of training and graph, then refit on the whole training split', () => {
  for (const protocol of ['ms-recommenders', 'ranking'] as const) {
    const prepared = prepareSplit(ds, protocol, 2, config);
    const sel = prepared.selection!;
    const key = (u: number, i: number) => u * ds.numItems + i;
    const pairs = (it: { user: Int32Array; item: Int32Array; length: number }) => new Set(Array.from({ length: it.length }, (_, k) => key(it.user[k], it.item[k])));
    const fullGraph = pairs(prepared.graphInteractions), selGraph = pairs(sel.graphInteractions);
    const v = sel.train.pairs!.valRanking;
    assert.ok(v.users.length > 0, protocol);
    let held = 0;
    v.users.forEach((u, k) => {
      for (const i of Array.from(v.relevant(u, k))) {
        held++;
        assert.not.ok(selGraph.has(key(u, i)), `${protocol}: validation pair in the selection graph`);
        assert.ok(fullGraph.has(key(u, i)), `${protocol}: validation pair missing from the final graph`);
      }
    });
    assert.is(fullGraph.size - selGraph.size, held, protocol);
    // the final training split has no validation of its own, and the test split is the one without a selection split
    assert.is(prepared.train.val.length, 0);
    assert.is(prepared.train.pairs!.valRanking.users.length, 0);
    for (let k = 0; k < prepared.test.length; k++) assert.not.ok(fullGraph.has(key(prepared.test.user[k], prepared.test.item[k])));
  }
  const prepared = prepareSplit(ds, 'ms-recommenders', 2, config);
  const cfg: ModelConfig = { ...config, epochs: 3 };
  const steps: [number, number][] = [];
  const fit = fitModel('gcn', ds, prepared, cfg, { onStep: (d, total) => steps.push([d, total]) });
  assert.is(fit.refitEpochs, fit.train.bestEpoch);
  assert.is(fit.train.selectedOn, 'ndcg10');
  assert.is(fit.train.loss.length, 3);
  // what the fit reports covers both trainings: the selection run's steps, then the refit's after them
  assert.ok(fit.refitEpochs! > 0, 'the fixture refits');
  const selTotal = steps[0][1], last = steps[steps.length - 1];
  for (let n = 1; n < steps.length; n++) assert.ok(steps[n][0] >= steps[n - 1][0], `progress went back at report ${n}`);
  assert.ok(last[1] > selTotal, `the refit's steps are counted after the selection's (${last[1]} vs ${selTotal})`);
  assert.is(last[0], last[1], 'the fit ends at its last step');
  assert.ok(Number.isFinite(fit.trainSeconds) && fit.trainSeconds >= 0);
});

t('bpr is refused outside ranking protocols; ranking protocols run with it', () => {
  assert.throws(() => lossFor('din', { ...config, loss: 'bpr' }), /ranking protocol/);
  const r = runExperiment({ dataset: ds, protocol: 'ranking', models: ['gcn'], seeds: [1], config: { ...config, epochs: 1, loss: 'bpr' }, candidates: 'sampled' });
  assert.ok(r.models[0].ndcg10 >= 0 && r.models[0].ndcg10 <= 1);
  // the curve the epoch was selected on travels with the result and is drawn in the report
  assert.is(r.models[0].curves.valNdcg10?.length, 1);
  parseExperimentResult(JSON.parse(JSON.stringify(r)), 'result');
  assert.ok(renderReport(r).includes('Validation NDCG@10 per epoch'));
});

t('evaluateCtr: GAUC is NaN only where it is undefined; a malformed test set is an error, not a NaN', () => {
  const prepared = prepareSplit(ds, 'dien', 1, config);
  const model = buildModel('embedding-mlp', ds, prepared, config);
  const ok = evaluateCtr(model, prepared.train.src, prepared.test, config);
  assert.ok(ok.gauc > 0 && ok.gauc < 1, `gauc ${ok.gauc}`);
  // one row per user: no user has both classes, so GAUC has no value
  // (a positive row for even users, a negative one for odd users, so AUC itself is defined)
  const T = prepared.test, pick = new Map<number, number>();
  for (let k = 0; k < T.length; k++) if (!pick.has(T.user[k]) && (T.label[k] > 0) === (T.user[k] % 2 === 0)) pick.set(T.user[k], k);
  const rows = [...pick.values()];
  const sub = <A extends Int32Array | Float32Array | Float64Array>(a: A): A => a.filter((_, k) => rows.includes(k)) as A;
  const one = { length: rows.length, user: sub(T.user), item: sub(T.item), label: sub(T.label), query: sub(T.query), time: sub(T.time),
    histStart: sub(T.histStart), histEnd: sub(T.histEnd) };
  assert.ok(new Set(one.label).size === 2, 'both classes overall');
  const undef = evaluateCtr(model, prepared.train.src, one, config);
  assert.ok(Number.isFinite(undef.auc) && Number.isNaN(undef.gauc));
  // a user column longer than the labels: the set is broken, and says so
  const long = Int32Array.from([...prepared.test.user, 0]);
  assert.throws(() => evaluateCtr(model, prepared.train.src, { ...prepared.test, user: long }, config), /gauc: users has \d+ entries but scores has/);
  model.dispose?.();
});

t.run();
