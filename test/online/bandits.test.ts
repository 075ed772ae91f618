/**
 * LinUCB itself: the Sherman-Morrison posterior against a direct solve of
 * A = lambda I + sum x x^T, theta = A^-1 b; its UCB scores against
 * theta^T x + alpha sqrt(x^T A^-1 x) computed from that solve; and its
 * choice on a three-item case small enough to compute by hand.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../src/tensor/rng.js';
import { LinearBandit } from '../../src/online/bandits.js';

const s = suite('online/linucb');

/** Inverse of a small SPD matrix by Gauss-Jordan elimination (float64). */
function inverse(A: number[][]): number[][] {
  const d = A.length, M = A.map((row, i) => [...row, ...Array.from({ length: d }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    const v = M[c][c];
    for (let j = 0; j < 2 * d; j++) M[c][j] /= v;
    for (let r = 0; r < d; r++) if (r !== c) { const f = M[r][c]; for (let j = 0; j < 2 * d; j++) M[r][j] -= f * M[c][j]; }
  }
  return M.map((row) => row.slice(d));
}

s('posterior and UCB scores match a direct solve', () => {
  const d = 4, n = 12, rng = new Rng(3), lambda = 0.7, alpha = 0.8;
  const rows = Float32Array.from({ length: n * d }, () => rng.normal());
  const X = Array.from({ length: n }, (_, i) => {
    const x = Array.from(rows.subarray(i * d, (i + 1) * d)), z = Math.hypot(...x);
    return x.map((v) => v / z);
  });
  const logged = [2, 5];
  const b = new LinearBandit('linucb', 'linucb', rows, d, () => logged, new Rng(1), { lambda, alpha });
  const shown = [[0, 1, 2], [3, 4, 5], [6, 7, 0]], clicks = [[1, 0, 0], [0, 0, 1], [0, 1, 1]];
  b.feedback(shown.map((items, t) => ({ user: 9, items: Int32Array.from(items), clicks: Uint8Array.from(clicks[t]), done: false, history: new Int32Array(0) })));
  const A = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? lambda : 0)));
  const bv = new Array(d).fill(0);
  const obs: [number, number][] = [...logged.map((i) => [i, 1] as [number, number]), ...shown.flatMap((items, t) => items.map((i, j) => [i, clicks[t][j]] as [number, number]))];
  for (const [i, r] of obs) for (let a = 0; a < d; a++) { bv[a] += r * X[i][a]; for (let c = 0; c < d; c++) A[a][c] += X[i][a] * X[i][c]; }
  const Ainv = inverse(A), theta = Ainv.map((row) => row.reduce((s2, v, c) => s2 + v * bv[c], 0));
  const post = b.posterior(9);
  for (let a = 0; a < d; a++) {
    assert.ok(Math.abs(post.theta[a] - theta[a]) < 1e-5, `theta[${a}] ${post.theta[a]} vs ${theta[a]}`);
    for (let c = 0; c < d; c++) assert.ok(Math.abs(post.Ainv[a * d + c] - Ainv[a][c]) < 1e-5, `Ainv[${a},${c}]`);
  }
  const items = Array.from({ length: n }, (_, i) => i), ucb = b.ucbScores(9, items);
  for (const i of items) {
    const x = X[i], mean = x.reduce((s2, v, a) => s2 + v * theta[a], 0);
    const q = x.reduce((s2, v, a) => s2 + v * Ainv[a].reduce((t, w, c) => t + w * x[c], 0), 0);
    assert.ok(Math.abs(ucb[i] - (mean + alpha * Math.sqrt(q))) < 1e-5, `ucb[${i}]`);
  }
});

s('choice by hand: three items in the plane, one logged click on e1', () => {
  // x0 = e1, x1 = e2, x2 = (0.6, 0.8); lambda 1: A = diag(2, 1), b = e1, theta = (1/2, 0)
  // means 0.5, 0, 0.3; bonuses sqrt(x^T A^-1 x) = sqrt(0.5), 1, sqrt(0.82)
  const rows = Float32Array.from([2, 0, 0, 3, 0.6, 0.8]); // rows are normalised by the bandit
  const make = (alpha: number) => new LinearBandit('linucb', 'linucb', rows, 2, () => [0], new Rng(1), { lambda: 1, alpha });
  const ctx = { day: 0, step: 0, history: new Int32Array(0) };
  const lo = make(0.5);
  const ucb = lo.ucbScores(7, [0, 1, 2]);
  assert.ok(Math.abs(ucb[0] - (0.5 + 0.5 * Math.SQRT1_2)) < 1e-6 && Math.abs(ucb[1] - 0.5) < 1e-6 && Math.abs(ucb[2] - (0.3 + 0.5 * Math.sqrt(0.82))) < 1e-6, `${ucb}`);
  // alpha 0.5: 0.854, 0.5, 0.753 -> [0, 2, 1]
  assert.equal(Array.from(lo.recommend(7, 3, ctx)), [0, 2, 1]);
  // alpha 2: 1.914, 2, 2.111 -> the most uncertain directions first: [2, 1, 0]
  assert.equal(Array.from(make(2).recommend(7, 3, ctx)), [2, 1, 0]);
  // a non-click on x2: A = [[2.36, 0.48], [0.48, 1.64]], det 3.64, theta = (1.64, -0.48) / 3.64;
  // ucb (alpha 2) = 1.793, 1.479, 1.507 -> [0, 2, 1]: the bandit stops chasing x2's uncertainty
  const b = make(2);
  b.feedback([{ user: 7, items: Int32Array.of(2), clicks: Uint8Array.of(0), done: false, history: new Int32Array(0) }]);
  const u2 = b.ucbScores(7, [0, 1, 2]), th = [1.64 / 3.64, -0.48 / 3.64];
  const want = [th[0] + 2 * Math.sqrt(1.64 / 3.64), th[1] + 2 * Math.sqrt(2.36 / 3.64),
    0.6 * th[0] + 0.8 * th[1] + 2 * Math.sqrt((0.36 * 1.64 - 2 * 0.48 * 0.48 + 0.64 * 2.36) / 3.64)];
  for (let j = 0; j < 3; j++) assert.ok(Math.abs(u2[j] - want[j]) < 1e-6, `${u2[j]} vs ${want[j]}`);
  assert.equal(Array.from(b.recommend(7, 3, ctx)), [0, 2, 1]);
});

s.run();
