import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { loadDataset } from '../../src/data/spec.js';
import { buildHeteroGraph } from '../../src/graph/hetero.js';
import { sharedData, missingData } from './helpers.js';
import { testUnless } from '../helpers/skip.js';
import type { Dataset } from '../../src/data/types.js';

const test = suite('data/loaders');

function checkSorted(ds: Dataset): void {
  const it = ds.interactions;
  for (let u = 0; u < ds.numUsers; u++) {
    for (let k = ds.userPtr[u]; k < ds.userPtr[u + 1]; k++) {
      assert.is(it.user[k], u);
      if (k > ds.userPtr[u]) assert.ok(it.time[k] >= it.time[k - 1], 'time order');
    }
  }
  assert.is(ds.userPtr[ds.numUsers], it.length);
  assert.is(ds.userIds.length, ds.numUsers);
  assert.is(ds.itemIds.length, ds.numItems);
  const uf = ds.userFeatures;
  for (let k = 0; k < uf.values.length; k++) assert.ok(uf.values[k] >= 0 && uf.values[k] < uf.cardinalities[k % uf.names.length]);
  const itf = ds.itemFeatures;
  for (let k = 0; k < itf.values.length; k++) assert.ok(itf.values[k] >= 0 && itf.values[k] < itf.cardinalities[k % itf.names.length]);
}

testUnless(test, missingData('ml-100k'), 'ml-100k: 943 users, 1682 items, 100000 ratings (SOURCE.md)', async () => {
  const dir = sharedData('ml-100k');
  const ds = await loadDataset(`movielens:${dir}`);
  const g = buildHeteroGraph(ds); g.normalized('user-item', 'sym'); g.normalized('user-item', 'mean', 'backward');
  assert.is(ds.numUsers, 943); assert.is(ds.numItems, 1682); assert.is(ds.interactions.length, 100000);
  assert.is(ds.interactions.time[0] >= 874724710, true);
  assert.equal(ds.userFeatures.names, ['age_band', 'gender', 'occupation', 'zip_region']);
  assert.is(ds.userFeatures.cardinalities[2], 21);
  assert.ok(ds.itemTitles.includes('Misérables, Les (1995)'), 'u.item decoded as latin-1');
  assert.is(g.adj['user-item'].nnz, 100000);
  checkSorted(ds);
  const implicit = await loadDataset(`movielens:${dir},threshold=4`);
  let n4 = 0; for (const r of ds.interactions.rating!) if (r >= 4) n4++;
  assert.is(implicit.interactions.length, n4);
});

for (const [name, file, reviews, users, items] of [
  ['amazon2018-gift-cards', 'Gift_Cards', 2972, 458, 148],
  ['amazon2018-magazine-subscriptions', 'Magazine_Subscriptions', 2375, 348, 157],
] as const) {
  testUnless(test, missingData(name), `${name}: ${reviews} reviews, ${users} users, ${items} items (SOURCE.md)`, async () => {
    const dir = sharedData(name);
    const ds = await loadDataset(`amazon:${join(dir, file + '_5.json.gz')},${join(dir, 'meta_' + file + '.json.gz')}`);
    assert.is(ds.interactions.length, reviews); assert.is(ds.numUsers, users); assert.is(ds.numItems, items);
    assert.ok(ds.numQueries > 0 && ds.numTerms > 0);
    for (const q of ds.queryText) assert.not.match(q, /&amp;/);
    checkSorted(ds);
    const k5 = await loadDataset(`amazon:${join(dir, file + '_5.json.gz')},kcore=5`);
    assert.ok(k5.numUsers <= users && k5.numUsers > 0);
  });
}

testUnless(test, missingData('amazon2018-gift-cards', 'amazon2018-magazine-subscriptions'), 'gift cards titles are clean; magazine scraped titles dropped', async () => {
  const g = sharedData('amazon2018-gift-cards'), m = sharedData('amazon2018-magazine-subscriptions');
  const gd = await loadDataset(`amazon:${join(g, 'Gift_Cards_5.json.gz')},${join(g, 'meta_Gift_Cards.json.gz')}`);
  assert.is(gd.itemTitles.filter((t) => t !== '').length, 148);
  const md = await loadDataset(`amazon:${join(m, 'Magazine_Subscriptions_5.json.gz')},${join(m, 'meta_Magazine_Subscriptions.json.gz')}`);
  assert.is(md.itemTitles.filter((t) => t.includes('<span')).length, 0);
  assert.ok(md.itemTitles.filter((t) => t !== '').length <= 5);
});

testUnless(test, missingData('lastfm-hetrec2011'), 'lastfm: 1892 users, 17632 artists, 92834 relations, friends (SOURCE.md)', async () => {
  const dir = sharedData('lastfm-hetrec2011');
  const ds = await loadDataset(`lastfm:${dir}`);
  assert.is(ds.numUsers, 1892); assert.is(ds.numItems, 17632); assert.is(ds.interactions.length, 92834);
  assert.is(ds.social!.nnz, 25434);
  assert.ok(ds.itemTitles.includes("Dustin O'Halloran"));
  checkSorted(ds);
});

test('amazon 2014 field names, python-literal metadata, duplicate asins, entities', async () => {
  const { tmpFile } = await import('./helpers.js');
  const r = tmpFile('r2014.json', [
    JSON.stringify({ reviewerID: 'U1', asin: 'A1', overall: 4.0, unixReviewTime: 1400000000, helpful: [0, 0] }),
    JSON.stringify({ reviewerID: 'U1', asin: 'A2', overall: 5.0, reviewTime: '01 2, 2014' }),
  ].join('\n'));
  const m = tmpFile('m2014.json', [
    "{'asin': 'A1', 'categories': [['Books', 'Arts &amp; Photography']], 'title': 'Light &amp; Shadow', 'price': 12.5}",
    "{'asin': 'A1', 'categories': [['Other']], 'title': 'duplicate'}",
    '{"asin": "A2", "category": ["Books", "Cooking"], "title": "<span class=\\"a-size-medium\\"", "brand": "Acme"}',
  ].join('\n'));
  const ds = await loadDataset(`amazon:${r},${m}`);
  assert.equal(ds.itemTitles, ['Light & Shadow', '']);
  assert.is(ds.interactions.time[0], Date.UTC(2014, 0, 2) / 1000);
  assert.ok(ds.queryText.includes('Arts & Photography'));
  assert.is(ds.itemFeatures.values[2], 1, 'price 12.5 is band 1');
});

test.run();
