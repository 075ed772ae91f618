import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MAIN, run, userError } from '../helpers/cli.js';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const DATA = 'synthetic:users=60,items=40,interactions=600,seed=4';
const SMALL = ['--dim', '8', '--epochs', '1', '--batch-size', '128'];



const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dpgcn-cli-'));
const t = suite('cli commands');

t('info --json', () => {
  const r = run(['info', '--json']);
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.type(j.version, 'string');
  assert.ok(Array.isArray(j.backends) && j.backends.some((b: { name: string }) => b.name === 'js'));
});

t('experiment writes the JSON result and prints the table', () => {
  const file = path.join(tmp, 'result.json');
  const r = run(['experiment', '--data', DATA, '--models', 'embedding-mlp,wide-deep', '--seeds', '1', '--protocol', 'dien', '--json', file, ...SMALL]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /wide-deep/);
  const j = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(j.seeds, [1]);
  assert.equal(j.models.map((m: { name: string }) => m.name), ['embedding-mlp', 'wide-deep']);
  assert.ok('auc' in j.models[0] && 'curves' in j.models[0] && 'oracleAuc' in j);
  assert.equal(fs.readdirSync(tmp).filter((f) => f.endsWith('.tmp')), []);
});

t('experiment creates the output directories it was told to write into (a fresh clone has no results/)', () => {
  const dir = path.join(tmp, 'results', 'nested');
  const r = run(['experiment', '--data', DATA, '--models', 'embedding-mlp', '--seeds', '1', '--protocol', 'din',
    '--json', path.join(dir, 'r.json'), '--report', path.join(dir, 'r.html'), ...SMALL]);
  assert.is(r.code, 0, r.err);
  assert.equal(fs.readdirSync(dir).sort(), ['r.html', 'r.json']);
});

t('train, eval and recommend round trip', () => {
  const ck = path.join(tmp, 'din.ck');
  const tr = run(['train', '--data', DATA, '--model', 'din', '--out', ck, '--seed', '2', ...SMALL]);
  assert.is(tr.code, 0, tr.err);
  assert.ok(fs.existsSync(ck));
  const e1 = run(['eval', '--model', ck, '--json']), e2 = run(['eval', '--model', ck, '--json']);
  assert.is(e1.code, 0, e1.err);
  const j1 = JSON.parse(e1.out), j2 = JSON.parse(e2.out);
  assert.is(j1.model, 'din');
  assert.ok(j1.auc > 0 && j1.auc < 1);
  assert.is(j1.auc, j2.auc);
  const rec = run(['recommend', '--model', ck, '--user', 'u5', '-k', '4', '--json']);
  assert.is(rec.code, 0, rec.err);
  const items = JSON.parse(rec.out).items as { item: string; score: number }[];
  assert.is(items.length, 4);
  for (let i = 1; i < items.length; i++) assert.ok(items[i - 1].score >= items[i].score);
  userError(['recommend', '--model', ck, '--user', 'nobody'], /unknown user/);
});

t('the model file alone: eval and recommend work after the data file is gone', () => {
  const dir = path.join(tmp, 'market'), csv = path.join(dir, 'interactions.csv'), ck = path.join(tmp, 'gcn.ck');
  const g = run(['data', 'synth', '--users', '40', '--items', '30', '--interactions', '400', '--seed', '3', '--out', dir]);
  assert.is(g.code, 0, g.err);
  const tr = run(['train', '--data', `csv:${csv}`, '--model', 'gcn', '--out', ck, ...SMALL]);
  assert.is(tr.code, 0, tr.err);
  const before = JSON.parse(run(['eval', '--model', ck, '--json']).out);
  const user = fs.readFileSync(csv, 'utf8').split('\n')[1].split(',')[0];
  fs.rmSync(dir, { recursive: true });
  const e = run(['eval', '--model', ck, '--json']);
  assert.is(e.code, 0, e.err);
  const strip = (j: Record<string, unknown>) => { delete j.testSeconds; return j; };
  assert.equal(strip(JSON.parse(e.out)), strip(before));
  const rec = run(['recommend', '--model', ck, '--user', user, '-k', '3', '--json']);
  assert.is(rec.code, 0, rec.err);
  assert.is(JSON.parse(rec.out).items.length, 3);
});

t('a version 1 model file: exit 2, one line saying how to convert it', () => {
  const ck = path.join(tmp, 'din.ck'), old = path.join(tmp, 'v1.ck');
  // a v1 file: the same container with the old meta (no fileVersion, no data)
  const bytes = fs.readFileSync(ck);
  const hl = bytes.readUInt32LE(12), header = JSON.parse(bytes.subarray(32, 32 + hl).toString('utf8'));
  const meta = { kind: 'dpgcn-model', model: 'din', config: header.meta.config, dataSpec: DATA, protocol: 'dien', seed: 2, data: header.meta.data, trained: header.meta.trained };
  const script = `import { saveCheckpoint } from ${JSON.stringify(path.resolve(path.dirname(MAIN), '../recsys/checkpoint.js'))};
    await saveCheckpoint(${JSON.stringify(old)}, { meta: ${JSON.stringify(meta)}, tensors: {} });`;
  const w = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.is(w.status, 0, w.stderr);
  userError(['eval', '--model', old], /v1\.ck: model file version 1 .*re-running `dpgcn train --data synthetic:users=60.* --model din --seed 2 --protocol dien --out FILE`/);
  userError(['recommend', '--model', old, '--user', 'u1'], /model file version 1/);
});

t('bad arguments: exit 2, one line naming the argument', () => {
  userError(['experiment', '--data', DATA, '--protocol', 'bogus'], /--protocol/);
  userError(['experiment', '--data', DATA, '--models', 'din,bert'], /--models.*bert/);
  userError(['experiment', '--data', DATA, '--seeds', '1,x'], /--seeds/);
  userError(['experiment', '--data', DATA, '--epochs', '0'], /--epochs/);
  userError(['experiment', '--data', 'nosuchkind:foo'], /nosuchkind/);
  fs.writeFileSync(path.join(tmp, 'a-file'), '');
  userError(['experiment', '--data', DATA, '--json', path.join(tmp, 'a-file', 'r.json')], /--json: .*a-file is a file/);
  userError(['experiment', '--data', DATA, '--report', tmp], /--report: .* is a directory/);
  userError(['data', 'inspect', 'synthetic:users=1e12'], /users=1e12.*synthetic:users=1e12|synthetic:users=1e12.*int32/);
  userError(['data', 'inspect', 'synthetic:users=100000000,interactions=2000000000'], /GiB/);
  userError(['train', '--data', DATA, '--model', 'bert', '--out', path.join(tmp, 'x.ck')], /--model/);
});

t('a corrupt or foreign checkpoint: exit 2, one line', () => {
  const ck = path.join(tmp, 'din.ck');
  const bytes = fs.readFileSync(ck);
  const bad = path.join(tmp, 'bad.ck');
  bytes[bytes.length >> 1] ^= 0xff;
  fs.writeFileSync(bad, bytes);
  userError(['eval', '--model', bad], /bad\.ck: checksum mismatch, the checkpoint is corrupt/);
  fs.writeFileSync(bad, 'hello');
  userError(['recommend', '--model', bad, '--user', 'u1'], /bad\.ck: not a dpgcn checkpoint/);
  userError(['eval', '--model', path.join(tmp, 'none.ck')], /not found/);
});

t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
t.run();
