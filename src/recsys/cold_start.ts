/**
 * Serving-time cold start for users and items added without retraining: the
 * k nearest existing rows by static features (one-hot cosine over the fields
 * given; ties to the lower row), whose representations the caller averages.
 * The model-side version (models/cold_start.ts) needs the graph model's
 * internals; this one works for any scorer.
 */
import { UserError } from '../errors.js';
import type { CatFeatures } from '../data/types.js';

/** Parses {field: category index} against a feature block: one value per field, -1 = not given. */
export function parseFeatures(f: CatFeatures, given: Record<string, unknown>, what: string, ignore: string[] = []): Int32Array {
  const out = new Int32Array(f.names.length).fill(-1);
  for (const [k, v] of Object.entries(given)) {
    if (ignore.includes(k)) continue;
    const c = f.names.indexOf(k);
    if (c < 0) throw new UserError(`${what}.${k}: unknown feature (known: ${f.names.join(', ') || 'none'})`);
    const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n >= f.cardinalities[c]) {
      throw new UserError(`${what}.${k}: expected a category index in [0, ${f.cardinalities[c]}), got ${JSON.stringify(v)}`);
    }
    out[c] = n;
  }
  return out;
}

/** The k rows (among eligible) sharing the most given feature values, best first; [] when no feature is given. */
export function featureNeighbours(f: CatFeatures, rows: number, query: Int32Array, eligible: (r: number) => boolean, k = 10): number[] {
  const F = f.names.length, given = Array.from(query).filter((v) => v >= 0).length;
  if (given === 0) return [];
  const scored: [number, number][] = [];
  for (let r = 0; r < rows; r++) {
    if (!eligible(r)) continue;
    let s = 0;
    for (let c = 0; c < F; c++) if (query[c] >= 0 && f.values[r * F + c] === query[c]) s++;
    // one-hot cosine: each row has F ones, the query `given` ones
    scored.push([s / Math.sqrt(F * given), r]);
  }
  scored.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  return scored.slice(0, k).map((x) => x[1]);
}
