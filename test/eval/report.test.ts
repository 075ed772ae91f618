import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { renderReport } from '../../src/experiment/report.js';
import { parseExperimentResult, type ExperimentResult, type ModelResult } from '../../src/eval/result_types.js';
import { niceScale, quantile, esc } from '../../src/experiment/svg.js';
import { UserError } from '../../src/errors.js';
import { testUnless } from '../helpers/skip.js';

const CHARTS = ['loss', 'valAuc', 'auc', 'relaImpr', 'testTime'] as const;
const ELEMENT: Record<(typeof CHARTS)[number], RegExp> = {
  loss: /<path class="series"/g, valAuc: /<path class="series"/g,
  auc: /<rect class="bar"/g, relaImpr: /<rect class="bar"/g, testTime: /<rect class="box"/g,
};

function model(name: string, auc: number, k: number, extra: Partial<ModelResult> = {}): ModelResult {
  const seeds = [1, 2, 3];
  return {
    name, auc: { mean: auc, sd: 0.004 * k }, gauc: auc - 0.02, relaImpr: 0, p5: 0.3 + k / 100, p10: 0.25 + k / 100,
    ndcg5: 0.33 + k / 100, ndcg10: 0.36 + k / 100, trainSeconds: 10 * k, testSeconds: 0.2 * k,
    curves: { loss: [0.69, 0.6, 0.55, 0.52 - k / 100, 0.5 - k / 100], valAuc: [0.6, 0.66, 0.7, auc - 0.01, auc] },
    perSeed: seeds.map((seed, j) => ({ seed, auc: auc + (j - 1) * 0.003 * k, trainSeconds: 10 * k + j, testSeconds: 0.2 * k + j * 0.01 })),
    ...extra,
  };
}

function fixture(): ExperimentResult {
  const models = [model('embedding-mlp', 0.71, 1), model('gcn', 0.748, 2), model('d-gcn', 0.76, 3), model('dp-gcn', 0.771, 4)];
  for (const m of models) m.relaImpr = ((m.auc.mean - 0.5) / (0.71 - 0.5) - 1) * 100;
  // A hostile name and missing numbers must not break the page.
  models.push(model('<script>alert("x")</script> & co', 0.73, 1, { gauc: NaN, perSeed: undefined, curves: { loss: [0.7, NaN, 0.6], valAuc: [] } }));
  return { dataset: 'synthetic:users=500', protocol: 'dien', seeds: [1, 2, 3], oracleAuc: 0.8, models };
}

function chartBodies(html: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of html.matchAll(/<svg\b[^>]*data-chart="(\w+)"[^>]*>[\s\S]*?<\/svg>/g)) out.set(m[1], m[0]);
  return out;
}

const R = suite('report');

R('all five charts are drawn, with one element per model', () => {
  const html = renderReport(fixture());
  const charts = chartBodies(html);
  assert.equal([...charts.keys()], [...CHARTS]);
  for (const c of CHARTS) {
    const n = (charts.get(c)!.match(ELEMENT[c]) ?? []).length;
    // the fifth model has no valAuc curve
    assert.is(n, c === 'valAuc' ? 4 : 5, `${c}: ${n} drawn elements`);
    assert.match(charts.get(c)!, /class="chart"/);
  }
  assert.match(charts.get('auc')!, /class="errorbar"/);
  assert.match(charts.get('relaImpr')!, /class="errorbar"/, 'RelaImpr sd comes from per-seed AUCs');
  assert.match(charts.get('testTime')!, /class="median"/);
  assert.is((charts.get('testTime')!.match(/class="obs"/g) ?? []).length, 4 * 3 + 1);
});

R('self-contained: no URLs, no external resources, locked down by CSP', () => {
  const html = renderReport(fixture());
  assert.not.match(html, /https?:\/\//);
  assert.not.match(html, /\b(src|href)\s*=/i);
  assert.not.match(html, /@import|url\(/);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  assert.ok(html.startsWith('<!DOCTYPE html>'));
});

R('escapes every string from the result', () => {
  const html = renderReport(fixture());
  assert.not.match(html, /<script/i);
  assert.match(html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; co/);
  assert.is(esc(`a<b>&"'`), 'a&lt;b&gt;&amp;&quot;&#39;');
});

R('comparison table: every model, oracle distance, best values bold, missing numbers as a dash', () => {
  const html = renderReport(fixture());
  const rows = html.match(/<tr><th scope="row">/g) ?? [];
  assert.is(rows.length, 5);
  assert.match(html, /oracle − AUC/);
  assert.match(html, /<td class="best">0\.7710<\/td>/);
  assert.match(html, /<td class="best">0\.0290<\/td>/, 'dp-gcn is closest to the oracle');
  assert.match(html, /<td>—<\/td>/);
});

R('deterministic, and survives JSON (NaN becomes null) and an empty run', () => {
  const r = fixture();
  assert.is(renderReport(r), renderReport(fixture()));
  const viaJson = parseExperimentResult(JSON.parse(JSON.stringify(r)), 'r.json');
  const html = renderReport(viaJson);
  assert.is(chartBodies(html).size, 5);
  const empty = renderReport({ dataset: 'd', protocol: 'din', seeds: [1], models: [] });
  assert.is(chartBodies(empty).size, 5);
  assert.match(empty, /no data/);
});

R('parseExperimentResult rejects malformed input with the place named', () => {
  const bad = JSON.parse(JSON.stringify(fixture()));
  bad.models[1].curves.loss = 'x';
  assert.throws(() => parseExperimentResult(bad, 'r.json'), (e: Error) => e instanceof UserError && /r\.json: models\[1\]\.curves\.loss: expected an array/.test(e.message));
  assert.throws(() => parseExperimentResult([], 'r.json'), /top level/);
});

R('axis and quantile helpers', () => {
  assert.equal(niceScale(0.71, 0.78).ticks, [0.7, 0.72, 0.74, 0.76, 0.78]);
  assert.equal(niceScale(0, 1).ticks, [0, 0.2, 0.4, 0.6, 0.8, 1]);
  const flat = niceScale(2, 2);
  assert.ok(flat.lo < 2 && flat.hi > 2);
  assert.is(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.is(quantile([1, 2, 3, 4], 0.25), 1.75);
  assert.is(quantile([7], 0.75), 7);
});

const chromium = '/usr/bin/chromium';
testUnless(R, fs.existsSync(chromium) ? null : `${chromium} not found (install Debian's chromium package to run the browser check)`, 'headless Chromium renders the charts', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dpgcn-report-'));
  try {
    const file = path.join(dir, 'report.html');
    fs.writeFileSync(file, renderReport(fixture()));
    const res = spawnSync(chromium, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      `--user-data-dir=${path.join(dir, 'profile')}`, '--dump-dom', pathToFileURL(file).href,
    ], { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 << 20 });
    assert.ok(!res.error, `chromium failed to run: ${res.error?.message}`);
    assert.is(res.status, 0, `chromium exited with ${res.status}: ${res.stderr.slice(-2000)}`);
    const charts = chartBodies(res.stdout);
    assert.equal([...charts.keys()].sort(), [...CHARTS].sort(), 'charts in the rendered DOM');
    for (const c of CHARTS) {
      assert.match(charts.get(c)!, /<path\b/, `${c} has paths in the DOM`);
      assert.ok((charts.get(c)!.match(ELEMENT[c]) ?? []).length >= 4, `${c} data elements in the DOM`);
    }
    assert.match(res.stdout, /<table class="comparison">/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

R.run();
