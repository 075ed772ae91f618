/**
 * The text `dpgcn segments` prints: a header and one line per segment (size,
 * over-represented static values, top categories, expected CTR, targets).
 * The server's GET /segments returns the same lines.
 */
import type { Segment, SegmentsResult } from './types.js';

const f = (x: number | null | undefined, d = 3) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '-');

/** The profile line of one segment. */
export function profileLine(s: Segment): string {
  const st = s.profile.static.map((g) => { const v = [...g.values].sort((a, b) => b.index - a.index)[0]; return `${v.label} x${f(v.index, 2)}`; }).join(', ');
  return `segment ${s.id}: ${s.size} users (${(100 * s.share).toFixed(1)}%), over-represented ${st}; `
    + `top categories ${s.topCategories.slice(0, 3).map((c) => c.label).join(', ')}; expected CTR ${f(s.profile.expectedCtr)} (population ${f(s.profile.populationExpectedCtr)})`;
}

/** The targeting line of one segment: the items to show it, with their lift over the population. */
export function targetingLine(s: Segment): string {
  return `targets ${s.targets.items.slice(0, 3).map((t) => `${t.item} x${f(t.lift, 2)}`).join(', ')}`;
}

export function headerLines(r: SegmentsResult): string[] {
  const lines = [`${r.k} segments of ${r.users} users in ${r.data} (${r.representation})`,
    `silhouette ${f(r.silhouette)} · stability ARI: seeds ${f(r.stabilityAri.seeds)}, time windows ${f(r.stabilityAri.timeWindows)}`];
  if (r.representations) lines.push(`representations considered (the highest silhouette is used): ${r.representations.map((x) => `${x.representation}: k ${x.k}, silhouette ${f(x.silhouette)}`).join('; ')}`);
  if (r.ari !== undefined) {
    lines.push(`against the ${r.trueSegments} true segments: ARI ${f(r.ari)} NMI ${f(r.nmi)}; baselines: static features ARI ${f(r.baselines.staticFeatures?.ari)} NMI ${f(r.baselines.staticFeatures?.nmi)}, `
      + `category counts ARI ${f(r.baselines.categoryCounts?.ari)} NMI ${f(r.baselines.categoryCounts?.nmi)}`);
    if (r.separation) lines.push(`the representation's variance between true segments ${f(r.separation.betweenSegmentVariance)}, users nearest their true segment's mean ${f(r.separation.nearestTrueMeanAccuracy)}`);
  }
  return lines;
}

export function summaryText(r: SegmentsResult): string {
  return [...headerLines(r), ...r.segments.map((s) => `${profileLine(s)}; ${targetingLine(s)}`)].join('\n') + '\n';
}
