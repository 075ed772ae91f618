/**
 * Tests that cannot run here (a data set, a browser, a backend is missing)
 * are registered as uvu skips, so the closing line counts them as skipped
 * rather than passed, and the reason is printed once.
 */
import { suite, type Test } from 'uvu';

type Fn = Parameters<Test>[1];

/** Registers name on suite t, or as a skipped test with its reason printed when reason is non-null. */
export function testUnless(t: Test, reason: string | null, name: string, fn: Fn): void {
  if (reason === null) { t(name, fn); return; }
  console.log(`  skip: ${name}: ${reason}`);
  t.skip(name, fn);
}

/** A suite that cannot run at all here: one skipped entry carrying the reason. */
export function skipSuite(name: string, reason: string): void {
  console.log(`  skip: ${name}: ${reason}`);
  const t = suite(name);
  t.skip(`${name} (${reason})`, () => {});
  t.run();
}
