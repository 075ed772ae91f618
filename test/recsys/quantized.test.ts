import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getBackend } from '../../src/backend/registry.js';
import type { Backend } from '../../src/backend/kernels.js';
import { Rng } from '../../src/tensor/rng.js';
import { errorBound, exactTopK, quantizeQuery, quantizeRows } from '../../src/recsys/quantized.js';
import { TableScorer } from '../../src/recsys/scorer.js';
import { buildFromFile, readModelFile } from '../../src/recsys/model_file.js';
import { userHistories } from '../../src/recsys/histories.js';
import { testUnless } from '../helpers/skip.js';
import { dataDir } from '../web/data.js';
import { ensureMl100kModel } from '../web/model.js';

const t = suite('recsys/quantized');
const backends = (['js', 'wasm', 'native'] as const).map((n) => { try { return getBackend(n); } catch { return null; } }).filter((b): b is Backend => b !== null);

function randomTable(rng: Rng, n: number, w: number): Float32Array {
  const a = new Float32Array(n * w);
  for (let i = 0; i < a.length; i++) a[i] = rng.normal(0, 0.1);
  // exact duplicates of the first rows: ties must break to the lower index, as in the float32 pass
  for (let i = 1; i <= 8; i++) a.copyWithin(n * w - i * w, (i - 1) * w, i * w);
  return a;
}

t('scoreI8 is bitwise equal on js, wasm and native, and |exact - approx| <= alpha * scale on every row', () => {
  const rng = new Rng(3), n = 2000, w = 37, table = randomTable(rng, n, w), qt = quantizeRows(table, n, w);
  for (let r = 0; r < 5; r++) {
    const u = Float32Array.from({ length: w }, () => rng.normal(0, 1 + r)), q16 = new Int16Array(w), { scale, l1 } = quantizeQuery(u, w, q16);
    const outs = backends.map((b) => { const o = new Float32Array(n); b.kernels.scoreI8(qt.q, qt.scale, q16, scale, n, w, o); return o; });
    for (const o of outs) assert.equal(Array.from(o), Array.from(outs[0]));
    const alpha = errorBound(l1, scale, w);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let c = 0; c < w; c++) s += table[i * w + c] * u[c];
      assert.ok(Math.abs(Math.fround(s) - outs[0][i]) <= alpha * qt.scale[i], `row ${i}: |${s} - ${outs[0][i]}| > ${alpha * qt.scale[i]}`);
    }
  }
});

t('100k x 64 random model: the int8 pass + exact re-rank gives the float32 top-k, bit for bit (js, wasm, native)', () => {
  const rng = new Rng(5), n = 100_000, w = 65, table = randomTable(rng, n, w), qt = quantizeRows(table, n, w);
  for (const b of backends) {
    const work = { approx: new Float32Array(n), q16: new Int16Array(w) }, stats = { candidates: 0 };
    let most = 0;
    for (let r = 0; r < (b.name === 'js' ? 4 : 20); r++) {
      const u = r === 0 ? table.slice(0, w) : Float32Array.from({ length: w }, () => rng.normal(0, 1));
      const k = [1, 10, 100][r % 3], ex = new Uint8Array(n);
      for (let j = 0; j < 50; j++) ex[rng.int(n)] = 1;
      const i1 = new Int32Array(k), s1 = new Float32Array(k), i2 = new Int32Array(k), s2 = new Float32Array(k);
      const n1 = b.kernels.scoreTopK(table, u, n, w, k, ex, i1, s1), n2 = exactTopK(b.kernels, table, qt, u, k, ex, i2, s2, work, stats);
      assert.is(n2, n1);
      assert.equal(Array.from(i2), Array.from(i1), `${b.name} query ${r}`);
      assert.equal(Array.from(s2), Array.from(s1));
      most = Math.max(most, stats.candidates);
    }
    assert.ok(most < n / 10, `${b.name}: ${most} candidates`);
  }
});

t('100k-item tables: topKBatch (GEMM + bound + exact re-rank) answers exactly as topK, int8 on and off', () => {
  const rng = new Rng(9), n = 100_000, d = 64, U = 40;
  const item = randomTable(rng, n, d), user = Float32Array.from({ length: U * d }, () => rng.normal(0, 1));
  user.set(item.subarray(0, d), 0); // a user equal to an item: near-ties at the top
  const tables = { dim: d, user, item, itemBias: null, itemItem: null };
  for (const quantize of [true, false]) {
    const s = new TableScorer(tables, {} as never, 10, { quantize });
    const cs = Array.from({ length: U }, (_, u) => {
      const exclude = new Uint8Array(n);
      for (let j = 0; j < 30; j++) exclude[rng.int(n)] = 1;
      return { user: u, history: [], exclude, k: [10, 1, 50][u % 3], query: -1, time: 0 };
    });
    const batch = s.topKBatch(cs);
    cs.forEach((c, u) => {
      const one = s.topK(c);
      assert.equal(Array.from(batch[u].items), Array.from(one.items), `quantize=${quantize} user ${u}`);
      assert.equal(Array.from(batch[u].scores), Array.from(one.scores));
    });
    s.dispose();
  }
});

testUnless(t, dataDir('ml-100k') ? null : 'ml-100k absent from ../shared/data', 'ml-100k lightgcn: the int8 path and the batched path answer every user exactly as the float32 path', async () => {
  const file = await ensureMl100kModel(path.join(os.tmpdir(), 'dpgcn-web-test'));
  const mf = await readModelFile(file), model = buildFromFile(mf, file), tables = model.servingTables!();
  const release = model.freeze?.();
  const plain = new TableScorer(tables, model, mf.meta.config.maxLen, { quantize: false }), q8 = new TableScorer(tables, model, mf.meta.config.maxLen, { quantize: true });
  const hist = userHistories(mf.train, mf.ds.numUsers), cs = [];
  for (let u = 0; u < mf.ds.numUsers; u++) {
    const exclude = new Uint8Array(mf.ds.numItems);
    for (const i of hist[u]) exclude[i] = 1;
    const c = { user: u, history: hist[u], exclude, k: 10, query: -1, time: 0 };
    cs.push(c);
    const a = plain.topK(c), b = q8.topK(c);
    assert.equal(Array.from(b.items), Array.from(a.items), `user ${u}`);
    assert.equal(Array.from(b.scores), Array.from(a.scores));
  }
  // the batched paths, 64 requests at a time as the server batches them: GEMM + bound + exact re-rank (float32 table),
  // and the int8 table's (single requests)
  for (let o = 0; o < cs.length; o += 64) {
    const part = cs.slice(o, o + 64), gemm = plain.topKBatch(part), int8 = q8.topKBatch(part);
    part.forEach((c, j) => {
      const a = plain.topK(c);
      for (const [name, got] of [['gemm', gemm], ['int8', int8]] as const) {
        assert.equal(Array.from(got[j].items), Array.from(a.items), `${name} batched user ${c.user}`);
        assert.equal(Array.from(got[j].scores), Array.from(a.scores));
      }
    });
  }
  plain.dispose(); q8.dispose(); release?.(); model.dispose?.();
  assert.ok(fs.existsSync(file));
});

t.run();
