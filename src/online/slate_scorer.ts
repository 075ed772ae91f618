/**
 * The decision layer's scorer and state (docs/decision.md). The scorer is
 * LinUCB over the model's item tower (./bandits.ts, the per-user ridge
 * posterior updated by every impression) with continuous knobs; action
 * a = 0 is LinUCB exactly, and each knob moves one thing:
 *   a0  the uncertainty bonus: alpha (1 + a0);
 *   a1  a penalty on the item's own decayed exposure to this user;
 *   a2  a penalty on the decayed exposure of the item's category;
 *   a3  the model's own score (GCN / fusion / item-item), z-scored;
 *   a4  a penalty on similarity to the items shown and not clicked (this session);
 *   a5.. a shift of the user's posterior mean along the item embeddings'
 *        leading principal directions.
 * The candidate pool is the 5K best of mean + the terms that need no bonus
 * (as LinUCB's pool is the 5K best means), then the bonus is added.
 *
 * The state: the model's user vector (unit), the posterior mean theta_u,
 * session features (step, no-click streak, clicks this session, sessions so
 * far, days since the last visit, recent click rate, observations), the
 * decayed exposure of every category, and how stale LinUCB's own slate is
 * (its items' and categories' mean exposure). All of it is computable from
 * what a served recommender logs: no true probability enters.
 */
import type { LinearBandit } from './bandits.js';

/** Knob scales: a knob at +-1 moves a score by this much (the posterior means are O(0.1-1)). */
export const KNOBS = { bonus: 1, item: 0.3, category: 0.05, prior: 0.3, notClicked: 0.5, shift: 0.3 } as const;
/** Decay of exposure per slate and per day between sessions (the learner's own choice; not the market's). */
const SLATE_DECAY = 0.8, DAY_DECAY = 0.5, CTR_MEMORY = 0.8;
export const FIXED_KNOBS = 5;

/** What the tracker keeps about one user over the horizon. */
interface UserTrack {
  itemExpo: Map<number, number>;
  cat: Float32Array;
  lastDay: number;
  sessions: number;
  step: number;
  noClick: number;
  sessionClicks: number;
  ctr: number;
  obs: number;
  /** Sum of unit rows shown and not clicked this session, and their count. */
  nc: Float32Array;
  ncN: number;
}

export class SlateFeatures {
  private readonly users = new Map<number, UserTrack>();
  readonly numCats: number;
  constructor(private readonly cats: Int32Array, private readonly dim: number) {
    this.numCats = cats.length ? Math.max(...cats) + 1 : 1;
  }

  track(u: number): UserTrack {
    let t = this.users.get(u);
    if (!t) {
      t = { itemExpo: new Map(), cat: new Float32Array(this.numCats), lastDay: -1, sessions: 0, step: 0, noClick: 0, sessionClicks: 0,
        ctr: 0.25, obs: 0, nc: new Float32Array(this.dim), ncN: 0 };
      this.users.set(u, t);
    }
    return t;
  }

  /** A new session on day (decays exposure over the days since the last). */
  startSession(u: number, day: number): void {
    const t = this.track(u);
    if (t.lastDay >= 0 && day > t.lastDay) {
      const f = Math.pow(DAY_DECAY, day - t.lastDay);
      for (let c = 0; c < t.cat.length; c++) t.cat[c] *= f;
      for (const [i, v] of t.itemExpo) t.itemExpo.set(i, v * f);
    }
    t.sessions++; t.step = 0; t.noClick = 0; t.sessionClicks = 0; t.nc.fill(0); t.ncN = 0;
  }

  /** Days since the last session (0 in the first). */
  gap(u: number, day: number): number { const t = this.track(u); return t.lastDay >= 0 ? day - t.lastDay : 0; }

  itemExposure(t: UserTrack, i: number): number { return t.itemExpo.get(i) ?? 0; }

  /** After a slate: exposure, streaks, click rate, shown-not-clicked mean. */
  observe(u: number, day: number, items: Int32Array, clicks: Uint8Array, X: Float32Array): void {
    const t = this.track(u), d = this.dim;
    for (let c = 0; c < t.cat.length; c++) t.cat[c] *= SLATE_DECAY;
    for (const [i, v] of t.itemExpo) { if (v * SLATE_DECAY < 0.01) t.itemExpo.delete(i); else t.itemExpo.set(i, v * SLATE_DECAY); }
    let n = 0;
    items.forEach((i, j) => {
      t.itemExpo.set(i, (t.itemExpo.get(i) ?? 0) + 1);
      t.cat[this.cats[i]] += 1;
      if (clicks[j]) n++;
      else { for (let k = 0; k < d; k++) t.nc[k] += X[i * d + k]; t.ncN++; }
    });
    t.step++; t.noClick = n > 0 ? 0 : t.noClick + 1; t.sessionClicks += n; t.obs += items.length;
    t.ctr = CTR_MEMORY * t.ctr + (1 - CTR_MEMORY) * n / Math.max(1, items.length);
    t.lastDay = day;
  }
}

/** The pre-bonus terms, bonus scale and post term of action a for user u (see the header). */
export function knobTerms(a: Float32Array, f: SlateFeatures, u: number, cats: Int32Array, X: Float32Array, d: number,
  prior: Float32Array | null, proj: Float32Array | null, m: number): { pre: Float32Array | null; alphaScale: number } {
  const n = cats.length, t = f.track(u);
  const alphaScale = 1 + KNOBS.bonus * a[0];
  let any = false;
  for (let k = 1; k < a.length; k++) if (a[k] !== 0) any = true;
  if (!any) return { pre: null, alphaScale };
  const pre = new Float32Array(n);
  if (a[1] !== 0) for (const [i, v] of t.itemExpo) pre[i] -= KNOBS.item * a[1] * v;
  if (a[2] !== 0) for (let i = 0; i < n; i++) pre[i] -= KNOBS.category * a[2] * t.cat[cats[i]];
  if (a[3] !== 0 && prior) for (let i = 0; i < n; i++) pre[i] += KNOBS.prior * a[3] * prior[i];
  if (a[4] !== 0 && t.ncN > 0) {
    const c = Float32Array.from(t.nc, (v) => v / t.ncN);
    for (let i = 0; i < n; i++) { let s = 0; for (let k = 0; k < d; k++) s += c[k] * X[i * d + k]; pre[i] -= KNOBS.notClicked * a[4] * s; }
  }
  if (proj && m > 0) {
    const w = KNOBS.shift / Math.sqrt(m);
    for (let i = 0; i < n; i++) { let s = 0; for (let k = 0; k < m; k++) s += a[FIXED_KNOBS + k] * proj[i * m + k]; pre[i] += w * s; }
  }
  return { pre, alphaScale };
}

/** z-scores of a score vector (a constant vector gives zeros). */
export function zscore(x: Float32Array): Float32Array {
  let s = 0, ss = 0;
  for (const v of x) { s += v; ss += v * v; }
  const mu = s / x.length, sd = Math.sqrt(Math.max(1e-12, ss / x.length - mu * mu));
  return Float32Array.from(x, (v) => (v - mu) / sd);
}

/** State size for model dim d and C categories. */
export const stateSize = (d: number, C: number): number => 2 * d + 10 + C;

/** The state vector of user u now (see the header); ref is LinUCB's own slate at this moment. */
export function slateState(f: SlateFeatures, u: number, day: number, userVec: Float32Array, bandit: LinearBandit, mean: Float32Array,
  ref: Int32Array, cats: Int32Array): Float32Array {
  const d = bandit.dim, t = f.track(u), C = f.numCats, out = new Float32Array(stateSize(d, C));
  let nu = 0;
  for (const v of userVec) nu += v * v;
  nu = nu > 0 ? 1 / Math.sqrt(nu) : 0;
  for (let k = 0; k < d; k++) out[k] = userVec[k] * nu;
  // theta enters through its scores' direction: theta^T x over the rows is `mean`; store theta itself
  const th = bandit.posterior(u).theta;
  for (let k = 0; k < d; k++) out[d + k] = th[k];
  let o = 2 * d, expo = 0, cexpo = 0, mref = 0;
  for (const i of ref) { expo += f.itemExposure(t, i) / ref.length; cexpo += t.cat[cats[i]] / ref.length; mref += mean[i] / ref.length; }
  const feats = [t.step / 10, Math.min(t.noClick, 3) / 3, t.sessionClicks / 10, Math.log1p(t.sessions) / 3, Math.min(f.gap(u, day), 10) / 5,
    t.ctr * 4, Math.log1p(t.obs) / 6, expo, cexpo / 5, mref];
  for (const v of feats) out[o++] = v;
  for (let c = 0; c < C; c++) out[o++] = t.cat[c] / 5;
  return out;
}
