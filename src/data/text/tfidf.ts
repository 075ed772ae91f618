/**
 * TF-IDF vectors over analysed token lists, L2-normalised so cosine similarity
 * is a sparse dot product. idf = ln((1 + N) / (1 + df)) + 1 (the smoothed form),
 * so a term present in every document still counts a little.
 */

/** A sparse vector with ascending term indices. */
export interface SparseVec { idx: Int32Array; val: Float32Array }

export class TfIdf {
  readonly vocab = new Map<string, number>();
  idf = new Float32Array(0);

  /** Learns vocabulary and idf from documents (token arrays). */
  fit(docs: string[][]): this {
    const df: number[] = [];
    for (const d of docs) {
      for (const t of new Set(d)) {
        let j = this.vocab.get(t);
        if (j === undefined) { j = this.vocab.size; this.vocab.set(t, j); df.push(0); }
        df[j]++;
      }
    }
    const N = docs.length;
    this.idf = Float32Array.from(df, (f) => Math.log((1 + N) / (1 + f)) + 1);
    return this;
  }

  /** The L2-normalised tf-idf vector of one document; unknown terms are ignored. */
  transform(doc: string[]): SparseVec {
    const tf = new Map<number, number>();
    for (const t of doc) { const j = this.vocab.get(t); if (j !== undefined) tf.set(j, (tf.get(j) ?? 0) + 1); }
    const idx = Int32Array.from([...tf.keys()].sort((a, b) => a - b));
    const val = new Float32Array(idx.length);
    let norm = 0;
    for (let k = 0; k < idx.length; k++) { const w = tf.get(idx[k])! * this.idf[idx[k]]; val[k] = w; norm += w * w; }
    norm = Math.sqrt(norm);
    if (norm > 0) for (let k = 0; k < val.length; k++) val[k] /= norm;
    return { idx, val };
  }
}

/** Cosine of two L2-normalised sparse vectors (merge of sorted indices). */
export function cosine(a: SparseVec, b: SparseVec): number {
  let i = 0, j = 0, s = 0;
  while (i < a.idx.length && j < b.idx.length) {
    if (a.idx[i] === b.idx[j]) { s += a.val[i] * b.val[j]; i++; j++; }
    else if (a.idx[i] < b.idx[j]) i++; else j++;
  }
  return s;
}
