/**
 * Subsetting a Dataset: keep some interactions (implicit feedback from a
 * rating threshold) and drop users and items left without any (k-core
 * filtering: repeat until every user and item has at least k). Ids are
 * re-densified; features, texts and the oracle follow the new ids.
 */
import type { Dataset } from './types.js';
import { CsrMatrix } from '../sparse/csr.js';
import { makeInteractions } from './build.js';

function rowSubset(m: CsrMatrix, rows: Int32Array): CsrMatrix {
  const ptr = new Int32Array(rows.length + 1);
  for (let k = 0; k < rows.length; k++) ptr[k + 1] = ptr[k] + m.rowPtr[rows[k] + 1] - m.rowPtr[rows[k]];
  const ci = new Int32Array(ptr[rows.length]), v = new Float32Array(ptr[rows.length]);
  for (let k = 0; k < rows.length; k++) {
    const a = m.rowPtr[rows[k]], b = m.rowPtr[rows[k] + 1];
    ci.set(m.colIdx.subarray(a, b), ptr[k]); v.set(m.values.subarray(a, b), ptr[k]);
  }
  return new CsrMatrix(rows.length, m.cols, ptr, ci, v);
}

function featureRows(values: Int32Array, f: number, rows: Int32Array): Int32Array {
  const out = new Int32Array(rows.length * f);
  for (let k = 0; k < rows.length; k++) out.set(values.subarray(rows[k] * f, rows[k] * f + f), k * f);
  return out;
}

/** Keeps interactions with keep[k] = 1 and the users and items that still have one. */
export function subsetDataset(ds: Dataset, keep: Uint8Array): Dataset {
  const it = ds.interactions;
  const uNew = new Int32Array(ds.numUsers).fill(-1), iNew = new Int32Array(ds.numItems).fill(-1);
  let n = 0;
  for (let k = 0; k < it.length; k++) if (keep[k]) { uNew[it.user[k]] = 0; iNew[it.item[k]] = 0; n++; }
  const users: number[] = [], items: number[] = [];
  for (let u = 0; u < ds.numUsers; u++) if (uNew[u] === 0) { uNew[u] = users.length; users.push(u); }
  for (let i = 0; i < ds.numItems; i++) if (iNew[i] === 0) { iNew[i] = items.length; items.push(i); }
  const ua = Int32Array.from(users), ia = Int32Array.from(items);
  const user = new Int32Array(n), item = new Int32Array(n), time = new Float64Array(n), query = new Int32Array(n);
  const rating = it.rating ? new Float32Array(n) : null;
  const neg = ds.shownNegative ? new Int32Array(n) : null;
  const userPtr = new Int32Array(ua.length + 1);
  let w = 0;
  for (let k = 0; k < it.length; k++) {
    if (!keep[k]) continue;
    user[w] = uNew[it.user[k]]; item[w] = iNew[it.item[k]]; time[w] = it.time[k]; query[w] = it.query[k];
    if (rating) rating[w] = it.rating![k];
    if (neg) { const x = ds.shownNegative![k]; neg[w] = x >= 0 ? iNew[x] : -1; } // a dropped item is no longer a negative
    userPtr[user[w] + 1]++;
    w++;
  }
  for (let u = 0; u < ua.length; u++) userPtr[u + 1] += userPtr[u];
  const uf = ds.userFeatures, itf = ds.itemFeatures;
  const orig = ds.oracle;
  return {
    ...ds,
    numUsers: ua.length, numItems: ia.length,
    userIds: users.map((u) => ds.userIds[u]), itemIds: items.map((i) => ds.itemIds[i]),
    interactions: makeInteractions(user, item, time, rating, query), userPtr,
    userFeatures: { ...uf, values: uf.names.length ? featureRows(uf.values, uf.names.length, ua) : uf.values },
    itemFeatures: { ...itf, values: itf.names.length ? featureRows(itf.values, itf.names.length, ia) : itf.values },
    itemTerms: rowSubset(ds.itemTerms, ia), itemTitles: items.map((i) => ds.itemTitles[i]),
    shownNegative: neg,
    social: ds.social ? subsetSocial(ds.social, ua, uNew) : null,
    oracle: orig ? { clickProb: (u, i, t) => orig.clickProb(ua[u], ia[i], t), segments: Int32Array.from(ua, (u) => orig.segments[u]) } : null,
  };
}

function subsetSocial(s: CsrMatrix, ua: Int32Array, uNew: Int32Array): CsrMatrix {
  const ptr = new Int32Array(ua.length + 1), ci: number[] = [];
  for (let k = 0; k < ua.length; k++) {
    for (let p = s.rowPtr[ua[k]]; p < s.rowPtr[ua[k] + 1]; p++) { const v = uNew[s.colIdx[p]]; if (v >= 0) ci.push(v); }
    ptr[k + 1] = ci.length;
  }
  return new CsrMatrix(ua.length, ua.length, ptr, Int32Array.from(ci), new Float32Array(ci.length).fill(1));
}

/** Implicit feedback: keeps interactions with rating >= threshold (data sets without ratings are unchanged). */
export function applyThreshold(ds: Dataset, threshold: number): Dataset {
  const r = ds.interactions.rating;
  if (!r) return ds;
  return subsetDataset(ds, Uint8Array.from(r, (x) => (x >= threshold ? 1 : 0)));
}

/** Iterated k-core: every remaining user and item has at least k interactions. */
export function kCore(ds: Dataset, k: number): Dataset {
  const it = ds.interactions;
  const keep = new Uint8Array(it.length).fill(1);
  for (;;) {
    const du = new Int32Array(ds.numUsers), di = new Int32Array(ds.numItems);
    for (let j = 0; j < it.length; j++) if (keep[j]) { du[it.user[j]]++; di[it.item[j]]++; }
    let changed = false;
    for (let j = 0; j < it.length; j++) {
      if (keep[j] && (du[it.user[j]] < k || di[it.item[j]] < k)) { keep[j] = 0; changed = true; }
    }
    if (!changed) break;
  }
  return subsetDataset(ds, keep);
}
