/**
 * McAuley's Amazon reviews (JSON lines, 2014 or 2018 field names, plain or
 * .gz) with optional metadata. Reviews give the interactions (implicit: every
 * review is a positive; `overall` kept as the rating). Metadata gives titles,
 * category paths, brand and price: duplicate asins are skipped (first wins),
 * HTML entities decoded, scraped-HTML titles dropped. No query log exists, so
 * an item's query is its category path (plus brand when the path is a single
 * level), with near-duplicates merged by TF-IDF clustering (Ai et al. 2017).
 */
import { DataError } from '../../errors.js';
import { readLines, parseNumber } from '../io.js';
import { IdMap, Column, assembleDataset, bucket } from '../build.js';
import { decodeEntities } from '../text/tokenize.js';
import { clusterTexts } from '../text/cluster.js';
import { parsePyLiteral } from './pyliteral.js';
import type { Dataset } from '../types.js';

const PRICE_BOUNDS = [10, 25, 50, 100]; // 5 bands + unknown
const TOP_BRANDS = 50;

function parseRecord(line: string, file: string, no: number): Record<string, unknown> {
  let v: unknown;
  try { v = JSON.parse(line); } catch (e) {
    if (line.trimStart().startsWith("{'")) {
      try { v = parsePyLiteral(line.trim()); } catch (e2) { throw new DataError(file, no, `expected a JSON object (${(e2 as Error).message})`); }
    } else throw new DataError(file, no, `expected a JSON object (${(e as Error).message})`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new DataError(file, no, 'expected a JSON object');
  return v as Record<string, unknown>;
}

function str(rec: Record<string, unknown>, key: string, file: string, no: number): string {
  const v = rec[key];
  if (typeof v !== 'string' || v === '') throw new DataError(file, no, `missing field "${key}" (expected a string)`);
  return v;
}

/** "06 17, 2018" -> unix seconds (UTC), for records without unixReviewTime. */
function reviewTime(s: unknown): number {
  if (typeof s !== 'string') return NaN;
  const m = /^(\d{1,2}) (\d{1,2}), (\d{4})$/.exec(s.trim());
  return m ? Date.UTC(+m[3], +m[1] - 1, +m[2]) / 1000 : NaN;
}

/** "$25.00", "$10.00 - $20.00" -> first number, NaN if none. */
function parsePrice(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return NaN;
  const m = /(\d+(?:,\d{3})*(?:\.\d+)?)/.exec(v);
  return m ? Number(m[1].replace(/,/g, '')) : NaN;
}

interface Meta { title: string; path: string[]; brand: string; price: number }

function categoryPath(rec: Record<string, unknown>): string[] {
  let c = rec.category ?? rec.categories; // 2018: string[]; 2014: string[][]
  if (Array.isArray(c) && Array.isArray(c[0])) c = c[0];
  if (!Array.isArray(c)) return [];
  return c.filter((x): x is string => typeof x === 'string').map((x) => decodeEntities(x).trim()).filter(Boolean);
}

export async function loadAmazon(reviews: string, meta: string | null, name = `amazon:${reviews}${meta ? ',' + meta : ''}`): Promise<Dataset> {
  const users = new IdMap(), items = new IdMap();
  const U = new Column(Int32Array), I = new Column(Int32Array), T = new Column(Float64Array), R = new Column(Float32Array);
  await readLines(reviews, (line, no) => {
    if (line.trim() === '') return;
    const rec = parseRecord(line, reviews, no);
    const u = str(rec, 'reviewerID', reviews, no), a = str(rec, 'asin', reviews, no);
    const ov = rec.overall;
    if (ov === undefined) throw new DataError(reviews, no, 'missing field "overall" (expected a rating)');
    const rating = typeof ov === 'number' ? ov : parseNumber(String(ov), reviews, no, 'overall');
    let t = typeof rec.unixReviewTime === 'number' ? rec.unixReviewTime : reviewTime(rec.reviewTime);
    if (!Number.isFinite(t)) throw new DataError(reviews, no, 'missing field "unixReviewTime" (expected unix seconds)');
    U.push(users.id(u)); I.push(items.id(a)); T.push(t); R.push(rating);
  });
  if (U.length === 0) throw new DataError(reviews, null, 'empty file (expected JSON lines with reviewerID, asin, overall, unixReviewTime)');
  const metas: (Meta | null)[] = new Array(items.size).fill(null);
  if (meta) {
    await readLines(meta, (line, no) => {
      if (line.trim() === '') return;
      const rec = parseRecord(line, meta, no);
      const a = str(rec, 'asin', meta, no);
      const i = items.get(a);
      if (i === undefined || metas[i]) return; // not reviewed, or a duplicate asin line
      let title = typeof rec.title === 'string' ? decodeEntities(rec.title).trim() : '';
      if (title.startsWith('<') || title.includes('a-size-')) title = ''; // scraped HTML fragment, not a title
      const brand = typeof rec.brand === 'string' ? decodeEntities(rec.brand).trim() : '';
      metas[i] = { title, path: categoryPath(rec), brand, price: parsePrice(rec.price) };
    });
  }
  // item features: second-level category, brand (top brands), price band
  const cats = new IdMap(); cats.id('(unknown)');
  const brandCount = new Map<string, number>();
  for (const m of metas) if (m?.brand) brandCount.set(m.brand, (brandCount.get(m.brand) ?? 0) + 1);
  const topBrands = new IdMap(); topBrands.id('(other)');
  [...brandCount.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, TOP_BRANDS).forEach(([b]) => topBrands.id(b));
  const nI = items.size;
  const itemF = new Int32Array(nI * 3);
  const texts: string[] = [], titles: string[] = [], qtexts: string[] = [];
  for (let i = 0; i < nI; i++) {
    const m = metas[i];
    itemF[i * 3] = m && m.path.length > 1 ? cats.id(m.path[1]) : m && m.path.length ? cats.id(m.path[0]) : 0;
    itemF[i * 3 + 1] = m?.brand ? topBrands.get(m.brand) ?? 0 : 0;
    itemF[i * 3 + 2] = m && Number.isFinite(m.price) ? bucket(m.price, PRICE_BOUNDS) : PRICE_BOUNDS.length + 1;
    titles.push(m?.title ?? '');
    texts.push(m ? [m.title, ...m.path, m.brand].join(' ') : '');
    const levels = m ? [...new Set(m.path)] : [];
    const q = levels.length > 1 ? levels.slice(1) : m ? [...levels, m.brand] : [];
    qtexts.push(q.join(' ').trim());
  }
  // queries: cluster item query texts (most common first so leaders are typical phrasings)
  const distinct = new Map<string, number>();
  for (const q of qtexts) if (q) distinct.set(q, (distinct.get(q) ?? 0) + 1);
  const order = [...distinct.keys()].sort((a, b) => distinct.get(b)! - distinct.get(a)! || (a < b ? -1 : 1));
  const cl = clusterTexts(order, 0.8);
  const queryText = Array.from(cl.leaders, (l) => order[l]);
  const textCluster = new Map(order.map((q, k) => [q, cl.assign[k]] as [string, number]));
  const itemQuery = qtexts.map((q) => (q ? textCluster.get(q)! : -1));
  const item = I.toArray();
  const query = Int32Array.from(item, (i) => itemQuery[i]);
  return assembleDataset({
    name, userIds: users.ids, itemIds: items.ids,
    raw: { user: U.toArray(), item, time: T.toArray(), rating: R.toArray(), query },
    itemFeatures: meta ? { names: ['category', 'brand', 'price_band'], cardinalities: [cats.size, topBrands.size, PRICE_BOUNDS.length + 2], values: itemF } : undefined,
    itemTexts: texts, itemTitles: titles, queryText,
  });
}
