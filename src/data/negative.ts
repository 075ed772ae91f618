/**
 * Negative samplers for CTR instances and ranking candidates: uniform over
 * items, or popularity-weighted (count^alpha, word2vec's 0.75 by default),
 * both rejecting items the user has interacted with (checked against the
 * user's sorted item list, so no per-user Set is built).
 */
import type { Rng } from '../tensor/rng.js';
import { cdfIndex, indexOfSorted } from '../util/sorted.js';

/** Per-user sorted distinct item lists (a CSR pattern without values). */
export interface UserItems { ptr: Int32Array; items: Int32Array }

/** Builds sorted distinct item lists per user from (user, item) pairs. */
export function userItemSets(numUsers: number, user: ArrayLike<number>, item: ArrayLike<number>): UserItems {
  const cnt = new Int32Array(numUsers + 1);
  for (let k = 0; k < user.length; k++) cnt[user[k] + 1]++;
  for (let u = 0; u < numUsers; u++) cnt[u + 1] += cnt[u];
  const fill = cnt.slice(0, numUsers), tmp = new Int32Array(user.length);
  for (let k = 0; k < user.length; k++) tmp[fill[user[k]]++] = item[k];
  const ptr = new Int32Array(numUsers + 1), out = new Int32Array(user.length);
  let w = 0;
  for (let u = 0; u < numUsers; u++) {
    const s = tmp.subarray(cnt[u], cnt[u + 1]).sort();
    for (let p = 0; p < s.length; p++) if (p === 0 || s[p] !== s[p - 1]) out[w++] = s[p];
    ptr[u + 1] = w;
  }
  return { ptr, items: out.slice(0, w) };
}

/** True if `item` is in user u's sorted list. */
export function hasItem(s: UserItems, u: number, item: number): boolean {
  return indexOfSorted(s.items, item, s.ptr[u], s.ptr[u + 1]) >= 0;
}

export interface NegativeSampler {
  /** An item user u has not interacted with (per `exclude`); gives up after 100 tries and returns any item. */
  sample(u: number, rng: Rng): number;
}

export function uniformSampler(numItems: number, exclude: UserItems | null): NegativeSampler {
  return {
    sample(u, rng) {
      let i = rng.int(numItems);
      for (let t = 0; t < 100 && exclude && hasItem(exclude, u, i); t++) i = rng.int(numItems);
      return i;
    },
  };
}

/** Draws item i with probability proportional to (count_i + 1)^alpha. */
export function popularitySampler(numItems: number, items: ArrayLike<number>, exclude: UserItems | null, alpha = 0.75): NegativeSampler {
  const cnt = new Float64Array(numItems);
  for (let k = 0; k < items.length; k++) cnt[items[k]]++;
  const cdf = new Float64Array(numItems);
  let s = 0;
  for (let i = 0; i < numItems; i++) cdf[i] = s += Math.pow(cnt[i] + 1, alpha);
  const draw = (rng: Rng) => {
    return cdfIndex(cdf, rng.uniform() * s);
  };
  return {
    sample(u, rng) {
      let i = draw(rng);
      for (let t = 0; t < 100 && exclude && hasItem(exclude, u, i); t++) i = draw(rng);
      return i;
    },
  };
}
