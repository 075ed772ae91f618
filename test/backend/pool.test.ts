/** The JS-heap storage pool: reuse by size class, zero-filled hand-outs, no double hand-out. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ArrayPool, sizeClass } from '../../src/backend/pool.js';

const s = suite('backend/pool');

s('size classes bound the slack at 25%', () => {
  for (const n of [4097, 5000, 10000, 123457, 1 << 20, (1 << 20) + 1]) {
    const c = sizeClass(n);
    assert.ok(c >= n && c <= 1.25 * n + 1, `${n} -> ${c}`);
  }
});

s('freed storage is reused for a nearby size, zero-filled', () => {
  const p = new ArrayPool();
  const a = p.allocF32(10000);
  a.fill(7);
  const buf = a.buffer;
  p.free(a);
  const b = p.allocF32(9800);
  assert.is(b.buffer, buf);
  assert.is(b.length, 9800);
  assert.ok(b.every((v) => v === 0));
});

s('double free hands storage out once; foreign arrays are ignored', () => {
  const p = new ArrayPool();
  const a = p.allocF32(8192);
  p.free(a); p.free(a);
  const b = p.allocF32(8192), c = p.allocF32(8192);
  assert.is.not(b.buffer, c.buffer);
  const mine = new Float32Array(8192);
  p.free(mine);
  assert.is(p.idleBytes, 0);
});

s.run();
