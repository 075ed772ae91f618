/**
 * `dpgcn experiment`: every model on every seed, one data set, one protocol.
 * A seed fixes the split (shared by all models of that seed, so comparisons
 * are paired), each model's initialisation and its batch order; a model's
 * numbers do not depend on which other models run. Test data is touched only
 * after training, which selects its epoch on validation alone (AUC; NDCG@10
 * of the validation users' held-out items under the bpr loss).
 */
import { releaseModel } from '../models/registry.js';
import type { Dataset } from '../data/types.js';
import { type ModelConfig, type ModelName, type Model } from '../models/types.js';
import { type EpochInfo } from '../eval/trainer.js';
import { evaluateCtr, evaluateRanking } from '../eval/evaluate.js';
import { meanSd, relaImpr } from '../eval/metrics.js';
import { DEFAULT_BASE_MODEL, type ExperimentResult, type ModelResult, type SeedResult } from '../eval/result_types.js';
import { type Protocol, type PreparedSplit, type PrepareOptions, prepareSplit, configFor, lossFor } from '../recsys/split.js';
import { fitModel } from '../recsys/fit.js';

export interface RunResult {
  model: Model;
  seed: SeedResult & { gauc: number; bestEpoch: number; valAuc: number; rankSeconds: number;
    loss: 'bce' | 'bpr'; valNdcg10?: number; refitEpochs?: number; selected?: Record<string, number> };
  curves: { loss: number[]; valAuc: number[]; valNdcg10?: number[] };
  ranking: { p5: number; p10: number; ndcg5: number; ndcg10: number; recall10: number; hit10: number; map: number };
}

/** Trains one model on one prepared split and evaluates it on test. */
export function runOne(name: ModelName, ds: Dataset, prepared: PreparedSplit, config: ModelConfig,
  hooks: { onEpoch?(e: EpochInfo): void; onStep?(done: number, total: number): void } = {}): RunResult {
  const loss = lossFor(prepared.protocol, config);
  config = { ...config, loss };
  const { model, train: tr, refitEpochs, trainSeconds, selected } = fitModel(name, ds, prepared, config, hooks);
  // each evaluation freezes on its own, so its time includes the propagation it needs
  const ctr = evaluateCtr(model, prepared.train.src, prepared.test, config);
  const rk = evaluateRanking(model, prepared.task, config, [5, 10]);
  const m5 = rk.metrics.at[5], m10 = rk.metrics.at[10];
  return {
    model,
    seed: { seed: prepared.seed, auc: ctr.auc, gauc: ctr.gauc, trainSeconds, testSeconds: ctr.seconds,
      bestEpoch: tr.bestEpoch, valAuc: tr.bestValAuc, rankSeconds: rk.seconds, loss,
      ...(refitEpochs !== undefined ? { refitEpochs } : {}),
      ...(selected ? { selected } : {}),
      ...(tr.valNdcg10 ? { valNdcg10: tr.valNdcg10[tr.bestEpoch - 1] } : {}) },
    curves: { loss: tr.loss, valAuc: tr.valAuc, ...(tr.valNdcg10 ? { valNdcg10: tr.valNdcg10 } : {}) },
    ranking: { p5: m5.precision, p10: m10.precision, ndcg5: m5.ndcg, ndcg10: m10.ndcg, recall10: m10.recall, hit10: m10.hitRate, map: rk.metrics.mapMs },
  };
}

/** ModelResult plus columns the JSON contract allows but does not require. */
export interface ModelResultExt extends ModelResult {
  gaucSd: number; recall10: number; hitRate10: number; map: number;
  /** Oracle AUC minus the model's AUC (synthetic data only). */
  oracleGap?: number;
}

export interface ExperimentOptions extends PrepareOptions {
  dataset: Dataset;
  protocol: Protocol;
  models: ModelName[];
  seeds: number[];
  config: ModelConfig;
  /** The caller's settings: when given, each model runs with configFor(protocol, overrides, model) instead of config. */
  overrides?: Partial<ModelConfig>;
  /** Called when a run starts (run counts models x seeds) and after each training step. */
  onRun?(info: { model: ModelName; seed: number; run: number; runs: number }): void;
  onStep?(done: number, total: number): void;
  onRunDone?(info: { model: ModelName; seed: number; auc: number; trainSeconds: number }): void;
}

/** Averages equal-index entries over seeds (runs may stop at different epochs). */
function meanCurve(curves: number[][]): number[] {
  const n = Math.max(0, ...curves.map((c) => c.length));
  return Array.from({ length: n }, (_, e) => {
    const v = curves.map((c) => c[e]).filter((x) => x !== undefined && !Number.isNaN(x));
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
  });
}
const avg = (xs: number[]) => { const v = xs.filter((x) => !Number.isNaN(x)); return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN; };

/**
 * What one (model, seed) fit leaves behind once its model is disposed: plain
 * numbers only, so it crosses a queue (src/queue/) and summarizeExperiment
 * turns any set of them into the same result whether they ran here or on
 * workers. The split's oracle figures ride along (every fit of a seed has the
 * same ones).
 */
export interface FitOutcome {
  model: ModelName;
  seed: RunResult['seed'];
  curves: RunResult['curves'];
  ranking: RunResult['ranking'];
  oracleAuc?: number;
  oracleGauc?: number;
}

/** One fit: trains name on the prepared split, evaluates it on test, frees the model. */
export function runFit(name: ModelName, ds: Dataset, prepared: PreparedSplit, config: ModelConfig,
  hooks: { onStep?(done: number, total: number): void } = {}): FitOutcome {
  const r = runOne(name, ds, prepared, config, hooks);
  releaseModel(r.model);
  return { model: name, seed: r.seed, curves: r.curves, ranking: r.ranking,
    ...(prepared.oracleAuc !== undefined ? { oracleAuc: prepared.oracleAuc } : {}),
    ...(prepared.oracleGauc !== undefined ? { oracleGauc: prepared.oracleGauc } : {}) };
}

/** The config model name trains with: configFor(protocol, overrides, name) when the caller gave overrides, else config. */
export function modelConfig(opts: Pick<ExperimentOptions, 'protocol' | 'config' | 'overrides'>, name: ModelName): ModelConfig {
  return opts.overrides ? configFor(opts.protocol, opts.overrides, name) : opts.config;
}

export function runExperiment(opts: ExperimentOptions): ExperimentResult & { models: ModelResultExt[] } {
  const { dataset: ds, protocol, models, seeds, config } = opts;
  lossFor(protocol, config); // a bad --loss fails before any work
  const outcomes: FitOutcome[] = [];
  let run = 0;
  for (const seed of seeds) {
    const prepared = prepareSplit(ds, protocol, seed, config, opts);
    for (const name of models) {
      opts.onRun?.({ model: name, seed, run: ++run, runs: models.length * seeds.length });
      const r = runFit(name, ds, prepared, modelConfig(opts, name), { onStep: opts.onStep });
      outcomes.push(r);
      opts.onRunDone?.({ model: name, seed, auc: r.seed.auc, trainSeconds: r.seed.trainSeconds });
    }
  }
  return summarizeExperiment({ dataset: ds.name, protocol, models, seeds }, outcomes);
}

/**
 * The experiment's result from its fits, in any order of arrival: models
 * in the order asked, seeds in the order asked within each model, so the
 * numbers (means summed in that order) do not depend on who ran what when.
 */
export function summarizeExperiment(header: { dataset: string; protocol: Protocol; models: ModelName[]; seeds: number[] },
  outcomes: FitOutcome[]): ExperimentResult & { models: ModelResultExt[] } {
  const { protocol, models, seeds } = header;
  const find = (name: ModelName, seed: number): FitOutcome => {
    const o = outcomes.find((x) => x.model === name && x.seed.seed === seed);
    if (!o) throw new Error(`summarizeExperiment: no fit of ${name} for seed ${seed}`);
    return o;
  };
  const runs = new Map<ModelName, FitOutcome[]>(models.map((m) => [m, seeds.map((s) => find(m, s))]));
  const oracle: number[] = [], oracleG: number[] = [];
  for (const seed of seeds) {
    const o = find(models[0], seed);
    if (o.oracleAuc !== undefined) oracle.push(o.oracleAuc);
    if (o.oracleGauc !== undefined) oracleG.push(o.oracleGauc);
  }
  const oracleAuc = oracle.length ? avg(oracle) : undefined;
  const oracleGauc = oracleG.length ? avg(oracleG) : undefined;
  const results: ModelResultExt[] = models.map((name) => {
    const rs = runs.get(name)!;
    const aucs = rs.map((r) => r.seed.auc), gaucs = rs.map((r) => r.seed.gauc);
    const g = meanSd(gaucs.filter((x) => !Number.isNaN(x)).length ? gaucs.filter((x) => !Number.isNaN(x)) : [NaN]);
    const res: ModelResultExt = {
      name, auc: meanSd(aucs), gauc: g.mean, gaucSd: g.sd, relaImpr: NaN,
      p5: avg(rs.map((r) => r.ranking.p5)), p10: avg(rs.map((r) => r.ranking.p10)),
      ndcg5: avg(rs.map((r) => r.ranking.ndcg5)), ndcg10: avg(rs.map((r) => r.ranking.ndcg10)),
      recall10: avg(rs.map((r) => r.ranking.recall10)), hitRate10: avg(rs.map((r) => r.ranking.hit10)), map: avg(rs.map((r) => r.ranking.map)),
      trainSeconds: avg(rs.map((r) => r.seed.trainSeconds)), testSeconds: avg(rs.map((r) => r.seed.testSeconds)),
      curves: { loss: meanCurve(rs.map((r) => r.curves.loss)), valAuc: meanCurve(rs.map((r) => r.curves.valAuc)),
        ...(rs.some((r) => r.curves.valNdcg10) ? { valNdcg10: meanCurve(rs.map((r) => r.curves.valNdcg10 ?? [])) } : {}) },
      perSeed: rs.map((r) => r.seed),
    };
    if (oracleAuc !== undefined) res.oracleGap = oracleAuc - res.auc.mean;
    return res;
  });
  const base = results.find((r) => r.name === DEFAULT_BASE_MODEL);
  if (base) for (const r of results) r.relaImpr = relaImpr(r.auc.mean, base.auc.mean);
  // key order is the JSON's reading order: header fields first, then models
  return {
    dataset: header.dataset, protocol, seeds: [...seeds],
    ...(oracleAuc !== undefined ? { oracleAuc } : {}),
    ...(oracleGauc !== undefined ? { oracleGauc } : {}),
    ...(base ? { baseModel: DEFAULT_BASE_MODEL } : {}),
    models: results,
  };
}
