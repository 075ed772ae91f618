import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { analyze, tokenize, decodeEntities } from '../../src/data/text/tokenize.js';
import { isStopword } from '../../src/data/text/stopwords.js';
import { TfIdf, cosine } from '../../src/data/text/tfidf.js';
import { clusterTexts } from '../../src/data/text/cluster.js';
import { trainWord2Vec, loadWord2VecText, wordVector } from '../../src/data/text/word2vec.js';
import { Rng } from '../../src/tensor/rng.js';
import { DataError } from '../../src/errors.js';
import { tmpFile, rejects } from './helpers.js';

const test = suite('data/text');

test('tokenize, entities, stop words, Porter stemming', () => {
  assert.equal(tokenize("Arts, Music &amp; Photography's"), ['arts', 'music', 'photographys']);
  assert.is(decodeEntities('&lt;b&gt; &#39;x&#x27;'), "<b> 'x'");
  assert.ok(isStopword('the') && !isStopword('shoe'));
  assert.equal(analyze('The runners were running to the Running Shoes'), ['runner', 'run', 'run', 'shoe']);
  assert.equal(analyze('caresses ponies', { stem: true }), ['caress', 'poni']);
  assert.equal(analyze('The shoes', { stem: false, stopwords: false }), ['the', 'shoes']);
});

test('tf-idf cosine', () => {
  const docs = [['run', 'shoe'], ['run', 'shoe', 'red'], ['hat']];
  const t = new TfIdf().fit(docs);
  const v = docs.map((d) => t.transform(d));
  assert.ok(Math.abs(cosine(v[0], v[0]) - 1) < 1e-6);
  assert.is(cosine(v[0], v[2]), 0);
  const c01 = cosine(v[0], v[1]);
  assert.ok(c01 > 0.5 && c01 < 1, `${c01}`);
  // hand value: idf(run)=idf(shoe)=ln(4/3)+1, idf(red)=ln(2)+1
  const a = Math.log(4 / 3) + 1, b = Math.log(2) + 1;
  assert.ok(Math.abs(c01 - (2 * a * a) / (Math.sqrt(2) * a * Math.sqrt(2 * a * a + b * b))) < 1e-6);
});

test('cluster merges near-duplicate queries, keeps distinct ones apart', () => {
  const q = ['running shoes', 'Running Shoe!', 'shoes running', 'red hat', 'hats red', 'blue jacket', ''];
  const c = clusterTexts(q, 0.8);
  assert.is(c.assign[0], c.assign[1]); assert.is(c.assign[0], c.assign[2]);
  assert.is(c.assign[3], c.assign[4]);
  assert.is.not(c.assign[0], c.assign[3]); assert.is.not(c.assign[5], c.assign[0]);
  assert.is(c.leaders.length, 4);
});

test('skip-gram: co-occurring words end up closer; seeded', () => {
  const rng = new Rng(1);
  const sents: string[][] = [];
  for (let k = 0; k < 300; k++) {
    sents.push(rng.uniform() < 0.5 ? ['shoe', 'run', 'sport', 'fast'] : ['hat', 'wool', 'warm', 'winter']);
  }
  const wv = trainWord2Vec(sents, { dim: 16, window: 2, negatives: 4, epochs: 3, rng: new Rng(2) });
  const cos = (a: string, b: string) => {
    const x = wordVector(wv, a)!, y = wordVector(wv, b)!;
    let d = 0, nx = 0, ny = 0;
    for (let k = 0; k < x.length; k++) { d += x[k] * y[k]; nx += x[k] * x[k]; ny += y[k] * y[k]; }
    return d / Math.sqrt(nx * ny);
  };
  assert.ok(cos('shoe', 'sport') > cos('shoe', 'wool') + 0.2, `${cos('shoe', 'sport')} vs ${cos('shoe', 'wool')}`);
  const again = trainWord2Vec(sents, { dim: 16, window: 2, negatives: 4, epochs: 3, rng: new Rng(2) });
  assert.equal(again.vectors, wv.vectors);
});

test('word2vec text format', async () => {
  const f = tmpFile('wv.txt', '2 3\nshoe 0.1 0.2 0.3\nhat -1 0 1e-2\n');
  const wv = await loadWord2VecText(f);
  assert.equal(wv.vocab, ['shoe', 'hat']);
  assert.ok(Math.abs(wordVector(wv, 'hat')![2] - 0.01) < 1e-7);
  const bad = tmpFile('wv_bad.txt', '2 3\nshoe 0.1 0.2\n');
  const e = await rejects(() => loadWord2VecText(bad));
  assert.instance(e, DataError); assert.match(e.message, /:2: expected a word and 3 numbers/);
});

test.run();
