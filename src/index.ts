// Public API: re-exports only.
export * from './errors.js';
export * from './backend/kernels.js';
export { currentBackend, useBackend, getBackend, backendStatus, registerBackend, backendNames } from './backend/registry.js';
export { Tensor, empty, sizeOf, type Shape } from './tensor/tensor.js';
export { tensor, zeros, ones, full, randn, uniform } from './tensor/create.js';
export { tidy, keep, untracked } from './tensor/scope.js';
export { Rng } from './tensor/rng.js';
export { backward, noGrad, detach, isGradEnabled } from './autograd/engine.js';
export * from './autograd/ops/index.js';
export { CsrMatrix } from './sparse/csr.js';
export { spdInverse, choleskySolve, choleskyFactor } from './linalg/spd.js';
export { Module } from './nn/module.js';
export { Linear, Embedding, MLP, Dropout, LayerNorm, activate, type Activation } from './nn/layers.js';
export * from './nn/init.js';
export { Optimizer } from './optim/optimizer.js';
export { SGD } from './optim/sgd.js';
export { Adam, AdamW } from './optim/adam.js';
export { clipGradNorm } from './optim/clip.js';
export { stepDecay, cosineDecay, type Schedule } from './optim/schedule.js';
export * as rl from './rl/index.js';
// The product: data, models, fitting, model files and the Recommender (src/recsys/).
export { loadDataset, parseSpec, type DataSpec } from './data/spec.js';
export type { Dataset, Interactions } from './data/types.js';
export { createModel, isModelName, parseModelList } from './models/registry.js';
export { traitsOf, type ModelTraits } from './models/traits.js';
export { MODEL_NAMES, BASELINE_NAMES, DEFAULT_CONFIG, type Model, type ModelName, type ModelConfig, type ServingTables } from './models/types.js';
export { prepareSplit, deriveSeed, configFor, PROTOCOLS, type Protocol, type PreparedSplit } from './recsys/split.js';
export { fitModel, buildModel, type FitResult } from './recsys/fit.js';
export { trainToFile, writeTrained, type TrainSpec, type TrainOptions } from './recsys/train_file.js';
export { Recommender, NotFoundError, FEEDBACK_TYPES, MAX_K, type RecommenderParts, type RecommendOptions, type Recommendation,
  type FeedbackEvent, type FeedbackType, type FeedbackResult } from './recsys/recommender.js';
export { readModelFile, writeModelFile, loadModelFile, buildFromFile, MODEL_FILE_VERSION, type ModelFile, type ModelMeta, type ServedState } from './recsys/model_file.js';
// Users of the product: experiments, the HTTP server and its replicas.
export { runExperiment, type ExperimentOptions } from './experiment/run.js';
export { startServer, applyStore, type ServeOptions, type RunningServer } from './http/server.js';
export { FeedbackStore, type StoredEvent } from './http/feedback_store.js';
export { replication, Replication, type ReplicationOptions } from './http/replication.js';
export { segmentUsers, segmentsJson } from './segments/segment_users.js';
export { segmentInputFromModel, userRepresentation } from './segments/from_model.js';
export { kmeans } from './segments/kmeans.js';
export { silhouette } from './segments/silhouette.js';
export { pca } from './segments/pca.js';
export { adjustedRandIndex, normalizedMutualInfo } from './segments/agreement.js';
export type { SegmentInput, SegmentOptions, SegmentsResult, Segment } from './segments/types.js';
