/**
 * Fitting one model for test: its epoch (or closed-form hyperparameter)
 * selected on validation alone, then, under ranking protocols, refit on the
 * whole training split. Test data is never touched here.
 */
import { Rng } from '../tensor/rng.js';
import type { Dataset, Interactions } from '../data/types.js';
import { type ModelConfig, type ModelName, type Model } from '../models/types.js';
import { createModel, releaseModel } from '../models/registry.js';
import { trainModel, validationNdcg10, type TrainResult, type EpochInfo } from '../eval/trainer.js';
import { traitsOf } from '../models/traits.js';
import { currentBackend } from '../backend/registry.js';
import { EASE_MAX_ITEMS } from '../models/item_item.js';
import { DEFAULT_ITEM_ITEM_KEEP } from '../models/item_item_term.js';
import { type PreparedSplit, deriveSeed } from './split.js';

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
  try {
    return fitModelOnce(name, ds, prepared, config, hooks);
  } finally {
    // training's idle storage is not what evaluation or the next fit needs: give it back
    currentBackend().releaseIdle?.();
  }
}

function fitModelOnce(name: ModelName, ds: Dataset, prepared: PreparedSplit, config: ModelConfig, hooks: FitHooks): FitResult {
  const batches = () => new Rng(deriveSeed(prepared.seed, name, 'batches'));
  // wall time of everything the fit does: building a model can be most of it (EASE's inverse, the graph)
  const tStart = performance.now(), wall = () => (performance.now() - tStart) / 1000;
  const sel = prepared.selection;
  const traits = traitsOf(name);
  if (sel && traits.itemItemFrom && config.head === 'dot' && config.easeLambda === undefined && ds.numItems <= EASE_MAX_ITEMS) {
    // the item-item input takes the lambda its closed-form donor (EASE) itself selects on this validation split
    config = { ...config, easeLambda: selectClosedForm(traits.itemItemFrom, ds, prepared, config, config.itemItemKeep ?? DEFAULT_ITEM_ITEM_KEEP).value };
  }
  if (traits.closedForm) {
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
  let picked: Record<string, number> = config.easeLambda !== undefined && traits.itemItemFrom ? { lambda: config.easeLambda } : {};
  const ph = selModel.postHoc;
  if (ph) {
    const v = ph.grid.map((x) => { ph.set(x); return validationNdcg10(selModel, sel.train.pairs!.valRanking, config); });
    let best = 0;
    v.forEach((x, k) => { if (x > v[best]) best = k; });
    picked = { ...picked, [ph.hyper]: ph.grid[best] };
  }
  releaseModel(selModel);
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
 * validation NDCG@10 (its grid in order; the first best wins). shareKeep > 0: every fit also
 * leaves its weights pruned to that many per row for the item-item term built next on the same split.
 */
export function selectClosedForm(name: ModelName, ds: Dataset, prepared: PreparedSplit, config: ModelConfig, shareKeep = 0): { value: number; curve: number[] } {
  const sel = prepared.selection;
  const m = buildModel(name, ds, prepared, config, sel?.graphInteractions);
  const cf = m.closedForm;
  if (!cf) throw new Error(`${name} is not a closed-form model`);
  if (!sel || cf.grid.length === 1) return { value: cf.initial, curve: [] };
  if (shareKeep > 0) cf.share?.(shareKeep);
  const curve = cf.grid.map((v) => { cf.fit(v); return validationNdcg10(m, sel.train.pairs!.valRanking, config); });
  let best = 0;
  curve.forEach((x, k) => { if (x > curve[best]) best = k; });
  return { value: cf.grid[best], curve };
}

