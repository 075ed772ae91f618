/**
 * `dpgcn experiment`: trains and evaluates models x seeds on one data set
 * and protocol, prints the comparison table, and optionally writes the JSON
 * result and the HTML report (each atomically: a temporary file, then
 * rename). Every argument is checked before any work starts, so a typo does
 * not cost a five-minute run.
 */
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { backendFromEnv } from '../backend/registry.js';
import { loadDataset, parseSpec } from '../data/spec.js';
import { DEFAULT_CONFIG } from '../models/types.js';
import { parseModelList } from '../models/registry.js';
import { PROTOCOLS, RANKING_DEFAULTS } from '../recsys/split.js';
import { runExperiment } from '../experiment/run.js';
import { renderTable } from '../experiment/table.js';
import { renderReport } from '../experiment/report.js';
import { DEFAULT_QUEUE_NAME, parseQueueName } from '../queue/names.js';
import { parseRedisUrl } from '../util/redis.js';
import { runQueuedExperiment } from '../queue/experiment.js';
import { queueProgress } from './queue_progress.js';
import { ONLINE_SEEDS, ONLINE_USERS, parseOnlinePolicies, renderOnlineTable, runOnlineExperiment } from '../online/experiment.js';
import { renderOnlineReport } from '../online/report.js';
import { writeAtomic, checkWritable, parseIntArg, parseSeeds, parseProtocol, parseCandidates, overridesFrom, configFrom, type ConfigArgs } from './args.js';

interface ExperimentArgs extends ConfigArgs {
  data: string; models: string; seeds?: string; protocol: string; json?: string | boolean; report?: string; candidates: string;
  queue?: string; queueName: string; onlineUsers?: string; marketDynamics: string;
}

/** A progress bar on an interactive terminal only; CI logs and pipes stay quiet. */
async function progress(): Promise<{ run(label: string, total: number): void; step(done: number, total: number): void; stop(): void } | null> {
  if (!process.stderr.isTTY || process.env.CI) return null;
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar({ stream: process.stderr, format: '{label} [{bar}] {percentage}% | {value}/{total} steps | {eta}s', hideCursor: true },
    cliProgress.Presets.shades_classic);
  let started = false;
  return {
    run(label, total) { if (started) bar.stop(); bar.start(total, 0, { label }); started = true; },
    step(done, total) { if (bar.getTotal() !== total) bar.setTotal(total); bar.update(done); },
    stop() { if (started) bar.stop(); },
  };
}

export function register(program: Command): void {
  program.command('experiment')
    .description('train and evaluate models x seeds and print the comparison table (AUC, GAUC, RelaImpr, P@k, NDCG@k, times)')
    .requiredOption('--data <spec>', 'data spec: synthetic[:k=v,...] | movielens:DIR | amazon:REVIEWS[,META] | lastfm:DIR | csv:FILE')
    .option('--models <list>', 'comma-separated model names or "all"', 'all')
    .option('--seeds <list>', `comma-separated seeds (default 1,2,3; protocol online ${ONLINE_SEEDS[0]}..${ONLINE_SEEDS[ONLINE_SEEDS.length - 1]})`)
    .option('--protocol <p>', `evaluation protocol: ${PROTOCOLS.join('|')}|online (the closed-loop market, synthetic data)`, 'dien')
    .option('--online-users <n>', `protocol online: simulated users per seed (default ${ONLINE_USERS})`)
    .option('--market-dynamics <on|off>', 'protocol online: off = no interest evolution, fatigue, boredom, satisfaction or return effects (the myopic oracle is then optimal)', 'on')
    .option('--candidates <mode>', 'ranking protocols: full | sampled | rated', 'full')
    .option('--json [file]', 'write the result as JSON to file (no file: print JSON instead of the table)')
    .option('--report <file>', 'write a self-contained HTML report')
    .option('--queue <url>', 'fan the fits out as BullMQ jobs on this Redis (redis://HOST:PORT) to `dpgcn worker` processes')
    .option('--queue-name <name>', 'BullMQ queue name (with --queue)', DEFAULT_QUEUE_NAME)
    .option('--dim <n>', `embedding size (default ${DEFAULT_CONFIG.dim})`)
    .option('--epochs <n>', `training epochs (default ${DEFAULT_CONFIG.epochs}; ranking protocols ${RANKING_DEFAULTS.epochs})`)
    .option('--batch-size <n>', `minibatch size (default ${DEFAULT_CONFIG.batchSize})`)
    .option('--lr <x>', `Adam learning rate (default ${DEFAULT_CONFIG.lr})`)
    .option('--loss <l>', `training objective: bce | bpr (bpr: ranking protocols only; default ${RANKING_DEFAULTS.loss} there, bce elsewhere)`)
    .option('--negatives <n>', 'bpr: sampled negatives per training positive (default 1)')
    .option('--dropout <p>', `dropout in the MLP heads of embedding-mlp, wide-deep, pnn and the graph models; DIN's Dice MLP has none (default ${DEFAULT_CONFIG.dropout}; ranking protocols ${RANKING_DEFAULTS.dropout})`)
    .action(async (o: ExperimentArgs) => {
      if (o.protocol === 'online') return runOnlineCommand(o);
      const protocol = parseProtocol(o.protocol);
      const models = parseModelList(o.models);
      const seeds = parseSeeds(o.seeds ?? '1,2,3');
      const candidates = parseCandidates(o.candidates);
      const config = configFrom(o, protocol);
      const jsonFile = typeof o.json === 'string' ? o.json : null;
      if (jsonFile) checkWritable('--json', jsonFile);
      if (o.report) checkWritable('--report', o.report);
      let result;
      if (o.queue) {
        const url = parseRedisUrl('--queue', o.queue);
        const queueName = parseQueueName('--queue-name', o.queueName);
        parseSpec(o.data); // workers open the data; a malformed spec fails here, before anything is queued
        const bar = await queueProgress();
        try {
          const q = await runQueuedExperiment({ url, queueName, spec: o.data, protocol, models, seeds, config, overrides: overridesFrom(o), candidates,
            backend: backendFromEnv(), onEvent: (e) => bar?.event(e) });
          result = q.result;
          if (q.backends.size > 1) {
            process.stderr.write(`dpgcn: warning: fits ran on several backends (${[...q.backends].map(([b, n]) => `${b} ${n}`).join(', ')}); `
              + 'numbers are bitwise those of a local run on one backend only (set DPGCN_BACKEND)\n');
          }
        } finally {
          bar?.stop();
        }
      } else {
        const ds = await loadDataset(o.data);
        const bar = await progress();
        let label = '';
        try {
          result = runExperiment({
            dataset: ds, protocol, models, seeds, config, overrides: overridesFrom(o), candidates,
            onRun: ({ model, seed, run, runs }) => { label = `${model} seed ${seed} (${run}/${runs})`; },
            onStep: (done, total) => { if (done === 1) bar?.run(label, total); bar?.step(done, total); },
          });
        } finally {
          bar?.stop();
        }
      }
      if (o.json === true) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      else process.stdout.write(renderTable(result) + '\n');
      if (jsonFile) writeAtomic(jsonFile, JSON.stringify(result, null, 2) + '\n');
      if (o.report) writeAtomic(o.report, renderReport(result));
    });
}

/** `--protocol online`: models trained offline (ranking split and recipes), then run closed-loop (src/online/). */
async function runOnlineCommand(o: ExperimentArgs): Promise<void> {
  const policies = parseOnlinePolicies(o.models);
  const seeds = parseSeeds(o.seeds ?? ONLINE_SEEDS.join(','));
  const users = parseIntArg('--online-users', o.onlineUsers ?? String(ONLINE_USERS));
  const overrides = overridesFrom(o);
  if (o.marketDynamics !== 'on' && o.marketDynamics !== 'off') throw new UserError(`--market-dynamics: expected on or off, got "${o.marketDynamics}"`);
  if (o.queue) throw new UserError('--queue: not supported with --protocol online');
  const jsonFile = typeof o.json === 'string' ? o.json : null;
  if (jsonFile) checkWritable('--json', jsonFile);
  if (o.report) checkWritable('--report', o.report);
  if (parseSpec(o.data).kind !== 'synthetic') throw new UserError(`--data: --protocol online needs synthetic data, got "${o.data}"`);
  const ds = await loadDataset(o.data);
  const result = await runOnlineExperiment({ dataset: ds, policies, seeds, overrides, users, params: { dynamics: o.marketDynamics === 'on' },
    onRun: ({ policy, seed }) => { if (process.stderr.isTTY) process.stderr.write(`\r${policy} seed ${seed}\x1b[K`); } });
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  const text = JSON.stringify(result, null, 2) + '\n';
  if (o.json === true) process.stdout.write(text);
  else process.stdout.write(renderOnlineTable(result) + '\n');
  if (jsonFile) writeAtomic(jsonFile, text);
  if (o.report) writeAtomic(o.report, renderOnlineReport(result));
}
