/**
 * The served cold start and query suggestion (the only ones there are):
 * neighbours by shared static features, an added user scored with the mean
 * vector of its nearest warm users, and a query's score as the mean of its
 * best three training items' scores for the user, each checked against a
 * computation written out here from the data.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { featureNeighbours } from '../../src/recsys/cold_start.js';
import type { Scorer } from '../../src/recsys/scorer.js';
import type { Recommender } from '../../src/recsys/recommender.js';
import { tableRecommender, testData } from './test_model.js';

const t = suite('recsys/cold_start');
const scorerOf = (rec: Recommender) => (rec as unknown as { scorer: Scorer }).scorer;

t('featureNeighbours: most shared values first, ties to the lower row, eligible rows only, none without features', () => {
  const f = { names: ['a', 'b', 'c'], cardinalities: [3, 3, 3], values: Int32Array.from([0, 0, 0, 0, 1, 2, 0, 0, 2, 1, 1, 1, 0, 0, 0]) };
  assert.equal(featureNeighbours(f, 5, Int32Array.of(0, 0, 2), () => true, 3), [2, 0, 1]);
  assert.equal(featureNeighbours(f, 5, Int32Array.of(0, 0, 2), (r) => r !== 2, 2), [0, 1]);
  assert.equal(featureNeighbours(f, 5, Int32Array.of(-1, -1, -1), () => true), []);
});

t('addUser: the new row is the mean vector of the nearest warm users by features', () => {
  const ds = testData(), rec = tableRecommender(ds), sc = scorerOf(rec);
  const features = { gender: 1, region: 3 };
  const F = ds.userFeatures.names.length, q = new Int32Array(F).fill(-1);
  q[ds.userFeatures.names.indexOf('gender')] = 1; q[ds.userFeatures.names.indexOf('region')] = 3;
  const warm = (r: number) => ds.userPtr[r + 1] > ds.userPtr[r];
  // written out: every warm user's count of shared values, best first, ties to the lower row, top 10
  const ranked = Array.from({ length: ds.numUsers }, (_, r) => r).filter(warm)
    .map((r) => [[0, 1, 2, 3].filter((c) => c < F && q[c] >= 0 && ds.userFeatures.values[r * F + c] === q[c]).length, r])
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, 10).map((x) => x[1]);
  const d = sc.userVector(0)!.length, mean = new Float32Array(d);
  for (const r of ranked) { const v = sc.userVector(r)!; for (let j = 0; j < d; j++) mean[j] += v[j] / ranked.length; }
  rec.addUser('newcomer', features);
  const got = sc.userVector(ds.numUsers)!;
  for (let j = 0; j < d; j++) assert.ok(Math.abs(got[j] - mean[j]) < 1e-6, `component ${j}: ${got[j]} vs ${mean[j]}`);
});

t("suggestQueries: a query scores the mean of its best 3 training items' scores for the user", () => {
  const ds = testData(), rec = tableRecommender(ds), sc = scorerOf(rec), user = ds.userIds[4], u = 4;
  const tr = ds.interactions, byQuery = new Map<number, Set<number>>();
  for (let n = 0; n < tr.length; n++) if (tr.query[n] >= 0) byQuery.set(tr.query[n], (byQuery.get(tr.query[n]) ?? new Set()).add(tr.item[n]));
  assert.ok(byQuery.size >= 3, 'the market has queries');
  const expected = [...byQuery].map(([q, items]) => {
    const exclude = new Uint8Array(ds.numItems).fill(1);
    for (const i of items) exclude[i] = 0;
    const hist = Array.from(tr.item.subarray(ds.userPtr[u], ds.userPtr[u + 1]));
    const s = sc.topK({ user: u, history: hist, exclude, k: 3, query: q, time: 0 }).scores;
    return { q, query: ds.queryText[q], score: s.reduce((a, b) => a + b, 0) / s.length };
  }).sort((a, b) => b.score - a.score || a.q - b.q).slice(0, 5);
  const got = rec.suggestQueries(user, 5);
  assert.equal(got.map((x) => x.query), expected.map((x) => x.query));
  got.forEach((x, n) => assert.ok(Math.abs(x.score - expected[n].score) < 1e-5));
});

t.run();
