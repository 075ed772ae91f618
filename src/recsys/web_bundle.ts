/**
 * The web bundle's model: model.json (ids, titles, sizes, where each array
 * sits) and model.bin (the arrays, little-endian, 4-byte aligned). What the
 * server scores an added user with (Recommender.webTables): the item rows
 * [item | bias] in float32, the visitor's query row, the item-item CSR and
 * the popularity list. Pure: encode runs in the exporter, decode in the
 * browser (src/web/).
 */
import type { ItemItemCsr } from './table_math.js';

export const BUNDLE_FORMAT = 'dpgcn-web-model';
export const BUNDLE_VERSION = 1;

/** What the exporter reads from a Recommender (Recommender.webTables). */
export interface WebTables { width: number; rows: Float32Array; trainedItems: number; itemItem: ItemItemCsr | null; query: Float32Array;
  itemIds: string[]; titles: string[]; popular: Int32Array }

type Kind = 'f32' | 'i32';
export interface BundleMeta {
  format: typeof BUNDLE_FORMAT;
  version: number;
  modelVersion: string;
  model: string;
  width: number;
  numItems: number;
  trainedItems: number;
  itemIds: string[];
  titles: string[];
  /** name -> [byte offset, element count, kind] in model.bin. */
  arrays: Record<string, [number, number, Kind]>;
}

export interface DecodedBundle extends WebTables { meta: BundleMeta }

export function encodeBundle(t: WebTables, model: string, modelVersion: string): { meta: BundleMeta; bin: Uint8Array } {
  const parts: [string, Float32Array | Int32Array][] = [['rows', t.rows], ['query', t.query], ['popular', t.popular]];
  if (t.itemItem) parts.push(['ii.rowPtr', t.itemItem.rowPtr], ['ii.colIdx', t.itemItem.colIdx], ['ii.values', t.itemItem.values]);
  const arrays: BundleMeta['arrays'] = {};
  let off = 0;
  for (const [name, a] of parts) { arrays[name] = [off, a.length, a instanceof Float32Array ? 'f32' : 'i32']; off += a.length * 4; }
  const bin = new Uint8Array(off);
  for (const [name, a] of parts) bin.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), arrays[name][0]);
  const numItems = t.itemIds.length;
  return { meta: { format: BUNDLE_FORMAT, version: BUNDLE_VERSION, modelVersion, model, width: t.width, numItems, trainedItems: t.trainedItems,
    itemIds: t.itemIds, titles: t.titles, arrays }, bin };
}

export function decodeBundle(meta: BundleMeta, bin: ArrayBuffer): DecodedBundle {
  if (meta.format !== BUNDLE_FORMAT || meta.version !== BUNDLE_VERSION) throw new Error(`model.json: not a ${BUNDLE_FORMAT} version ${BUNDLE_VERSION}`);
  const get = (name: string): Float32Array | Int32Array | null => {
    const a = meta.arrays[name];
    if (!a) return null;
    if (a[0] + a[1] * 4 > bin.byteLength) throw new Error(`model.bin: ${name} runs past the end (${bin.byteLength} bytes)`);
    // copies: the views must not pin the fetched buffer, and the arrays are aligned whatever the offset
    return a[2] === 'f32' ? new Float32Array(bin.slice(a[0], a[0] + a[1] * 4)) : new Int32Array(bin.slice(a[0], a[0] + a[1] * 4));
  };
  const rows = get('rows') as Float32Array, rowPtr = get('ii.rowPtr') as Int32Array | null;
  if (rows.length !== meta.numItems * meta.width) throw new Error(`model.bin: rows hold ${rows.length} values, expected ${meta.numItems} x ${meta.width}`);
  return { meta, width: meta.width, rows, trainedItems: meta.trainedItems, query: get('query') as Float32Array, itemIds: meta.itemIds, titles: meta.titles,
    popular: get('popular') as Int32Array,
    itemItem: rowPtr ? { rowPtr, colIdx: get('ii.colIdx') as Int32Array, values: get('ii.values') as Float32Array } : null };
}
