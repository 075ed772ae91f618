/**
 * The off-policy gate in front of every policy publication: self-normalised
 * importance sampling (SNIPS) over held-out logged decisions,
 *   V(pi) = sum_i w_i r_i / sum_i w_i,   w_i = pi(a_i | s_i) / p_i,
 * with p_i the logged propensity (density of the logged raw action) and a
 * delta-method standard error se = sqrt(sum_i w_i^2 (r_i - V)^2) / sum_i w_i.
 * A candidate is published only if its estimate is not below the current
 * version's lower 95% bound: V(new) >= V(cur) - 1.96 se(cur).
 */

export interface OffPolicyEstimate { value: number; se: number; lo: number; hi: number; n: number; ess: number }

/** SNIPS from log pi(a|s) - log p per decision and its reward. */
export function snips(logRatio: ArrayLike<number>, reward: ArrayLike<number>): OffPolicyEstimate {
  const n = reward.length;
  if (n === 0) return { value: NaN, se: NaN, lo: NaN, hi: NaN, n: 0, ess: 0 };
  // weights relative to the largest (the estimate is scale-free; this keeps exp finite)
  let mx = -Infinity;
  for (let i = 0; i < n; i++) mx = Math.max(mx, logRatio[i]);
  const w = new Float64Array(n);
  let sw = 0, sw2 = 0, swr = 0;
  for (let i = 0; i < n; i++) { w[i] = Math.exp(logRatio[i] - mx); sw += w[i]; sw2 += w[i] * w[i]; swr += w[i] * reward[i]; }
  const v = swr / sw;
  let s = 0;
  for (let i = 0; i < n; i++) s += w[i] * w[i] * (reward[i] - v) ** 2;
  const se = Math.sqrt(s) / sw;
  return { value: v, se, lo: v - 1.96 * se, hi: v + 1.96 * se, n, ess: (sw * sw) / sw2 };
}

export interface GateDecision { publish: boolean; reason: string; candidate: OffPolicyEstimate; current: OffPolicyEstimate }

/** Publish when the candidate is not worse than the current version beyond the current's CI (needs minN decisions). */
export function gate(candidate: OffPolicyEstimate, current: OffPolicyEstimate, minN: number): GateDecision {
  if (candidate.n < minN) return { publish: false, reason: `${candidate.n} held-out decisions, the gate needs ${minN}`, candidate, current };
  const ok = candidate.value >= current.lo;
  return { publish: ok, reason: ok ? `SNIPS ${candidate.value.toFixed(4)} >= current lower bound ${current.lo.toFixed(4)}`
    : `SNIPS ${candidate.value.toFixed(4)} < current lower bound ${current.lo.toFixed(4)}`, candidate, current };
}
