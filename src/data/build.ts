/**
 * Shared assembly steps for loaders: dense id maps, growable columns, sorting
 * interactions by (user, time) and computing each user's slice. Loaders collect
 * raw columns, then call assembleDataset once, so a failure midway never leaves
 * a half-built Dataset behind.
 */
import type { CatFeatures, Dataset, Interactions } from './types.js';
import { noFeatures } from './types.js';
import { csrFromEdges, emptyCsr } from '../sparse/build.js';
import { analyze } from './text/tokenize.js';
import type { CsrMatrix } from '../sparse/csr.js';

/** String id -> dense id, in first-seen order. */
export class IdMap {
  readonly ids: string[] = [];
  private readonly map = new Map<string, number>();
  get size(): number { return this.ids.length; }
  /** The dense id of `key`, adding it if new. */
  id(key: string): number {
    let v = this.map.get(key);
    if (v === undefined) { v = this.ids.length; this.map.set(key, v); this.ids.push(key); }
    return v;
  }
  get(key: string): number | undefined { return this.map.get(key); }
  has(key: string): boolean { return this.map.has(key); }
}

/** Append-only typed column that doubles its buffer. */
export class Column<T extends Int32Array | Float64Array | Float32Array> {
  private buf: T;
  length = 0;
  constructor(private readonly Ctor: new (n: number) => T, capacity = 1024) { this.buf = new Ctor(capacity); }
  push(x: number): void {
    if (this.length === this.buf.length) {
      const nb = new this.Ctor(this.buf.length * 2);
      (nb as Int32Array).set(this.buf as Int32Array);
      this.buf = nb;
    }
    this.buf[this.length++] = x;
  }
  get(k: number): number { return this.buf[k]; }
  set(k: number, x: number): void { this.buf[k] = x; }
  /** A trimmed copy. */
  toArray(): T { return (this.buf as Int32Array).slice(0, this.length) as unknown as T; }
}

/** Raw columns in any order; assembleDataset sorts them. */
export interface RawInteractions {
  user: Int32Array; item: Int32Array; time: Float64Array;
  rating: Float32Array | null; query: Int32Array | null;
  shownNegative?: Int32Array | null;
}

/** Sorts by (user, time, input order) and returns the permutation plus user slices. */
export function sortByUserTime(numUsers: number, user: Int32Array, time: Float64Array): { perm: Int32Array; userPtr: Int32Array } {
  const n = user.length;
  const userPtr = new Int32Array(numUsers + 1);
  for (let k = 0; k < n; k++) userPtr[user[k] + 1]++;
  for (let u = 0; u < numUsers; u++) userPtr[u + 1] += userPtr[u];
  const fill = userPtr.slice(0, numUsers);
  const perm = new Int32Array(n);
  for (let k = 0; k < n; k++) perm[fill[user[k]]++] = k;
  for (let u = 0; u < numUsers; u++) {
    const a = userPtr[u], b = userPtr[u + 1];
    let sorted = true;
    for (let p = a + 1; p < b; p++) if (time[perm[p]] < time[perm[p - 1]]) { sorted = false; break; }
    if (!sorted) perm.subarray(a, b).sort((x, y) => time[x] - time[y] || x - y);
  }
  return { perm, userPtr };
}

function permute<T extends Int32Array | Float32Array | Float64Array>(a: T, perm: Int32Array): T {
  const out = new (a.constructor as new (n: number) => T)(perm.length);
  for (let k = 0; k < perm.length; k++) out[k] = a[perm[k]];
  return out;
}

/** Makes an Interactions view over (already sorted) columns. */
export function makeInteractions(user: Int32Array, item: Int32Array, time: Float64Array,
  rating: Float32Array | null, query: Int32Array): Interactions {
  return { length: user.length, user, item, time, rating, query };
}

/** Text side of a data set: term CSRs and vocabulary built from item and query texts. */
export interface TextIndex { itemTerms: CsrMatrix; queryTerms: CsrMatrix; vocab: string[] }

/** Tokenises (lowercase, stop words, Porter stems) item and query texts into one vocabulary. */
export function buildTextIndex(itemTexts: string[], queryTexts: string[], opts: { stem?: boolean } = {}): TextIndex {
  const vocab = new IdMap();
  // collect edges per side first: the column count (vocabulary size) is known only at the end
  const side = (texts: string[]) => {
    const r: number[] = [], c: number[] = [];
    for (let i = 0; i < texts.length; i++) for (const t of analyze(texts[i], opts)) { r.push(i); c.push(vocab.id(t)); }
    return { r, c, n: texts.length };
  };
  const it = side(itemTexts), qt = side(queryTexts);
  const V = vocab.size;
  const mk = (s: { r: number[]; c: number[]; n: number }) => s.r.length ? csrFromEdges(s.n, V, s.r, s.c) : emptyCsr(s.n, V);
  return { itemTerms: mk(it), queryTerms: mk(qt), vocab: vocab.ids };
}

export interface AssembleInput {
  name: string;
  userIds: string[]; itemIds: string[];
  raw: RawInteractions;
  userFeatures?: CatFeatures; itemFeatures?: CatFeatures;
  itemTexts?: string[]; itemTitles?: string[];
  queryText?: string[];
  social?: CsrMatrix | null;
}

/** Sorts the raw interactions, builds the text index and returns the Dataset. */
export function assembleDataset(inp: AssembleInput): Dataset {
  const nU = inp.userIds.length, nI = inp.itemIds.length;
  const { perm, userPtr } = sortByUserTime(nU, inp.raw.user, inp.raw.time);
  const n = perm.length;
  const query = inp.raw.query ? permute(inp.raw.query, perm) : new Int32Array(n).fill(-1);
  const inter = makeInteractions(permute(inp.raw.user, perm), permute(inp.raw.item, perm), permute(inp.raw.time, perm),
    inp.raw.rating ? permute(inp.raw.rating, perm) : null, query);
  const queryText = inp.queryText ?? [];
  const text = buildTextIndex(inp.itemTexts ?? inp.itemIds.map(() => ''), queryText);
  return {
    name: inp.name, numUsers: nU, numItems: nI, numQueries: queryText.length, numTerms: text.vocab.length,
    userIds: inp.userIds, itemIds: inp.itemIds, interactions: inter, userPtr,
    userFeatures: inp.userFeatures ?? noFeatures(), itemFeatures: inp.itemFeatures ?? noFeatures(),
    itemTerms: text.itemTerms, queryTerms: text.queryTerms, queryText, vocab: text.vocab,
    itemTitles: inp.itemTitles ?? inp.itemIds.map(() => ''),
    shownNegative: inp.raw.shownNegative ? permute(inp.raw.shownNegative, perm) : null,
    social: inp.social ?? null, oracle: null,
  };
}

/** Buckets a numeric value by ascending upper bounds: index of the first bound > x, or bounds.length. */
export function bucket(x: number, bounds: number[]): number {
  let b = 0;
  while (b < bounds.length && x >= bounds[b]) b++;
  return b;
}
