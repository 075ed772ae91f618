import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  auc, gauc, gaucOrNaN, MetricUndefinedError, relaImpr, precisionAtK, recallAtK, ndcgAtK, hitRateAtK, averagePrecision, map,
  rankingMetrics, meanSd,
} from '../../src/eval/metrics.js';
import { Rng } from '../../src/tensor/rng.js';

const close = (a: number, b: number, eps = 1e-12): void => {
  assert.ok(Math.abs(a - b) <= eps, `expected ${b}, got ${a}`);
};

const Auc = suite('auc');

Auc('the sklearn example: 3 of 4 pairs ordered', () => {
  close(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
});
Auc('perfect, reversed and all-tied', () => {
  close(auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), 1);
  close(auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]), 0);
  close(auc([0.5, 0.5, 0.5], [1, 0, 0]), 0.5);
});
Auc('a tie between a positive and a negative counts one half', () => {
  // pairs (pos,neg): (.5,.2)=1 (.5,.5)=.5 (.9,.2)=1 (.9,.5)=1 -> 3.5/4
  close(auc(new Float32Array([0.2, 0.5, 0.5, 0.9]), new Int32Array([0, 1, 0, 1])), 0.875);
});
Auc('matches the O(n^2) pairwise count on random data with many ties', () => {
  const rng = new Rng(7);
  const n = 300;
  const s = new Float64Array(n), l = new Uint8Array(n);
  for (let i = 0; i < n; i++) { s[i] = Math.floor(rng.uniform() * 10) / 10; l[i] = rng.uniform() < 0.3 ? 1 : 0; }
  let num = 0, den = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    if (l[i] === 1 && l[j] === 0) { den++; num += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0; }
  }
  close(auc(s, l), num / den, 1e-12);
});
Auc('handles infinite scores', () => {
  close(auc([-Infinity, Infinity, Infinity], [0, 1, 0]), 0.75);
});
Auc('throws clearly with one class, NaN scores or mismatched lengths', () => {
  assert.throws(() => auc([0.1, 0.2], [1, 1]), /only one class/);
  assert.throws(() => auc([0.1, 0.2], [0, 0]), /only one class/);
  assert.throws(() => auc([], []), /only one class/);
  assert.throws(() => auc([0.1, NaN], [0, 1]), /score 1 is NaN/);
  assert.throws(() => auc([0.1, 0.2, 0.3], [0, 1]), /3 entries.*2/);
});
Auc.run();

const Gauc = suite('gauc');

Gauc('impression-weighted mean over users; an all-positive user is skipped', () => {
  // user 1: 3 impressions, AUC 1; user 2: 2 impressions, AUC 0; user 3: all positive, skipped.
  // Interleaved on purpose: grouping must not depend on order.
  const users = [1, 3, 2, 1, 3, 2, 1, 3];
  const scores = [0.9, 0.2, 0.3, 0.1, 0.5, 0.7, 0.5, 0.9];
  const labels = [1, 1, 1, 0, 1, 0, 0, 1];
  close(gauc(users, scores, labels), (1 * 3 + 0 * 2) / 5);
});
Gauc('ties inside a user count one half', () => {
  // user 5: AUC 0.5 over 2 impressions; user 6: AUC 1 over 4 (pos .9,.8 vs neg .1,.2)
  const users = new Int32Array([5, 5, 6, 6, 6, 6]);
  const scores = new Float32Array([0.4, 0.4, 0.9, 0.1, 0.8, 0.2]);
  const labels = new Int32Array([1, 0, 1, 0, 1, 0]);
  close(gauc(users, scores, labels), (0.5 * 2 + 1 * 4) / 6);
});
Gauc('equals AUC when there is one user', () => {
  const s = [0.2, 0.5, 0.5, 0.9], l = [0, 1, 0, 1];
  close(gauc([4, 4, 4, 4], s, l), auc(s, l));
});
Gauc('throws when no user has both classes', () => {
  assert.throws(() => gauc([1, 2], [0.1, 0.2], [1, 0]), /no user has both/);
  assert.throws(() => gauc([1], [0.1, 0.2], [1, 0]), /users has 1 entries/);
  assert.throws(() => gauc([1, 2], [0.1, 0.2], [1, 0]), (e: Error) => e instanceof MetricUndefinedError);
  // gaucOrNaN: NaN only where GAUC is undefined; bad input is still an error
  assert.ok(Number.isNaN(gaucOrNaN([1, 2], [0.1, 0.2], [1, 0])));
  close(gaucOrNaN([4, 4, 4, 4], [0.1, 0.4, 0.35, 0.8], [0, 1, 0, 1]), 1);
  assert.throws(() => gaucOrNaN([1], [0.1, 0.2], [1, 0]), /gauc: users has 1 entries but scores has 2/);
  assert.throws(() => gaucOrNaN([1, 1], [0.1, NaN], [1, 0]), /gauc/);
});
Gauc.run();

const Rela = suite('relaImpr');
Rela('DIN formula in percent', () => {
  close(relaImpr(0.75, 0.7), 25, 1e-9);
  close(relaImpr(0.7, 0.7), 0);
  close(relaImpr(0.65, 0.7), -25, 1e-9);
  close(relaImpr(0.5, 0.7), -100, 1e-9);
  assert.ok(Number.isNaN(relaImpr(0.7, 0.5)), 'a base at chance gives NaN');
});
Rela.run();

const Rank = suite('ranking metrics');
const list = [1, 2, 3, 4, 5];
const rel = new Set([2, 5, 9]);
const L = Math.log2;

Rank('precision@k divides by k, also when k exceeds the list', () => {
  close(precisionAtK(list, rel, 1), 0);
  close(precisionAtK(list, rel, 3), 1 / 3);
  close(precisionAtK(list, rel, 5), 2 / 5);
  close(precisionAtK(list, rel, 10), 2 / 10);
});
Rank('recall@k divides by the number of relevant items', () => {
  close(recallAtK(list, rel, 3), 1 / 3);
  close(recallAtK(list, [2, 5, 9], 5), 2 / 3);
  close(recallAtK(new Int32Array(list), rel, 50), 2 / 3);
});
Rank('ndcg@k: ideal DCG over min(k, |relevant|)', () => {
  close(ndcgAtK(list, rel, 3), (1 / L(3)) / (1 + 1 / L(3) + 1 / 2));
  close(ndcgAtK(list, rel, 5), (1 / L(3) + 1 / L(6)) / (1 + 1 / L(3) + 1 / 2));
  close(ndcgAtK(list, [2, 5], 10), (1 / L(3) + 1 / L(6)) / (1 + 1 / L(3)));
  close(ndcgAtK([7, 8], [7, 8], 10), 1);
  close(ndcgAtK(list, rel, 1), 0);
});
Rank('hit rate@k', () => {
  close(hitRateAtK(list, rel, 1), 0);
  close(hitRateAtK(list, rel, 2), 1);
  close(hitRateAtK([], rel, 10), 0);
});
Rank('average precision divides by min(k, |relevant|)', () => {
  close(averagePrecision(list, rel), (1 / 2 + 2 / 5) / 3);
  close(averagePrecision(list, rel, 3), (1 / 2) / 3);
  close(averagePrecision(list, rel, 1), 0);
  close(averagePrecision([9, 1], rel, 2), 1 / 2); // one hit at rank 1, denominator min(2, 3)
  close(averagePrecision(list, [1]), 1);
  close(averagePrecision([], [1]), 0);
});
Rank('a repeated item counts once', () => {
  close(precisionAtK([2, 2, 3], [2], 3), 1 / 3);
  close(ndcgAtK([2, 2, 3], [2, 3], 3), (1 + 1 / 2) / (1 + 1 / L(3)));
});
Rank('a user with no relevant items gives NaN; bad k throws', () => {
  assert.ok(Number.isNaN(precisionAtK(list, [], 5)));
  assert.ok(Number.isNaN(recallAtK(list, new Set(), 5)));
  assert.ok(Number.isNaN(ndcgAtK(list, [], 5)));
  assert.ok(Number.isNaN(averagePrecision(list, [])));
  assert.throws(() => precisionAtK(list, rel, 0), /positive integer/);
  assert.throws(() => ndcgAtK(list, rel, 2.5), /positive integer/);
});
Rank('map averages AP over users with relevant items', () => {
  close(map([[1, 2, 3], [4, 5, 6], [7]], [[1], [5, 6], []]), (1 + 7 / 12) / 2);
  assert.throws(() => map([[1]], [[]]), /no user/);
  assert.throws(() => map([[1]], []), /1 ranked lists but 0/);
});
Rank('rankingMetrics averages every metric over users and skips empty ones', () => {
  const r = rankingMetrics([[1, 2, 3], [4, 5, 6], [7]], [[1], new Set([5, 6]), []], [1, 2]);
  assert.is(r.users, 2);
  assert.is(r.skipped, 1);
  close(r.at[1].precision, 0.5); close(r.at[2].precision, 0.5);
  close(r.at[1].recall, 0.5); close(r.at[2].recall, 0.75);
  close(r.at[1].ndcg, 0.5); close(r.at[2].ndcg, (1 + (1 / L(3)) / (1 + 1 / L(3))) / 2);
  close(r.at[1].hitRate, 0.5); close(r.at[2].hitRate, 1);
  close(r.map, (1 + 7 / 12) / 2);
  const d = rankingMetrics([[1, 2, 3]], [[3]]);
  assert.equal(Object.keys(d.at).map(Number), [5, 10, 20]);
  close(d.at[20].precision, 1 / 20);
  assert.throws(() => rankingMetrics([[1]], [[]]), /none of 1 users/);
});
Rank.run();

const Stats = suite('meanSd');
Stats('sample standard deviation', () => {
  const r = meanSd([2, 4, 4, 4, 5, 5, 7, 9]);
  close(r.mean, 5);
  close(r.sd, Math.sqrt(32 / 7));
  assert.equal(meanSd(new Float32Array([3])), { mean: 3, sd: 0 });
  assert.throws(() => meanSd([]), /no values/);
});
Stats.run();
