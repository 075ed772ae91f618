/**
 * The recommendation environment on a toy world of 5 items in 2-D: it builds
 * the state from the user vector and the last k items, ranks candidates by
 * base logit + beta <a, e_j>, rewards hits with the rank discount, and
 * advances through the logged session in time order.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../src/tensor/rng.js';
import { RecommendationEnv, type RecommendationEnvOptions, hitFeedback, clickFeedback, rankDiscount, DDPG, train } from '../../src/rl/index.js';

const s = suite('rl/recommendation');

const EMB = [[0, 0], [1, 0], [0, 1], [-1, 0], [0, -1]];
const BASE = [0.5, 0.4, 0.3, 0.2, 0.1];
const SESSIONS = [[4, 3, 1, 2]];

function world(extra: Partial<RecommendationEnvOptions> = {}): RecommendationEnv {
  return new RecommendationEnv({
    d: 2, k: 2, beta: 1, listSize: 3, sessions: SESSIONS,
    userState: (u) => [u, 1, 0.5],
    itemEmbedding: (j) => EMB[j],
    // candidates exclude what the user already has, as the models layer will
    candidates: (u, t) => [0, 1, 2, 3, 4].filter((j) => !SESSIONS[u].slice(0, t).includes(j)),
    baseLogits: (_u, items) => Array.from(items, (j) => BASE[j]),
    feedback: hitFeedback(SESSIONS),
    ...extra,
  });
}

s('state = [user vector, mean of the last k item embeddings]', () => {
  const env = world();
  assert.is(env.stateDim, 5);
  assert.is(env.actionDim, 2);
  assert.equal(Array.from(env.reset()), [0, 1, 0.5, 0, -1]);
  assert.equal(Array.from(env.state(0, [])), [0, 1, 0.5, 0, 0]);
  assert.equal(Array.from(env.state(0, [1, 2, 3])), [0, 1, 0.5, -0.5, 0.5]);
});

s('ranks by base logit + beta <a, e_j>, rewards hits by rank, and walks the session in order', () => {
  const env = world();
  env.reset();
  // zero action: base order 0,1,2 is shown; the next logged item (3) is missed
  assert.equal(Array.from(env.recommend(0, 1, [0, 0])), [0, 1, 2]);
  let r = env.step(new Float32Array([0, 0]));
  assert.is(r.reward, 0);
  assert.not.ok(r.done);
  assert.equal(Array.from(r.state), [0, 1, 0.5, -0.5, -0.5]);
  // pushing along e_1 puts item 1 (the next logged item) on top
  assert.equal(Array.from(env.recommend(0, 2, [5, 0])), [1, 0, 2]);
  r = env.step(new Float32Array([5, 0]));
  assert.is(r.reward, 1);
  assert.equal(Array.from(r.state), [0, 1, 0.5, 0, 0], 'last k=2 items are 3 and 1');
  // a small push along e_2 is not enough to pass item 0: the hit is at rank 1
  r = env.step(new Float32Array([0, 0.1]));
  assert.ok(Math.abs(r.reward - 1 / Math.log2(3)) < 1e-12);
  assert.ok(r.done);
  assert.not.ok(r.truncated);
  assert.throws(() => env.step(new Float32Array([0, 0])), /episode is over/);
  assert.throws(() => env.recommend(0, 1, [1, 2, 3]), /expected 2/);
});

s('clickFeedback sums true click probabilities discounted by rank; maxSteps truncates', () => {
  const prob = [0.9, 0.5, 0.2, 0.1, 0.05];
  const env = world({ feedback: clickFeedback((_u, j) => prob[j]), maxSteps: 1 });
  env.reset();
  const r = env.step(new Float32Array([0, 0]));
  assert.ok(Math.abs(r.reward - (0.9 * rankDiscount(0) + 0.5 * rankDiscount(1) + 0.2 * rankDiscount(2))) < 1e-12);
  assert.ok(r.done && r.truncated);
});

s('plugs into DDPG and the train loop', () => {
  const env = world({ rng: new Rng(1) });
  const agent = new DDPG({ stateDim: env.stateDim, actionDim: env.actionDim, rng: new Rng(2), maxAction: 2, actorHidden: [8], criticHidden: [8] });
  const res = train(env, agent, { episodes: 20, rng: new Rng(3), batchSize: 8, warmupSteps: 10 });
  assert.is(res.episodeReturns.length, 20);
  assert.ok(res.episodeReturns.every((x) => Number.isFinite(x) && x >= 0 && x <= 3));
  assert.ok(res.updates > 0);
});

s.run();
