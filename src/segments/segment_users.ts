/**
 * segmentUsers: market segments from a model's user representation (DESIGN
 * §10). k-means++ on the representation (k fixed or chosen by silhouette),
 * then for each segment its profile in the data and its targets in the
 * model's scores; stability between seeds and time windows; and, where the
 * data set knows its true segments (the synthetic market), ARI/NMI against
 * them beside the two baselines. The true segments never choose anything.
 */
import { Rng } from '../tensor/rng.js';
import { UserError } from '../errors.js';
import type { Points } from './distance.js';
import { kmeans } from './kmeans.js';
import { silhouette } from './silhouette.js';
import { selectK } from './select_k.js';
import { pca } from './pca.js';
import { adjustedRandIndex, normalizedMutualInfo } from './agreement.js';
import { profiler } from './profile.js';
import { segmentCtr, targetSegment } from './targeting.js';
import { categoryCounts, staticOneHot } from './baselines.js';
import { separation } from './diagnostics.js';
import type { Agreement, Representation, Segment, SegmentInput, SegmentOptions, SegmentsResult } from './types.js';

export function segmentUsers(input: SegmentInput, options: SegmentOptions = {}): SegmentsResult {
  const t0 = performance.now();
  const ds = input.dataset, n = ds.numUsers;
  const root = new Rng(options.seed ?? 1);
  const rK = root.fork(), rSeed2 = root.fork(), rWin = root.fork(), rBase = root.fork(), rCtr = root.fork(), rProj = root.fork(), rSil = root.fork();
  const restarts = options.restarts ?? 32, sample = options.silhouetteSample ?? 2000, top = options.top ?? 5;
  const kOpt = options.k ?? 'auto';
  if (kOpt !== 'auto' && (!Number.isInteger(kOpt) || kOpt < 1 || kOpt > n)) throw new UserError(`--k: must be 'auto' or an integer in [1, ${n}] (got ${kOpt})`);
  const cands: Representation[] = [{ users: input.users, dim: input.dim, representation: input.representation, windows: input.windows }, ...(input.alternatives ?? [])];
  // each representation clustered with the same random streams; the highest silhouette wins (the first on a tie)
  const tried = cands.map((c) => {
    if (c.users.length !== n * c.dim) throw new UserError(`segmentUsers: ${c.representation} holds ${c.users.length} values, expected ${n} users x ${c.dim}`);
    const pts: Points = { data: c.users, n, d: c.dim }, rk = new Rng(rK.seed), rs = new Rng(rSil.seed);
    if (kOpt === 'auto') { const r = selectK(pts, rk, { kMin: options.kMin, kMax: options.kMax, restarts, sample }); return { c, pts, km: r.best, sil: r.silhouette, kScores: r.scores }; }
    const km = kmeans(pts, { k: kOpt, rng: rk, restarts });
    return { c, pts, km, sil: silhouette(pts, km.labels, kOpt, { sample, rng: rs }), kScores: [] as SegmentsResult['kScores'] };
  });
  const best = tried.reduce((a, b) => (b.sil > a.sil ? b : a));
  const { pts, km, sil, kScores } = best, d = best.c.dim;
  input = { ...input, users: best.c.users, dim: d, representation: best.c.representation, windows: best.c.windows };
  const representations = tried.map((t) => ({ representation: t.c.representation, k: t.km.k, silhouette: t.sil }));
  const k = km.k, labels = km.labels;
  const cluster = (p: Points, rng: Rng) => kmeans(p, { k, rng, restarts }).labels;

  const seeds = adjustedRandIndex(labels, cluster(pts, rSeed2));
  let windows: number | null = null;
  if (input.windows) {
    const a = cluster({ data: input.windows.early, n, d }, rWin.fork()), b = cluster({ data: input.windows.late, n, d }, rWin.fork());
    windows = adjustedRandIndex(a, b);
  }

  const truth = ds.oracle?.segments ?? null;
  const agree = (l: Int32Array): Agreement | null => (truth ? { ari: adjustedRandIndex(l, truth), nmi: normalizedMutualInfo(l, truth) } : null);
  const cc = categoryCounts(ds, input.interactions);
  const baselines = {
    staticFeatures: ds.userFeatures.names.length > 0 ? agree(cluster(staticOneHot(ds), rBase.fork())) : null,
    categoryCounts: cc ? agree(cluster(cc, rBase.fork())) : null,
  };

  const prof = profiler(ds, input.interactions, labels, k, top);
  const ctr = segmentCtr(labels, k, ds.numItems, input.scoreUsers, rCtr, options.scoredUsers ?? 200);
  const size = new Int32Array(k);
  for (const l of labels) size[l]++;
  const segments: Segment[] = [];
  for (let s = 0; s < k; s++) {
    const t = targetSegment(ds, ctr, s, top);
    segments.push({
      id: s, size: size[s], share: size[s] / n,
      profile: { ...prof.profile(s), expectedCtr: t.expectedCtr, populationExpectedCtr: t.populationCtr },
      topCategories: prof.categories(s, top), topItems: t.topItems, targets: t.targets,
    });
  }

  const proj = pca(pts, rProj.fork(), 2);
  const keep = Math.min(n, options.projectionUsers ?? 1500);
  const shown = keep === n ? Int32Array.from({ length: n }, (_, i) => i) : rProj.sample(n, keep).sort();
  const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
  const result: SegmentsResult = {
    data: ds.name, representation: input.representation, users: n, k, silhouette: sil, kScores, ...(cands.length > 1 ? { representations } : {}),
    ...(truth ? { ari: adjustedRandIndex(labels, truth), nmi: normalizedMutualInfo(labels, truth), trueSegments: new Set(truth).size, separation: separation(pts, truth) } : {}),
    stabilityAri: { seeds, timeWindows: windows, ...(input.windows ? { timeWindowsDescription: input.windows.description } : {}) },
    baselines, segments, labels, centroids: km.centroids,
    projection: { x: Array.from(shown, (u) => r4(proj.coords[u * 2])), y: Array.from(shown, (u) => r4(proj.coords[u * 2 + 1])),
      segment: Array.from(shown, (u) => labels[u]), explained: proj.explained },
    seconds: (performance.now() - t0) / 1000,
  };
  return result;
}


/** The result as JSON (the command's and a server's): everything but the per-user labels, the centroids and the projection. */
export function segmentsJson(r: SegmentsResult): Omit<SegmentsResult, 'labels' | 'centroids' | 'projection'> {
  const { labels: _l, centroids: _c, projection: _p, ...rest } = r;
  return rest;
}
