/**
 * `dpgcn segments --model FILE [--k auto|N] [--json] [--report FILE.html]`:
 * market segments from a trained model's user representation (see
 * src/segments). The model comes from a checkpoint written by `dpgcn train`
 * (data, split and parameters rebuilt as `dpgcn recommend` does).
 */
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import type { Interactions } from '../data/types.js';
import { segmentUsers, segmentsJson } from '../segments/segment_users.js';
import { segmentInputFromModel } from '../segments/from_model.js';
import type { SegmentsResult } from '../segments/types.js';
import { renderSegmentsReport } from '../experiment/report_segments.js';
import { loadModelFile, buildFromFile } from '../recsys/model_file.js';
import { checkWritable, parseIntArg, writeAtomic } from './args.js';

function parseK(v: string): number | 'auto' {
  if (v === 'auto') return 'auto';
  return parseIntArg('--k', v, 2);
}

const f = (x: number | null | undefined, d = 3) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '-');

function summary(r: SegmentsResult): string {
  const lines = [`${r.k} segments of ${r.users} users in ${r.data} (${r.representation})`,
    `silhouette ${f(r.silhouette)} · stability ARI: seeds ${f(r.stabilityAri.seeds)}, time windows ${f(r.stabilityAri.timeWindows)}`];
  if (r.ari !== undefined) {
    lines.push(`against the ${r.trueSegments} true segments: ARI ${f(r.ari)} NMI ${f(r.nmi)}; baselines: static features ARI ${f(r.baselines.staticFeatures?.ari)} NMI ${f(r.baselines.staticFeatures?.nmi)}, `
      + `category counts ARI ${f(r.baselines.categoryCounts?.ari)} NMI ${f(r.baselines.categoryCounts?.nmi)}`);
    if (r.separation) lines.push(`the representation's variance between true segments ${f(r.separation.betweenSegmentVariance)}, users nearest their true segment's mean ${f(r.separation.nearestTrueMeanAccuracy)}`);
  }
  for (const s of r.segments) {
    const st = s.profile.static.map((g) => { const v = [...g.values].sort((a, b) => b.index - a.index)[0]; return `${v.label} x${f(v.index, 2)}`; }).join(', ');
    lines.push(`segment ${s.id}: ${s.size} users (${(100 * s.share).toFixed(1)}%), over-represented ${st}; `
      + `top categories ${s.topCategories.slice(0, 3).map((c) => c.label).join(', ')}; expected CTR ${f(s.profile.expectedCtr)} (population ${f(s.profile.populationExpectedCtr)}); `
      + `targets ${s.targets.items.slice(0, 3).map((t) => `${t.item} x${f(t.lift, 2)}`).join(', ')}`);
  }
  return lines.join('\n') + '\n';
}

export function register(program: Command): void {
  program.command('segments')
    .description("market segments from a trained model's user representation: profiles, targeting, stability, validity")
    .requiredOption('--model <file>', 'model file written by dpgcn train')
    .option('--k <k>', "number of segments, or 'auto' (chosen by silhouette)", 'auto')
    .option('--seed <n>', 'seed of k-means and the samples', '1')
    .option('--json', 'print JSON')
    .option('--report <file>', 'write an HTML report (self-contained)')
    .action(async (o: { model: string; k: string; seed: string; json?: boolean; report?: string }) => {
      const k = parseK(o.k);
      const seed = parseIntArg('--seed', o.seed, 0);
      if (o.report) checkWritable('--report', o.report);
      const mf = await loadModelFile(o.model);
      const { ds, model } = mf;
      // a model with the file's parameters over other interactions (the stability check's time windows)
      const rebuild = (it: Interactions) => buildFromFile(mf, o.model, { train: it, checkGraph: false });
      if (k !== 'auto' && k > ds.numUsers) throw new UserError(`--k: ${k} segments for ${ds.numUsers} users`);
      const input = segmentInputFromModel(model, ds, mf.train, { rebuild });
      const r = segmentUsers(input, { k, seed });
      if (o.report) writeAtomic(o.report, renderSegmentsReport(r));
      process.stdout.write(o.json ? JSON.stringify(segmentsJson(r), null, 2) + '\n' : summary(r));
    });
}
