/**
 * Skip-gram word vectors with negative sampling (Mikolov et al. 2013), and a
 * reader for the word2vec text format. The trainer is plain Float32Array SGD
 * with the standard hand-derived SGNS gradients: for a (center, context) pair
 * with label y, g = lr * (y - sigmoid(v_c . u_o)); u_o += g v_c; v_c += g u_o.
 * Negatives come from the unigram distribution raised to 3/4.
 */
import type { Rng } from '../../tensor/rng.js';
import { DataError } from '../../errors.js';
import { readLines } from '../io.js';
import { cdfIndex } from '../../util/sorted.js';

export interface WordVectors {
  vocab: string[];
  index: Map<string, number>;
  dim: number;
  /** vocab.length x dim, row-major. */
  vectors: Float32Array;
}

export interface Word2VecOptions {
  dim?: number; window?: number; negatives?: number; epochs?: number;
  rng: Rng;
  lr?: number; minCount?: number;
}

/** The vector of `word` (a subarray view), or null if unknown. */
export function wordVector(wv: WordVectors, word: string): Float32Array | null {
  const i = wv.index.get(word);
  return i === undefined ? null : wv.vectors.subarray(i * wv.dim, (i + 1) * wv.dim);
}

/** Trains SGNS vectors on tokenised sentences. Deterministic for a given rng seed. */
export function trainWord2Vec(sentences: string[][], opts: Word2VecOptions): WordVectors {
  const dim = opts.dim ?? 32, window = opts.window ?? 3, K = opts.negatives ?? 5, epochs = opts.epochs ?? 5;
  const lr0 = opts.lr ?? 0.025, minCount = opts.minCount ?? 1, rng = opts.rng;
  const counts = new Map<string, number>();
  for (const s of sentences) for (const w of s) counts.set(w, (counts.get(w) ?? 0) + 1);
  const vocab = [...counts.keys()].filter((w) => counts.get(w)! >= minCount);
  const index = new Map(vocab.map((w, i) => [w, i] as [string, number]));
  const V = vocab.length;
  const corpus = sentences.map((s) => Int32Array.from(s.map((w) => index.get(w) ?? -1).filter((i) => i >= 0)));
  // cumulative unigram^0.75 for negative draws (binary search)
  const cdf = new Float64Array(V);
  let acc = 0;
  for (let i = 0; i < V; i++) { acc += Math.pow(counts.get(vocab[i])!, 0.75); cdf[i] = acc; }
  const drawNeg = (): number => {
    return cdfIndex(cdf, rng.uniform() * acc);
  };
  const win = new Float32Array(V * dim), wout = new Float32Array(V * dim);
  for (let i = 0; i < win.length; i++) win[i] = (rng.uniform() - 0.5) / dim;
  const neu = new Float32Array(dim);
  const total = epochs * corpus.reduce((a, s) => a + s.length, 0);
  let done = 0;
  const sig = (x: number) => (x > 8 ? 1 : x < -8 ? 0 : 1 / (1 + Math.exp(-x)));
  for (let ep = 0; ep < epochs; ep++) {
    for (const s of corpus) {
      for (let p = 0; p < s.length; p++, done++) {
        const lr = Math.max(lr0 * 1e-4, lr0 * (1 - done / Math.max(1, total)));
        const b = 1 + rng.int(window);
        const c = s[p] * dim;
        for (let q = Math.max(0, p - b); q <= Math.min(s.length - 1, p + b); q++) {
          if (q === p) continue;
          neu.fill(0);
          for (let k = 0; k <= K; k++) {
            const target = k === 0 ? s[q] : drawNeg();
            if (k > 0 && target === s[q]) continue;
            const o = target * dim, y = k === 0 ? 1 : 0;
            let dot = 0;
            for (let d = 0; d < dim; d++) dot += win[c + d] * wout[o + d];
            const g = lr * (y - sig(dot));
            for (let d = 0; d < dim; d++) { neu[d] += g * wout[o + d]; wout[o + d] += g * win[c + d]; }
          }
          for (let d = 0; d < dim; d++) win[c + d] += neu[d];
        }
      }
    }
  }
  return { vocab, index, dim, vectors: win };
}

/** Reads the word2vec text format: a "count dim" header, then "word v1 ... vdim" per line. */
export async function loadWord2VecText(file: string): Promise<WordVectors> {
  let V = -1, dim = -1;
  const vocab: string[] = [];
  let vectors = new Float32Array(0);
  await readLines(file, (line, no) => {
    const parts = line.trim().split(/\s+/);
    if (no === 1) {
      V = Number(parts[0]); dim = Number(parts[1]);
      if (parts.length !== 2 || !Number.isInteger(V) || !Number.isInteger(dim) || V < 0 || dim < 1) {
        throw new DataError(file, no, 'expected a header "<count> <dim>"');
      }
      vectors = new Float32Array(V * dim);
      return;
    }
    if (line.trim() === '') return;
    if (vocab.length >= V) throw new DataError(file, no, `more vectors than the ${V} the header announced`);
    if (parts.length !== dim + 1) throw new DataError(file, no, `expected a word and ${dim} numbers (got ${parts.length - 1} numbers)`);
    const base = vocab.length * dim;
    for (let d = 0; d < dim; d++) {
      const x = Number(parts[d + 1]);
      if (!Number.isFinite(x)) throw new DataError(file, no, `expected a number, got "${parts[d + 1]}"`);
      vectors[base + d] = x;
    }
    vocab.push(parts[0]);
  });
  if (V < 0) throw new DataError(file, null, 'empty file (expected a "<count> <dim>" header)');
  if (vocab.length !== V) throw new DataError(file, null, `header announced ${V} vectors, file has ${vocab.length}`);
  return { vocab, index: new Map(vocab.map((w, i) => [w, i] as [string, number])), dim, vectors };
}
