/**
 * Recommendations on the device: a static bundle (`dpgcn export web`) loaded
 * once, then every answer computed here from the visitor's history alone.
 * A visitor is scored as the server scores a user added at run time (no
 * features) who then clicked those items: the query row of the bundle (the
 * mean of the warm users' vectors, what PUT /users/:id gives), the items of
 * the history excluded, the item-item term of the history added exactly.
 * The arithmetic is the server's own (src/recsys/table_math.ts,
 * quantized.ts) over the same wasm kernels, so the page's top-k equals GET
 * /recommend's for the same history. An empty history gets the bundle's
 * popularity list. No Node APIs; nothing is fetched after load().
 *
 *   const rec = await WebRecommender.load('/web/');
 *   rec.recommend(['50', '172'], { k: 10 });  // [{ item, score, title }, ...]
 */
import { decodeBundle, type BundleMeta } from '../recsys/web_bundle.js';
import { finish, itemItemTerm, maskWith, type ItemItemCsr } from '../recsys/table_math.js';
import { QUANTIZE_MIN_ITEMS, exactTopK, quantizeRows, type QuantizedTable } from '../recsys/quantized.js';
import { WebKernels, fetchOk, type Placed } from './kernels.js';

export interface WebRecommendation { item: string; score: number; title: string }
export interface WebLoadOptions { kernels?: 'wasm' | 'js'; /** int8 pass with exact re-rank: default from QUANTIZE_MIN_ITEMS items */ quantize?: boolean }
export const MAX_K = 1000;

export class WebRecommender {
  private readonly row = new Map<string, number>();
  private readonly rows: Placed<Float32Array>;
  private readonly quant: { q: Placed<Int8Array>; scale: Placed<Float32Array>; approx: Placed<Float32Array>; live: Uint8Array } | null;
  private readonly q16: Int16Array;

  private constructor(readonly meta: BundleMeta, readonly kernels: WebKernels, rows: Float32Array, private readonly query: Float32Array,
    private readonly itemItem: ItemItemCsr | null, private readonly popular: Int32Array, quantize: boolean) {
    meta.itemIds.forEach((id, i) => this.row.set(id, i));
    const n = meta.numItems, w = meta.width;
    this.rows = kernels.place(rows);
    this.q16 = new Int16Array(w);
    if (quantize) {
      const qt = quantizeRows(rows, n, w);
      this.quant = { q: kernels.place(qt.q), scale: kernels.place(qt.scale), approx: kernels.place(new Float32Array(n)), live: qt.live };
    } else this.quant = null;
  }

  /** Loads the bundle at url (its directory, or its model.json): model.json, model.bin and kernels.web.wasm beside it. */
  static async load(url: string | URL, o: WebLoadOptions = {}): Promise<WebRecommender> {
    const base = new URL(String(url), typeof location === 'object' ? location.href : undefined);
    const json = base.pathname.endsWith('.json') ? base : new URL('model.json', base.href.endsWith('/') ? base : base.href + '/');
    const [meta, bin, kernels] = await Promise.all([
      fetchOk(json).then((r) => r.json() as Promise<BundleMeta>),
      fetchOk(new URL('model.bin', json)).then((r) => r.arrayBuffer()),
      WebKernels.load(new URL('kernels.web.wasm', json), o.kernels ?? 'wasm'),
    ]);
    const b = decodeBundle(meta, bin);
    return new WebRecommender(meta, kernels, b.rows, b.query, b.itemItem, b.popular, o.quantize ?? meta.numItems >= QUANTIZE_MIN_ITEMS);
  }

  get numItems(): number { return this.meta.numItems; }
  hasItem(id: string): boolean { return this.row.has(id); }
  title(id: string): string { const i = this.row.get(id); return i === undefined ? '' : this.meta.titles[i] ?? ''; }

  /** Top-k items for a visitor who clicked history (oldest first), best first; unknown ids in history are ignored. */
  recommend(history: readonly string[], o: { k?: number } = {}): WebRecommendation[] {
    const k = o.k ?? 10;
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new RangeError(`k: expected an integer in [1, ${MAX_K}], got ${k}`);
    const n = this.numItems, w = this.meta.width, ids = this.meta.itemIds, titles = this.meta.titles;
    const h: number[] = [];
    for (const id of history) { const i = this.row.get(id); if (i !== undefined) h.push(i); }
    const exclude = new Uint8Array(n);
    for (const i of h) exclude[i] = 1;
    if (h.length === 0) {
      const out: WebRecommendation[] = [];
      for (const i of this.popular) { if (out.length >= k) break; out.push({ item: ids[i], score: 0, title: titles[i] ?? '' }); }
      return out;
    }
    const sp = itemItemTerm(this.itemItem, h, exclude, this.meta.trainedItems), ex = maskWith(exclude, n, sp);
    const idx = new Int32Array(k), sc = new Float32Array(k), K = this.kernels, table = K.view(this.rows);
    let got: number;
    if (this.quant) {
      const qt: QuantizedTable = { n, w, q: K.view(this.quant.q), scale: K.view(this.quant.scale), live: this.quant.live };
      got = exactTopK(K, table, qt, this.query, k, ex, idx, sc, { approx: K.view(this.quant.approx), q16: this.q16 });
    } else got = K.scoreTopK(table, this.query, n, w, k, ex, idx, sc);
    // the kernel calls may have grown the memory: a fresh view for the exact item-item scores
    const top = finish(K.view(this.rows), w, this.query, k, sp, idx, sc, got);
    return Array.from(top.items, (i, r) => ({ item: ids[i], score: +top.scores[r].toFixed(6), title: titles[i] ?? '' }));
  }
}
