import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../src/tensor/rng.js';
import { adjustedRandIndex as ari, normalizedMutualInfo as nmi } from '../../src/segments/agreement.js';
import { sqDistances } from '../../src/segments/distance.js';
import { kmeans } from '../../src/segments/kmeans.js';
import { silhouette } from '../../src/segments/silhouette.js';
import { selectK } from '../../src/segments/select_k.js';
import { pca } from '../../src/segments/pca.js';
import { separation } from '../../src/segments/diagnostics.js';

const close = (a: number, b: number, eps = 1e-9, what = ''): void => {
  assert.ok(Math.abs(a - b) <= eps, `${what} expected ${b}, got ${a}`);
};

/** k well-separated Gaussian blobs in d dimensions, labels in draw order. */
function blobs(rng: Rng, k: number, per: number, d: number, spread = 0.3): { data: Float32Array; n: number; d: number; truth: Int32Array } {
  const centres = Array.from({ length: k * d }, () => rng.normal(0, 4));
  const n = k * per, data = new Float32Array(n * d), truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    truth[i] = c;
    for (let t = 0; t < d; t++) data[i * d + t] = centres[c * d + t] + rng.normal(0, spread);
  }
  return { data, n, d, truth };
}

const A = suite('segments: ARI and NMI');
A('identical and relabelled partitions score 1', () => {
  close(ari([0, 0, 1, 1, 2], [0, 0, 1, 1, 2]), 1);
  close(ari([0, 0, 1, 1, 2], [5, 5, 3, 3, 0]), 1);
  close(nmi([0, 0, 1, 1, 2], [2, 2, 0, 0, 1]), 1);
});
A('the scikit-learn examples', () => {
  close(ari([0, 0, 1, 1], [0, 0, 1, 2]), 4 / 7);
  close(ari([0, 0, 1, 1], [0, 1, 0, 1]), -0.5);
  close(ari([0, 0, 0, 0], [0, 1, 2, 3]), 0);
  close(nmi([0, 0, 1, 1], [0, 0, 1, 2]), 0.8);
  close(nmi([0, 0, 0, 0], [0, 1, 2, 3]), 0);
});
A('independent random labelings are near 0', () => {
  const rng = new Rng(3), n = 5000;
  const a = Int32Array.from({ length: n }, () => rng.int(6)), b = Int32Array.from({ length: n }, () => rng.int(6));
  assert.ok(Math.abs(ari(a, b)) < 0.01, `ARI ${ari(a, b)}`);
  assert.ok(nmi(a, b) < 0.01, `NMI ${nmi(a, b)}`);
});
A('rejects mismatched lengths and bad labels', () => {
  assert.throws(() => ari([0, 1], [0]), /length/);
  assert.throws(() => nmi([0, -1], [0, 0]), /non-negative/);
});

const D = suite('segments: GEMM distances');
D('match the direct sum of squares', () => {
  const rng = new Rng(1), n = 37, k = 5, d = 7;
  const x = Float32Array.from({ length: n * d }, () => rng.normal()), c = Float32Array.from({ length: k * d }, () => rng.normal());
  const got = sqDistances(x, n, c, k, d);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += (x[i * d + t] - c[j * d + t]) ** 2;
    close(got[i * k + j], s, 1e-4 * (1 + s), `d(${i},${j})`);
  }
});

const K = suite('segments: k-means++');
K('recovers separated blobs exactly', () => {
  const b = blobs(new Rng(2), 5, 60, 6);
  const km = kmeans(b, { k: 5, rng: new Rng(9) });
  close(ari(km.labels, b.truth), 1);
  assert.is(km.labels.length, b.n);
  assert.is(km.centroids.length, 5 * 6);
});
K('a tiny example with known centres and inertia', () => {
  const p = { data: Float32Array.from([0, 0, 0, 1, 10, 10, 10, 11]), n: 4, d: 2 };
  const km = kmeans(p, { k: 2, rng: new Rng(1) });
  assert.equal(Array.from(km.labels), [0, 0, 1, 1]);
  assert.equal(Array.from(km.centroids), [0, 0.5, 10, 10.5]);
  close(km.inertia, 1, 1e-5);
});
K('bitwise deterministic for a seed; labels ordered by cluster size', () => {
  const b = blobs(new Rng(4), 4, 50, 5, 2.5);
  const r1 = kmeans(b, { k: 4, rng: new Rng(11) }), r2 = kmeans(b, { k: 4, rng: new Rng(11) });
  assert.equal(Array.from(r1.labels), Array.from(r2.labels));
  assert.equal(Array.from(r1.centroids), Array.from(r2.centroids));
  const size = [0, 0, 0, 0];
  for (const l of r1.labels) size[l]++;
  for (let j = 1; j < 4; j++) assert.ok(size[j] <= size[j - 1], `sizes ${size}`);
});
K('more restarts never end at a higher inertia', () => {
  const b = blobs(new Rng(5), 6, 30, 4, 3);
  const one = kmeans(b, { k: 6, rng: new Rng(1), restarts: 1 }), many = kmeans(b, { k: 6, rng: new Rng(1), restarts: 10 });
  assert.ok(many.inertia <= one.inertia + 1e-6, `${many.inertia} vs ${one.inertia}`);
});
K('rejects a bad k', () => {
  assert.throws(() => kmeans({ data: new Float32Array(4), n: 2, d: 2 }, { k: 3, rng: new Rng(1) }), /k must be/);
});

const S = suite('segments: silhouette and k selection');
S('the 1-D example computed by hand', () => {
  const p = { data: Float32Array.from([0, 1, 10, 11]), n: 4, d: 1 };
  const s = silhouette(p, Int32Array.from([0, 0, 1, 1]), 2);
  close(s, (9.5 / 10.5 + 8.5 / 9.5) / 2, 1e-6);
});
S('sampled silhouette is close to the exact one and seeded', () => {
  const b = blobs(new Rng(6), 3, 400, 4, 2);
  const exact = silhouette(b, b.truth, 3);
  const s1 = silhouette(b, b.truth, 3, { sample: 300, rng: new Rng(1) }), s2 = silhouette(b, b.truth, 3, { sample: 300, rng: new Rng(1) });
  assert.is(s1, s2);
  close(s1, exact, 0.05, 'sampled vs exact');
});
S('--k auto finds the number of blobs', () => {
  const b = blobs(new Rng(7), 4, 50, 5);
  const r = selectK(b, new Rng(3), { kMin: 2, kMax: 8 });
  assert.is(r.best.k, 4);
  assert.is(r.scores.length, 7);
  close(ari(r.best.labels, b.truth), 1);
});

const P = suite('segments: PCA');
P('finds the dominant directions of a stretched cloud', () => {
  const rng = new Rng(8), n = 2000, d = 3;
  const x = new Float32Array(n * d);
  // variance 16 along (1,1,0)/sqrt2, 4 along z, 0.25 along (1,-1,0)/sqrt2
  for (let i = 0; i < n; i++) {
    const a = rng.normal(0, 4), b = rng.normal(0, 2), c = rng.normal(0, 0.5);
    x[i * 3] = (a + c) / Math.SQRT2 + 5; x[i * 3 + 1] = (a - c) / Math.SQRT2 - 1; x[i * 3 + 2] = b;
  }
  const r = pca({ data: x, n, d }, new Rng(1));
  close(Math.abs(r.components[0]), Math.SQRT1_2, 0.02, 'pc1.x');
  close(Math.abs(r.components[1]), Math.SQRT1_2, 0.02, 'pc1.y');
  close(Math.abs(r.components[5]), 1, 0.02, 'pc2.z');
  close(r.explained[0], 16 / 20.25, 0.03, 'explained 1');
  close(r.explained[1], 4 / 20.25, 0.03, 'explained 2');
  assert.is(r.coords.length, n * 2);
  const again = pca({ data: x, n, d }, new Rng(1));
  assert.equal(Array.from(again.coords), Array.from(r.coords));
});

const X = suite('segments: separation diagnostics');
X('between-segment variance share and nearest-true-mean accuracy on a known example', () => {
  // two segments at -1 and +1 in 1-D, each with points at mean +- 0.5: total 1.25, between 1
  const p = { data: Float32Array.from([-1.5, -0.5, 0.5, 1.5]), n: 4, d: 1 };
  const r = separation(p, Int32Array.from([0, 0, 1, 1]));
  close(r.betweenSegmentVariance, 0.8, 1e-9);
  close(r.nearestTrueMeanAccuracy, 1, 0);
  close(separation(p, Int32Array.from([0, 1, 0, 1])).nearestTrueMeanAccuracy, 0.5, 0);
});

A.run(); X.run(); D.run(); K.run(); S.run(); P.run();
