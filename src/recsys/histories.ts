/** Per-user histories and the interaction filters serving needs. */
import type { Interactions } from '../data/types.js';

/** Each user's items in time order (stable for equal times), from interactions in any order. */
export function userHistories(it: Interactions, users: number): number[][] {
  const order = Int32Array.from({ length: it.length }, (_, k) => k).sort((a, b) => it.user[a] - it.user[b] || it.time[a] - it.time[b] || a - b);
  const out: number[][] = Array.from({ length: users }, () => []);
  for (const k of order) out[it.user[k]].push(it.item[k]);
  return out;
}

/** Items by descending training count (ties: lower row first): the non-personalised list. */
export function popularity(it: Interactions, items: number): Int32Array {
  const c = new Float64Array(items);
  for (let k = 0; k < it.length; k++) c[it.item[k]]++;
  return Int32Array.from({ length: items }, (_, i) => i).sort((a, b) => c[b] - c[a] || a - b);
}

/** The interactions without the given users' rows (and an aligned per-row array filtered alike). */
export function dropUsers(it: Interactions, users: Set<number>, aligned: Int32Array | null = null): { it: Interactions; aligned: Int32Array | null } {
  const keep: number[] = [];
  for (let k = 0; k < it.length; k++) if (!users.has(it.user[k])) keep.push(k);
  const pick = <T extends Int32Array | Float64Array | Float32Array>(a: T): T => (a.constructor as unknown as { from(x: number[]): T }).from(keep.map((k) => a[k]));
  return { it: { length: keep.length, user: pick(it.user), item: pick(it.item), time: pick(it.time), query: pick(it.query),
    rating: it.rating ? pick(it.rating) : null }, aligned: aligned ? pick(aligned) : null };
}

/** dropUsers for one user. */
export const dropUser = (it: Interactions, u: number): Interactions => dropUsers(it, new Set([u])).it;

/** The CSR row pointer of interactions by user. */
export function recount(it: Interactions, users: number): Int32Array {
  const ptr = new Int32Array(users + 1);
  for (let k = 0; k < it.length; k++) ptr[it.user[k] + 1]++;
  for (let u = 0; u < users; u++) ptr[u + 1] += ptr[u];
  return ptr;
}
