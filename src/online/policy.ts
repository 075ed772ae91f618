/**
 * What the closed-loop run asks of a recommender: the serving API's two
 * calls, recommend (a slate for a user in a context) and feedback (what the
 * user did with it). The `Recommender` of the serving library (issue 10)
 * satisfies this shape; the policies here are its stand-ins until it lands.
 */
import type { Rng } from '../tensor/rng.js';

export interface SlateContext {
  /** Day of the session, counted from the end of the log. */
  day: number;
  /** Slates already shown in this session. */
  step: number;
  /** The user's clicks so far, oldest first: the logged history, then this run's clicks (the session so far last). */
  history: Int32Array;
}

export interface FeedbackEvent {
  user: number;
  items: Int32Array;
  clicks: Uint8Array;
  /** The user left after this slate. */
  done: boolean;
  /** The history after the clicks (what the next slate's context will hold). */
  history: Int32Array;
}

export interface OnlinePolicy {
  readonly name: string;
  recommend(user: number, k: number, context: SlateContext): Int32Array;
  feedback(events: FeedbackEvent[]): void;
  /** Called once after the run (release model caches). */
  close?(): void;
  /** Work done per feedback event, when the policy learns (seconds, summed). */
  readonly learnSeconds?: number;
  /** The same work in CPU seconds of the process (on a shared machine wall time counts other jobs' time too). */
  readonly learnCpuSeconds?: number;
  readonly learnEvents?: number;
  /** Named diagnostics after the run (e.g. the decision layer's critic loss and action saturation). */
  diagnostics?(): Record<string, number>;
}

/** Indices of the k largest scores, best first (ties: lower index first). */
export function topK(scores: ArrayLike<number>, k: number): Int32Array {
  const n = scores.length, kk = Math.min(k, n), idx: number[] = [];
  if (kk > 64) return Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b).subarray(0, kk);
  for (let i = 0; i < n; i++) {
    const v = scores[i];
    if (idx.length === kk && !(v > scores[idx[kk - 1]])) continue;
    let p = idx.length === kk ? kk - 1 : idx.length;
    if (idx.length < kk) idx.push(i);
    while (p > 0 && v > scores[idx[p - 1]]) { idx[p] = idx[p - 1]; p--; }
    idx[p] = i;
  }
  return Int32Array.from(idx);
}

/** k distinct uniformly random items. */
export function randomSlate(numItems: number, k: number, rng: Rng): Int32Array {
  return rng.sample(numItems, Math.min(k, numItems));
}

/**
 * Fills a slate from a ranking, replacing each slot by a uniformly random
 * item not yet in the slate with probability eps (epsilon-greedy per slot).
 */
export function epsilonSlate(ranked: Int32Array, numItems: number, k: number, eps: number, rng: Rng): Int32Array {
  const out: number[] = [], used = new Set<number>();
  let next = 0;
  while (out.length < k) {
    let i: number;
    if (rng.uniform() < eps) { do { i = rng.int(numItems); } while (used.has(i)); }
    else { while (used.has(ranked[next])) next++; i = ranked[next++]; }
    used.add(i); out.push(i);
  }
  return Int32Array.from(out);
}

/**
 * The serving library's shape (issue 10's `Recommender`: external ids, a
 * k option, click and impression events), as far as the simulator uses it.
 */
export interface ServingApi {
  recommend(user: string, o: { k?: number }): { item: string }[];
  feedback(events: { user: string; item: string; type: 'click' | 'impression'; time?: number }[]): unknown;
}

/** Drives a served recommender as an online policy: each shown item goes back as an impression, each click as a click. */
export class ServedPolicy implements OnlinePolicy {
  private readonly itemRow: Map<string, number>;
  constructor(readonly name: string, private readonly api: ServingApi, private readonly userIds: string[], private readonly itemIds: string[]) {
    this.itemRow = new Map(itemIds.map((id, i) => [id, i]));
  }
  recommend(user: number, k: number): Int32Array {
    return Int32Array.from(this.api.recommend(this.userIds[user], { k }), (r) => {
      const i = this.itemRow.get(r.item);
      if (i === undefined) throw new Error(`${this.name}: recommended unknown item ${r.item}`);
      return i;
    });
  }
  feedback(events: FeedbackEvent[]): void {
    const out: { user: string; item: string; type: 'click' | 'impression' }[] = [];
    for (const e of events) e.items.forEach((i, j) => out.push({ user: this.userIds[e.user], item: this.itemIds[i], type: e.clicks[j] ? 'click' : 'impression' }));
    this.api.feedback(out);
  }
}
