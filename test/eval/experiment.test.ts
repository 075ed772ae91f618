import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../src/index.js';
import { generateSynthetic } from '../../src/data/synthetic.js';
import { DEFAULT_CONFIG, type ModelConfig } from '../../src/models/types.js';
import { runExperiment, prepareSplit, buildModel } from '../../src/eval/experiment.js';
import { parseExperimentResult } from '../../src/eval/result_types.js';
import { renderTable } from '../../src/eval/table.js';
import { trainModel, safeAuc } from '../../src/eval/trainer.js';
import { scoreSet } from '../../src/eval/evaluate.js';
import { shuffledBatches, candidateBatch } from '../../src/eval/batches.js';

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

t.run();
