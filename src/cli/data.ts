/**
 * `dpgcn data inspect SPEC [--json]`: the paper's Table 2 for a data set.
 * `dpgcn data synth --out DIR [options]`: the synthetic market as CSV files.
 * Bad input throws UserError / DataError; main.ts prints one line, exits 2.
 */
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { loadDataset } from '../data/spec.js';
import { datasetStats, type DatasetStats } from '../graph/stats.js';
import { SYNTHETIC_DEFAULTS, type SyntheticOptions } from '../data/synthetic.js';
import { writeSynthetic } from '../data/synth_csv.js';

/** Left column padded, right column as given. */
function table(rows: [string, string][]): string {
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}

const fmt = (x: number) => x.toLocaleString('en-US');

export function formatStats(s: DatasetStats): string {
  const q = (d: DatasetStats['degrees']['user']) => `min ${d.min}  p25 ${d.p25}  p50 ${d.p50}  p75 ${d.p75}  p90 ${d.p90}  max ${d.max}  mean ${d.mean.toFixed(1)}`;
  const rows: [string, string][] = [
    ['data', s.name], ['users', fmt(s.users)], ['items', fmt(s.items)], ['queries', fmt(s.queries)], ['terms', fmt(s.terms)],
    ['interactions', fmt(s.interactions)], ['density', s.density.toExponential(3)],
  ];
  for (const [k, v] of Object.entries(s.relations)) rows.push([`nnz ${k}`, fmt(v)]);
  rows.push(['user degree', q(s.degrees.user)], ['item degree', q(s.degrees.item)]);
  if (s.timeRange) rows.push(['time', `${s.timeRange[0]} .. ${s.timeRange[1]}`]);
  rows.push(['user features', s.features.user.join(', ') || '-'], ['item features', s.features.item.join(', ') || '-']);
  return table(rows);
}

function parsePositive(name: string, v: string | undefined, integer = true): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || (integer && !Number.isInteger(x)) || x < 0) {
    throw new UserError(`--${name}: expected a non-negative ${integer ? 'integer' : 'number'}, got "${v}"`);
  }
  return x;
}

export function register(program: Command): void {
  const data = program.command('data').description('inspect data sets and generate the synthetic market');
  data.command('inspect')
    .argument('<spec>', 'synthetic[:k=v,...] | movielens:DIR | amazon:REVIEWS[,META] | lastfm:DIR | csv:FILE[,user=COL,...]')
    .option('--json', 'print JSON (keys users, items, queries, terms, interactions, density, relations, ...)')
    .description('print the data set table: counts, density, nnz per relation, degree quantiles')
    .action(async (spec: string, opts: { json?: boolean }) => {
      const t0 = performance.now();
      const ds = await loadDataset(spec);
      const s = datasetStats(ds);
      const seconds = (performance.now() - t0) / 1000;
      if (opts.json) process.stdout.write(JSON.stringify({ ...s, loadSeconds: +seconds.toFixed(3) }, null, 2) + '\n');
      else process.stdout.write(formatStats(s) + `\n${'loaded in'.padEnd(13)}  ${seconds.toFixed(2)} s\n`);
    });
  const synth = data.command('synth')
    .description('write the synthetic market (users, items, queries, impressions with true click probabilities) as CSV')
    .requiredOption('--out <dir>', 'output directory');
  const keys = Object.keys(SYNTHETIC_DEFAULTS) as (keyof SyntheticOptions)[];
  for (const k of keys) synth.option(`--${k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} <n>`, `${k} (default ${SYNTHETIC_DEFAULTS[k]})`);
  synth.action(async (opts: Record<string, string>) => {
    const o: Partial<SyntheticOptions> = {};
    const floats = ['drift', 'queryRate', 'popularity'];
    for (const k of keys) {
      const v = parsePositive(k, opts[k], !floats.includes(k));
      if (v !== undefined) (o as Record<string, number>)[k] = v;
    }
    const t0 = performance.now();
    const r = await writeSynthetic(opts.out, o);
    process.stdout.write(table([
      ['out', r.dir], ['users', fmt(r.dataset.numUsers)], ['items', fmt(r.dataset.numItems)], ['queries', fmt(r.dataset.numQueries)],
      ['impressions', fmt(r.impressions)], ['clicks', fmt(r.clicks)], ['files', r.files.join(', ')],
      ['seconds', ((performance.now() - t0) / 1000).toFixed(2)],
    ]) + '\n');
  });
}
