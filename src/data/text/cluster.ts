/**
 * Merges near-duplicate queries ("running shoe", "Running shoes!", "shoes
 * running") by TF-IDF cosine similarity. Leader clustering: texts are visited
 * in order (callers pass the most frequent first), each joins the most similar
 * existing leader at or above the threshold or starts a cluster. An inverted
 * index from term to leaders keeps it near-linear on real query logs.
 */
import { analyze, type AnalyzeOptions } from './tokenize.js';
import { TfIdf, cosine, type SparseVec } from './tfidf.js';

export interface QueryClusters {
  /** Cluster id of each input text. */
  assign: Int32Array;
  /** Input index of each cluster's leader (its representative text). */
  leaders: Int32Array;
}

/** Clusters texts whose tf-idf cosine is >= threshold (default 0.8). Empty texts share one cluster. */
export function clusterTexts(texts: string[], threshold = 0.8, opts: AnalyzeOptions = {}): QueryClusters {
  const docs = texts.map((t) => analyze(t, opts));
  const tfidf = new TfIdf().fit(docs);
  const vecs: SparseVec[] = docs.map((d) => tfidf.transform(d));
  const assign = new Int32Array(texts.length);
  const leaders: number[] = [];
  const byTerm = new Map<number, number[]>(); // term -> cluster ids whose leader has it
  let emptyCluster = -1;
  for (let i = 0; i < texts.length; i++) {
    const v = vecs[i];
    if (v.idx.length === 0) {
      if (emptyCluster < 0) { emptyCluster = leaders.length; leaders.push(i); }
      assign[i] = emptyCluster; continue;
    }
    let best = -1, bestSim = threshold - 1e-6;
    const seen = new Set<number>();
    for (const t of v.idx) {
      for (const c of byTerm.get(t) ?? []) {
        if (seen.has(c)) continue;
        seen.add(c);
        const s = cosine(v, vecs[leaders[c]]);
        if (s > bestSim) { bestSim = s; best = c; }
      }
    }
    if (best < 0) {
      best = leaders.length; leaders.push(i);
      for (const t of v.idx) { let l = byTerm.get(t); if (!l) byTerm.set(t, (l = [])); l.push(best); }
    }
    assign[i] = best;
  }
  return { assign, leaders: Int32Array.from(leaders) };
}
