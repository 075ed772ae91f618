/**
 * The batched environment the decision layer trains in, and the one loop
 * that drives it. Episodes run side by side in slots; an agent proposes one
 * action per active slot (it may explore and choose among candidates, as the
 * Wolpertinger step does), the environment answers with a reward, the next
 * state and a discount per slot (gamma inside an episode, 0 at a terminal
 * end), the agent remembers the transition and learns.
 *
 * Implemented by the logged-session replay (src/online/logged_slate_env.ts,
 * offline pre-training on the log alone). Online, the market reaches the
 * same agent through the serving calls (recommend / feedback of
 * src/online/slate_policy.ts), which make the same propose / remember /
 * learn calls.
 */
import type { Rng } from '../tensor/rng.js';

export interface BatchedStep {
  rewards: Float32Array;
  nextStates: Float32Array;
  /** Discount of each transition (0: the episode ended for good). */
  discounts: Float32Array;
  /** 1 where the slot's episode is over after this step. */
  ended: Uint8Array;
}

export interface BatchedEnv {
  readonly stateDim: number;
  readonly actionDim: number;
  /** Starts n episodes; their first states (n x stateDim). */
  reset(n: number, rng: Rng): Float32Array;
  /** One action per slot in slots (slots.length x actionDim). */
  step(slots: Int32Array, actions: Float32Array, rng: Rng): BatchedStep;
}

export interface BatchedAgent {
  /** The action to take in state s (length stateDim), exploration included. */
  propose(s: Float32Array): Float32Array;
  remember(s: Float32Array, a: Float32Array, r: number, s2: Float32Array, discount: number): void;
  /** Called after each remembered transition (the agent decides when to update). */
  learn(): void;
}

/** Runs `episodes` episodes of env, `parallel` at a time; returns the mean undiscounted return. */
export function runBatched(env: BatchedEnv, agent: BatchedAgent, episodes: number, parallel: number, rng: Rng): number {
  const sd = env.stateDim, ad = env.actionDim;
  let total = 0;
  for (let done = 0; done < episodes; done += parallel) {
    const n = Math.min(parallel, episodes - done);
    let states = env.reset(n, rng), slots = Int32Array.from({ length: n }, (_, i) => i);
    while (slots.length) {
      const acts = new Float32Array(slots.length * ad);
      for (let q = 0; q < slots.length; q++) acts.set(agent.propose(states.subarray(q * sd, (q + 1) * sd)), q * ad);
      const st = env.step(slots, acts, rng);
      const keep: number[] = [];
      for (let q = 0; q < slots.length; q++) {
        total += st.rewards[q];
        agent.remember(states.slice(q * sd, (q + 1) * sd), acts.slice(q * ad, (q + 1) * ad), st.rewards[q], st.nextStates.slice(q * sd, (q + 1) * sd), st.discounts[q]);
        agent.learn();
        if (!st.ended[q]) keep.push(q);
      }
      const next = new Float32Array(keep.length * sd);
      keep.forEach((q, j) => next.set(st.nextStates.subarray(q * sd, (q + 1) * sd), j * sd));
      slots = Int32Array.from(keep, (q) => slots[q]);
      states = next;
    }
  }
  return total / Math.max(1, episodes);
}
