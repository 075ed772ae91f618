/** Learning-rate schedules: functions of the step index and the base rate. */
export type Schedule = (step: number, baseLr: number) => number;

/** Multiplies the rate by gamma every `every` steps. */
export function stepDecay(every: number, gamma: number): Schedule {
  return (t, lr) => lr * Math.pow(gamma, Math.floor(t / every));
}

/** Cosine annealing from the base rate to minLr over `total` steps, after a linear warm-up. */
export function cosineDecay(total: number, minLr = 0, warmup = 0): Schedule {
  return (t, lr) => {
    if (t < warmup) return (lr * (t + 1)) / warmup;
    const p = Math.min(1, (t - warmup) / Math.max(1, total - warmup));
    return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * p));
  };
}
