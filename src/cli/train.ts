/**
 * `dpgcn train`, `dpgcn eval` and `dpgcn recommend`. A checkpoint holds the
 * parameters and the recipe to rebuild everything else: model name, config,
 * data spec, protocol and seed. eval and recommend reload the data from the
 * spec and rebuild the seed's split (graph models need the training graph),
 * then check that the data still has the shape the model was trained on.
 */
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { loadDataset } from '../data/spec.js';
import type { Dataset } from '../data/types.js';
import { MODEL_NAMES, type ModelConfig, type ModelName } from '../models/types.js';
import { isModelName } from '../models/registry.js';
import { buildModel, fitModel, prepareSplit, type Protocol } from '../eval/experiment.js';
import { evaluateCtr, evaluateRanking, rankCandidates } from '../eval/evaluate.js';
import { saveCheckpoint, loadCheckpoint, type CheckpointTensor } from '../serve/checkpoint.js';
import type { Model } from '../models/types.js';
import { checkWritable, configFrom, parseIntArg, parseProtocol, type ConfigArgs } from './experiment.js';

export interface ModelMeta {
  kind: 'dpgcn-model';
  model: ModelName;
  config: ModelConfig;
  dataSpec: string;
  protocol: Protocol;
  seed: number;
  /** Shape of the data it was trained on, checked on load. */
  data: { users: number; items: number; interactions: number };
  trained: { epochs: number; bestEpoch: number; valAuc: number | null; valNdcg10?: number | null; refitEpochs?: number; trainSeconds: number };
}

function dataShape(ds: Dataset): ModelMeta['data'] {
  return { users: ds.numUsers, items: ds.numItems, interactions: ds.interactions.length };
}

function checkMeta(meta: unknown, file: string): ModelMeta {
  const m = meta as Partial<ModelMeta> | null;
  if (!m || typeof m !== 'object' || m.kind !== 'dpgcn-model') throw new UserError(`${file}: not a dpgcn model checkpoint (meta.kind is not "dpgcn-model")`);
  if (typeof m.model !== 'string' || !isModelName(m.model)) throw new UserError(`${file}: unknown model "${String(m.model)}" (known: ${MODEL_NAMES.join(', ')})`);
  if (!m.config || typeof m.dataSpec !== 'string' || typeof m.seed !== 'number' || !m.data) throw new UserError(`${file}: checkpoint meta is incomplete`);
  parseProtocol(String(m.protocol));
  return m as ModelMeta;
}

/** Loads a checkpoint and rebuilds its model on ds (default: the data named in the checkpoint). */
export async function loadModel(file: string, dataSpec?: string): Promise<{ meta: ModelMeta; ds: Dataset; model: Model; prepared: ReturnType<typeof prepareSplit> }> {
  const ck = await loadCheckpoint(file);
  const meta = checkMeta(ck.meta, file);
  const ds = await loadDataset(dataSpec ?? meta.dataSpec);
  const got = dataShape(ds), want = meta.data;
  if (got.users !== want.users || got.items !== want.items) {
    throw new UserError(`${file}: the model was trained on ${want.users} users and ${want.items} items, but ${ds.name} has ${got.users} users and ${got.items} items`);
  }
  const prepared = prepareSplit(ds, meta.protocol, meta.seed, meta.config);
  const model = buildModel(meta.model, ds, prepared, meta.config);
  const state: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [name, t] of Object.entries(ck.tensors)) {
    if (!(t.data instanceof Float32Array)) throw new UserError(`${file}: tensor ${name} is not float32`);
    state[name] = { shape: t.shape, data: t.data };
  }
  try {
    model.module.loadStateDict(state);
  } catch (e) {
    throw new UserError(`${file}: parameters do not fit a ${meta.model} model on this data (${(e as Error).message})`);
  }
  return { meta, ds, model, prepared };
}

const r4 = (x: number) => (Number.isNaN(x) ? null : +x.toFixed(4));

export function register(program: Command): void {
  program.command('train')
    .description('train one model and save it as a checkpoint')
    .requiredOption('--data <spec>', 'data spec')
    .requiredOption('--model <name>', `one of ${MODEL_NAMES.join(', ')}`)
    .requiredOption('--out <file>', 'checkpoint file to write')
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
      const { model, train: tr, refitEpochs, trainSeconds } = fitModel(o.model, ds, prepared, config);
      const meta: ModelMeta = { kind: 'dpgcn-model', model: o.model, config, dataSpec: o.data, protocol, seed, data: dataShape(ds),
        trained: { epochs: tr.loss.length, bestEpoch: tr.bestEpoch, valAuc: r4(tr.bestValAuc),
          ...(tr.valNdcg10 ? { valNdcg10: r4(tr.valNdcg10[tr.bestEpoch - 1]) } : {}),
          ...(refitEpochs !== undefined ? { refitEpochs } : {}), trainSeconds: +trainSeconds.toFixed(3) } };
      const tensors: Record<string, CheckpointTensor> = {};
      for (const [name, t] of Object.entries(model.module.stateDict())) tensors[name] = { shape: t.shape, data: t.data };
      await saveCheckpoint(o.out, { meta, tensors });
      const summary = { model: o.model, data: ds.name, protocol, seed, out: o.out, ...meta.trained, loss: tr.loss.map(r4) };
      if (o.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      else process.stdout.write(`${o.model} on ${ds.name} (${protocol}, seed ${seed}): ${tr.loss.length} epochs, best epoch ${tr.bestEpoch}, `
        + `validation AUC ${r4(tr.bestValAuc) ?? '-'}, ${tr.trainSeconds.toFixed(1)} s -> ${o.out}\n`);
    });

  program.command('eval')
    .description('evaluate a checkpoint on the test split of its protocol and seed')
    .requiredOption('--model <file>', 'checkpoint written by dpgcn train')
    .option('--data <spec>', 'data spec (default: the one the model was trained on)')
    .option('--json', 'print JSON')
    .action(async (o: { model: string; data?: string; json?: boolean }) => {
      const { meta, ds, model, prepared } = await loadModel(o.model, o.data);
      const ctr = evaluateCtr(model, prepared.train.src, prepared.test, meta.config);
      const rk = evaluateRanking(model, prepared.task, meta.config, [5, 10]);
      const r = { model: meta.model, data: ds.name, protocol: meta.protocol, seed: meta.seed, auc: r4(ctr.auc), gauc: r4(ctr.gauc),
        p5: r4(rk.metrics.at[5].precision), p10: r4(rk.metrics.at[10].precision), ndcg5: r4(rk.metrics.at[5].ndcg), ndcg10: r4(rk.metrics.at[10].ndcg),
        oracleAuc: prepared.oracleAuc === undefined ? undefined : r4(prepared.oracleAuc), testSeconds: +ctr.seconds.toFixed(4) };
      if (o.json) { process.stdout.write(JSON.stringify(r, null, 2) + '\n'); return; }
      const rows = Object.entries(r).filter(([, v]) => v !== undefined).map(([k, v]) => `${k.padEnd(11)} ${v ?? '-'}`);
      process.stdout.write(rows.join('\n') + '\n');
    });

  program.command('recommend')
    .description("top-k items a user has not interacted with, by the model's score")
    .requiredOption('--model <file>', 'checkpoint written by dpgcn train')
    .requiredOption('--user <id>', "the data set's user id")
    .option('-k, --top <k>', 'number of items', '10')
    .option('--json', 'print JSON')
    .action(async (o: { model: string; user: string; top: string; json?: boolean }) => {
      const k = parseIntArg('-k', o.top);
      const { ds, model, meta } = await loadModel(o.model);
      const u = ds.userIds.indexOf(o.user);
      if (u < 0) throw new UserError(`--user: unknown user "${o.user}" in ${ds.name}`);
      const a = ds.userPtr[u], b = ds.userPtr[u + 1];
      const history = ds.interactions.item.subarray(a, b);
      const seen = new Set<number>(history);
      const cand = Int32Array.from({ length: ds.numItems }, (_, i) => i).filter((i) => !seen.has(i));
      const time = b > a ? ds.interactions.time[b - 1] : 0;
      const ranked = rankCandidates(model, u, cand, history, meta.config, time);
      const n = Math.min(k, ranked.items.length);
      const items = Array.from({ length: n }, (_, r) => ({
        rank: r + 1, item: ds.itemIds[ranked.items[r]], score: +(1 / (1 + Math.exp(-ranked.scores[r]))).toFixed(4), title: ds.itemTitles[ranked.items[r]] ?? '',
      }));
      if (o.json) { process.stdout.write(JSON.stringify({ user: o.user, history: b - a, items }, null, 2) + '\n'); return; }
      process.stdout.write(`user ${o.user} (${b - a} interactions), top ${n} of ${cand.length} items:\n`);
      for (const it of items) process.stdout.write(`${String(it.rank).padStart(3)}  ${it.item.padEnd(12)} ${it.score.toFixed(4)}  ${it.title}\n`);
    });
}
