/**
 * The int8 item table with an exact float32 re-rank (issue 21).
 *
 * Each row is stored as int8 with its own scale (sc_i = max_c |x_ic| / 127),
 * the query as int16 with one scale. One pass scores every row approximately
 * (scoreI8: a quarter of the float32 table's bytes); the error of that score
 * is bounded per row by alpha * sc_i (errorBound: quantisation of both
 * sides plus every float rounding of both passes). Every item whose upper
 * bound reaches the k-th best lower bound is a candidate; the candidates'
 * float32 rows go through the same scoreTopK kernel as the plain path, so
 * the answer equals the float32 top-k bit for bit (ties: lower index first,
 * as candidates keep index order). Any item left out scores strictly below
 * k items whose exact scores are at least the threshold.
 *
 * Pure: no Node APIs (the browser bundle uses it too; a kernel set without
 * boundCandidates, like the browser's glue, gets the js reference's).
 */
import type { TableKernels } from './table_math.js';
import { boundCandidates } from '../backend/js/sparse.js';

/** live[c] = 0 where column c is zero in every row (e.g. a bias column of a model without biases): the query's value there counts for nothing. */
export interface QuantizedTable { n: number; w: number; q: Int8Array; scale: Float32Array; live: Uint8Array }

/** Per-call buffers: the approximate scores (n), the int16 query (w), the candidates (n) and their rows; reuse them across calls. */
export interface QuantWork { approx: Float32Array; q16: Int16Array; cand?: Int32Array; sub?: Float32Array }

/** Catalogues from this size are scored through the int8 table (below it the float32 pass is already cheap). */
export const QUANTIZE_MIN_ITEMS = 20_000;

/** Rows of a (n,w) float32 table as int8 with a per-row scale (into q and scale when given, e.g. backend storage). */
export function quantizeRows(table: Float32Array, n: number, w: number, q: Int8Array = new Int8Array(n * w),
  scale: Float32Array = new Float32Array(n)): QuantizedTable {
  const live = new Uint8Array(w);
  for (let i = 0; i < n * w; i++) if (table[i] !== 0) live[i % w] = 1;
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let c = 0; c < w; c++) m = Math.max(m, Math.abs(table[i * w + c]));
    const sc = Math.fround(m / 127);
    scale[i] = sc;
    for (let c = 0; c < w; c++) q[i * w + c] = sc > 0 ? Math.max(-127, Math.min(127, Math.round(table[i * w + c] / sc))) : 0;
  }
  return { n, w, q, scale, live };
}

/**
 * The query as int16 (range chosen so sum_c |q_c| * 127 < 2^31) over the live columns (others 0: the table is 0 there, so they add
 * exactly 0 to both passes); returns its f32 scale and the L1 norm of its live part.
 */
export function quantizeQuery(u: Float32Array, w: number, out: Int16Array, live: Uint8Array | null = null): { scale: number; l1: number } {
  const qmax = Math.min(32767, Math.floor(0x7fffffff / (127 * w)));
  let m = 0, l1 = 0;
  for (let c = 0; c < w; c++) if (!live || live[c]) { m = Math.max(m, Math.abs(u[c])); l1 += Math.abs(u[c]); }
  const scale = Math.fround(m / qmax);
  for (let c = 0; c < w; c++) out[c] = scale > 0 && (!live || live[c]) ? Math.max(-qmax, Math.min(qmax, Math.round(u[c] / scale))) : 0;
  return { scale, l1 };
}

const U = 2 ** -24;
/**
 * alpha with |exact_i - approx_i| <= alpha * sc_i for every row i, where exact
 * is the float32 kernel's score and approx scoreI8's: the table's rounding
 * (l1 * sc / 2), the query's (127 sc * w * qScale / 2), the float32 sum of
 * the exact pass (<= (w+1) u * 127 sc * l1) and the three roundings of the
 * approximate one, with a margin for this function's own arithmetic.
 */
export function errorBound(l1: number, qScale: number, w: number): number {
  const a = l1 / 2 + 63.5 * w * qScale + 127 * U * ((w + 1) * 1.01 * l1 + 3 * (l1 + w * qScale));
  return a * (1 + 1e-6) + 1e-30;
}

/**
 * The float32 top-k of query against table (width w, n = qt.n rows) through
 * the int8 pass and an exact re-rank; the same contract and result as
 * K.scoreTopK(table, query, n, w, k, exclude, outIdx, outScore).
 * Returns the number written, or with stats, also the candidate count.
 */
export function exactTopK(K: TableKernels, table: Float32Array, qt: QuantizedTable, query: Float32Array, k: number,
  exclude: Uint8Array | null, outIdx: Int32Array, outScore: Float32Array, work: QuantWork, stats?: { candidates: number }): number {
  const { n, w, scale } = qt, approx = work.approx;
  const { scale: qs, l1 } = quantizeQuery(query, w, work.q16, qt.live);
  K.scoreI8(qt.q, scale, work.q16, qs, n, w, approx);
  const alpha = errorBound(l1, qs, w);
  const cand = work.cand && work.cand.length >= n ? work.cand : (work.cand = new Int32Array(n));
  const m = (K.boundCandidates ?? boundCandidates)(approx, scale, alpha, n, k, exclude, cand);
  if (stats) stats.candidates = m;
  return rerank(K, table, w, query, cand, m, k, outIdx, outScore, work);
}

/**
 * The float32 top-k of query over the rows cand[0..m) of table (increasing
 * indices, so ties still break to the lower index): their rows gathered,
 * then the same scoreTopK the plain path runs.
 */
export function rerank(K: TableKernels, table: Float32Array, w: number, query: Float32Array, cand: Int32Array, m: number, k: number,
  outIdx: Int32Array, outScore: Float32Array, work: { sub?: Float32Array }): number {
  const sub = work.sub && work.sub.length >= m * w ? work.sub : (work.sub = new Float32Array(Math.max(m * w, 64 * w)));
  for (let j = 0; j < m; j++) { const i = cand[j]; sub.set(table.subarray(i * w, (i + 1) * w), j * w); }
  const got = K.scoreTopK(sub.subarray(0, m * w), query, m, w, k, null, outIdx, outScore);
  for (let j = 0; j < got; j++) outIdx[j] = cand[outIdx[j]];
  return got;
}

/** Per-row scales max_c |x_ic| / 127 of a float32 table (quantizeRows's, without the int8 copy). */
export function rowScales(table: Float32Array, n: number, w: number, out: Float32Array = new Float32Array(n)): Float32Array {
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let c = 0; c < w; c++) m = Math.max(m, Math.abs(table[i * w + c]));
    out[i] = Math.fround(m / 127);
  }
  return out;
}

/**
 * alpha with |exact_i - gemm_i| <= alpha * sc_i (sc_i = max_c |x_ic| / 127,
 * up to its own rounding) between the float32 kernel's score and any float32
 * GEMM's (any order, with or without FMA): gamma_w * l1 * 127 sc for the GEMM,
 * u * l1 * 127 sc for the exact pass rounding its float64 sum, a margin for the rest.
 */
export function gemmErrorBound(l1: number, w: number): number {
  return 127 * U * l1 * (w + 2) * 1.01 * (1 + 1e-6) + 1e-30;
}

/**
 * The float32 top-k of one query from its row of a batch's GEMM scores
 * (scores: n): every row within the GEMM's error bound of the k-th best is
 * re-ranked exactly, so the answer equals scoreTopK's bit for bit, as the
 * single-request path's.
 */
export function exactTopKFromScores(sel: Pick<TableKernels, 'boundCandidates'>, K: TableKernels, table: Float32Array, w: number, scale: Float32Array,
  scores: Float32Array, n: number, query: Float32Array, k: number, exclude: Uint8Array | null, outIdx: Int32Array, outScore: Float32Array,
  work: { cand?: Int32Array; sub?: Float32Array }): number {
  let l1 = 0;
  for (let c = 0; c < w; c++) l1 += Math.abs(query[c]);
  const cand = work.cand && work.cand.length >= n ? work.cand : (work.cand = new Int32Array(n));
  const m = (sel.boundCandidates ?? boundCandidates)(scores, scale, gemmErrorBound(l1, w), n, k, exclude, cand);
  return rerank(K, table, w, query, cand, m, k, outIdx, outScore, work);
}
