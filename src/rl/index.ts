// Re-exports only: the DDPG decision layer and its environments.
export type { Env, StepResult } from './env.js';
export { ReplayBuffer, type Batch } from './replay_buffer.js';
export { OUNoise, GaussianNoise, type ActionNoise, type NoiseOptions, type OUOptions } from './noise.js';
export { Actor, initOutputLayer, type ActorOptions } from './actor.js';
export { Critic, type CriticOptions } from './critic.js';
export { DDPG, softUpdate, type DDPGOptions, type UpdateStats } from './ddpg.js';
export { train, evaluate, type Agent, type TrainOptions, type TrainResult } from './train.js';
export { LqrEnv, riccati, type LqrOptions } from './envs/lqr.js';
export { RecommendationEnv, hitFeedback, clickFeedback, rankDiscount, type RecommendationEnvOptions } from './envs/recommendation.js';
