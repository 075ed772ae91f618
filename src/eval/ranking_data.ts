/**
 * Turns a ranking split (per-user item sets) into what the shared trainer and
 * the CTR-style models consume: each user's training items in time order as
 * a behaviour sequence, one training instance per training interaction (its
 * history is the sequence before it) with sampled negatives, a validation set
 * for model selection, a test instance set for AUC, and the ranking task
 * (candidates, relevant items, history) for P/R/NDCG@k.
 *
 * Validation comes from the split's own validation items only (they are out
 * of the split's training items and its graph): the experiment carves them
 * out of the training split to select the epoch count, then refits on the
 * whole training split without validation (see prepareSplit).
 */
import type { Rng } from '../tensor/rng.js';
import type { Interactions } from '../data/types.js';
import type { InstanceSet } from '../data/protocols/common.js';
import { hasItem, uniformSampler, type UserItems } from '../data/negative.js';
import { candidates, relevantItems, testUsers, type CandidateMode, type RankingSplit } from '../data/protocols/ranking.js';
import type { PairSource, TrainData } from './trainer.js';
import type { RankingTask } from './evaluate.js';

export interface RankingData extends TrainData {
  test: InstanceSet;
  /** Pairwise training (BPR) and validation ranking: always present for ranking splits. */
  pairs: PairSource;
  /** User u's training sequence is src.seqItems[userStart[u] .. userStart[u+1]). */
  userStart: Int32Array;
  /** Time of each user's last training interaction (context for ranking). */
  lastTime: Float64Array;
  graphInteractions: Interactions;
}

export interface RankingDataOptions { rng: Rng; negatives?: number }

export function rankingData(split: RankingSplit, opts: RankingDataOptions): RankingData {
  const ds = split.dataset, it = ds.interactions, rng = opts.rng;
  const negRatio = opts.negatives ?? 1;
  const seq: number[] = [], seqTime: number[] = [], userStart = new Int32Array(ds.numUsers + 1);
  const lastTime = new Float64Array(ds.numUsers);
  for (let u = 0; u < ds.numUsers; u++) {
    const seen = new Set<number>();
    for (let k = ds.userPtr[u]; k < ds.userPtr[u + 1]; k++) {
      const i = it.item[k];
      if (seen.has(i) || !hasItem(split.train, u, i)) continue;
      seen.add(i); seq.push(i); seqTime.push(it.time[k]); lastTime[u] = it.time[k];
    }
    userStart[u + 1] = seq.length;
  }
  const seqItems = Int32Array.from(seq);
  const sampler = uniformSampler(ds.numItems, split.train);
  const train = new SetBuilder(), val = new SetBuilder(), test = new SetBuilder();
  const vUsers: number[] = [];
  const itemTime = (u: number, i: number): number => {
    for (let k = ds.userPtr[u]; k < ds.userPtr[u + 1]; k++) if (it.item[k] === i) return it.time[k];
    return lastTime[u];
  };
  for (let u = 0; u < ds.numUsers; u++) {
    const a = userStart[u], b = userStart[u + 1];
    for (let p = a; p < b; p++) {
      train.add(u, seqItems[p], 1, seqTime[p], a, p);
      for (let r = 0; r < negRatio; r++) train.add(u, sampler.sample(u, rng), 0, seqTime[p], a, p);
    }
    for (let p = split.val.ptr[u]; p < split.val.ptr[u + 1]; p++) {
      const t = itemTime(u, split.val.items[p]);
      val.add(u, split.val.items[p], 1, t, a, b); val.add(u, sampler.sample(u, rng), 0, t, a, b);
    }
    if (split.val.ptr[u + 1] > split.val.ptr[u]) vUsers.push(u);
    const rel = relevantItems(split, u), neg = split.sampled.items.subarray(split.sampled.ptr[u], split.sampled.ptr[u + 1]);
    for (let p = 0; p < rel.length; p++) {
      const t = itemTime(u, rel[p]);
      test.add(u, rel[p], 1, t, a, b);
      if (neg.length) test.add(u, neg[p % neg.length], 0, t, a, b);
    }
  }
  // validation users' held-out items ranked as test items are: against every item outside their
  // training items, with their whole training sequence as history
  const valRanking: RankingTask = {
    users: Int32Array.from(vUsers),
    candidates: (u) => candidates(split, u, 'full'),
    relevant: (u) => split.val.items.subarray(split.val.ptr[u], split.val.ptr[u + 1]),
    history: (u) => seqItems.subarray(userStart[u], userStart[u + 1]),
    time: (u) => lastTime[u],
  };
  return { src: { seqItems, maxLen: 50 }, train: train.build(), val: val.build(), test: test.build(),
    userStart, lastTime, graphInteractions: split.graphInteractions,
    pairs: { negatives: sampler, valRanking } };
}

/** The split's test users ranked over `mode` candidates with their whole training sequence as history. */
export function rankingTask(split: RankingSplit, data: RankingData, mode: CandidateMode, maxUsers = Infinity): RankingTask {
  const users = testUsers(split);
  return {
    users: users.length > maxUsers ? users.subarray(0, maxUsers) : users,
    candidates: (u) => candidates(split, u, mode),
    relevant: (u) => relevantItems(split, u),
    history: (u) => data.src.seqItems.subarray(data.userStart[u], data.userStart[u + 1]),
    time: (u) => data.lastTime[u],
  };
}

export type { UserItems };

/** Collects instances (no query: ranking splits carry none). */
class SetBuilder {
  private u: number[] = []; private i: number[] = []; private l: number[] = []; private t: number[] = [];
  private hs: number[] = []; private he: number[] = [];
  add(u: number, i: number, l: number, t: number, hs: number, he: number): void {
    this.u.push(u); this.i.push(i); this.l.push(l); this.t.push(t); this.hs.push(hs); this.he.push(he);
  }
  build(): InstanceSet {
    return { length: this.u.length, user: Int32Array.from(this.u), item: Int32Array.from(this.i), label: Float32Array.from(this.l),
      query: new Int32Array(this.u.length).fill(-1), time: Float64Array.from(this.t),
      histStart: Int32Array.from(this.hs), histEnd: Int32Array.from(this.he) };
  }
}
