/**
 * What the layers above may know of a model before building it. Declared
 * here, beside the models, so that no code outside models/ compares a
 * model's name: fitting asks `traitsOf(name).closedForm`, not `name === 'ease'`.
 */
import type { ModelConfig, ModelName } from './types.js';

export interface ModelTraits {
  /** Fitted in closed form over a hyperparameter grid (Model.closedForm), with no gradient steps. */
  closedForm: boolean;
  /**
   * Under a ranking protocol with the dot head, the model's item-item term takes the hyperparameter
   * this closed-form model selects on the same validation split (dp-gcn takes EASE's lambda).
   */
  itemItemFrom?: ModelName;
  /** Has a decision layer that keeps learning from feedback online. */
  learnsOnline: boolean;
  /**
   * Shares initial draws and batch order with this model, so the ablation against it is paired: d-gcn is
   * gcn plus the decision layer (which draws from its own stream). Otherwise seed noise of the base
   * model swamps the ablation's effect.
   */
  seedFamily?: ModelName;
  /** The model's own recipe under ranking protocols (applied over the protocol's defaults). */
  rankingRecipe?: Partial<ModelConfig>;
}

/**
 * Each factorised model's recipe under ranking protocols (docs say how each was chosen, on validation
 * only): the dot head, LightGCN's propagation and L2, and a long epoch budget checked every few epochs
 * with early stopping, so the epoch count is selected per model and data set.
 */
const FACTORISED: Partial<ModelConfig> = {
  head: 'dot', loss: 'bpr', dropout: 0, lr: 5e-3, batchSize: 2048, l2: 1e-4, weightDecay: 0,
  gcnLayers: 3, epochs: 300, evalEvery: 5, patience: 4,
};

const NONE: ModelTraits = { closedForm: false, learnsOnline: false };

const TRAITS: Partial<Record<ModelName, Partial<ModelTraits>>> = {
  'pop': { closedForm: true },
  'ease': { closedForm: true },
  // bpr-mf: l2 1e-2 on validation (ml-100k seed 1: 1e-4 0.137, 1e-3 0.143, 1e-2 0.153, 3e-2 0.136)
  'bpr-mf': { rankingRecipe: { ...FACTORISED, gcnLayers: 0, l2: 1e-2 } },
  'lightgcn': { rankingRecipe: FACTORISED },
  'gcn': { rankingRecipe: FACTORISED },
  'd-gcn': { rankingRecipe: FACTORISED, learnsOnline: true, seedFamily: 'gcn' },
  'dp-gcn': { rankingRecipe: FACTORISED, learnsOnline: true, itemItemFrom: 'ease' },
};

/** The traits of a model name (any other string: a model with none, e.g. an online reference policy's name). */
export function traitsOf(name: string): ModelTraits {
  return { ...NONE, ...(TRAITS as Record<string, Partial<ModelTraits>>)[name] };
}
