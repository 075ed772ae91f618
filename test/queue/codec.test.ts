import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeExact, decodeExact } from '../../src/queue/codec.js';

const t = suite('queue/codec');

t('every float64 comes back with the same bits, NaN, infinities and -0 included', () => {
  const xs = [0, -0, NaN, Infinity, -Infinity, 0.1, 1 / 3, Math.PI, 5e-324, -5e-324, 1.7976931348623157e308, 2 ** -1074 * 3, 0.7278000000000001, Math.fround(0.7)];
  const back = decodeExact<{ xs: number[]; nested: { a: number[] } }>(encodeExact({ xs, nested: { a: [NaN, -0] } }));
  const bits = (x: number) => { const b = new DataView(new ArrayBuffer(8)); b.setFloat64(0, x); return b.getBigUint64(0); };
  assert.is(back.xs.length, xs.length);
  xs.forEach((x, i) => assert.ok(Object.is(back.xs[i], x) && (Number.isNaN(x) || bits(back.xs[i]) === bits(x)), `${x}`));
  assert.ok(Number.isNaN(back.nested.a[0]) && Object.is(back.nested.a[1], -0));
});

t('other values pass through; only the exact tag shape is decoded', () => {
  const v = { s: 'x', b: true, n: null, arr: [1, 'a'], o: { $num: 'NaN', extra: 1 }, p: { $num: 'nope' } };
  assert.equal(decodeExact(encodeExact(v)), v);
});

t.run();
