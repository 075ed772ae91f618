/**
 * What a segment is, in the data: its static-feature mix, categories,
 * queries and terms, price band and activity, each against the population
 * (index = segment share / population share; 1 = like everyone).
 */
import type { Dataset, Interactions } from '../data/types.js';
import type { SegmentProfile, ValueShare } from './types.js';

/** The item feature that names a category: 'category' or 'primary_genre' when present, else the first one; -1 = none. */
export function categoryFeature(ds: Dataset): number {
  const names = ds.itemFeatures.names;
  for (const n of ['category', 'primary_genre']) { const c = names.indexOf(n); if (c >= 0) return c; }
  return names.length > 0 ? 0 : -1;
}

const ratio = (a: number, b: number): number => (b > 0 ? a / b : 0);

/** Distribution of a categorical column over groups: counts[g * card + v]. */
function counts(groupOf: (row: number) => number, value: (row: number) => number, rows: number, groups: number, card: number): Float64Array {
  const c = new Float64Array((groups + 1) * card);
  for (let r = 0; r < rows; r++) {
    const g = groupOf(r), v = value(r);
    if (g < 0 || v < 0) continue;
    c[g * card + v]++;
    c[groups * card + v]++; // the last group is the population
  }
  return c;
}

function shares(c: Float64Array, g: number, card: number): number[] {
  let t = 0;
  for (let v = 0; v < card; v++) t += c[g * card + v];
  return Array.from({ length: card }, (_, v) => ratio(c[g * card + v], t));
}

export interface Profiler {
  profile(seg: number): Omit<SegmentProfile, 'expectedCtr' | 'populationExpectedCtr'>;
  categories(seg: number, top: number): { category: number; label: string; share: number; population: number; index: number }[];
}

export function profiler(ds: Dataset, it: Interactions, labels: Int32Array, k: number, top: number): Profiler {
  const uf = ds.userFeatures, G = uf.names.length, nU = ds.numUsers;
  const staticCounts = uf.names.map((_, g) => counts((u) => labels[u], (u) => uf.values[u * G + g], nU, k, uf.cardinalities[g]));
  const itf = ds.itemFeatures, F = itf.names.length, cf = categoryFeature(ds), pf = itf.names.indexOf('price_band');
  const segOfRow = (r: number) => labels[it.user[r]];
  const catCard = cf >= 0 ? itf.cardinalities[cf] : 0;
  const catCounts = cf >= 0 ? counts(segOfRow, (r) => itf.values[it.item[r] * F + cf], it.length, k, catCard) : null;
  const priceCounts = pf >= 0 ? counts(segOfRow, (r) => itf.values[it.item[r] * F + pf], it.length, k, itf.cardinalities[pf]) : null;
  const size = new Float64Array(k + 1), rows = new Float64Array(k + 1), withQuery = new Float64Array(k + 1);
  for (const l of labels) { size[l]++; size[k]++; }
  const queryCount: Map<number, number>[] = Array.from({ length: k }, () => new Map());
  for (let r = 0; r < it.length; r++) {
    const s = segOfRow(r);
    rows[s]++; rows[k]++;
    const q = it.query[r];
    if (q < 0) continue;
    withQuery[s]++; withQuery[k]++;
    queryCount[s].set(q, (queryCount[s].get(q) ?? 0) + 1);
  }
  const catLabel = (v: number) => (cf >= 0 ? `${itf.names[cf]}=${v}` : String(v));
  const topN = <T>(a: T[], key: (x: T) => number, tie: (x: T) => number) => a.sort((x, y) => key(y) - key(x) || tie(x) - tie(y)).slice(0, top);
  return {
    profile(seg) {
      const st = uf.names.map((feature, g) => {
        const card = uf.cardinalities[g], s = shares(staticCounts[g], seg, card), p = shares(staticCounts[g], k, card);
        const values: ValueShare[] = s.map((share, v) => ({ value: v, label: `${feature}=${v}`, share, population: p[v], index: ratio(share, p[v]) }));
        return { feature, values };
      });
      const qs = [...queryCount[seg].entries()].map(([query, count]) => ({ query, text: ds.queryText[query] ?? '', count, share: ratio(count, withQuery[seg]) }));
      const terms = new Map<number, number>();
      const qt = ds.queryTerms;
      for (const [q, c] of queryCount[seg]) {
        if (q >= qt.rows) continue;
        for (let p = qt.rowPtr[q]; p < qt.rowPtr[q + 1]; p++) terms.set(qt.colIdx[p], (terms.get(qt.colIdx[p]) ?? 0) + c);
      }
      const tt = topN([...terms.entries()].map(([t, count]) => ({ t, count })), (x) => x.count, (x) => x.t)
        .map(({ t, count }) => ({ term: ds.vocab[t] ?? String(t), count }));
      let priceBand: SegmentProfile['priceBand'] = null;
      if (priceCounts) {
        const card = itf.cardinalities[pf], s = shares(priceCounts, seg, card), p = shares(priceCounts, k, card);
        const mean = (a: number[]) => a.reduce((m, w, v) => m + w * v, 0);
        priceBand = { mean: mean(s), population: mean(p), shares: s };
      }
      return {
        static: st,
        topQueries: topN(qs, (x) => x.count, (x) => x.query),
        topTerms: tt,
        priceBand,
        activity: { interactionsPerUser: ratio(rows[seg], size[seg]), population: ratio(rows[k], size[k]),
          queryShare: ratio(withQuery[seg], rows[seg]), populationQueryShare: ratio(withQuery[k], rows[k]) },
      };
    },
    categories(seg, n) {
      if (!catCounts) return [];
      const s = shares(catCounts, seg, catCard), p = shares(catCounts, k, catCard);
      return s.map((share, v) => ({ category: v, label: catLabel(v), share, population: p[v], index: ratio(share, p[v]) }))
        .sort((a, b) => b.share - a.share || a.category - b.category).slice(0, n);
    },
  };
}
