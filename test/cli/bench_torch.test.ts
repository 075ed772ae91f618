import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run, userError } from '../helpers/cli.js';
import { compareWithTorch, readTorchResults } from '../../src/bench/torch.js';
import type { TrainBenchResult } from '../../src/bench/train.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dpgcn-torch-'));
const t = suite('bench: the PyTorch anchor');

t('bench graph writes the CSR the PyTorch script reads: sizes agree with the header, rows are valid', () => {
  const dir = path.join(tmp, 'g');
  const r = run(['bench', 'graph', '--graph', 'ml100k', '--out', dir]);
  assert.is(r.code, 0, r.err);
  const h = JSON.parse(fs.readFileSync(path.join(dir, 'header.json'), 'utf8'));
  assert.is(h.nodes, 2625);
  const rowPtr = new Int32Array(new Uint8Array(fs.readFileSync(path.join(dir, 'row_ptr.i32'))).buffer);
  const col = new Int32Array(new Uint8Array(fs.readFileSync(path.join(dir, 'col_idx.i32'))).buffer);
  const val = new Float32Array(new Uint8Array(fs.readFileSync(path.join(dir, 'values.f32'))).buffer);
  assert.is(rowPtr.length, h.nodes + 1);
  assert.is(rowPtr[h.nodes], h.nnz);
  assert.is(col.length, h.nnz);
  assert.is(val.length, h.nnz);
  // symmetric normalisation with self-loops: every row holds its diagonal, values in (0, 1]
  for (const i of [0, 1, 942, 943, 2624]) {
    const cols = Array.from(col.subarray(rowPtr[i], rowPtr[i + 1]));
    assert.ok(cols.includes(i), `row ${i} has no self-loop`);
  }
  assert.ok(val.every((v) => v > 0 && v <= 1));
  assert.equal(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
});

t('compareWithTorch: ratios against the same graph only (name and nnz)', () => {
  const ours = [
    { backend: 'native', graph: 'ml100k-sized', nnz: 100, msPerStep: 4, peakRssMB: 150 },
    { backend: 'wasm', graph: 'ml100k-sized', nnz: 100, msPerStep: 8, peakRssMB: 100 },
    { backend: 'native', graph: 'powerlaw-150k', nnz: 5, msPerStep: 1, peakRssMB: 1 },
  ] as TrainBenchResult[];
  const torch = [{ graph: 'ml100k-sized', nnz: 100, msPerStep: 20, peakRssMB: 300, threads: 2, torch: '1.13.1', steps: 125 },
    { graph: 'powerlaw-150k', nnz: 6, msPerStep: 1, peakRssMB: 1, threads: 2, torch: '1.13.1', steps: 15 }];
  const c = compareWithTorch(ours, torch);
  assert.equal(c.map((x) => [x.backend, x.speedup, x.memoryRatio]), [['native', 5, 0.5], ['wasm', 2.5, 100 / 300]]);
});

t('a bad --torch-json is one line naming the file, exit 2, before any benchmark runs', () => {
  const missing = path.join(tmp, 'none.json');
  assert.throws(() => readTorchResults(missing), /none\.json: no such file/);
  const bad = path.join(tmp, 'bad.json');
  fs.writeFileSync(bad, JSON.stringify({ results: [{ graph: 'x', nnz: 1, msPerStep: 'fast', peakRssMB: 1 }] }));
  assert.throws(() => readTorchResults(bad), /results\[0\]\.msPerStep/);
  const args = ['bench', 'train', '--quick', '--backends', 'js', '--torch-json', bad];
  userError(args, /--torch-json: .*bad\.json: results\[0\]\.msPerStep/);
  assert.not.match(run(args).out, /ms\/step/, 'the benchmark ran before the file was checked');
});

t.run();
