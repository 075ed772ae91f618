/**
 * `dpgcn experiment`: every model on every seed, one data set, one protocol.
 * A seed fixes the split (shared by all models of that seed, so comparisons
 * are paired), each model's initialisation and its batch order; a model's
 * numbers do not depend on which other models run. Test data is touched only
 * after training, which selects its epoch on validation alone (AUC; NDCG@10
 * of the validation users' held-out items under the bpr loss).
 */
import { Rng } from '../tensor/rng.js';
import { UserError } from '../errors.js';
import type { Dataset, Interactions } from '../data/types.js';
import { dinSplit } from '../data/protocols/din.js';
import { dienSplit } from '../data/protocols/dien.js';
import { rankingSplit, type CandidateMode } from '../data/protocols/ranking.js';
import { msRecommendersSplit, msRecommendersUserSplit } from '../data/protocols/ms_recommenders.js';
import type { InstanceSet } from '../data/protocols/common.js';
import { oracleScores } from '../data/oracle.js';
import { DEFAULT_CONFIG, type ModelConfig, type ModelName, type Model } from '../models/types.js';
import { createModel } from '../models/registry.js';
import { trainModel, safeAuc, validationNdcg10, type TrainData, type TrainResult, type EpochInfo } from './trainer.js';
import { EASE_MAX_ITEMS } from '../models/item_item.js';
import { evaluateCtr, evaluateRanking, nextItemTask, type RankingTask } from './evaluate.js';
import { rankingData, rankingTask } from './ranking_data.js';
import { meanSd, relaImpr, gauc } from './metrics.js';
import { DEFAULT_BASE_MODEL, type ExperimentResult, type ModelResult, type SeedResult } from './result_types.js';

export type Protocol = 'din' | 'dien' | 'ranking' | 'ms-recommenders' | 'ms-recommenders-user';
export const PROTOCOLS: Protocol[] = ['din', 'dien', 'ranking', 'ms-recommenders', 'ms-recommenders-user'];
const SPLITS = { 'ranking': rankingSplit, 'ms-recommenders': msRecommendersSplit, 'ms-recommenders-user': msRecommendersUserSplit } as const;

/** One seed's data under a protocol, ready for any model. */
export interface PreparedSplit {
  protocol: Protocol;
  seed: number;
  train: TrainData;
  test: InstanceSet;
  graphInteractions: Interactions;
  task: RankingTask;
  /** AUC of the true click probabilities on the test set (synthetic data only). */
  oracleAuc?: number;
  /** GAUC of the true click probabilities: the within-user bound the oracle really is (see note at prepareSplit). */
  oracleGauc?: number;
  /**
   * Ranking protocols: a validation split carved out of the training split
   * (its items are out of the selection graph and the selection instances
   * too). A model is trained there to choose the epoch count on validation
   * NDCG@10, then refit on the whole training split (`train`, which has no
   * validation) for that many epochs; see fitModel.
   */
  selection?: { train: TrainData; graphInteractions: Interactions };
}

/** Share of each user's training items a ranking protocol's selection split holds out for validation. */
export const RANKING_VAL_FRACTION = 0.1;

export interface PrepareOptions { candidates?: CandidateMode; rankUsers?: number }

/** Builds the split of `seed` under protocol. */
export function prepareSplit(ds: Dataset, protocol: Protocol, seed: number, config: ModelConfig, opts: PrepareOptions = {}): PreparedSplit {
  const rng = new Rng(seed);
  const rankUsers = opts.rankUsers ?? 500;
  let out: PreparedSplit;
  if (protocol === 'din' || protocol === 'dien') {
    const split = protocol === 'din' ? dinSplit(ds, { rng, maxLen: config.maxLen }) : dienSplit(ds, { rng, maxLen: config.maxLen });
    out = { protocol, seed, train: { src: split, train: split.train, val: split.val }, test: split.test,
      graphInteractions: split.graphInteractions, task: nextItemTask(split, split.test, ds.numItems, ds.userPtr, rankUsers) };
  } else {
    // both splits start from the same seed and draw the same roles, so their test parts are identical
    const splitOf = (valFraction: number) => SPLITS[protocol](ds, { rng: new Rng(seed), valFraction });
    const split = splitOf(0), sel = splitOf(RANKING_VAL_FRACTION);
    const data = rankingData(split, { rng: rng.fork() }), selData = rankingData(sel, { rng: rng.fork() });
    out = { protocol, seed, train: { src: data.src, train: data.train, val: data.val, pairs: data.pairs }, test: data.test,
      graphInteractions: data.graphInteractions, task: rankingTask(split, data, opts.candidates ?? 'full'),
      selection: { train: { src: selData.src, train: selData.train, val: selData.val, pairs: selData.pairs }, graphInteractions: selData.graphInteractions } };
  }
  // NOTE: the true click probability is the optimal scorer within a user (GAUC), not
  // across users: each user contributes one positive and one negative however often
  // they click, so a model can beat the oracle's global AUC; its GAUC is the bound.
  if (ds.oracle && out.test.length) {
    const s = oracleScores(ds, out.test);
    out.oracleAuc = safeAuc(s, out.test.label);
    try { out.oracleGauc = gauc(out.test.user, s, out.test.label); } catch { /* one class per user: no GAUC */ }
  }
  return out;
}

/** A stable 31-bit seed for (seed, name, purpose): runs do not depend on what else runs. */
/**
 * Ablations share their base model's draws: d-gcn is gcn plus the decision
 * layer, so it gets gcn's initial weights and batch order and the comparison is
 * paired (the decision layer draws from its own stream). Otherwise seed noise of
 * the base model swamps the ablation's effect.
 */
const SEED_FAMILY: Partial<Record<string, string>> = { 'd-gcn': 'gcn' };

export function deriveSeed(seed: number, name: string, purpose: string): number {
  const key = SEED_FAMILY[name] ?? name;
  let h = (seed | 0) ^ 0x811c9dc5;
  for (const ch of `${key}/${purpose}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return (h >>> 1) | 0;
}

/** The model trained for test (on prepared.graphInteractions); `graph` overrides that (the selection split's). */
export function buildModel(name: ModelName, ds: Dataset, prepared: PreparedSplit, config: ModelConfig, graph?: Interactions): Model {
  return createModel(name, { dataset: ds, trainInteractions: graph ?? prepared.graphInteractions, config, rng: new Rng(deriveSeed(prepared.seed, name, 'init')) });
}

export interface FitResult {
  model: Model;
  /** The run that selected the epoch (on validation): its curves and best epoch. */
  train: TrainResult;
  /** Epochs of the refit on the whole training split (ranking protocols). */
  refitEpochs?: number;
  /** Selection plus refit. */
  trainSeconds: number;
  /** Hyperparameters chosen on validation besides the epoch count (EASE's lambda). */
  selected?: Record<string, number>;
}

type FitHooks = { onEpoch?(e: EpochInfo): void; onStep?(done: number, total: number): void };

/**
 * Trains `name` for test. CTR protocols: one run, the best validation epoch
 * kept. Ranking protocols: a run on the selection split picks the epoch
 * count on validation NDCG@10, then a fresh model (same initial draws) is
 * trained on the whole training split for that many epochs. Without the
 * refit, the validation items would be missing from the final graph and
 * training set; with them in the graph, validation would be leaked.
 */
export function fitModel(name: ModelName, ds: Dataset, prepared: PreparedSplit, config: ModelConfig, hooks: FitHooks = {}): FitResult {
  const batches = () => new Rng(deriveSeed(prepared.seed, name, 'batches'));
  // wall time of everything the fit does: building a model can be most of it (EASE's inverse, the graph)
  const tStart = performance.now(), wall = () => (performance.now() - tStart) / 1000;
  const sel = prepared.selection;
  if (sel && name === 'dp-gcn' && config.head === 'dot' && config.easeLambda === undefined && ds.numItems <= EASE_MAX_ITEMS) {
    // dp-gcn's item-item input takes the lambda EASE itself selects on this validation split
    config = { ...config, easeLambda: selectClosedForm('ease', ds, prepared, config).value };
  }
  const probe = name === 'pop' || name === 'ease';
  if (probe) {
    const picked = selectClosedForm(name, ds, prepared, config);
    const model = buildModel(name, ds, prepared, config);
    model.closedForm!.fit(picked.value);
    const trainSeconds = wall();
    return { model, train: { loss: [], valAuc: [], bestEpoch: 0, bestValAuc: NaN, valNdcg10: picked.curve, selectedOn: 'ndcg10', trainSeconds },
      trainSeconds, selected: { [model.closedForm!.hyper]: picked.value } };
  }
  if (!sel) {
    const model = buildModel(name, ds, prepared, config);
    const tr = trainModel(model, prepared.train, { config, rng: batches(), ...hooks });
    return { model, train: tr, trainSeconds: tr.trainSeconds };
  }
  const selModel = buildModel(name, ds, prepared, config, sel.graphInteractions);
  let selDone = 0;
  const tr = trainModel(selModel, sel.train, { config, rng: batches(), onEpoch: hooks.onEpoch,
    onStep: (d, total) => { selDone = d; hooks.onStep?.(d, total); } });
  let picked: Record<string, number> = config.easeLambda !== undefined && name === 'dp-gcn' ? { lambda: config.easeLambda } : {};
  const ph = selModel.postHoc;
  if (ph) {
    const v = ph.grid.map((x) => { ph.set(x); return validationNdcg10(selModel, sel.train.pairs!.valRanking, config); });
    let best = 0;
    v.forEach((x, k) => { if (x > v[best]) best = k; });
    picked = { ...picked, [ph.hyper]: ph.grid[best] };
  }
  selModel.dispose?.();
  const refit = { ...config, epochs: tr.bestEpoch };
  const model = buildModel(name, ds, prepared, refit);
  const fin = trainModel(model, prepared.train, { config: { ...refit, evalEvery: refit.epochs, patience: undefined }, rng: batches(),
    onStep: (d, total) => hooks.onStep?.(selDone + d, selDone + total) });
  void fin;
  if (ph && model.postHoc) model.postHoc.set(picked[ph.hyper]);
  return { model, train: tr, refitEpochs: tr.bestEpoch, trainSeconds: wall(), ...(Object.keys(picked).length ? { selected: picked } : {}) };
}

/**
 * A closed-form model's hyperparameter chosen on the selection split's
 * validation NDCG@10 (its grid in order; the first best wins).
 */
export function selectClosedForm(name: ModelName, ds: Dataset, prepared: PreparedSplit, config: ModelConfig): { value: number; curve: number[] } {
  const sel = prepared.selection;
  const m = buildModel(name, ds, prepared, config, sel?.graphInteractions);
  const cf = m.closedForm;
  if (!cf) throw new Error(`${name} is not a closed-form model`);
  if (!sel || cf.grid.length === 1) return { value: cf.initial, curve: [] };
  const curve = cf.grid.map((v) => { cf.fit(v); return validationNdcg10(m, sel.train.pairs!.valRanking, config); });
  let best = 0;
  curve.forEach((x, k) => { if (x > curve[best]) best = k; });
  return { value: cf.grid[best], curve };
}

export function isRankingProtocol(p: Protocol): p is keyof typeof SPLITS { return p in SPLITS; }

/**
 * What ranking protocols change in DEFAULT_CONFIG unless the caller sets it,
 * chosen on validation NDCG@10 only (dp-gcn, ml-100k, MS-Recommenders,
 * seed 1; README "Real data"): pointwise bce peaked at epoch 2 (0.136) and
 * then overfit, BPR kept rising to 0.155 by epoch 15, and dropout 0.3 in the
 * heads raised that to 0.161 at epoch 18. Every model gets the same loss and
 * budget.
 */
export const RANKING_DEFAULTS: Partial<ModelConfig> = { loss: 'bpr', epochs: 20, dropout: 0.3 };

/**
 * Each factorised model's own recipe under ranking protocols (README
 * "Ranking quality" says how each was chosen, on validation only): the
 * dot head, LightGCN's propagation and L2, and a long epoch budget checked
 * every few epochs with early stopping, so the epoch count is selected per
 * model and data set.
 */
const FACTORISED: Partial<ModelConfig> = {
  head: 'dot', loss: 'bpr', dropout: 0, lr: 5e-3, batchSize: 2048, l2: 1e-4, weightDecay: 0,
  gcnLayers: 3, epochs: 300, evalEvery: 5, patience: 4,
};
export const RANKING_RECIPES: Partial<Record<ModelName, Partial<ModelConfig>>> = {
  // bpr-mf: l2 1e-2 on validation (ml-100k seed 1: 1e-4 0.137, 1e-3 0.143, 1e-2 0.153, 3e-2 0.136)
  'bpr-mf': { ...FACTORISED, gcnLayers: 0, l2: 1e-2 },
  'lightgcn': FACTORISED,
  'gcn': FACTORISED, 'd-gcn': FACTORISED, 'dp-gcn': FACTORISED,
};

/**
 * DEFAULT_CONFIG, then the protocol's defaults, then the model's recipe (ranking protocols), then the
 * caller's settings (a bad combination throws).
 */
export function configFor(protocol: Protocol, overrides: Partial<ModelConfig> = {}, model?: ModelName): ModelConfig {
  const ranking = isRankingProtocol(protocol);
  const recipe = ranking && model ? RANKING_RECIPES[model] ?? {} : {};
  const c: ModelConfig = { ...DEFAULT_CONFIG, hidden: [...DEFAULT_CONFIG.hidden], ...(ranking ? RANKING_DEFAULTS : {}), ...recipe, ...overrides };
  lossFor(protocol, c);
  return c;
}

/** The training objective (bce unless set); BPR needs the pairwise data only ranking protocols build. */
export function lossFor(protocol: Protocol, config: ModelConfig): 'bce' | 'bpr' {
  const l = config.loss ?? 'bce';
  if (l === 'bpr' && !isRankingProtocol(protocol)) throw new UserError(`--loss bpr: needs a ranking protocol (${Object.keys(SPLITS).join(', ')}), not ${protocol}`);
  return l;
}

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
  r.model.dispose?.();
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
