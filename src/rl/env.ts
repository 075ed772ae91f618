/**
 * The environment contract DDPG trains against. States and actions are plain
 * Float32Arrays (no tensors) so an environment can be written without knowing
 * the engine, and the models layer can wrap its recommender in one. An episode
 * ends when `done` is set; `truncated` marks an end imposed by a time limit
 * rather than by the task, so the learner keeps bootstrapping through it
 * (Gymnasium's terminated/truncated split).
 */

export interface StepResult {
  state: Float32Array;
  reward: number;
  /** The episode is over (terminal or time limit). */
  done: boolean;
  /** The end came from a time limit: the value of `state` is not zero. */
  truncated?: boolean;
}

export interface Env {
  readonly stateDim: number;
  readonly actionDim: number;
  /** Starts an episode and returns its first state. */
  reset(): Float32Array;
  /** Applies an action of length actionDim. */
  step(action: Float32Array): StepResult;
  /** The best achievable expected return per episode, when the task has a known optimum. */
  optimalReturn?(): number;
}
