/** `dpgcn recommend`: one user's top-k from a model file, through the library's Recommender. */
import type { Command } from 'commander';
import { Recommender } from '../recsys/recommender.js';
import { UserError } from '../errors.js';
import { parseIntArg } from './args.js';

export function register(program: Command): void {
  program.command('recommend')
    .description("top-k items a user has not interacted with, by the model's score (reads the model file alone)")
    .requiredOption('--model <file>', 'model file written by dpgcn train')
    .requiredOption('--user <id>', "the data set's user id")
    .option('-k, --top <k>', 'number of items', '10')
    .option('--query <text>', 'a query the user issued (models that score queries)')
    .option('--json', 'print JSON')
    .action(async (o: { model: string; user: string; top: string; query?: string; json?: boolean }) => {
      const k = parseIntArg('-k', o.top);
      const rec = await Recommender.load(o.model);
      if (!rec.hasUser(o.user)) { rec.close(); throw new UserError(`--user: unknown user "${o.user}" in ${o.model}`); }
      const items = rec.recommend(o.user, { k, query: o.query });
      const history = (rec.exportUser(o.user).training as unknown[]).length;
      rec.close();
      if (o.json) { process.stdout.write(JSON.stringify({ user: o.user, history, scoring: rec.scoring, items }, null, 2) + '\n'); return; }
      process.stdout.write(`user ${o.user} (${history} training interactions), top ${items.length} of ${rec.numItems} items (${rec.scoring} scoring):\n`);
      items.forEach((it, r) => process.stdout.write(`${String(r + 1).padStart(3)}  ${it.item.padEnd(12)} ${it.score.toFixed(4)}  ${it.title}\n`));
    });
}
