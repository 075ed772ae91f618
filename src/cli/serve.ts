/** `dpgcn serve`: the HTTP server of src/serve/server.ts. */
import type { Command } from 'commander';
import { startServer } from '../serve/server.js';
import { parseIntArg } from './experiment.js';

export function register(program: Command): void {
  program.command('serve')
    .description('serve a model file over HTTP (JSON); feedback goes to an SQLite database. Privacy and admin routes need DPGCN_ADMIN_TOKEN')
    .requiredOption('--model <file>', 'model file written by dpgcn train')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port (0 = any free port)', '8080')
    .option('--db <file>', 'SQLite feedback database (default: MODEL.feedback.db)')
    .action(async (o: { model: string; host: string; port: string; db?: string }) => {
      const port = parseIntArg('--port', o.port, 0);
      const s = await startServer({ model: o.model, host: o.host, port, db: o.db, adminToken: process.env.DPGCN_ADMIN_TOKEN || null });
      const rec = s.current();
      process.stdout.write(`dpgcn serve: listening on ${s.url} (model ${rec.modelVersion}, ${rec.numItems} items, ${rec.scoring} scoring, `
        + `privacy/admin routes ${process.env.DPGCN_ADMIN_TOKEN ? 'enabled' : 'disabled'})\n`);
      const stop = () => { s.close().then(() => process.exit(0), () => process.exit(1)); };
      process.once('SIGINT', stop); process.once('SIGTERM', stop);
    });
}
