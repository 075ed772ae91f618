/**
 * Targeting from the model's scores. For a seeded sample of each segment's
 * users, the model's click probabilities sigmoid(logit) against every item
 * are averaged into the segment's expected CTR per item, p_s(i); the
 * population's is the size-weighted mean of the segments', p(i). An item's
 * gain p_s(i) - p(i) is the extra clicks per impression shown to the segment
 * rather than to anyone; targets are the items with the largest gain (lift =
 * p_s / p beside it).
 */
import type { Rng } from '../tensor/rng.js';
import type { Dataset } from '../data/types.js';
import { categoryFeature } from './profile.js';
import type { Segment, ScoredItem, Target } from './types.js';

export interface SegmentCtr {
  /** k x numItems expected CTRs. */
  perSegment: Float64Array;
  population: Float64Array;
}

/** Mean click probabilities per segment from up to `perSegment` sampled users each, scored `batch` users at a time. */
export function segmentCtr(labels: Int32Array, k: number, numItems: number, scoreUsers: (u: Int32Array) => Float32Array, rng: Rng,
  perSegment: number, batch = 64): SegmentCtr {
  const members: number[][] = Array.from({ length: k }, () => []);
  labels.forEach((l, u) => members[l].push(u));
  const out = new Float64Array(k * numItems), pop = new Float64Array(numItems);
  for (let s = 0; s < k; s++) {
    const m = members[s];
    if (m.length === 0) continue;
    const pick = m.length <= perSegment ? Int32Array.from(m) : Int32Array.from(rng.sample(m.length, perSegment), (j) => m[j]).sort();
    const row = out.subarray(s * numItems, (s + 1) * numItems);
    for (let b0 = 0; b0 < pick.length; b0 += batch) {
      const users = pick.subarray(b0, Math.min(pick.length, b0 + batch)), z = scoreUsers(users);
      for (let r = 0; r < users.length; r++) for (let i = 0; i < numItems; i++) row[i] += 1 / (1 + Math.exp(-z[r * numItems + i]));
    }
    const w = m.length / labels.length;
    for (let i = 0; i < numItems; i++) { row[i] /= pick.length; pop[i] += w * row[i]; }
  }
  return { perSegment: out, population: pop };
}

const ratio = (a: number, b: number): number => (b > 0 ? a / b : 0);

function order(n: number, key: (i: number) => number): number[] {
  return Array.from({ length: n }, (_, i) => i).sort((a, b) => key(b) - key(a) || a - b);
}

export function targetSegment(ds: Dataset, ctr: SegmentCtr, s: number, top: number): Pick<Segment, 'topItems' | 'targets'> & { expectedCtr: number; populationCtr: number } {
  const nI = ds.numItems, p = ctr.perSegment.subarray(s * nI, (s + 1) * nI), q = ctr.population;
  const item = (i: number): ScoredItem => ({ item: ds.itemIds[i], index: i, title: ds.itemTitles[i] ?? '', expectedCtr: p[i] });
  const topItems = order(nI, (i) => p[i]).slice(0, top).map(item);
  const gain = order(nI, (i) => p[i] - q[i]).slice(0, top);
  const items: Target[] = gain.map((i) => ({ ...item(i), populationCtr: q[i], lift: ratio(p[i], q[i]), gain: p[i] - q[i] }));
  let rs = 0, rp = 0;
  for (const i of gain) { rs += p[i]; rp += q[i]; }
  const cf = categoryFeature(ds), F = ds.itemFeatures.names.length;
  const categories: Segment['targets']['categories'] = [];
  if (cf >= 0) {
    const card = ds.itemFeatures.cardinalities[cf], sp = new Float64Array(card), pp = new Float64Array(card), cnt = new Float64Array(card);
    for (let i = 0; i < nI; i++) { const c = ds.itemFeatures.values[i * F + cf]; sp[c] += p[i]; pp[c] += q[i]; cnt[c]++; }
    for (const c of order(card, (c) => (cnt[c] > 0 ? ratio(sp[c], pp[c]) : -Infinity)).slice(0, top)) {
      if (cnt[c] === 0) continue;
      categories.push({ category: c, label: `${ds.itemFeatures.names[cf]}=${c}`, expectedCtr: sp[c] / cnt[c], populationCtr: pp[c] / cnt[c], lift: ratio(sp[c], pp[c]) });
    }
  }
  let all = 0, allPop = 0;
  for (let i = 0; i < nI; i++) { all += p[i]; allPop += q[i]; }
  return {
    topItems,
    targets: { items, categories, expectedResponse: { ctr: rs / Math.max(1, gain.length), populationCtr: rp / Math.max(1, gain.length), lift: ratio(rs, rp) } },
    expectedCtr: all / Math.max(1, nI), populationCtr: allPop / Math.max(1, nI),
  };
}
