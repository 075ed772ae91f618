/**
 * `dpgcn train`: trains one model and writes a model file (src/recsys/train_file.ts, model_file.ts)
 * that holds everything eval, recommend and serve need, the data included.
 * `dpgcn eval` and `dpgcn recommend` (eval.ts, recommend.ts) read it alone.
 */
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { MODEL_NAMES, type ModelName } from '../models/types.js';
import { isModelName } from '../models/registry.js';
import { trainToFile, type TrainOptions } from '../recsys/train_file.js';
import { checkWritable, configFrom, overridesFrom, parseIntArg, parseProtocol, type ConfigArgs } from './args.js';

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
      configFrom(o, protocol, o.model as ModelName); // every setting checked before the data set loads
      checkWritable('--out', o.out);
      let done!: Parameters<NonNullable<TrainOptions['onFit']>>[0];
      await trainToFile({ data: o.data, model: o.model, out: o.out, seed, protocol, overrides: overridesFrom(o) }, { onFit: (f) => { done = f; } });
      const { train: tr, meta, dataset: ds } = done;
      const summary = { model: o.model, data: ds.name, protocol, seed, out: o.out, ...meta.trained, loss: tr.loss.map(r4) };
      if (o.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      else process.stdout.write(`${o.model} on ${ds.name} (${protocol}, seed ${seed}): ${tr.loss.length} epochs, best epoch ${tr.bestEpoch}, `
        + `validation AUC ${r4(tr.bestValAuc) ?? '-'}, ${tr.trainSeconds.toFixed(1)} s -> ${o.out}\n`);
    });
}
