/** `dpgcn feedback export`: served feedback as a CSV that the `csv:` loader trains on (impressions as label 0). */
import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors.js';
import { FeedbackStore } from '../http/feedback_store.js';
import { checkWritable } from './args.js';

const cell = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function register(program: Command): void {
  const fb = program.command('feedback').description('the feedback database written by dpgcn serve');
  fb.command('export')
    .description('write the feedback rows as CSV (user,item,timestamp,type,label): `csv:FILE` trains on it')
    .requiredOption('--db <file>', 'SQLite feedback database')
    .option('--out <file>', 'CSV file to write (default: standard output)')
    .action((o: { db: string; out?: string }) => {
      if (!fs.existsSync(o.db)) throw new UserError(`--db: ${o.db} does not exist`);
      if (o.out) checkWritable('--out', o.out);
      const store = new FeedbackStore(o.db);
      const lines = ['user,item,timestamp,type,label'];
      let n = 0;
      try {
        for (const e of store.all()) { lines.push(`${cell(e.user)},${cell(e.item)},${e.time},${e.type},${e.type === 'impression' ? 0 : 1}`); n++; }
      } finally { store.close(); }
      const text = lines.join('\n') + '\n';
      if (!o.out) { process.stdout.write(text); return; }
      const tmp = path.join(path.dirname(path.resolve(o.out)), `.${path.basename(o.out)}.${process.pid}.tmp`);
      fs.writeFileSync(tmp, text);
      fs.renameSync(tmp, o.out);
      process.stderr.write(`${n} feedback rows -> ${o.out}\n`);
    });
}
