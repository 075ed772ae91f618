/**
 * Paired comparison of two policies over seeds: every seed plays both on the
 * same users with the same random numbers, so the per-seed differences
 * d_s = a_s - b_s are the unit of evidence. Reported: their mean, sd (n - 1)
 * and the 95% confidence interval mean +- t_{0.975, n-1} sd / sqrt(n)
 * (Student t; the quantile is computed here, not looked up in a library).
 */

/** One paired comparison, as emitted in the online experiment's JSON. */
export interface PairedDiff {
  a: string;
  b: string;
  /** The per-seed quantity compared (e.g. totalClicks). */
  metric: string;
  mean: number;
  sd: number;
  ci95: [number, number];
  n: number;
}

/** Two-sided 95% critical values t_{0.975, dof} for dof = 1..30 (standard table, 3 decimals). */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
  2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042];

/**
 * The 0.975 quantile of Student's t with dof degrees of freedom: the table up
 * to 30, then the Cornish-Fisher expansion in 1/dof around the normal
 * quantile 1.959964 (error below 1e-3 past 30 dof).
 */
export function tQuantile975(dof: number): number {
  if (!(dof >= 1) || !Number.isInteger(dof)) throw new RangeError(`tQuantile975: dof must be a positive integer (got ${dof})`);
  if (dof <= T975.length) return T975[dof - 1];
  const z = 1.959963984540054, z3 = z ** 3, z5 = z ** 5, z7 = z ** 7;
  return z + (z3 + z) / (4 * dof) + (5 * z5 + 16 * z3 + 3 * z) / (96 * dof ** 2) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * dof ** 3);
}

/** Mean, sd and 95% CI of a[s] - b[s] (n = a.length >= 1; with n = 1 the sd and the interval are NaN). */
export function pairedDiff(aName: string, bName: string, a: number[], b: number[], metric = 'totalClicks'): PairedDiff {
  if (a.length !== b.length || a.length === 0) throw new RangeError(`pairedDiff: need equal, non-empty per-seed lists (got ${a.length} and ${b.length})`);
  const n = a.length, d = a.map((x, i) => x - b[i]);
  const mean = d.reduce((s, x) => s + x, 0) / n;
  const sd = n > 1 ? Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)) : NaN;
  const h = n > 1 ? tQuantile975(n - 1) * sd / Math.sqrt(n) : NaN;
  return { a: aName, b: bName, metric, mean, sd, ci95: [mean - h, mean + h], n };
}

/** The comparisons the online protocol reports, [a, b] meaning a - b, when both ran. */
export const ONLINE_PAIRS: [string, string][] = [
  ['dp-gcn', 'linucb'], ['dp-gcn', 'dp-gcn:static'], ['d-gcn', 'gcn'], ['dp-gcn', 'd-gcn'],
  ['dp-gcn', 'oracle'], ['planner', 'oracle'], ['diversity', 'oracle'], ['linucb', 'oracle'],
];
