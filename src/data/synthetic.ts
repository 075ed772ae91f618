/**
 * The synthetic market, dpgcn's built-in data set. Users belong to latent
 * segments that shape both their static features (age, gender, region,
 * income band) and their taste; items sit in a category tree (top category >
 * leaf) with titles, brands and price bands; popularity follows a power law.
 * A user's session either issues a query (a phrase of a preferred leaf) and is
 * shown that leaf's items, or browses a feed; every impression is clicked
 * with its true probability
 *   p = sigmoid(b0 + <p_u + tau*d_u, q_i>/sqrt(dim) + pop_i + aff[seg_u, top_i] - w|income_u - price_i|)
 * where tau in [-1/2, 1/2] is time, so tastes drift. Clicks are the
 * interactions; the latest non-clicked impression is kept as the click's
 * shown negative. The oracle exposes p, so protocols can report the oracle AUC.
 * Every draw comes from one seeded Rng: same seed, same market.
 */
import { Rng } from '../tensor/rng.js';
import { Column, assembleDataset } from './build.js';
import { makeWords, leafQueries, makeTitle } from './synthetic_text.js';
import type { Dataset } from './types.js';
import { cdfIndex } from '../util/sorted.js';

export interface SyntheticOptions {
  users: number; items: number; interactions: number; seed: number;
  segments: number; dim: number; categories: number; subcategories: number;
  days: number; drift: number; queryRate: number; popularity: number;
}

export const SYNTHETIC_DEFAULTS: SyntheticOptions = {
  users: 2000, items: 1000, interactions: 40000, seed: 1,
  segments: 8, dim: 10, categories: 8, subcategories: 4,
  days: 180, drift: 1.0, queryRate: 0.5, popularity: 0.8,
};

/** Every impression shown (for `data synth` and for checking the generator). */
export interface ImpressionLog {
  user: Int32Array; item: Int32Array; time: Float64Array; query: Int32Array; click: Uint8Array; prob: Float32Array;
}

const T0 = 1577836800; // 2020-01-01T00:00:00Z
const B0 = -1.2, PRICE_W = 0.5, USER_NOISE = 0.5, ITEM_NOISE = 0.5;
const MAX_SESSION = 12;

export function syntheticName(o: SyntheticOptions): string {
  const parts = (Object.keys(SYNTHETIC_DEFAULTS) as (keyof SyntheticOptions)[])
    .filter((k) => o[k] !== SYNTHETIC_DEFAULTS[k]).map((k) => `${k}=${o[k]}`);
  return parts.length ? `synthetic:${parts.join(',')}` : 'synthetic';
}

function cumulative(w: ArrayLike<number>): Float64Array {
  const c = new Float64Array(w.length);
  let s = 0;
  for (let i = 0; i < w.length; i++) { s += w[i]; c[i] = s; }
  return c;
}
function categorical(rng: Rng, pref: number, card: number, pPref: number): number {
  return rng.uniform() < pPref ? pref : rng.int(card);
}

export function generateSynthetic(opts: Partial<SyntheticOptions> = {}): Dataset {
  return generateSyntheticLog(opts, false).dataset;
}

export function generateSyntheticLog(opts: Partial<SyntheticOptions> = {}, keepLog = true): { dataset: Dataset; log: ImpressionLog | null } {
  const o: SyntheticOptions = { ...SYNTHETIC_DEFAULTS, ...opts };
  const { users: nU, items: nI, segments: K, dim: d, categories: C } = o;
  const L = C * o.subcategories;
  const root = new Rng(o.seed);
  const rLatent = root.fork(), rFeat = root.fork(), rText = root.fork(), rLog = root.fork();
  const scale = 1 / Math.sqrt(d);
  const normals = (n: number, s: number, rng: Rng) => Float32Array.from({ length: n }, () => rng.normal(0, s));

  // latent structure
  const segC = normals(K * d, 1, rLatent), segDrift = normals(K * d, 1, rLatent);
  const topC = normals(C * d, 1, rLatent);
  const leafC = new Float32Array(L * d);
  for (let l = 0; l < L; l++) for (let k = 0; k < d; k++) leafC[l * d + k] = topC[Math.floor(l / o.subcategories) * d + k] + rLatent.normal(0, 0.6);
  const aff = normals(K * C, 0.5, rLatent);
  const segW = cumulative(Array.from({ length: K }, (_, k) => 1 / Math.sqrt(k + 1)));
  const seg = new Int32Array(nU), P = new Float32Array(nU * d), D = new Float32Array(nU * d);
  for (let u = 0; u < nU; u++) {
    const s = cdfIndex(segW, rLatent.uniform() * segW[K - 1], 0, K);
    seg[u] = s;
    for (let k = 0; k < d; k++) {
      P[u * d + k] = segC[s * d + k] + rLatent.normal(0, USER_NOISE);
      D[u * d + k] = o.drift * (segDrift[s * d + k] + rLatent.normal(0, 0.5));
    }
  }
  const leaf = new Int32Array(nI), top = new Int32Array(nI), Q = new Float32Array(nI * d), pop = new Float32Array(nI);
  const rank = rLatent.shuffle(Int32Array.from({ length: nI }, (_, i) => i));
  let meanLog = 0;
  for (let i = 0; i < nI; i++) meanLog += -o.popularity * Math.log(rank[i] + 1) / nI;
  for (let i = 0; i < nI; i++) {
    const l = i < L ? i : rLatent.int(L); // every leaf gets at least one item when nI >= L
    leaf[i] = l; top[i] = Math.floor(l / o.subcategories);
    for (let k = 0; k < d; k++) Q[i * d + k] = leafC[l * d + k] + rLatent.normal(0, ITEM_NOISE);
    pop[i] = 0.3 * (-o.popularity * Math.log(rank[i] + 1) - meanLog);
  }

  // static features, correlated with segment (users) and category (items)
  const segPref = Array.from({ length: K }, () => [rFeat.int(6), rFeat.int(2), rFeat.int(8), rFeat.int(5)]);
  const userF = new Int32Array(nU * 4), income = new Int32Array(nU);
  for (let u = 0; u < nU; u++) {
    const p = segPref[seg[u]];
    userF[u * 4] = categorical(rFeat, p[0], 6, 0.6); userF[u * 4 + 1] = categorical(rFeat, p[1], 2, 0.7);
    userF[u * 4 + 2] = categorical(rFeat, p[2], 8, 0.5); userF[u * 4 + 3] = income[u] = categorical(rFeat, p[3], 5, 0.6);
  }
  const leafPrice = Int32Array.from({ length: L }, () => rFeat.int(5));
  const brandsPerTop = Math.max(1, Math.min(8, Math.floor(nI / (C * 4))));
  const itemF = new Int32Array(nI * 4), price = new Int32Array(nI);
  const words = makeWords(rText, C, L, C * brandsPerTop);
  const titles: string[] = new Array(nI);
  for (let i = 0; i < nI; i++) {
    price[i] = Math.max(0, Math.min(4, leafPrice[leaf[i]] + Math.round(rFeat.normal(0, 0.7))));
    const brand = top[i] * brandsPerTop + rFeat.int(brandsPerTop);
    itemF.set([top[i], leaf[i], price[i], brand], i * 4);
    titles[i] = makeTitle(rText, words, leaf[i], top[i], brand);
  }
  const queryText: string[] = [];
  for (let l = 0; l < L; l++) queryText.push(...leafQueries(words, l, Math.floor(l / o.subcategories)));

  const span = o.days * 86400;
  const clickProb = (u: number, i: number, t: number): number => {
    const tau = Math.min(0.5, Math.max(-0.5, (t - T0) / span - 0.5));
    let dot = 0;
    for (let k = 0, a = u * d, b = i * d; k < d; k++) dot += (P[a + k] + tau * D[a + k]) * Q[b + k];
    const z = B0 + dot * scale + pop[i] + aff[seg[u] * C + top[i]] - PRICE_W * Math.abs(income[u] - price[i]);
    return 1 / (1 + Math.exp(-z));
  };

  // exposure: per-user leaf preference (static taste), per-leaf and global popularity
  const popW = Float64Array.from(rank, (r) => Math.pow(r + 1, -o.popularity));
  const globalCdf = cumulative(popW);
  const leafPtr = new Int32Array(L + 1);
  for (let i = 0; i < nI; i++) leafPtr[leaf[i] + 1]++;
  for (let l = 0; l < L; l++) leafPtr[l + 1] += leafPtr[l];
  const leafItems = new Int32Array(nI), fill = leafPtr.slice(0, L);
  for (let i = 0; i < nI; i++) leafItems[fill[leaf[i]]++] = i;
  const leafCdf = new Float64Array(nI);
  for (let l = 0; l < L; l++) { let s = 0; for (let p = leafPtr[l]; p < leafPtr[l + 1]; p++) leafCdf[p] = s += popW[leafItems[p]]; }
  const drawGlobal = () => cdfIndex(globalCdf, rLog.uniform() * globalCdf[nI - 1], 0, nI);
  const drawLeafItem = (l: number) => {
    const a = leafPtr[l], b = leafPtr[l + 1];
    if (a === b) return drawGlobal();
    return leafItems[cdfIndex(leafCdf, rLog.uniform() * leafCdf[b - 1], a, b)];
  };
  const userLeafCdf = new Float32Array(L);

  // clicks per user: lognormal activity, at least min(5, N/U)
  const N = o.interactions;
  const minPer = Math.max(1, Math.min(5, Math.floor(N / nU)));
  const act = Float64Array.from({ length: nU }, () => Math.exp(rLog.normal(0, 0.7)));
  const actSum = act.reduce((a, b) => a + b, 0);
  const extra = Math.max(0, N - minPer * nU);
  const target = Int32Array.from(act, (w) => minPer + Math.floor(extra * w / actSum));
  let left = N - target.reduce((a, b) => a + b, 0);
  for (let u = 0; left > 0; u = (u + 1) % nU, left--) target[u]++;

  const cu = new Column(Int32Array, N + 16), ci = new Column(Int32Array, N + 16), ct = new Column(Float64Array, N + 16);
  const cq = new Column(Int32Array, N + 16), cn = new Column(Int32Array, N + 16);
  const lg = keepLog ? { u: new Column(Int32Array), i: new Column(Int32Array), t: new Column(Float64Array), q: new Column(Int32Array),
    c: new Column(Int32Array), p: new Column(Float32Array) } : null;
  for (let u = 0; u < nU; u++) {
    let s = 0;
    for (let l = 0; l < L; l++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += P[u * d + k] * leafC[l * d + k];
      userLeafCdf[l] = s += Math.exp(dot * scale + aff[seg[u] * C + Math.floor(l / o.subcategories)]);
    }
    const start = T0 + span * 0.5 * rLog.uniform(), uspan = T0 + span - start;
    const n = target[u];
    let clicks = 0, inWindow = 0, lastNeg = -1, pendingFrom = cn.length;
    for (let attempt = 0; clicks < n && attempt < 8 * n; attempt++) {
      const r = rLog.uniform();
      const l = r < o.queryRate + (1 - o.queryRate) / 2 ? cdfIndex(userLeafCdf, rLog.uniform() * s, 0, L) : -1;
      const q = r < o.queryRate ? l * 3 + rLog.int(3) : -1;
      for (let m = 0; m < MAX_SESSION; m++) {
        const item = l >= 0 ? drawLeafItem(l) : drawGlobal();
        // time runs through n windows, one per click; impressions creep toward the window's end
        const t = Math.round(start + uspan * (clicks + 1 - Math.pow(0.8, ++inWindow)) / n);
        const p = clickProb(u, item, t);
        const click = rLog.uniform() < p;
        if (lg) { lg.u.push(u); lg.i.push(item); lg.t.push(t); lg.q.push(q); lg.c.push(click ? 1 : 0); lg.p.push(p); }
        if (click) {
          cu.push(u); ci.push(item); ct.push(t); cq.push(q); cn.push(lastNeg);
          clicks++; inWindow = 0;
          break;
        }
        lastNeg = item;
        // clicks logged before this user's first non-click get it as their negative
        for (let k = pendingFrom; k < cn.length; k++) if (cn.get(k) < 0) cn.set(k, item);
        pendingFrom = cn.length;
      }
    }
  }
  const ds = assembleDataset({
    name: syntheticName(o),
    userIds: Array.from({ length: nU }, (_, u) => `u${u}`), itemIds: Array.from({ length: nI }, (_, i) => `i${i}`),
    raw: { user: cu.toArray(), item: ci.toArray(), time: ct.toArray(), rating: null, query: cq.toArray(), shownNegative: cn.toArray() },
    userFeatures: { names: ['age_band', 'gender', 'region', 'income_band'], cardinalities: [6, 2, 8, 5], values: userF },
    itemFeatures: { names: ['category', 'subcategory', 'price_band', 'brand'], cardinalities: [C, L, 5, C * brandsPerTop], values: itemF },
    itemTexts: titles, itemTitles: titles, queryText,
  });
  const taste = (u: number, tau: number): Float32Array => Float32Array.from({ length: d }, (_, k) => P[u * d + k] + tau * D[u * d + k]);
  const logit = (u: number, i: number, tau: number, shift: Float32Array | null): number => {
    let dot = 0;
    for (let k = 0, a = u * d, b = i * d; k < d; k++) dot += (P[a + k] + tau * D[a + k] + (shift ? shift[k] : 0)) * Q[b + k];
    return B0 + dot * scale + pop[i] + aff[seg[u] * C + top[i]] - PRICE_W * Math.abs(income[u] - price[i]);
  };
  ds.oracle = { clickProb, segments: seg, market: { dim: d, item: Q, leaf, days: o.days, taste, logit } };
  const log = lg ? { user: lg.u.toArray(), item: lg.i.toArray(), time: lg.t.toArray(), query: lg.q.toArray(),
    click: Uint8Array.from(lg.c.toArray()), prob: lg.p.toArray() } : null;
  return { dataset: ds, log };
}
