/**
 * Experience replay: a fixed-capacity ring buffer of transitions stored in
 * flat Float32Arrays (one row per transition), so a minibatch is a few
 * subarray copies and no per-transition objects are kept alive. Sampling is
 * uniform with replacement from the filled part, driven by the buffer's Rng
 * so a seed fixes every batch. When full, the oldest transition is overwritten.
 */
import type { Rng } from '../tensor/rng.js';
import { UserError } from '../errors.js';

/** A minibatch, row-major: states (n x stateDim), actions (n x actionDim), rewards/dones (n). */
export interface Batch {
  size: number;
  states: Float32Array;
  actions: Float32Array;
  rewards: Float32Array;
  nextStates: Float32Array;
  /** 1 where the next state is terminal (no bootstrapping), else 0. */
  dones: Float32Array;
}

export class ReplayBuffer {
  private readonly s: Float32Array;
  private readonly a: Float32Array;
  private readonly r: Float32Array;
  private readonly s2: Float32Array;
  private readonly d: Float32Array;
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number, readonly stateDim: number, readonly actionDim: number, private readonly rng: Rng) {
    if (!(Number.isInteger(capacity) && capacity > 0)) throw new UserError(`ReplayBuffer: capacity must be a positive integer (got ${capacity})`);
    this.s = new Float32Array(capacity * stateDim);
    this.a = new Float32Array(capacity * actionDim);
    this.r = new Float32Array(capacity);
    this.s2 = new Float32Array(capacity * stateDim);
    this.d = new Float32Array(capacity);
  }

  get size(): number { return this.count; }

  add(state: ArrayLike<number>, action: ArrayLike<number>, reward: number, nextState: ArrayLike<number>, done: boolean): void {
    const sd = this.stateDim, ad = this.actionDim;
    if (state.length !== sd || nextState.length !== sd || action.length !== ad) {
      throw new UserError(`ReplayBuffer.add: expected state ${sd} and action ${ad} values (got ${state.length}, ${nextState.length}, ${action.length})`);
    }
    const i = this.next;
    this.s.set(state, i * sd);
    this.a.set(action, i * ad);
    this.s2.set(nextState, i * sd);
    this.r[i] = reward;
    this.d[i] = done ? 1 : 0;
    this.next = (i + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** n transitions drawn uniformly with replacement. */
  sample(n: number): Batch {
    if (this.count === 0) throw new UserError('ReplayBuffer.sample: the buffer is empty');
    const idx = new Int32Array(n);
    for (let k = 0; k < n; k++) idx[k] = this.rng.int(this.count);
    return this.gather(idx);
  }

  /** The transitions at raw ring positions idx (each in [0, size)); sample() uses it, tests call it directly. */
  gather(idx: Int32Array): Batch {
    const sd = this.stateDim, ad = this.actionDim, n = idx.length;
    const b: Batch = {
      size: n,
      states: new Float32Array(n * sd), actions: new Float32Array(n * ad), rewards: new Float32Array(n),
      nextStates: new Float32Array(n * sd), dones: new Float32Array(n),
    };
    for (let k = 0; k < n; k++) {
      const i = idx[k];
      if (!(i >= 0 && i < this.count)) throw new UserError(`ReplayBuffer.gather: slot ${i} is outside [0, ${this.count})`);
      b.states.set(this.s.subarray(i * sd, (i + 1) * sd), k * sd);
      b.nextStates.set(this.s2.subarray(i * sd, (i + 1) * sd), k * sd);
      b.actions.set(this.a.subarray(i * ad, (i + 1) * ad), k * ad);
      b.rewards[k] = this.r[i];
      b.dones[k] = this.d[i];
    }
    return b;
  }

  clear(): void { this.next = 0; this.count = 0; }
}
