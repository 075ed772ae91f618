/**
 * `dpgcn eval`: a model file's test metrics under its protocol and seed. The
 * split is rebuilt from the data stored in the file, so no data set is read.
 */
import type { Command } from 'commander';
import { prepareSplit } from '../recsys/split.js';
import { evaluateCtr, evaluateRanking } from '../eval/evaluate.js';
import { loadModelFile } from '../recsys/model_file.js';
import { r4 } from './train.js';

export function register(program: Command): void {
  program.command('eval')
    .description('evaluate a model file on the test split of its protocol and seed (reads the model file alone)')
    .requiredOption('--model <file>', 'model file written by dpgcn train')
    .option('--json', 'print JSON')
    .action(async (o: { model: string; json?: boolean }) => {
      const { meta, ds, model } = await loadModelFile(o.model);
      const prepared = prepareSplit(ds, meta.protocol, meta.seed, meta.config);
      const ctr = evaluateCtr(model, prepared.train.src, prepared.test, meta.config);
      const rk = evaluateRanking(model, prepared.task, meta.config, [5, 10]);
      model.dispose?.();
      const r = { model: meta.model, data: ds.name, protocol: meta.protocol, seed: meta.seed, auc: r4(ctr.auc), gauc: r4(ctr.gauc),
        p5: r4(rk.metrics.at[5].precision), p10: r4(rk.metrics.at[10].precision), ndcg5: r4(rk.metrics.at[5].ndcg), ndcg10: r4(rk.metrics.at[10].ndcg),
        testSeconds: +ctr.seconds.toFixed(4) };
      if (o.json) { process.stdout.write(JSON.stringify(r, null, 2) + '\n'); return; }
      const rows = Object.entries(r).map(([k, v]) => `${k.padEnd(11)} ${v ?? '-'}`);
      process.stdout.write(rows.join('\n') + '\n');
    });
}
