/**
 * DDPG must show that it learns before it is trusted with recommendations: on
 * a finite-horizon LQR, whose optimum the Riccati recursion gives exactly, the
 * trained policy gets within 5% of the optimal return. Also the pieces that
 * learning rests on: soft updates, the replay ring, OU statistics, seeding.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../src/tensor/rng.js';
import { cosineDecay } from '../../src/optim/schedule.js';
import { DDPG, softUpdate, train, evaluate, LqrEnv, ReplayBuffer, OUNoise, GaussianNoise, Actor, type Env } from '../../src/rl/index.js';

const s = suite('rl/ddpg');

// coupled 2-D system, open-loop unstable enough that doing nothing costs ~20x the optimum
const SYS = { A: [[1, 0.2], [-0.1, 0.9]], B: [[1, 0], [0.2, 0.8]], Q: [[1, 0], [0, 1]], R: [[0.5, 0], [0, 0.5]], horizon: 3 };
const EVAL_STARTS = Array.from({ length: 16 }, (_, i) => {
  const th = (2 * Math.PI * i) / 16, r = i % 2 ? 1 : 0.6;
  return [r * Math.cos(th), r * Math.sin(th)];
});

function runLqr(seed: number, episodes: number): { agent: DDPG; evalEnv: LqrEnv; returns: number[] } {
  const rng = new Rng(seed);
  const env = new LqrEnv({ ...SYS, rng: rng.fork(), initRange: 1, observeTime: true });
  const evalEnv = new LqrEnv({ ...SYS, initialStates: EVAL_STARTS, observeTime: true });
  const updates = episodes * SYS.horizon;
  const agent = new DDPG({
    stateDim: env.stateDim, actionDim: env.actionDim, rng: rng.fork(), maxAction: 1,
    actorHidden: [32, 32], criticHidden: [32, 32], activation: 'tanh',
    // smooth activations: a ReLU critic's piecewise-constant dQ/da converged several times slower here
    actorLr: 2e-3, criticLr: 5e-3, actorSchedule: cosineDecay(updates, 1e-5), criticSchedule: cosineDecay(updates, 1e-5),
    gamma: 1, tau: 0.01, noise: 'gaussian', noiseOptions: { sigma: 0.1 },
  });
  const res = train(env, agent, { episodes, rng: rng.fork(), warmupSteps: 200, batchSize: 64 });
  return { agent, evalEnv, returns: res.episodeReturns };
}

s('LQR: the Riccati optimum is achieved by its own policy and beats perturbed policies', () => {
  const env = new LqrEnv({ ...SYS, initialStates: EVAL_STARTS, observeTime: true });
  const rollout = (gain: number): number => evaluate(env, { act: (x) => env.optimalAction(x, Math.round(x[2] * SYS.horizon)).map((v) => v * gain) }, EVAL_STARTS.length);
  assert.ok(Math.abs(rollout(1) - env.optimalReturn()) < 1e-5, `${rollout(1)} vs ${env.optimalReturn()}`);
  for (const g of [0, 0.9, 1.1]) assert.ok(rollout(g) < env.optimalReturn() - 1e-4, `gain x${g}`);
  // scalar, one step: V = -min_u (a x + b u)^2 q + r u^2 = -x^2 a^2 q r / (r + b^2 q)
  const one = new LqrEnv({ A: [[2]], B: [[1]], Q: [[3]], R: [[1]], horizon: 1, initialStates: [[1]] });
  assert.ok(Math.abs(one.optimalReturn() - -(4 * 3 * 1) / (1 + 3)) < 1e-12);
});

s('DDPG gets within 5% of the optimal LQR return', () => {
  const t0 = performance.now();
  const { agent, evalEnv } = runLqr(1, 2000);
  const got = evaluate(evalEnv, agent, EVAL_STARTS.length), best = evalEnv.optimalReturn();
  const zero = evaluate(evalEnv, { act: () => new Float32Array(2) }, EVAL_STARTS.length);
  console.log(`  LQR return: DDPG ${got.toFixed(4)}, optimal ${best.toFixed(4)} (ratio ${(got / best).toFixed(4)}), zero action ${zero.toFixed(4)}; ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  assert.ok(got >= best * 1.05, `DDPG ${got} is not within 5% of the optimum ${best}`);
});

s('softUpdate moves each target parameter a fraction tau towards the source', () => {
  const a = new Actor(3, 2, new Rng(1), { hidden: [4] }), b = new Actor(3, 2, new Rng(2), { hidden: [4] });
  const before = a.parameters().map((p) => p.data.slice());
  softUpdate(a, b, 0.25);
  a.parameters().forEach((p, k) => {
    const src = b.parameters()[k].data;
    p.data.forEach((v, i) => assert.ok(Math.abs(v - (0.75 * before[k][i] + 0.25 * src[i])) < 1e-6));
  });
  softUpdate(a, b, 1);
  a.parameters().forEach((p, k) => assert.equal(Array.from(p.data), Array.from(b.parameters()[k].data)));
  assert.throws(() => softUpdate(a, new Actor(3, 2, new Rng(1), { hidden: [5] }), 0.1));
});

s('replay buffer: wraps around at capacity and samples reproducibly', () => {
  const buf = new ReplayBuffer(4, 2, 1, new Rng(7));
  for (let i = 0; i < 6; i++) buf.add([i, -i], [i / 10], i, [i + 1, 0], i === 5);
  assert.is(buf.size, 4);
  // slots 0 and 1 were overwritten by transitions 4 and 5
  const all = buf.gather(Int32Array.from([0, 1, 2, 3]));
  assert.equal(Array.from(all.rewards), [4, 5, 2, 3]);
  assert.equal(Array.from(all.states), [4, -4, 5, -5, 2, -2, 3, -3]);
  assert.equal(Array.from(all.dones), [0, 1, 0, 0]);
  const x = buf.sample(50), y = new ReplayBuffer(4, 2, 1, new Rng(7));
  for (let i = 0; i < 6; i++) y.add([i, -i], [i / 10], i, [i + 1, 0], i === 5);
  assert.equal(Array.from(y.sample(50).rewards), Array.from(x.rewards));
  assert.equal(new Set(x.rewards).size, 4, 'every held transition is drawn');
  for (let k = 0; k < x.size; k++) assert.is(x.nextStates[2 * k], x.rewards[k] + 1, 'rows stay aligned');
});

s('OU noise reverts to its mean with the AR(1) statistics; decay shrinks sigma to its floor', () => {
  const theta = 0.15, sigma = 0.3, mu = 0.5;
  const ou = new OUNoise(1, new Rng(3), { theta, sigma, mu });
  // from far away the expected gap to mu shrinks by (1 - theta) per step (averaged over 2,000 paths)
  let after10 = 0;
  for (let p = 0; p < 2000; p++) {
    ou.x[0] = 10;
    for (let t = 0; t < 9; t++) ou.sample();
    after10 += ou.sample()[0] / 2000;
  }
  assert.ok(Math.abs(after10 - (mu + 9.5 * Math.pow(1 - theta, 10))) < 0.05, `mean after 10 steps ${after10}`);
  ou.reset();
  const n = 200_000, xs = new Float64Array(n);
  for (let i = 0; i < n; i++) xs[i] = ou.sample()[0];
  const m = xs.reduce((a, v) => a + v, 0) / n;
  const v = xs.reduce((a, x) => a + (x - m) ** 2, 0) / n;
  let c = 0;
  for (let i = 1; i < n; i++) c += (xs[i] - m) * (xs[i - 1] - m);
  const rho = c / (n - 1) / v, varTheory = (sigma * sigma) / (1 - (1 - theta) ** 2);
  assert.ok(Math.abs(m - mu) < 0.03, `mean ${m}`);
  assert.ok(Math.abs(v / varTheory - 1) < 0.05, `variance ${v} vs ${varTheory}`);
  assert.ok(Math.abs(rho - (1 - theta)) < 0.01, `lag-1 correlation ${rho}`);
  ou.reset();
  assert.is(ou.x[0], mu);
  const g = new GaussianNoise(2, new Rng(4), { sigma: 1, decay: 0.5, sigmaMin: 0.2 });
  g.decay(); g.decay(); g.decay();
  assert.is(g.sigma, 0.2);
});

s('determinism: the same seed gives identical returns, another seed differs', () => {
  const a = runLqr(5, 120).returns, b = runLqr(5, 120).returns, c = runLqr(6, 120).returns;
  assert.equal(a, b);
  assert.not.equal(a, c);
});

s('an env that never ends is cut by maxEpisodeSteps', () => {
  const env: Env = { stateDim: 1, actionDim: 1, reset: () => new Float32Array(1), step: () => ({ state: new Float32Array(1), reward: 1, done: false }) };
  const agent = new DDPG({ stateDim: 1, actionDim: 1, rng: new Rng(1), actorHidden: [4], criticHidden: [4] });
  const res = train(env, agent, { episodes: 2, rng: new Rng(2), maxEpisodeSteps: 5, batchSize: 4 });
  assert.equal(res.episodeReturns, [5, 5]);
  assert.is(res.updates, 10 - 3);
});

s.run();
