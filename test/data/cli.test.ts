import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { register } from '../../src/cli/data.js';
import { UserError } from '../../src/errors.js';
import { tmpPath } from './helpers.js';

const test = suite('cli/data');

async function run(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  register(program);
  const chunks: string[] = [];
  const orig = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => { chunks.push(String(s)); return true; }) as typeof process.stdout.write;
  try { await program.parseAsync(['node', 'dpgcn', ...args]); } finally { process.stdout.write = orig; }
  return chunks.join('');
}

test('data inspect --json has the documented keys', async () => {
  const out = JSON.parse(await run(['data', 'inspect', 'synthetic:users=60,items=40,interactions=600', '--json']));
  for (const k of ['users', 'items', 'queries', 'terms', 'interactions', 'density', 'relations']) assert.ok(k in out, k);
  assert.is(out.users, 60); assert.is(out.interactions, 600);
  assert.equal(Object.keys(out.relations), ['user-item', 'user-query', 'query-item', 'item-term', 'query-term']);
});

test('data inspect prints a table', async () => {
  const out = await run(['data', 'inspect', 'synthetic:users=60,items=40,interactions=600']);
  assert.match(out, /interactions\s+600/); assert.match(out, /nnz user-item/);
});

test('data synth writes CSVs', async () => {
  const dir = tmpPath('cli-synth');
  const out = await run(['data', 'synth', '--out', dir, '--users', '30', '--items', '20', '--interactions', '200', '--seed', '4']);
  assert.match(out, /clicks\s+200/);
  const lines = readFileSync(join(dir, 'interactions.csv'), 'utf8').trim().split('\n');
  assert.is(lines[0], 'user,item,timestamp,query,label,prob');
});

test('bad input is a UserError', async () => {
  let e: unknown = null;
  try { await run(['data', 'synth', '--out', tmpPath('x'), '--users', 'many']); } catch (err) { e = err; }
  assert.instance(e, UserError);
  e = null;
  try { await run(['data', 'inspect', 'movielens:/no/such/dir']); } catch (err) { e = err; }
  assert.instance(e, UserError);
});

test.run();
