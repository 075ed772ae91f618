/**
 * The two reference segmentations the learned one is held against: k-means
 * on the raw static user features (one-hot), and k-means on each user's
 * interaction counts per category.
 */
import type { Dataset, Interactions } from '../data/types.js';
import type { Points } from './distance.js';
import { categoryFeature } from './profile.js';

export function staticOneHot(ds: Dataset): Points {
  const uf = ds.userFeatures, G = uf.names.length, n = ds.numUsers;
  const d = uf.cardinalities.reduce((a, b) => a + b, 0), data = new Float32Array(n * d);
  for (let u = 0; u < n; u++) {
    let off = 0;
    for (let g = 0; g < G; g++) { data[u * d + off + uf.values[u * G + g]] = 1; off += uf.cardinalities[g]; }
  }
  return { data, n, d };
}

export function categoryCounts(ds: Dataset, it: Interactions): Points | null {
  const cf = categoryFeature(ds);
  if (cf < 0) return null;
  const F = ds.itemFeatures.names.length, d = ds.itemFeatures.cardinalities[cf], n = ds.numUsers, data = new Float32Array(n * d);
  for (let r = 0; r < it.length; r++) data[it.user[r] * d + ds.itemFeatures.values[it.item[r] * F + cf]]++;
  return { data, n, d };
}
