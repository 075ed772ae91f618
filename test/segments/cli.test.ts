import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { run, userError } from '../helpers/cli.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const DATA = 'synthetic:users=120,items=60,interactions=1500,seed=4';


const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dpgcn-segments-'));
const model = path.join(tmp, 'dpgcn.ck');
const t = suite('dpgcn segments');

t.before(() => {
  const r = run(['train', '--data', DATA, '--model', 'dp-gcn', '--protocol', 'din', '--out', model, '--dim', '8', '--epochs', '1', '--batch-size', '256']);
  assert.is(r.code, 0, r.err);
});

t('--json gives the contract, with validity, baselines and both stabilities; --report writes the page', () => {
  const report = path.join(tmp, 'seg.html');
  const r = run(['segments', '--model', model, '--k', '4', '--json', '--report', report]);
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.is(j.k, 4);
  assert.type(j.silhouette, 'number');
  assert.type(j.ari, 'number');
  assert.type(j.nmi, 'number');
  assert.type(j.stabilityAri.seeds, 'number');
  assert.type(j.stabilityAri.timeWindows, 'number');
  assert.type(j.baselines.staticFeatures.ari, 'number');
  assert.type(j.baselines.categoryCounts.nmi, 'number');
  assert.is(j.segments.length, 4);
  assert.is(j.segments.reduce((a: number, s: { size: number }) => a + s.size, 0), 120);
  for (const s of j.segments) for (const key of ['id', 'size', 'profile', 'topCategories', 'topItems', 'targets']) assert.ok(key in s, key);
  const html = fs.readFileSync(report, 'utf8');
  assert.match(html, /data-chart="segmentsPca"/);
  assert.is(fs.readdirSync(tmp).filter((f) => f.endsWith('.tmp')).length, 0);
});

t('the same seed gives the same segments; the text summary names every segment', () => {
  const a = JSON.parse(run(['segments', '--model', model, '--k', 'auto', '--json']).out);
  const b = JSON.parse(run(['segments', '--model', model, '--k', 'auto', '--json']).out);
  delete a.seconds; delete b.seconds;
  assert.equal(a, b);
  const txt = run(['segments', '--model', model, '--k', '3']);
  assert.is(txt.code, 0, txt.err);
  assert.is(txt.out.split('\n').filter((l) => l.startsWith('segment ')).length, 3);
});

t('bad input: one line, exit 2, nothing written', () => {
  userError(['segments', '--model', model, '--k', 'many'], /--k: expected an integer >= 2, got "many"/);
  userError(['segments', '--model', model, '--k', '1'], /--k/);
  userError(['segments', '--model', model, '--k', '500'], /--k: 500 segments for 120 users/);
  userError(['segments', '--model', path.join(tmp, 'missing.ck')], /missing\.ck: checkpoint file not found/);
  const notModel = path.join(tmp, 'x.ck');
  fs.writeFileSync(notModel, 'hello');
  userError(['segments', '--model', model, '--report', path.join(notModel, 'r.html')], /--report: .*x\.ck is a file, not a directory/);
  userError(['segments', '--model', model, '--report', tmp], /--report: .* is a directory/);
  userError(['segments', '--model', notModel], /x\.ck: not a dpgcn checkpoint/);
});

t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
t.run();
