/**
 * Timing with benchmark.js: each case is validated against the js reference
 * before it is timed, then benchmark.js samples it; we report the median of
 * its samples (the machine is shared and noisy, so medians, not means).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// benchmark.js is CommonJS; it is only needed when benchmarks run
type BenchCtor = new (name: string, fn: () => void, opts: object) => { run(opts?: object): void; stats: { sample: number[] }; error?: Error };

export interface TimingOptions { quick?: boolean }

/** Median seconds per call of fn, sampled by benchmark.js. */
export function medianSeconds(name: string, fn: () => void, opts: TimingOptions = {}): number {
  const Benchmark = require('benchmark') as BenchCtor;
  fn(); // warm-up (JIT, page faults, thread pool start)
  const bench = new Benchmark(name, fn, {
    minSamples: opts.quick ? 3 : 10,
    maxTime: opts.quick ? 0.3 : 1.5,
    initCount: 1,
  });
  bench.run({ async: false });
  if (bench.error) throw bench.error;
  const s = [...bench.stats.sample].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : 0.5 * (s[mid - 1] + s[mid]);
}
