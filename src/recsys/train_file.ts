/**
 * The one recipe from a data spec to a model file: load the data, build the
 * protocol's split for the seed, fit the model (validation selection, then
 * the refit), write everything serving needs. `dpgcn train`, `dpgcn serve
 * --train`, the serving benchmark and library users call trainToFile; the
 * online experiment, which already holds a fitted model, calls
 * writeTrained, so every model file carries the same metadata.
 */
import { UserError } from '../errors.js';
import { loadDataset } from '../data/spec.js';
import type { Dataset } from '../data/types.js';
import { isModelName, releaseModel } from '../models/registry.js';
import { MODEL_NAMES, BASELINE_NAMES, type ModelConfig, type ModelName } from '../models/types.js';
import type { EpochInfo } from '../eval/trainer.js';
import { configFor, prepareSplit, type PreparedSplit, type Protocol } from './split.js';
import { fitModel, type FitResult } from './fit.js';
import { writeModelFile, type ModelMeta } from './model_file.js';

export interface TrainSpec {
  /** A data spec (`synthetic`, `movielens:DIR`, `csv:FILE`, ...) or a loaded data set. */
  data: string | Dataset;
  model: ModelName | string;
  /** The model file to write. */
  out: string;
  /** Seed of the split, the initialisation and the batch order (default 1). */
  seed?: number;
  /** Default `dien`, as `dpgcn train`'s. */
  protocol?: Protocol;
  /** Settings over the protocol's defaults and the model's recipe (configFor). */
  overrides?: Partial<ModelConfig>;
}

export interface TrainOptions {
  onEpoch?(e: EpochInfo): void;
  onStep?(done: number, total: number): void;
  /** Called with the fit before the model is released (the CLI prints its curves). */
  onFit?(fit: FitResult & { meta: ModelMeta; dataset: Dataset }): void;
}

/** Trains spec.model on spec.data and writes spec.out; resolves to the file's path. */
export async function trainToFile(spec: TrainSpec, options: TrainOptions = {}): Promise<string> {
  const name = spec.model;
  if (!isModelName(name)) throw new UserError(`model: unknown model "${name}" (known: ${[...MODEL_NAMES, ...BASELINE_NAMES].join(', ')})`);
  const protocol = spec.protocol ?? 'dien', seed = spec.seed ?? 1;
  const config = configFor(protocol, spec.overrides ?? {}, name);
  const ds = typeof spec.data === 'string' ? await loadDataset(spec.data) : spec.data;
  const prepared = prepareSplit(ds, protocol, seed, config);
  const fit = fitModel(name, ds, prepared, config, options);
  try {
    const meta = await writeTrained(spec.out, { name, ds, dataSpec: typeof spec.data === 'string' ? spec.data : ds.name, prepared, config, fit });
    options.onFit?.({ ...fit, meta, dataset: ds });
  } finally {
    releaseModel(fit.model);
  }
  return spec.out;
}

const r4 = (x: number) => (Number.isNaN(x) ? null : +x.toFixed(4));

/** Writes a fitted model as a model file, with the metadata every model file carries. */
export function writeTrained(file: string, o: { name: ModelName; ds: Dataset; dataSpec: string; prepared: PreparedSplit; config: ModelConfig; fit: FitResult }): Promise<ModelMeta> {
  const { train: tr, refitEpochs, trainSeconds, selected } = o.fit;
  const trained: ModelMeta['trained'] = { epochs: tr.loss.length, bestEpoch: tr.bestEpoch, valAuc: r4(tr.bestValAuc),
    ...(tr.valNdcg10?.length ? { valNdcg10: r4(tr.valNdcg10[tr.bestEpoch - 1] ?? NaN) } : {}),
    ...(refitEpochs !== undefined ? { refitEpochs } : {}), trainSeconds: +trainSeconds.toFixed(3) };
  return writeModelFile(file, {
    meta: { model: o.name, config: o.config, dataSpec: o.dataSpec, protocol: o.prepared.protocol, seed: o.prepared.seed, trained, ...(selected ? { selected } : {}) },
    ds: o.ds, train: o.prepared.graphInteractions, model: o.fit.model,
  });
}
