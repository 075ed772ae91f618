/**
 * The online decision layer: the reference action reproduces LinUCB exactly
 * (slate by slate over a closed-loop run, when the actor stays at 0 and no
 * candidate is perturbed); a knob moves the slate the way it says (the item
 * exposure penalty drops what was just shown); learning runs on every
 * feedback event and a seed fixes the result.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../src/tensor/rng.js';
import { generateSynthetic } from '../../src/data/synthetic.js';
import { LinearBandit } from '../../src/online/bandits.js';
import { SlatePolicy, type SlatePolicyOptions } from '../../src/online/slate_policy.js';
import { FIXED_KNOBS } from '../../src/online/slate_scorer.js';
import { runOnline, onlineUsers, loggedHistories } from '../../src/online/run.js';
import { LoggedSlateEnv } from '../../src/online/logged_slate_env.js';
import { runBatched } from '../../src/rl/batched_env.js';
import type { FeedbackEvent, OnlinePolicy, SlateContext } from '../../src/online/policy.js';

const s = suite('online/slate_policy');
const ds = generateSynthetic({ users: 200, items: 120, interactions: 2500, seed: 5 });
const d = 8, rows = Float32Array.from({ length: ds.numItems * d }, (_, k) => new Rng(9 + k).normal());
const logged = loggedHistories(ds), users = onlineUsers(ds, 15, 2);
const cats = Int32Array.from({ length: ds.numItems }, (_, i) => i % 6);
const userVectors = Float32Array.from({ length: ds.numUsers * d }, (_, k) => Math.sin(k));

const make = (o: SlatePolicyOptions, seed = 1) => new SlatePolicy('t', new LinearBandit('t', 'linucb', rows, d, logged, new Rng(1)),
  { userVectors, prior: null, categories: cats }, new Rng(seed), o);

class Recorder implements OnlinePolicy {
  readonly slates: number[][] = [];
  constructor(readonly inner: OnlinePolicy) {}
  get name(): string { return this.inner.name; }
  recommend(u: number, k: number, c: SlateContext): Int32Array { const x = this.inner.recommend(u, k, c); this.slates.push(Array.from(x)); return x; }
  feedback(e: FeedbackEvent[]): void { this.inner.feedback(e); }
}

s('the reference action is LinUCB, slate by slate', () => {
  const a = new Recorder(new LinearBandit('linucb', 'linucb', rows, d, logged, new Rng(1)));
  const b = new Recorder(make({ candidates: 1, updatesPerEvent: 0 }));
  const ra = runOnline(ds, () => a, { users, seed: 3, params: { days: 4 } }), rb = runOnline(ds, () => b, { users, seed: 3, params: { days: 4 } });
  assert.ok(a.slates.length > 50);
  assert.equal(b.slates, a.slates);
  assert.is(rb.totalClicks, ra.totalClicks);
});

s('the item-exposure knob drops what was just shown', () => {
  const p = make({ candidates: 1, updatesPerEvent: 0 }), u = users[0], k = 5, A = p.actionDim;
  p.features.startSession(u, 0);
  const zero = new Float32Array(A), first = p.slateFor(u, k, zero, new Int32Array(0));
  p.feedback([]); // nothing pending: no effect
  p.features.observe(u, 0, first, new Uint8Array(k), rows);
  const pen = new Float32Array(A); pen[1] = 1;
  const again = p.slateFor(u, k, pen, new Int32Array(0)), plain = p.slateFor(u, k, zero, new Int32Array(0));
  const shown = new Set(first);
  assert.ok(again.filter((i) => shown.has(i)).length < plain.filter((i) => shown.has(i)).length, `${Array.from(again)} vs ${Array.from(plain)}`);
  assert.is(A, FIXED_KNOBS + 3);
});

s('learns from every event; seeded', () => {
  const run = () => { const p = make({ batchSize: 16, updateEvery: 1 }, 4); const r = runOnline(ds, () => p, { users, seed: 3, params: { days: 4 } }); return { r, p }; };
  const x = run(), y = run();
  assert.ok(x.p.agent.steps > 0 && x.r.learnMsPerEvent! > 0);
  assert.is(x.r.totalClicks, y.r.totalClicks);
  assert.equal(Array.from(x.p.agent.act(new Float32Array(x.p.agent.stateDim), 1)), Array.from(y.p.agent.act(new Float32Array(y.p.agent.stateDim), 1)));
});

s('offline pre-training replays the log alone: rewards are logged next clicks caught, and the actor moves', () => {
  const logOnly = { ...ds, oracle: null }; // no true probabilities to read
  const p = make({ batchSize: 16, updateEvery: 1 }, 6), env = new LoggedSlateEnv(p.scorer, logOnly, { steps: 4, horizon: 3, slate: 10 });
  // the reference action on a replay: each reward is the number of the next 3 logged clicks in the slate
  const rng = new Rng(2), st0 = env.reset(3, rng), r0 = env.step(Int32Array.of(0, 1, 2), new Float32Array(3 * p.actionDim), rng);
  assert.is(st0.length, 3 * env.stateDim);
  assert.ok(Array.from(r0.rewards).every((r) => Number.isInteger(r) && r >= 0 && r <= 3));
  assert.equal(Array.from(r0.discounts), [0.8, 0.8, 0.8].map(Math.fround));
  const before = p.agent.act(new Float32Array(p.agent.stateDim), 1);
  const ret = p.pretrain(env, 24, new Rng(3), 8);
  assert.ok(ret >= 0 && p.agent.steps > 0);
  assert.ok(p.agent.act(new Float32Array(p.agent.stateDim), 1).some((v, j) => v !== before[j]));
  // the same loop drives any BatchedEnv: a second pass returns a mean over its episodes
  assert.ok(runBatched(env, p, 8, 8, new Rng(4)) >= 0);
});

s.run();
