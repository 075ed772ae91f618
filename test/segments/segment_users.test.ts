import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { segmentUsers, segmentsJson } from '../../src/segments/segment_users.js';
import { adjustedRandIndex } from '../../src/segments/agreement.js';
import { favourite, market, plantedInput } from './fixture.js';

const ds = market();
const truth = ds.oracle!.segments;
const S = suite('segmentUsers');

S('recovers planted segments, beats both baselines, and says so in the JSON contract', () => {
  const r = segmentUsers(plantedInput(ds), { k: 8, seed: 1 });
  assert.is(r.k, 8);
  assert.ok(r.ari! > 0.95, `ARI ${r.ari}`);
  assert.ok(r.nmi! > 0.9, `NMI ${r.nmi}`);
  assert.is(r.trueSegments, 8);
  for (const b of [r.baselines.staticFeatures!, r.baselines.categoryCounts!]) {
    assert.ok(b.ari < r.ari! && b.nmi < r.nmi!, `baseline ${JSON.stringify(b)} vs ${r.ari}`);
    assert.ok(b.ari > -1 && b.ari <= 1);
  }
  assert.ok(r.stabilityAri.seeds > 0.95, `seed stability ${r.stabilityAri.seeds}`);
  assert.is(r.stabilityAri.timeWindows, null, 'no windows given: not measured');
  const j = JSON.parse(JSON.stringify(segmentsJson(r)));
  for (const key of ['k', 'silhouette', 'ari', 'nmi', 'stabilityAri', 'baselines', 'segments']) assert.ok(key in j, `JSON has ${key}`);
  for (const key of ['id', 'size', 'profile', 'topCategories', 'topItems', 'targets']) assert.ok(key in j.segments[0], `segment has ${key}`);
  assert.not.ok('labels' in j || 'centroids' in j || 'projection' in j);
});

S('profiles add up and compare with the population', () => {
  const r = segmentUsers(plantedInput(ds), { k: 8, seed: 1 });
  assert.is(r.segments.reduce((a, s) => a + s.size, 0), ds.numUsers);
  const shareSum = r.segments.reduce((a, s) => a + s.share, 0);
  assert.ok(Math.abs(shareSum - 1) < 1e-9);
  for (const s of r.segments) {
    for (const g of s.profile.static) {
      assert.ok(Math.abs(g.values.reduce((a, v) => a + v.share, 0) - 1) < 1e-9, `${g.feature} shares`);
      assert.ok(Math.abs(g.values.reduce((a, v) => a + v.population, 0) - 1) < 1e-9, `${g.feature} population`);
    }
    assert.ok(s.topCategories.length > 0 && s.topCategories.length <= 5);
    for (let j = 1; j < s.topCategories.length; j++) assert.ok(s.topCategories[j].share <= s.topCategories[j - 1].share);
    assert.ok(s.profile.priceBand && s.profile.priceBand.mean >= 0 && s.profile.priceBand.mean <= 4);
    assert.ok(s.profile.activity.interactionsPerUser > 0);
    assert.ok(s.profile.topQueries.every((q) => q.text.length > 0));
  }
  // sizes weighted activity is the population's
  const mean = r.segments.reduce((a, s) => a + s.share * s.profile.activity.interactionsPerUser, 0);
  assert.ok(Math.abs(mean - r.segments[0].profile.activity.population) < 1e-9);
});

S("targets are the segment's planted favourite category, with the expected lift", () => {
  const r = segmentUsers(plantedInput(ds), { k: 8, seed: 1 });
  const C = ds.itemFeatures.cardinalities[0], F = ds.itemFeatures.names.length;
  const p1 = 1 / (1 + Math.exp(-1));
  for (const s of r.segments) {
    // the true segment most of the segment's users come from
    const count = new Map<number, number>();
    r.labels.forEach((l, u) => { if (l === s.id) count.set(truth[u], (count.get(truth[u]) ?? 0) + 1); });
    const major = [...count.entries()].sort((a, b) => b[1] - a[1])[0][0];
    const fav = favourite(major, C);
    for (const t of s.targets.items) assert.is(ds.itemFeatures.values[t.index * F], fav, `segment ${s.id} target ${t.item}`);
    for (const t of s.topItems) assert.is(ds.itemFeatures.values[t.index * F], fav);
    assert.is(s.targets.categories[0].category, fav);
    assert.ok(Math.abs(s.targets.items[0].expectedCtr - p1) < 0.02, `segment CTR ${s.targets.items[0].expectedCtr}`);
    assert.ok(s.targets.expectedResponse.lift > 1);
    assert.ok(s.targets.items.every((t) => t.gain > 0 && Math.abs(t.gain - (t.expectedCtr - t.populationCtr)) < 1e-12));
  }
});

S('deterministic for a seed; --k auto picks k by silhouette; windows are compared', () => {
  const a = segmentUsers(plantedInput(ds), { k: 'auto', kMax: 10, seed: 2 });
  const b = segmentUsers(plantedInput(ds), { k: 'auto', kMax: 10, seed: 2 });
  const strip = (r: typeof a) => JSON.stringify({ ...segmentsJson(r), seconds: 0 });
  assert.is(strip(a), strip(b));
  assert.equal(Array.from(a.labels), Array.from(b.labels));
  assert.is(a.kScores.length, 9);
  assert.is(a.k, a.kScores.reduce((best, s) => (s.silhouette > best.silhouette ? s : best)).k);
  const input = plantedInput(ds), noisier = plantedInput(ds, 0.6);
  input.windows = { early: input.users, late: noisier.users, description: 'test' };
  const w = segmentUsers(input, { k: 8, seed: 1 });
  assert.ok(w.stabilityAri.timeWindows! > 0.8, `windows ARI ${w.stabilityAri.timeWindows}`);
  assert.is(w.stabilityAri.timeWindowsDescription, 'test');
});

S('without true segments there is no validity, and bad input is named', () => {
  const plain = { ...ds, oracle: null };
  const input = { ...plantedInput(ds), dataset: plain };
  const r = segmentUsers(input, { k: 4, seed: 1 });
  assert.is(r.ari, undefined);
  assert.is(r.baselines.staticFeatures, null);
  // the truth only scores the result: the clustering is the one made with the truth present
  const withTruth = segmentUsers(plantedInput(ds), { k: 4, seed: 1 });
  assert.equal(Array.from(r.labels), Array.from(withTruth.labels));
  assert.is(r.labels.length, ds.numUsers);
  assert.is(new Set(r.labels).size, 4);
  assert.ok(adjustedRandIndex(r.labels, truth) > 0.3, `k = 4 still follows the 8 planted segments (ARI ${adjustedRandIndex(r.labels, truth)})`);
  assert.throws(() => segmentUsers({ ...input, users: new Float32Array(3) }, { k: 4 }), /expected 400 users x 8/);
  assert.throws(() => segmentUsers(input, { k: 0 }), /--k/);
});

S.run();
