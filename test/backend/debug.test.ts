/** DPGCN_DEBUG=1 turns a silent NaN into an error naming the kernel. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getBackend } from '../../src/backend/registry.js';
import { withNaNChecks } from '../../src/backend/debug.js';

const s = suite('backend/debug');

s('a kernel producing NaN from NaN-free inputs throws with its name', () => {
  const b = withNaNChecks(getBackend('js'));
  const x = Float32Array.from([-1, 2]), y = new Float32Array(2);
  assert.throws(() => b.kernels.unary('log', x, y, 2, 0, 0), /kernel unary/);
  const ok = new Float32Array(2);
  b.kernels.unary('exp', x, ok, 2, 0, 0);
  assert.ok(ok[1] > 7);
});

s.run();
