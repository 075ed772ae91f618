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
import { summaryText as summary } from '../segments/summary.js';
import { servedSegmentsFile } from '../recsys/served_segments.js';
import { segmentInputFromModel } from '../segments/from_model.js';
import { renderSegmentsReport } from '../experiment/report_segments.js';
import { loadModelFile, buildFromFile } from '../recsys/model_file.js';
import { checkWritable, parseIntArg, writeAtomic } from './args.js';

function parseK(v: string): number | 'auto' {
  if (v === 'auto') return 'auto';
  return parseIntArg('--k', v, 2);
}

export function register(program: Command): void {
  program.command('segments')
    .description("market segments from a trained model's user representation: profiles, targeting, stability, validity")
    .requiredOption('--model <file>', 'model file written by dpgcn train')
    .option('--k <k>', "number of segments, or 'auto' (chosen by silhouette)", 'auto')
    .option('--seed <n>', 'seed of k-means and the samples', '1')
    .option('--json', 'print JSON')
    .option('--report <file>', 'write an HTML report (self-contained)')
    .option('--out <file>', 'write the segments for dpgcn serve (GET /segments, GET /users/:id/segment; serve reads MODEL.segments.json by default)')
    .action(async (o: { model: string; k: string; seed: string; json?: boolean; report?: string; out?: string }) => {
      const k = parseK(o.k);
      const seed = parseIntArg('--seed', o.seed, 0);
      if (o.report) checkWritable('--report', o.report);
      if (o.out) checkWritable('--out', o.out);
      const mf = await loadModelFile(o.model);
      const { ds, model } = mf;
      // a model with the file's parameters over other interactions (the stability check's time windows)
      const rebuild = (it: Interactions) => buildFromFile(mf, o.model, { train: it, checkGraph: false });
      if (k !== 'auto' && k > ds.numUsers) throw new UserError(`--k: ${k} segments for ${ds.numUsers} users`);
      const input = segmentInputFromModel(model, ds, mf.train, { rebuild });
      const r = segmentUsers(input, { k, seed });
      if (o.report) writeAtomic(o.report, renderSegmentsReport(r));
      if (o.out) writeAtomic(o.out, JSON.stringify(servedSegmentsFile(r, input, ds.userIds, ds.userFeatures, `${mf.meta.model}-${mf.meta.savedAt}`)));
      process.stdout.write(o.json ? JSON.stringify(segmentsJson(r), null, 2) + '\n' : summary(r));
    });
}
