/**
 * docs/web.md's figures: bundle size, load time in headless Chromium, and
 * the median of 100 recommendations in the page (wasm SIMD) beside the same
 * browser module in Node and the server's library (Recommender.recommend)
 * for a user added with the same history. Usage (after npm run build):
 *   node dist/bench/web_page.js MODEL_FILE [--fixture]
 * --fixture adds the 100k-item random factorised fixture of dpgcn bench serve.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startServer } from '../src/http/server.js';
import { exportRecommender } from '../src/cli/export.js';
import { Recommender } from '../src/recsys/recommender.js';
import { fixtureRecommender } from '../src/bench/serve_fixture.js';
import { WebRecommender } from '../src/web/recommender.js';
import { Rng } from '../src/tensor/rng.js';
import { Browser } from '../test/helpers/cdp.js';

const median = (a: number[]) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
const N = 100;

async function measure(label: string, rec: Recommender, modelFile: string | null): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dpgcn-web-bench-')), out = path.join(tmp, 'bundle');
  const { bytes, items } = exportRecommender(rec, out);
  const ids = JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8')).itemIds as string[];
  const rng = new Rng(1), history = Array.from({ length: 5 }, () => ids[rng.int(ids.length)]);
  // the library: a user added now who clicked the history
  rec.addUser('bench-visitor');
  rec.feedback(history.map((item) => ({ user: 'bench-visitor', item, type: 'click' as const })));
  const lib: number[] = [];
  for (let r = 0; r < N + 10; r++) { const t0 = performance.now(); rec.recommend('bench-visitor', { k: 10 }); if (r >= 10) lib.push(performance.now() - t0); }
  const server = await startServer({ model: modelFile ?? 'fixture', recommender: modelFile ? undefined : rec, port: 0, host: '127.0.0.1', db: path.join(tmp, 'fb.db'), web: out });
  try {
    const node = await WebRecommender.load(`${server.url}/web/`), inNode: number[] = [];
    for (let r = 0; r < N + 10; r++) { const t0 = performance.now(); node.recommend(history, { k: 10 }); if (r >= 10) inNode.push(performance.now() - t0); }
    const b = Browser.launch();
    try {
      const page = await b.open(`${server.url}/web/?history=${history.join(',')}&k=10`);
      await page.waitFor(`document.body && document.body.dataset.ready`, 120_000);
      const r = await page.eval<{ loadMs: number; sinceNavigationMs: number; kernels: string; times: number[]; mean: number }>(`(() => {
        const d = window.dpgcn, h = ${JSON.stringify(history)}, times = [];
        for (let r = 0; r < ${N + 10}; r++) { const t0 = performance.now(); d.rec.recommend(h, { k: 10 }); if (r >= 10) times.push(performance.now() - t0); }
        const t1 = performance.now();
        for (let r = 0; r < 1000; r++) d.rec.recommend(h, { k: 10 });
        return { loadMs: d.loadMs, sinceNavigationMs: d.sinceNavigationMs, kernels: d.kernels, times, mean: (performance.now() - t1) / 1000 };
      })()`);
      console.log(`${label}: ${items} items, bundle ${(bytes / 1e6).toFixed(2)} MB; Chromium load ${r.sinceNavigationMs.toFixed(0)} ms from navigation `
        + `(${r.loadMs.toFixed(0)} ms in the page script); median of ${N} top-10: page ${median(r.times).toFixed(3)} ms (${r.kernels}; mean of 1000: ${r.mean.toFixed(3)} ms), `
        + `same module in Node ${median(inNode).toFixed(3)} ms, server library ${median(lib).toFixed(3)} ms (${rec.scoring}); `
        + 'performance.now() in the page ticks in 0.1 ms steps');
    } finally { await b.close(); }
  } finally { await server.close(); fs.rmSync(tmp, { recursive: true, force: true }); }
}

const file = process.argv[2];
if (file) { const rec = await Recommender.load(file); await measure(path.basename(file), rec, file); rec.close(); }
if (process.argv.includes('--fixture')) { const rec = fixtureRecommender(); await measure('100k-item random factorised fixture (d=64)', rec, null); rec.close(); }
