/**
 * `dpgcn train`: trains one model and writes a model file (src/serve/model_file.ts)
 * that holds everything eval, recommend and serve need, the data included.
 * `dpgcn eval` and `dpgcn recommend` (eval.ts, recommend.ts) read it alone.
 */
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { loadDataset } from '../data/spec.js';
import { MODEL_NAMES, type ModelName } from '../models/types.js';
import { isModelName } from '../models/registry.js';
import { fitModel } from '../recsys/fit.js';
import { prepareSplit } from '../recsys/split.js';
import { writeModelFile, type ModelMeta } from '../recsys/model_file.js';
import { checkWritable, configFrom, parseIntArg, parseProtocol, type ConfigArgs } from './args.js';

export const r4 = (x: number) => (Number.isNaN(x) ? null : +x.toFixed(4));

export function register(program: Command): void {
  program.command('train')
    .description('train one model and write a model file that eval, recommend and serve read with no data set on disk')
    .requiredOption('--data <spec>', 'data spec')
    .requiredOption('--model <name>', `one of ${MODEL_NAMES.join(', ')}`)
    .requiredOption('--out <file>', 'model file to write')
    .option('--seed <n>', 'seed of the split, initialisation and batch order', '1')
    .option('--protocol <p>', 'din | dien | ranking | ms-recommenders', 'dien')
    .option('--dim <n>', 'embedding size').option('--epochs <n>', 'training epochs')
    .option('--batch-size <n>', 'minibatch size').option('--lr <x>', 'Adam learning rate')
    .option('--loss <l>', 'bce | bpr (bpr: ranking protocols only)').option('--negatives <n>', 'bpr: negatives per positive')
    .option('--dropout <p>', "dropout in the MLP heads (not DIN's Dice MLP)")
    .option('--json', 'print the training summary as JSON')
    .action(async (o: ConfigArgs & { data: string; model: string; out: string; seed: string; protocol: string; json?: boolean }) => {
      if (!isModelName(o.model)) throw new UserError(`--model: unknown model "${o.model}" (known: ${MODEL_NAMES.join(', ')})`);
      const seed = parseIntArg('--seed', o.seed, 0);
      const protocol = parseProtocol(o.protocol);
      const config = configFrom(o, protocol, o.model as ModelName);
      checkWritable('--out', o.out);
      const ds = await loadDataset(o.data);
      const prepared = prepareSplit(ds, protocol, seed, config);
      const { model, train: tr, refitEpochs, trainSeconds, selected } = fitModel(o.model, ds, prepared, config);
      const trained: ModelMeta['trained'] = { epochs: tr.loss.length, bestEpoch: tr.bestEpoch, valAuc: r4(tr.bestValAuc),
        ...(tr.valNdcg10 ? { valNdcg10: r4(tr.valNdcg10[tr.bestEpoch - 1]) } : {}),
        ...(refitEpochs !== undefined ? { refitEpochs } : {}), trainSeconds: +trainSeconds.toFixed(3) };
      const meta = await writeModelFile(o.out, { meta: { model: o.model, config, dataSpec: o.data, protocol, seed, trained, ...(selected ? { selected } : {}) },
        ds, train: prepared.graphInteractions, model });
      model.dispose?.();
      const summary = { model: o.model, data: ds.name, protocol, seed, out: o.out, ...meta.trained, loss: tr.loss.map(r4) };
      if (o.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      else process.stdout.write(`${o.model} on ${ds.name} (${protocol}, seed ${seed}): ${tr.loss.length} epochs, best epoch ${tr.bestEpoch}, `
        + `validation AUC ${r4(tr.bestValAuc) ?? '-'}, ${tr.trainSeconds.toFixed(1)} s -> ${o.out}\n`);
    });
}
