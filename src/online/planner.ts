/**
 * The planner: a reference that, like the myopic oracle, reads the
 * simulator's true state, and looks ahead over the simulator's own model.
 * Each item is scored by its immediate true click probability plus the value
 * of the satisfaction change a click on it makes:
 *   score_i = p_i (1 + lambda * R * g(S) * (1 - 2 c_i)),
 * where c_i is the item's clickbait-ness, 1 - 2c_i the click's change of the
 * net positive exposure, g(S) = satSensitivity S (1 - S) the slope of
 * satisfaction there, and R the days left in the horizon (today included):
 * a first-order estimate of what a unit of satisfaction is worth in future
 * sessions and clicks. The slate is filled greedily, each slot paying the
 * within-slate fatigue of its leaf (which the myopic oracle ignores).
 * The one trade-off lambda is chosen by rolling the true model forward: each
 * value of a grid plays the whole horizon on a copy of the market (another
 * random seed, a sample of users), and the one with the most clicks is kept.
 * With the dynamics off lambda does not matter and the planner is the oracle.
 */
import type { Dataset } from '../data/types.js';
import { ClosedLoopMarket } from './market.js';
import type { OnlinePolicy, SlateContext } from './policy.js';
import { onlineUsers, runOnline } from './run.js';

export const PLANNER_GRID = [0, 0.5, 1, 2, 4];

export interface PlannerOptions {
  /** Fixed trade-off (skips the rollouts). */
  lambda?: number;
  /** Users of each rollout (default 20). */
  rolloutUsers?: number;
  grid?: number[];
}

export class Planner implements OnlinePolicy {
  readonly name = 'planner';
  readonly lambda: number;
  /** Total clicks of each grid value's rollout (empty when lambda was given). */
  readonly rollouts: { lambda: number; clicks: number }[] = [];

  constructor(private readonly market: ClosedLoopMarket, o: PlannerOptions = {}) {
    if (o.lambda !== undefined) { this.lambda = o.lambda; return; }
    const ds: Dataset = market.dataset, seed = market.seed ^ 0x51a7e;
    const users = onlineUsers(ds, o.rolloutUsers ?? 20, seed);
    let best = 0, bestClicks = -1;
    for (const lambda of o.grid ?? PLANNER_GRID) {
      const r = runOnline(ds, (m) => new Planner(m, { lambda }), { users, seed, params: market.params, regret: false });
      this.rollouts.push({ lambda, clicks: r.totalClicks });
      if (r.totalClicks > bestClicks) { best = lambda; bestClicks = r.totalClicks; }
    }
    this.lambda = best;
  }

  recommend(u: number, k: number, ctx: SlateContext): Int32Array {
    const m = this.market, P = m.params, p = m.trueProbs(u), n = p.length, leaf = m.latent.leaf;
    const S = m.satisfaction(u), w = this.lambda * (P.days - ctx.day) * P.satSensitivity * S * (1 - S);
    const score = new Float64Array(n);
    for (let i = 0; i < n; i++) score[i] = p[i] * (1 + w * (1 - 2 * m.bait[i]));
    const inSlate = new Map<number, number>(), used = new Uint8Array(n), out: number[] = [];
    const tire = 1 - P.fatigue;
    while (out.length < Math.min(k, n)) {
      let bi = -1, bv = -Infinity;
      for (let i = 0; i < n; i++) {
        if (used[i]) continue;
        const c = inSlate.get(leaf[i]) ?? 0, v = c > 0 ? score[i] * Math.pow(tire, c) : score[i];
        if (v > bv) { bv = v; bi = i; }
      }
      used[bi] = 1; out.push(bi); inSlate.set(leaf[bi], (inSlate.get(leaf[bi]) ?? 0) + 1);
    }
    return Int32Array.from(out);
  }

  feedback(): void {}
}
