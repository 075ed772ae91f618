/**
 * Writes the synthetic market as CSV files a person can open: users.csv
 * (features and true segment), items.csv (category, price band, brand, title),
 * queries.csv and interactions.csv (every impression with its click label and
 * true probability). `csv:DIR/interactions.csv` loads it back (label 0 rows
 * become shown negatives). Files are written to *.tmp and renamed at the end,
 * so a failure leaves no half-written output.
 */
import { createWriteStream, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { generateSyntheticLog, type SyntheticOptions } from './synthetic.js';
import type { Dataset } from './types.js';

/** RFC 4180 field: quoted when it holds a comma, quote or newline. */
export function csvField(s: string | number): string {
  const t = String(s);
  return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

async function writeCsv(path: string, header: string[], rows: number, row: (k: number) => (string | number)[]): Promise<void> {
  const out = createWriteStream(path + '.tmp');
  let buf = header.join(',') + '\n';
  for (let k = 0; k < rows; k++) {
    buf += row(k).map(csvField).join(',') + '\n';
    if (buf.length > 1 << 16) { if (!out.write(buf)) await once(out, 'drain'); buf = ''; }
  }
  out.end(buf);
  await once(out, 'finish');
}

export interface SynthSummary { dir: string; dataset: Dataset; impressions: number; clicks: number; files: string[] }

export async function writeSynthetic(dir: string, opts: Partial<SyntheticOptions>): Promise<SynthSummary> {
  const { dataset: ds, log } = generateSyntheticLog(opts, true);
  mkdirSync(dir, { recursive: true });
  const uf = ds.userFeatures, itf = ds.itemFeatures, nuf = uf.names.length, nif = itf.names.length;
  const files = ['users.csv', 'items.csv', 'queries.csv', 'interactions.csv'];
  await writeCsv(join(dir, files[0]), ['user_id', 'segment', ...uf.names], ds.numUsers,
    (u) => [ds.userIds[u], ds.oracle!.segments[u], ...uf.values.subarray(u * nuf, u * nuf + nuf)]);
  await writeCsv(join(dir, files[1]), ['item_id', ...itf.names, 'title'], ds.numItems,
    (i) => [ds.itemIds[i], ...itf.values.subarray(i * nif, i * nif + nif), ds.itemTitles[i]]);
  await writeCsv(join(dir, files[2]), ['query_id', 'text'], ds.numQueries, (q) => [q, ds.queryText[q]]);
  const L = log!;
  await writeCsv(join(dir, files[3]), ['user', 'item', 'timestamp', 'query', 'label', 'prob'], L.user.length,
    (k) => [ds.userIds[L.user[k]], ds.itemIds[L.item[k]], L.time[k], L.query[k] >= 0 ? ds.queryText[L.query[k]] : '', L.click[k], L.prob[k].toFixed(5)]);
  for (const f of files) renameSync(join(dir, f + '.tmp'), join(dir, f));
  let clicks = 0;
  for (let k = 0; k < L.click.length; k++) clicks += L.click[k];
  return { dir, dataset: ds, impressions: L.user.length, clicks, files };
}
