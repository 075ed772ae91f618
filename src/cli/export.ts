/**
 * `dpgcn export web --model FILE --out DIR`: a static bundle that
 * recommends in the browser (docs/web.md). The model part comes from the
 * library (Recommender.webTables, recsys/web_bundle.ts); this file only
 * writes it beside the wasm kernels, the compiled browser modules of
 * src/web/ (with the pure modules they import, found by following their
 * imports: a Node import there is an internal error) and the page.
 */
import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Recommender } from '../recsys/recommender.js';
import { encodeBundle } from '../recsys/web_bundle.js';
import { packageRoot } from '../backend/paths.js';
import { UserError } from '../errors.js';

/** dist/src, where the compiled browser modules are. */
const DIST_SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ENTRIES = ['web/recommender.js', 'web/page.js'];
/** The bundle's recommender.js (the quote is split so source scanners do not read it as this file's import). */
const REEXPORT = "// The browser recommender: const rec = await WebRecommender.load(url); rec.recommend(history, { k })\nexport * from '" + "./lib/web/recommender.js';\n";

export function register(program: Command): void {
  const exp = program.command('export').description('export a model for another runtime');
  exp.command('web')
    .description('a static bundle (wasm kernels, compact model, ES module, page) that recommends in the browser; serve it with dpgcn serve --web DIR')
    .requiredOption('--model <file>', 'model file written by dpgcn train (a model with serving tables and no decision layer)')
    .requiredOption('--out <dir>', 'directory to write the bundle into')
    .action(async (o: { model: string; out: string }) => {
      if (!fs.existsSync(o.model)) throw new UserError(`--model: ${o.model} does not exist`);
      const r = await exportWeb(o.model, o.out);
      process.stdout.write(`dpgcn export web: ${r.items} items, ${r.files} files, ${(r.bytes / 1e6).toFixed(2)} MB -> ${o.out} `
        + `(serve it: dpgcn serve --model ${o.model} --web ${o.out}, page at /web/)\n`);
    });
}

export async function exportWeb(model: string, out: string): Promise<{ items: number; files: number; bytes: number }> {
  const rec = await Recommender.load(model);
  try { return exportRecommender(rec, out); } finally { rec.close(); }
}

/** The bundle of a Recommender in memory (the model file's, or a benchmark fixture). */
export function exportRecommender(rec: Recommender, out: string): { items: number; files: number; bytes: number } {
  const wasm = path.join(packageRoot(), 'build', 'kernels.web.wasm');
  if (!fs.existsSync(wasm)) throw new UserError(`${wasm} not found: run npm run build:wasm`);
  const tables = rec.webTables();
  if (!tables) {
    throw new UserError(`--model: a ${rec.meta.model} model cannot be exported for the web: it is scored by ${rec.scoring === 'forward' ? 'its network per candidate' : 'its decision layer per request'}, `
      + 'not by serving tables alone (exportable: models with serving tables and no decision layer, e.g. bpr-mf, lightgcn)');
  }
  const { meta, bin } = encodeBundle(tables, rec.meta.model, rec.modelVersion);
  fs.mkdirSync(out, { recursive: true });
  const files: [string, string | Uint8Array][] = [['model.json', JSON.stringify(meta)], ['model.bin', bin], ['kernels.web.wasm', fs.readFileSync(wasm)],
    ['recommender.js', REEXPORT],
    ['index.html', PAGE]];
  for (const rel of moduleClosure(ENTRIES)) files.push([path.join('lib', rel), fs.readFileSync(path.join(DIST_SRC, rel))]);
  let bytes = 0;
  for (const [name, data] of files) {
    const p = path.join(out, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, data);
    bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  }
  return { items: meta.numItems, files: files.length, bytes };
}

/** The entries and every module they import, relative to dist/src; only relative imports are allowed. */
function moduleClosure(entries: string[]): string[] {
  const seen = new Set<string>(), todo = [...entries];
  while (todo.length) {
    const rel = todo.pop()!;
    if (seen.has(rel)) continue;
    const file = path.join(DIST_SRC, rel);
    if (!fs.existsSync(file)) throw new Error(`export web: ${file} is missing (run npm run build:ts)`);
    seen.add(rel);
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]/gm)) {
      if (!m[1].startsWith('.')) throw new Error(`export web: ${rel} imports "${m[1]}": browser modules import only relative, Node-free modules`);
      todo.push(path.posix.normalize(path.posix.join(path.posix.dirname(rel), m[1])));
    }
  }
  return [...seen].sort();
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dpgcn: recommendations on this device</title>
<style>
body { font: 15px/1.4 system-ui, sans-serif; margin: 2rem auto; max-width: 46rem; padding: 0 1rem; color: #222; }
ol#recommendations button { font: inherit; border: 1px solid #ccc; background: #fafafa; border-radius: 4px; padding: .2rem .5rem; cursor: pointer; text-align: left; }
ol#recommendations li { margin: .25rem 0; }
.note { color: #666; font-size: 13px; }
#error { color: #a00; }
</style>
</head>
<body>
<h1>Recommended for you</h1>
<p class="note">Computed in this browser from your clicks, which stay in this browser (localStorage). <span id="mode"></span></p>
<p id="error"></p>
<ol id="recommendations"></ol>
<h2>Your clicks</h2>
<ol id="history"></ol>
<p><button id="clear">Forget my clicks</button></p>
<p class="note"><label><input type="checkbox" id="consent"> Send my clicks to the site to improve recommendations (off by default)</label></p>
<script type="module" src="lib/web/page.js"></script>
</body>
</html>
`;
