/**
 * The bundle without a browser: WebRecommender (the browser module, run in
 * Node over the same HTTP server) answers as GET /recommend for the same
 * histories on ml-100k; the bundle is small; a model without serving
 * tables is one error line, exit 2; src/web imports nothing with Node APIs.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startServer } from '../../src/http/server.js';
import { exportWeb } from '../../src/cli/export.js';
import { WebRecommender } from '../../src/web/recommender.js';
import { packageRoot } from '../../src/backend/paths.js';
import { Rng } from '../../src/tensor/rng.js';
import { testUnless } from '../helpers/skip.js';
import { userError } from '../helpers/cli.js';
import { makeModelFile } from '../recsys/fixtures.js';
import { dataDir } from './data.js';
import { ensureMl100kModel } from './model.js';
import { serverAnswer } from './server_answer.js';

const t = suite('web/export');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dpgcn-web-export-'));
t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const dirBytes = (d: string): number => fs.readdirSync(d, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile()).reduce((s, e) => s + fs.statSync(path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)).size, 0);

testUnless(t, dataDir('ml-100k') ? null : 'ml-100k absent from ../shared/data', 'ml-100k: the bundle is <= 5 MB and answers as the server for 40 histories (wasm and js kernels)', async () => {
  const model = await ensureMl100kModel(path.join(os.tmpdir(), 'dpgcn-web-test')), out = path.join(tmp, 'ml100k');
  await exportWeb(model, out);
  assert.ok(dirBytes(out) <= 5e6, `${dirBytes(out)} bytes`);
  const server = await startServer({ model, port: 0, host: '127.0.0.1', db: path.join(tmp, 'ml.db'), web: out });
  try {
    const wasm = await WebRecommender.load(`${server.url}/web/`), js = await WebRecommender.load(`${server.url}/web/`, { kernels: 'js' });
    assert.is(wasm.kernels.name, 'wasm');
    const ids = wasm.meta.itemIds, rng = new Rng(11);
    for (let v = 0; v < 40; v++) {
      const history = Array.from({ length: 1 + rng.int(15) }, () => ids[rng.int(ids.length)]);
      const want = await serverAnswer(server.url, `visitor-${v}`, history, 10);
      for (const rec of [wasm, js]) {
        const got = rec.recommend(history, { k: 10 });
        assert.equal(got.map((r) => r.item), want.map((r) => r.item), `${rec.kernels.name} history ${history}`);
        got.forEach((r, j) => assert.ok(Math.abs(r.score - want[j].score) <= 1e-4));
      }
    }
    assert.equal(wasm.recommend([], { k: 3 }).map((r) => r.score), [0, 0, 0]);
  } finally { await server.close(); }
});

t('the int8 path in the bundle gives the same answers as the float32 one', async () => {
  const model = path.join(tmp, 'small.ck'), out = path.join(tmp, 'small');
  await makeModelFile(model, 'bpr-mf');
  await exportWeb(model, out);
  const server = await startServer({ model, port: 0, host: '127.0.0.1', db: path.join(tmp, 's.db'), web: out });
  try {
    const plain = await WebRecommender.load(`${server.url}/web/model.json`, { quantize: false }), q8 = await WebRecommender.load(`${server.url}/web/`, { quantize: true });
    for (const id of plain.meta.itemIds.slice(0, 20)) assert.equal(q8.recommend([id], { k: 5 }), plain.recommend([id], { k: 5 }));
  } finally { await server.close(); }
});

t('a model without serving tables: one error line, exit 2', async () => {
  const model = path.join(tmp, 'din.ck');
  await makeModelFile(model, 'din');
  userError(['export', 'web', '--model', model, '--out', path.join(tmp, 'din')], /^dpgcn: --model: a din model cannot be exported for the web: .*serving tables/);
  assert.not.ok(fs.existsSync(path.join(tmp, 'din', 'model.json')));
});

t('src/web imports only relative modules without Node APIs, and only cli/ and http/ import src/web', () => {
  const src = path.join(packageRoot(), 'src'), bad: string[] = [];
  for (const f of fs.readdirSync(path.join(src, 'web'))) {
    const text = fs.readFileSync(path.join(src, 'web', f), 'utf8');
    for (const m of text.matchAll(/from\s+'([^']+)'/g)) if (!m[1].startsWith('.') || /\b(fs|path|process|worker_threads)\b/.test(m[1])) bad.push(`${f}: ${m[1]}`);
    if (/\b(process\.|Buffer\.|require\()/.test(text)) bad.push(`${f}: uses a Node global`);
  }
  for (const dir of fs.readdirSync(src)) {
    if (['web', 'cli', 'http'].includes(dir) || !fs.statSync(path.join(src, dir)).isDirectory()) continue;
    for (const f of fs.readdirSync(path.join(src, dir))) {
      if (f.endsWith('.ts') && /from\s+'\.\.\/web\//.test(fs.readFileSync(path.join(src, dir, f), 'utf8'))) bad.push(`${dir}/${f} imports src/web`);
    }
  }
  assert.equal(bad, []);
});

t.run();
