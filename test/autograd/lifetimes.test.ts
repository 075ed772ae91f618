/** Tensor lifetimes: what the tape holds after backward, segmentMax's argmax buffer, and debug poisoning of freed storage. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { tensor } from '../../src/tensor/create.js';
import { backward } from '../../src/autograd/engine.js';
import { mul, add } from '../../src/autograd/ops/elementwise.js';
import { sum } from '../../src/autograd/ops/reduce.js';
import { segmentMax } from '../../src/autograd/ops/spmm.js';
import { CsrMatrix } from '../../src/sparse/csr.js';
import { currentBackend } from '../../src/backend/registry.js';

const t = suite('autograd/lifetimes');

t('backward releases the inputs of every node it ran, so a loss kept outside tidy pins no forward graph', () => {
  const x = tensor([[1, 2], [3, 4]]); x.requiresGrad = true;
  const h = mul(x, x), loss = sum(add(h, x));
  backward(loss);
  assert.equal(loss.node!.inputs, []);
  assert.equal(h.node!.inputs, []);
  assert.throws(() => backward(loss), /already freed/);
  // a retained graph keeps them for the second pass
  const l2 = sum(mul(x, x));
  backward(l2, { retainGraph: true });
  assert.is(l2.node!.inputs.length, 1);
});

t("segmentMax's argmax buffer is freed through the tape (after backward, or at once without a tape)", () => {
  const b = currentBackend();
  const A = CsrMatrix.fromCoo(3, 4, [0, 0, 2], [1, 3, 0]);
  const x = tensor([[1, 2], [3, 4], [5, 6], [7, 8]]);
  A.structureOn(b); // the CSR's backend handle is cached on the matrix, not per call
  const before = b.liveAllocations();
  segmentMax(A, x).dispose(); // no gradient needed: nothing is recorded and the buffer goes at once
  assert.is(b.liveAllocations(), before);
  x.requiresGrad = true;
  const y = segmentMax(A, x), loss = sum(y);
  backward(loss);
  assert.equal(Array.from(x.grad!.data), [1, 1, 0, 0, 0, 0, 1, 1]);
  x.grad!.dispose(); x.grad = null;
  y.dispose(); loss.dispose();
  assert.is(b.liveAllocations(), before, 'argmax buffer returned');
});

t('DPGCN_DEBUG=1: a disposed tensor storage reads NaN through an old view, never a newer tensor', () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const code = `import('${root}/src/tensor/create.js').then(({ tensor }) => {
    const a = tensor([1, 2, 3, 4]); const view = a.data; a.dispose();
    const b = tensor([9, 9, 9, 9]);
    process.stdout.write(JSON.stringify([Array.from(view), b.data[0]]));
  })`;
  const r = spawnSync(process.execPath, ['-e', code], { env: { ...process.env, DPGCN_DEBUG: '1' }, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const [view, b0] = JSON.parse(r.stdout);
  assert.ok(view.every((v: number | null) => v === null), `stale view: ${JSON.stringify(view)}`); // NaN serialises as null
  assert.is(b0, 9);
});

t.run();
