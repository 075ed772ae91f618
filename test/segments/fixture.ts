/** A small synthetic market with a planted representation and a scorer whose answers are known. */
import { generateSynthetic } from '../../src/data/synthetic.js';
import { Rng } from '../../src/tensor/rng.js';
import type { Dataset } from '../../src/data/types.js';
import type { SegmentInput } from '../../src/segments/types.js';

export const DIM = 8;

export function market(): Dataset {
  return generateSynthetic({ users: 400, items: 120, interactions: 6000, seed: 3 });
}

/** The category each true segment is made to prefer in the planted scores. */
export const favourite = (seg: number, categories: number): number => seg % categories;

/** Users near one corner per true segment (noise 0.3, corners 3 apart); logits -2, or +1 on the segment's favourite category. */
export function plantedInput(ds: Dataset, noise = 0.3): SegmentInput {
  const seg = ds.oracle!.segments, n = ds.numUsers, rng = new Rng(5);
  const users = new Float32Array(n * DIM);
  for (let u = 0; u < n; u++) for (let t = 0; t < DIM; t++) users[u * DIM + t] = (t === seg[u] ? 3 : 0) + rng.normal(0, noise);
  const C = ds.itemFeatures.cardinalities[0], F = ds.itemFeatures.names.length;
  const scoreUsers = (us: Int32Array): Float32Array => {
    const z = new Float32Array(us.length * ds.numItems);
    us.forEach((u, b) => {
      for (let i = 0; i < ds.numItems; i++) z[b * ds.numItems + i] = ds.itemFeatures.values[i * F] === favourite(seg[u], C) ? 1 : -2;
    });
    return z;
  };
  return { dataset: ds, interactions: ds.interactions, users, dim: DIM, representation: 'planted', scoreUsers };
}
