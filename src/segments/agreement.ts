/**
 * Agreement between two labelings of the same points: the adjusted Rand index
 * (Hubert & Arabie 1985) and normalised mutual information with the
 * arithmetic-mean normaliser (scikit-learn's default), both from the
 * contingency table. Labels are non-negative integers; their values need not
 * match between the two labelings.
 */

function contingency(a: ArrayLike<number>, b: ArrayLike<number>): { table: Map<number, number>; ra: Map<number, number>; rb: Map<number, number>; n: number } {
  if (a.length !== b.length) throw new RangeError(`labelings differ in length (${a.length} vs ${b.length})`);
  const table = new Map<number, number>(), ra = new Map<number, number>(), rb = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || y >= 2 ** 20) throw new RangeError(`label at ${i} is not a non-negative integer below 2^20`);
    const key = x * 2 ** 20 + y;
    table.set(key, (table.get(key) ?? 0) + 1);
    ra.set(x, (ra.get(x) ?? 0) + 1);
    rb.set(y, (rb.get(y) ?? 0) + 1);
  }
  return { table, ra, rb, n: a.length };
}

const pairs = (m: number): number => (m * (m - 1)) / 2;

/** ARI: 1 for identical partitions (up to relabelling), about 0 for independent ones, can be negative. */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const { table, ra, rb, n } = contingency(a, b);
  let sumIj = 0, sumA = 0, sumB = 0;
  for (const m of table.values()) sumIj += pairs(m);
  for (const m of ra.values()) sumA += pairs(m);
  for (const m of rb.values()) sumB += pairs(m);
  const expected = n > 1 ? (sumA * sumB) / pairs(n) : 0;
  const max = (sumA + sumB) / 2;
  // both partitions trivial (all singletons or one cluster each): they agree
  if (max === expected) return 1;
  return (sumIj - expected) / (max - expected);
}

function entropy(counts: Iterable<number>, n: number): number {
  let h = 0;
  for (const m of counts) if (m > 0) h -= (m / n) * Math.log(m / n);
  return h;
}

/** NMI = I(a;b) / ((H(a) + H(b)) / 2); 1 when both labelings have a single cluster. */
export function normalizedMutualInfo(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const { table, ra, rb, n } = contingency(a, b);
  if (n === 0) return 1;
  const ha = entropy(ra.values(), n), hb = entropy(rb.values(), n);
  if (ha === 0 && hb === 0) return 1;
  let mi = 0;
  for (const [key, m] of table) {
    const x = Math.floor(key / 2 ** 20), y = key - x * 2 ** 20;
    mi += (m / n) * Math.log((m * n) / (ra.get(x)! * rb.get(y)!));
  }
  return Math.max(0, mi) / ((ha + hb) / 2);
}
