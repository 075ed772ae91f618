/**
 * The server process of `dpgcn bench serve`: a model file or the large
 * fixture (bench_fixture.ts) on an ephemeral loopback port. Prints
 * "listening on URL" once it listens; stops on SIGTERM.
 */
import { startServer } from '../http/server.js';
import { fixtureRecommender } from './serve_fixture.js';

async function main(): Promise<void> {
  const arg = (name: string) => { const i = process.argv.indexOf(name); return i >= 0 ? process.argv[i + 1] : undefined; };
  const db = arg('--db')!, model = arg('--model') ?? 'fixture';
  const recommender = model === 'fixture' ? fixtureRecommender() : undefined;
  const maxBatch = arg('--max-batch') ? Number(arg('--max-batch')) : undefined;
  const s = await startServer({ model, db, port: 0, recommender, adminToken: null, maxBatch });
  const rec = s.current();
  // whether single requests go through the int8 table (the scorer is the Recommender's own; read, not changed)
  const int8 = (rec as unknown as { scorer?: { quantize?: boolean } }).scorer?.quantize === true;
  process.stdout.write(`listening on ${s.url} ${JSON.stringify({ items: rec.numItems, users: rec.numUsers, scoring: rec.scoring, tableBytes: rec.tableBytes, model: rec.meta.model, int8 })}\n`);
  process.once('SIGTERM', () => { s.close().then(() => process.exit(0), () => process.exit(1)); });
}

main().catch((e: Error) => { process.stderr.write(`${e.message}\n`); process.exit(2); });
