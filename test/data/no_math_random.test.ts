import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/backend/paths.js';

const test = suite('data/no_math_random');

function walk(dir: string, out: string[]): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out); else if (/\.(ts|js|mjs|cc|h)$/.test(e)) out.push(p);
  }
  return out;
}

test('no file under src/ calls Math.random (all randomness goes through a seeded Rng)', () => {
  const bad = walk(join(packageRoot(), 'src'), []).filter((f) => /Math\s*\.\s*random\s*\(/.test(readFileSync(f, 'utf8')));
  assert.equal(bad, []);
});

test.run();
