/**
 * The package as a user meets it: everything goes through the public entry
 * point (`import('dpgcn')`, the package's own name), never a relative path.
 * A model is trained, saved, loaded and asked for recommendations; then the
 * README's library example runs as written, in a fresh directory that sees
 * the package only through node_modules/dpgcn.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testUnless } from '../helpers/skip.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const t = suite('api/library');

type Api = typeof import('../../src/index.js');
const api = async (): Promise<Api> => (await import('dpgcn' as string)) as Api;

t('the entry point exports what a user needs to train, evaluate, save, load and serve', async () => {
  const m = await api();
  for (const name of ['loadDataset', 'createModel', 'fitModel', 'trainToFile', 'Recommender', 'runExperiment', 'segmentUsers', 'startServer', 'replication']) {
    assert.ok(m[name as keyof Api] !== undefined, `dpgcn exports ${name}`);
  }
  assert.type(m.trainToFile, 'function');
});

t('train, save, load and recommend through the entry point only', async () => {
  const { trainToFile, Recommender } = await api();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dpgcn-api-'));
  try {
    const out = path.join(dir, 'm.ck');
    const file = await trainToFile({ data: 'synthetic:users=150,items=80,interactions=2500', model: 'lightgcn', out, protocol: 'ranking', overrides: { epochs: 5, evalEvery: 5 } });
    assert.is(file, out);
    const rec = await Recommender.load(file);
    try {
      const recs = rec.recommend('u1', { k: 5 });
      assert.is(recs.length, 5);
      assert.is(new Set(recs.map((r) => r.item)).size, 5);
      for (let j = 1; j < recs.length; j++) assert.ok(recs[j - 1].score >= recs[j].score, 'best first');
    } finally {
      rec.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** The ```ts block of the README's "Library use" section that trains a model. */
function readmeExample(): string {
  const md = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = md.search(/^#+ Library use/m);
  assert.ok(start >= 0, 'README has a "Library use" section');
  const rest = md.slice(start);
  const end = rest.slice(1).search(/^## /m);
  const section = end < 0 ? rest : rest.slice(0, end + 1);
  const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((b) => b[1]);
  const code = blocks.find((b) => b.includes('trainToFile'));
  assert.ok(code, 'the section shows training with trainToFile');
  return code!;
}

// A user runs the example with no DPGCN_BACKEND (the default backend); it trains a full model, so it runs
// once, in the native pass (or when no backend is named), not once per backend.
const named = (process.env.DPGCN_BACKEND ?? '').trim().toLowerCase();
const once = named === '' || named === 'auto' || named === 'native' ? null : 'runs once, in the native pass, on the default backend a user gets';

testUnless(t, once, "the README's library example runs as written", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dpgcn-readme-'));
  try {
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'dpgcn'), 'dir');
    // the example ends with rec.recommend(...); print it so the test can read the answer
    const code = readmeExample() + "\nconsole.log(JSON.stringify(rec.recommend('u1', { k: 5 })));\nrec.close();\n";
    fs.writeFileSync(path.join(dir, 'example.mjs'), code);
    const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
    delete env.DPGCN_BACKEND;
    const r = spawnSync(process.execPath, ['example.mjs'], { cwd: dir, encoding: 'utf8', env });
    assert.is(r.status, 0, r.stderr);
    const recs = JSON.parse(r.stdout.trim().split('\n').pop()!) as { item: string; score: number }[];
    assert.is(recs.length, 5);
    assert.ok(fs.existsSync(path.join(dir, 'm.ck')), 'the model file is where the example says');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
