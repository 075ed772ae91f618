/**
 * Generic CSV interactions: a header naming user, item and timestamp columns,
 * optional rating, query (free text; near-duplicates merged) and label columns
 * (label 0 rows are shown-but-not-clicked impressions: they become the
 * Dataset's shownNegative for the following positives, as `data synth`
 * writes them). Column names are matched case-insensitively against common
 * aliases or given explicitly: csv:FILE,user=uid,item=sku,time=ts.
 * Timestamps are numbers or ISO dates; time=none uses the file order.
 */
import { DataError } from '../../errors.js';
import { readCsv } from './csv_parse.js';
import { parseNumber } from '../io.js';
import { IdMap, Column, assembleDataset } from '../build.js';
import { clusterTexts } from '../text/cluster.js';
import type { Dataset } from '../types.js';

export interface CsvOptions {
  user?: string; item?: string; time?: string; rating?: string; query?: string; label?: string;
  sep?: string;
}

const ALIASES: Record<string, string[]> = {
  user: ['user', 'user_id', 'userid', 'reviewerid', 'customer_id'],
  item: ['item', 'item_id', 'itemid', 'asin', 'movieid', 'product_id', 'artistid'],
  time: ['timestamp', 'time', 'unixreviewtime', 'ts', 'date'],
  rating: ['rating', 'overall', 'score', 'weight'],
  query: ['query', 'search', 'query_text'],
  label: ['label', 'click', 'clicked'],
};

export async function loadCsv(file: string, opts: CsvOptions = {}, name = `csv:${file}`): Promise<Dataset> {
  let col: Record<string, number> | null = null;
  const users = new IdMap(), items = new IdMap(), qtext = new IdMap();
  const U = new Column(Int32Array), I = new Column(Int32Array), T = new Column(Float64Array);
  const R = new Column(Float32Array), Q = new Column(Int32Array), L = new Column(Int32Array);
  let width = 0;
  await readCsv(file, (f, line) => {
    if (!col) {
      const header = f.map((h) => h.trim().toLowerCase());
      width = f.length;
      col = {};
      for (const key of Object.keys(ALIASES)) {
        const given = (opts as Record<string, string | undefined>)[key];
        if (given === 'none') { col[key] = -1; continue; }
        const idx = given !== undefined ? header.indexOf(given.toLowerCase()) : header.findIndex((h) => ALIASES[key].includes(h));
        const required = key === 'user' || key === 'item' || key === 'time';
        if (idx < 0 && (required || given !== undefined)) {
          throw new DataError(file, line, `missing column "${given ?? key}" (header has: ${f.join(', ')}; map it with ${key}=COLUMN)`);
        }
        col[key] = idx;
      }
      return;
    }
    if (f.length !== width) throw new DataError(file, line, `expected ${width} fields as in the header, got ${f.length}`);
    const c = col;
    const u = f[c.user].trim(), it = f[c.item].trim();
    if (!u) throw new DataError(file, line, 'empty user id');
    if (!it) throw new DataError(file, line, 'empty item id');
    let t = line;
    if (c.time >= 0) {
      const s = f[c.time].trim();
      t = /^-?[\d.]+(e[-+]?\d+)?$/i.test(s) ? Number(s) : Date.parse(s) / 1000;
      if (!Number.isFinite(t)) throw new DataError(file, line, `expected a number or a date for the timestamp, got "${s}"`);
    }
    const label = c.label >= 0 ? parseNumber(f[c.label], file, line, 'label') : 1;
    U.push(users.id(u)); I.push(items.id(it)); T.push(t); L.push(label > 0 ? 1 : 0);
    if (c.rating >= 0) R.push(parseNumber(f[c.rating], file, line, 'rating'));
    Q.push(c.query >= 0 && f[c.query].trim() ? qtext.id(f[c.query].trim()) : -1);
  }, opts.sep ?? ',');
  if (!col) throw new DataError(file, null, 'empty file (expected a header naming user, item and timestamp columns)');
  if (U.length === 0) throw new DataError(file, null, 'no data rows after the header');
  // merge near-duplicate query texts
  const cl = clusterTexts(qtext.ids, 0.8);
  const queryText = Array.from(cl.leaders, (l) => qtext.ids[l]);
  const qraw = Q.toArray();
  const query = Int32Array.from(qraw, (q) => (q < 0 ? -1 : cl.assign[q]));
  const user = U.toArray(), item = I.toArray(), time = T.toArray(), label = L.toArray();
  const rating = (col as Record<string, number>).rating >= 0 ? R.toArray() : null;
  const pos: number[] = [];
  for (let k = 0; k < label.length; k++) if (label[k]) pos.push(k);
  let shownNegative: Int32Array | null = null;
  if (pos.length !== label.length) shownNegative = pairNegatives(user, item, time, label);
  const pick = <T extends Int32Array | Float32Array | Float64Array>(a: T): T => {
    const out = new (a.constructor as new (n: number) => T)(pos.length);
    for (let k = 0; k < pos.length; k++) out[k] = a[pos[k]];
    return out;
  };
  if (pos.length === 0) throw new DataError(file, null, 'no positive rows (every label is 0)');
  return assembleDataset({
    name, userIds: users.ids, itemIds: items.ids,
    raw: { user: pick(user), item: pick(item), time: pick(time), rating: rating ? pick(rating) : null, query: pick(query),
      shownNegative: shownNegative ? pick(shownNegative) : null },
    queryText,
  });
}

/** For each row, the item of the nearest earlier label-0 row of the same user (or the next one), -1 if none. */
function pairNegatives(user: Int32Array, item: Int32Array, time: Float64Array, label: Int32Array): Int32Array {
  const n = user.length;
  const order = Int32Array.from({ length: n }, (_, k) => k).sort((a, b) => user[a] - user[b] || time[a] - time[b] || a - b);
  const out = new Int32Array(n).fill(-1);
  let lastNeg = -1, lastUser = -1;
  const pending: number[] = [];
  for (const k of order) {
    if (user[k] !== lastUser) { lastUser = user[k]; lastNeg = -1; pending.length = 0; }
    if (label[k]) { if (lastNeg >= 0) out[k] = lastNeg; else pending.push(k); }
    else { lastNeg = item[k]; for (const p of pending) out[p] = lastNeg; pending.length = 0; }
  }
  return out;
}
