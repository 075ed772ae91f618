/** The seeded PRNG, and the rule that nothing in src/ calls Math.random. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/index.js';
import { packageRoot } from '../../src/backend/paths.js';

const s = suite('tensor/rng');

s('same seed, same stream; different seeds differ', () => {
  const a = new Rng(5), b = new Rng(5), c = new Rng(6);
  const xa = Array.from({ length: 10 }, () => a.nextU32());
  const xb = Array.from({ length: 10 }, () => b.nextU32());
  const xc = Array.from({ length: 10 }, () => c.nextU32());
  assert.equal(xa, xb);
  assert.not.equal(xa, xc);
});

s('uniform, normal, int, shuffle and sample have the right ranges and moments', () => {
  const r = new Rng(1);
  let s1 = 0, s2 = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) { const z = r.normal(); s1 += z; s2 += z * z; }
  assert.ok(Math.abs(s1 / n) < 0.03 && Math.abs(s2 / n - 1) < 0.05);
  for (let i = 0; i < 1000; i++) { const u = r.uniform(); assert.ok(u >= 0 && u < 1); const k = r.int(7); assert.ok(k >= 0 && k < 7 && Number.isInteger(k)); }
  const arr = [0, 1, 2, 3, 4, 5, 6, 7];
  r.shuffle(arr);
  assert.equal([...arr].sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
  for (const [N, k] of [[10, 10], [1000, 5], [50, 30]]) {
    const smp = r.sample(N, k);
    assert.is(new Set(smp).size, k);
    for (const v of smp) assert.ok(v >= 0 && v < N);
  }
  assert.throws(() => r.sample(3, 4));
});

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

s('no source file calls Math.random', () => {
  const offenders = sources(join(packageRoot(), 'src')).filter((f) => /Math\.random\s*\(/.test(readFileSync(f, 'utf8')));
  assert.equal(offenders, []);
});

s.run();
