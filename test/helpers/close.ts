/** Approximate comparison of numeric arrays with a readable failure message. */
import * as assert from 'uvu/assert';

export interface Tol { rtol?: number; atol?: number }

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tol = {}, label = ''): void {
  const rtol = tol.rtol ?? 1e-5, atol = tol.atol ?? 1e-6;
  assert.is(actual.length, expected.length, `${label} length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i], e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      assert.unreachable(`${label} [${i}]: got ${a}, expected ${e} (rtol ${rtol}, atol ${atol})`);
    }
  }
}
