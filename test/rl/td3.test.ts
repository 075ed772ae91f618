/**
 * TD3 must learn before it acts on users: on a one-step problem whose best
 * action depends on the state (r = 1 - |a - a*(s)|^2 / 2, a*(s) = (s0, -s0)),
 * the twin critics fit the reward and the actor, started at the reference
 * action 0, moves to a*(s). The actor's pull toward 0 keeps it there where
 * the critic says nothing; the Wolpertinger choice is the critic's argmax;
 * a seed fixes every number.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../src/tensor/rng.js';
import { TD3, TransitionBuffer } from '../../src/rl/td3.js';

const s = suite('rl/td3');

function trainOn(seed: number, steps: number, refWeight = 0.01): { agent: TD3; losses: number[] } {
  const rng = new Rng(seed), agent = new TD3({ stateDim: 2, actionDim: 2, rng: rng.fork(), hidden: [32, 32], refWeight, actorLr: 2e-3, criticLr: 3e-3, tau: 0.02 });
  const buf = new TransitionBuffer(5000, 2, 2, rng.fork()), losses: number[] = [];
  for (let t = 0; t < steps; t++) {
    const st = Float32Array.of(rng.range(-0.8, 0.8), 1), mu = agent.act(st, 1);
    const a = mu.map((v) => Math.max(-1, Math.min(1, v + 0.4 * rng.normal())));
    const r = 1 - ((a[0] - st[0]) ** 2 + (a[1] + st[0]) ** 2) / 2;
    buf.add(st, a, r, st, 0);
    if (buf.size >= 64) losses.push(agent.update(buf.sample(64)).criticLoss);
  }
  return { agent, losses };
}

s('starts at the reference action 0', () => {
  const agent = new TD3({ stateDim: 3, actionDim: 2, rng: new Rng(1) });
  assert.equal(Array.from(agent.act(Float32Array.of(1, -2, 3, 0.5, 0.5, 0.5), 2)), [0, 0, 0, 0]);
});

s('critic fits the reward and the actor moves to the state-dependent best action', () => {
  const { agent, losses } = trainOn(7, 1500);
  const early = losses.slice(0, 50).reduce((a, b) => a + b, 0) / 50, late = losses.slice(-50).reduce((a, b) => a + b, 0) / 50;
  assert.ok(late < early / 3, `critic loss ${early} -> ${late}`);
  for (const x of [-0.6, 0, 0.6]) {
    const a = agent.act(Float32Array.of(x, 1), 1);
    assert.ok(Math.abs(a[0] - x) < 0.25 && Math.abs(a[1] + x) < 0.25, `s0 ${x}: a ${Array.from(a)}`);
  }
});

s('the pull toward the reference wins where the reward is flat', () => {
  const rng = new Rng(3), agent = new TD3({ stateDim: 1, actionDim: 1, rng: rng.fork(), hidden: [16], refWeight: 1, actorLr: 3e-3 });
  const buf = new TransitionBuffer(1000, 1, 1, rng.fork());
  for (let t = 0; t < 400; t++) { buf.add(Float32Array.of(1), Float32Array.of(rng.range(-1, 1)), 0.5, Float32Array.of(1), 0); if (buf.size >= 32) agent.update(buf.sample(32)); }
  assert.ok(Math.abs(agent.act(Float32Array.of(1), 1)[0]) < 0.1);
});

s('delayed actor: the actor steps on every second update only', () => {
  const rng = new Rng(5), agent = new TD3({ stateDim: 1, actionDim: 1, rng, policyDelay: 2 });
  const b = { size: 2, states: Float32Array.of(0.1, 0.2), actions: Float32Array.of(0.3, -0.3), rewards: Float32Array.of(1, 0), nextStates: Float32Array.of(0.1, 0.2), discounts: Float32Array.of(0.9, 0) };
  assert.is(agent.update(b).actorLoss, null);
  assert.type(agent.update(b).actorLoss, 'number');
  assert.is(agent.update(b).actorLoss, null);
});

s('Wolpertinger picks the candidate the twin critic values most', () => {
  const { agent } = trainOn(11, 800);
  const st = Float32Array.of(0.5, 1), cands = Float32Array.of(-0.5, 0.5, 0.5, -0.5, 0, 0);
  assert.is(agent.choose(st, cands), 1);
  const q = agent.values(st, cands);
  assert.ok(q[1] > q[0] && q[1] > q[2]);
});

s('seeded: the same seed gives the same actor', () => {
  const a = trainOn(13, 200).agent.act(Float32Array.of(0.3, 1), 1), b = trainOn(13, 200).agent.act(Float32Array.of(0.3, 1), 1);
  assert.equal(Array.from(a), Array.from(b));
});

s.run();
