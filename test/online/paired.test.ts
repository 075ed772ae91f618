/** The Student t quantile (table and its extension past 30 dof) and the paired difference's mean, sd and 95% CI, by hand. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { pairedDiff, tQuantile975 } from '../../src/online/paired.js';
import { mergeOnlineResults, summarisePolicy, type OnlineExperimentResult } from '../../src/online/experiment.js';
import type { OnlineRunResult } from '../../src/online/run.js';

const s = suite('online/paired');

s('t quantiles: table values, the extension past 30 dof, the normal limit', () => {
  assert.is(tQuantile975(1), 12.706);
  assert.is(tQuantile975(9), 2.262);
  assert.is(tQuantile975(30), 2.042);
  // published t_{0.975}: 40 dof 2.021, 60 dof 2.000, 120 dof 1.980
  for (const [dof, t] of [[31, 2.0395], [40, 2.0211], [60, 2.0003], [120, 1.9799], [1e6, 1.96]]) assert.ok(Math.abs(tQuantile975(dof) - t) < 1e-3, `${dof}: ${tQuantile975(dof)}`);
  for (let dof = 1; dof < 200; dof++) assert.ok(tQuantile975(dof + 1) < tQuantile975(dof), `decreasing at ${dof}`);
  assert.throws(() => tQuantile975(0), /dof/);
});

s('paired difference: mean, sd (n - 1), CI mean +- t sd / sqrt(n)', () => {
  // d = 2, 4, 6, 8: mean 5, sd sqrt(20/3), t_3 = 3.182
  const p = pairedDiff('a', 'b', [12, 14, 16, 18], [10, 10, 10, 10]);
  const sd = Math.sqrt(20 / 3), h = 3.182 * sd / 2;
  assert.is(p.mean, 5);
  assert.ok(Math.abs(p.sd - sd) < 1e-12);
  assert.ok(Math.abs(p.ci95[0] - (5 - h)) < 1e-12 && Math.abs(p.ci95[1] - (5 + h)) < 1e-12);
  assert.equal([p.a, p.b, p.metric, p.n], ['a', 'b', 'totalClicks', 4]);
  // pairing matters: a large common seed effect cancels
  const q = pairedDiff('a', 'b', [101, 201, 301], [100, 200, 300]);
  assert.equal([q.mean, q.sd, q.ci95], [1, 0, [1, 1]]);
  assert.ok(Number.isNaN(pairedDiff('a', 'b', [1], [0]).sd));
  assert.throws(() => pairedDiff('a', 'b', [1, 2], [1]), /equal/);
});

s('runs of disjoint seeds merge into one result: rows in seed order, pairs over all seeds', () => {
  const run = (seed: number, clicks: number): OnlineRunResult & { seed: number } => ({ seed, totalClicks: clicks, sessions: 10, sessionsPerUser: 1, clicksPerSession: 1,
    sessionLength: 1, regret: 0, coverage: 1, ctrCurve: [0.1], satisfaction: 0.5, slateOverlap: 0.5 });
  const part = (seeds: number[], a: number[], b: number[]): OnlineExperimentResult => ({ dataset: 'x', protocol: 'online', seeds, users: 1, market: {} as never, paired: [],
    models: [summarisePolicy('dp-gcn', seeds.map((s2, k) => run(s2, a[k])), 2), summarisePolicy('linucb', seeds.map((s2, k) => run(s2, b[k])))] });
  const m = mergeOnlineResults([part([3, 4], [16, 18], [10, 10]), part([1, 2], [12, 14], [10, 10])]);
  assert.equal(m.seeds, [1, 2, 3, 4]);
  assert.equal(m.models[0].perSeed.map((r) => r.seed), [1, 2, 3, 4]);
  assert.is(m.models[0].online.totalClicks.mean, 15);
  assert.is(m.models[0].trainSeconds, 2);
  const p = m.paired.find((x) => x.a === 'dp-gcn' && x.b === 'linucb' && x.metric === 'totalClicks')!;
  const want = pairedDiff('dp-gcn', 'linucb', [12, 14, 16, 18], [10, 10, 10, 10]);
  assert.equal([p.mean, p.sd, p.ci95], [want.mean, want.sd, want.ci95]);
});

s.run();
