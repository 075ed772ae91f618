/**
 * The closed-loop market: seeded determinism, its click model equal to the
 * synthetic market's inside the log, and each dynamic on its own (a click
 * moves taste toward the item, exposure tires a leaf, a slate without a
 * click ends the session when the exit rule says so); then the two checks
 * the comparison rests on: without dynamics no policy beats the myopic
 * oracle, with them a diversity rule does.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../src/tensor/rng.js';
import { generateSynthetic } from '../../src/data/synthetic.js';
import { ClosedLoopMarket } from '../../src/online/market.js';
import { runOnline, onlineUsers } from '../../src/online/run.js';
import { RandomPolicy, PopularityPolicy, MyopicOracle, DiversityRule } from '../../src/online/baselines.js';
import { LinearBandit } from '../../src/online/bandits.js';
import { topK } from '../../src/online/policy.js';

const s = suite('online/market');
const ds = generateSynthetic({ users: 300, items: 150, interactions: 4000, seed: 3 });
const m0 = ds.oracle!.market!;

s('logit equals the market click model inside the log', () => {
  const T0 = 1577836800, span = m0.days * 86400;
  for (const [u, i, frac] of [[0, 0, 0.1], [5, 17, 0.5], [299, 149, 0.9]]) {
    const t = T0 + frac * span, tau = frac - 0.5;
    const p = 1 / (1 + Math.exp(-m0.logit(u, i, tau, null)));
    assert.ok(Math.abs(p - ds.oracle!.clickProb(u, i, t)) < 1e-9);
  }
});

s('same seed, same run; another seed, another run', () => {
  const users = onlineUsers(ds, 30, 1);
  const run = (seed: number) => runOnline(ds, () => new RandomPolicy(ds.numItems, new Rng(7)), { users, seed });
  assert.equal(run(1), run(1));
  assert.not.equal(run(1).totalClicks + run(1).sessionLength, run(2).totalClicks + run(2).sessionLength);
});

s('a click moves taste toward the clicked item', () => {
  const m = new ClosedLoopMarket(ds, 1, { fatigue: 0, exitBase: 0, exitGrowth: 0 });
  m.startSession(4, 0);
  let clicked = -1;
  for (let t = 0; t < 20 && clicked < 0; t++) {
    const before = m.trueProbs(4), slate = topK(before, 10), out = m.show(4, slate);
    const j = out.clicks.indexOf(1);
    if (j >= 0) {
      clicked = slate[j];
      const after = m.trueProbs(4);
      // the user's logit for the item rises by step * scale * <q - taste, q> > 0 for the single click's share
      assert.ok(after[clicked] > before[clicked] - 1e-7, `p ${before[clicked]} -> ${after[clicked]}`);
    }
  }
  assert.ok(clicked >= 0, 'no click in 20 top slates');
  // without clicks nothing moves
  const m2 = new ClosedLoopMarket(ds, 1, { fatigue: 0, interestStep: 0.1, exitBase: 0, exitGrowth: 0 });
  m2.startSession(4, 0);
  const p0 = m2.trueProbs(4);
  const lows = topK(p0.map((x) => -x), 10), out = m2.show(4, lows);
  if (out.clicks.every((c) => c === 0)) assert.equal(m2.trueProbs(4), p0);
});

s('exposure to a leaf lowers its click probability, other leaves keep theirs', () => {
  const m = new ClosedLoopMarket(ds, 1, { interestStep: 0, exitBase: 0, exitGrowth: 0 });
  const leaf = m0.leaf, count = new Map<number, number>();
  for (const l of leaf) count.set(l, (count.get(l) ?? 0) + 1);
  const L = [...count.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
  const same = Int32Array.from({ length: ds.numItems }, (_, i) => i).filter((i) => leaf[i] === L);
  assert.ok(same.length >= 3);
  const other = Array.from({ length: ds.numItems }, (_, i) => i).find((i) => leaf[i] !== L)!;
  m.startSession(9, 0);
  const before = m.trueProbs(9);
  m.show(9, same.slice(0, 2));
  const after = m.trueProbs(9);
  assert.ok(after[same[2]] < before[same[2]] * 0.95, `${before[same[2]]} -> ${after[same[2]]}`);
  assert.ok(Math.abs(after[other] - before[other]) < 1e-7);
  // within a slate: the second item of a leaf is seen tired
  const m2 = new ClosedLoopMarket(ds, 1, { interestStep: 0 });
  m2.startSession(9, 0);
  const p = m2.trueProbs(9), e = m2.expectedClicks(9, same.slice(0, 2));
  assert.ok(e < p[same[0]] + p[same[1]] - 1e-4);
});

s('the exit rule: with exit only after a no-click slate, sessions end exactly then', () => {
  const m = new ClosedLoopMarket(ds, 5, { exitBase: 0, exitGrowth: 1, maxSlates: 100 });
  let ended = 0, went = 0;
  for (let u = 0; u < 40; u++) {
    m.startSession(u, 0);
    const rng = new Rng(u);
    for (;;) {
      const out = m.show(u, rng.sample(ds.numItems, 10));
      const any = out.clicks.some((c) => c === 1);
      assert.is(out.done, !any);
      if (out.done) { ended++; break; }
      went++;
    }
  }
  assert.is(ended, 40);
  assert.ok(went > 0);
});

const users = onlineUsers(ds, 80, 2);
const logged = (u: number) => ds.interactions.item.slice(ds.userPtr[u], ds.userPtr[u + 1]);
const itemRows = m0.item, dim = m0.dim;

s('dynamics off: the myopic oracle is optimal (no policy beats it, slate by slate)', () => {
  const params = { dynamics: false };
  const oracle = runOnline(ds, (m) => new MyopicOracle(m), { users, seed: 2, params });
  const others = [
    runOnline(ds, () => new RandomPolicy(ds.numItems, new Rng(1)), { users, seed: 2, params }),
    runOnline(ds, () => new PopularityPolicy(ds, 10), { users, seed: 2, params }),
    runOnline(ds, (m) => new DiversityRule(m), { users, seed: 2, params }),
    runOnline(ds, () => new LinearBandit('linucb', 'linucb', itemRows, dim, logged, new Rng(1)), { users, seed: 2, params }),
  ];
  assert.is(oracle.regret, 0);
  for (const r of others) {
    assert.ok(r.regret > 0);
    // the session lengths do not depend on the policy here, so expected clicks compare directly
    assert.is(r.sessionLength, oracle.sessionLength);
    assert.ok(r.totalClicks < oracle.totalClicks, `${r.totalClicks} vs oracle ${oracle.totalClicks}`);
  }
});

s('dynamics on: never the same leaf twice in a row beats the myopic oracle on clicks per session', () => {
  const oracle = runOnline(ds, (m) => new MyopicOracle(m), { users, seed: 2 });
  const div = runOnline(ds, (m) => new DiversityRule(m), { users, seed: 2 });
  assert.ok(div.clicksPerSession > oracle.clicksPerSession, `${div.clicksPerSession} vs ${oracle.clicksPerSession}`);
  assert.ok(div.regret < 0);
});

s.run();
