/**
 * The layout is a rule, not a wish (DESIGN §1): read every import under
 * src/ and fail on a cycle between files or between folders, on an import
 * from a lower layer to a higher one, on a file over 400 lines, and on a
 * model's name compared outside src/models/.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODEL_NAMES, BASELINE_NAMES } from '../../src/models/types.js';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src');
const t = suite('layout/layers');

/** Lowest first; a folder may import its own layer's folders (without a cycle) and every layer below. */
const LAYERS: string[][] = [
  ['errors.ts', 'util', 'backend', 'tensor', 'autograd', 'sparse', 'linalg', 'nn', 'optim'],
  ['data', 'graph'],
  ['models', 'rl'],
  ['eval', 'segments'],
  ['recsys'],
  ['http', 'experiment', 'online', 'queue', 'bench', 'web'],
  ['cli', 'index.ts'],
];
const layerOf = (unit: string): number => LAYERS.findIndex((l) => l.includes(unit));

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const files = sources(SRC).map((f) => path.relative(SRC, f));
/** The folder directly under src/ (or the file itself for src/*.ts). */
const unitOf = (f: string) => f.split(path.sep)[0];

/** Relative imports (static, re-exports and dynamic) of one file, as paths under src/. */
export function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  const re = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const m of text.matchAll(re)) out.push(path.normalize(path.join(path.dirname(file), m[1])).replace(/\.js$/, '.ts'));
  return out;
}

const edges = new Map(files.map((f) => [f, importsOf(f, fs.readFileSync(path.join(SRC, f), 'utf8'))]));

/** Strongly connected components of more than one node (Tarjan), each sorted. */
function cycles(nodes: string[], next: (n: string) => string[]): string[][] {
  let index = 0;
  const idx = new Map<string, number>(), low = new Map<string, number>(), on = new Set<string>(), stack: string[] = [], out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index); low.set(v, index); index++; stack.push(v); on.add(v);
    for (const w of next(v)) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const c: string[] = [];
      let w: string;
      do { w = stack.pop()!; on.delete(w); c.push(w); } while (w !== v);
      if (c.length > 1) out.push(c.sort());
    }
  };
  for (const n of nodes) if (!idx.has(n)) visit(n);
  return out;
}

t('every folder under src/ has a layer', () => {
  const unknown = [...new Set(files.map(unitOf))].filter((u) => layerOf(u) < 0);
  assert.equal(unknown, [], `folders without a layer: ${unknown.join(', ')}`);
});

t('every relative import resolves to a file under src/', () => {
  const bad = [...edges].flatMap(([f, ts]) => ts.filter((x) => !edges.has(x)).map((x) => `${f} -> ${x}`));
  assert.equal(bad, []);
});

t('no import cycle between files', () => {
  assert.equal(cycles(files, (f) => edges.get(f) ?? []), []);
});

t('no import cycle between folders', () => {
  const units = [...new Set(files.map(unitOf))];
  const next = (u: string) => [...new Set(files.filter((f) => unitOf(f) === u).flatMap((f) => edges.get(f)!.map(unitOf)))].filter((x) => x !== u);
  assert.equal(cycles(units, next), []);
});

t('no import runs up the layers', () => {
  const up = [...edges].flatMap(([f, ts]) => ts.filter((x) => layerOf(unitOf(x)) > layerOf(unitOf(f))).map((x) => `${f} -> ${x}`));
  assert.equal(up, []);
});

t('no file over 400 lines', () => {
  const long = files.map((f) => [f, fs.readFileSync(path.join(SRC, f), 'utf8').split('\n').length] as const).filter(([, n]) => n > 400);
  assert.equal(long.map(([f, n]) => `${f}: ${n}`), []);
});

t("no model's name compared outside src/models/", () => {
  // 'din' is also a protocol's name: a comparison with a protocol variable is not a model's
  const names = [...MODEL_NAMES, ...BASELINE_NAMES].map((n) => n.replace(/-/g, '\\-')).join('|');
  const cmp = new RegExp(`([\\w.\\]\\)]+)\\s*[!=]==?\\s*'(${names})'|'(${names})'\\s*[!=]==?\\s*([\\w.]+)|case\\s+'(${names})'\\s*:`, 'g');
  const found: string[] = [];
  for (const f of files) {
    if (unitOf(f) === 'models') continue;
    const text = fs.readFileSync(path.join(SRC, f), 'utf8');
    for (const m of text.matchAll(cmp)) {
      const other = m[1] ?? m[4] ?? '';
      if ((m[2] ?? m[3]) === 'din' && /protocol$/i.test(other)) continue;
      found.push(`${f}: ${m[0]}`);
    }
  }
  assert.equal(found, []);
});

t.run();
