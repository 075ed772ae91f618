import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gzipSync } from 'node:zlib';
import { mkdirSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset } from '../../src/data/spec.js';
import { DataError, UserError } from '../../src/errors.js';
import { tmpFile, tmpPath, rejects } from './helpers.js';

const test = suite('data/bad_files');

function oneLine(e: Error, file: string, line: number | null, pattern: RegExp): void {
  assert.instance(e, DataError, `expected DataError, got ${e.name}: ${e.message}`);
  assert.instance(e, UserError);
  assert.not.match(e.message, /\n/);
  assert.ok(e.message.startsWith(line === null ? `${file}:` : `${file}:${line}:`), e.message);
  assert.match(e.message, pattern);
}

const review = (u: string, a: string, r: number | string, t = 1500000000) =>
  JSON.stringify({ overall: r, reviewerID: u, asin: a, unixReviewTime: t });

test('truncated gzip', async () => {
  const lines = Array.from({ length: 3000 }, (_, k) => review('U' + (k % 50), 'A' + (k % 70), 5)).join('\n');
  const gz = gzipSync(lines);
  const f = tmpFile('trunc.json.gz', gz.subarray(0, Math.floor(gz.length / 2)));
  oneLine(await rejects(() => loadDataset(`amazon:${f}`)), f, null, /truncated or corrupt gzip/);
});

test('a JSON line cut in half', async () => {
  const good = review('U1', 'A1', 5);
  const f = tmpFile('half.json', [good, good.slice(0, 30), good].join('\n'));
  oneLine(await rejects(() => loadDataset(`amazon:${f}`)), f, 2, /expected a JSON object/);
});

test('a missing field / column', async () => {
  const f = tmpFile('noasin.json', JSON.stringify({ overall: 5, reviewerID: 'U', unixReviewTime: 1 }) + '\n');
  oneLine(await rejects(() => loadDataset(`amazon:${f}`)), f, 1, /missing field "asin"/);
  const c = tmpFile('nocol.csv', 'user,timestamp\n1,2\n');
  oneLine(await rejects(() => loadDataset(`csv:${c}`)), c, 1, /missing column "item"/);
  const c2 = tmpFile('nocol2.csv', 'u,i,t\n1,2,3\n');
  oneLine(await rejects(() => loadDataset(`csv:${c2},user=u,item=i,time=when`)), c2, 1, /missing column "when"/);
});

test('a non-numeric rating', async () => {
  const dir = tmpPath('ml-bad'); mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'u.data'), '1\t1\t5\t881250949\n1\t2\tfive\t881250950\n');
  oneLine(await rejects(() => loadDataset(`movielens:${dir}`)), join(dir, 'u.data'), 2, /expected a number for rating, got "five"/);
  const c = tmpFile('rating.csv', 'user,item,timestamp,rating\na,b,1,4\na,c,2,x\n');
  oneLine(await rejects(() => loadDataset(`csv:${c}`)), c, 3, /rating/);
  const j = tmpFile('rating.json', review('U', 'A', 'great') + '\n');
  oneLine(await rejects(() => loadDataset(`amazon:${j}`)), j, 1, /overall/);
});

test('an empty file', async () => {
  for (const [kind, name] of [['csv', 'empty.csv'], ['amazon', 'empty.json']]) {
    const f = tmpFile(name, '');
    oneLine(await rejects(() => loadDataset(`${kind}:${f}`)), f, null, /empty file/);
  }
  const dir = tmpPath('ml-empty'); mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'u.data'), '');
  oneLine(await rejects(() => loadDataset(`movielens:${dir}`)), join(dir, 'u.data'), null, /empty file/);
  const gz = tmpFile('empty.json.gz', gzipSync(Buffer.alloc(0)));
  oneLine(await rejects(() => loadDataset(`amazon:${gz}`)), gz, null, /empty file/);
});

test('a missing file and wrong field counts', async () => {
  const f = tmpPath('nope.json');
  oneLine(await rejects(() => loadDataset(`amazon:${f}`)), f, null, /no such file/);
  const dir = tmpPath('ml-fields'); mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'u.data'), '1\t1\t5\n');
  oneLine(await rejects(() => loadDataset(`movielens:${dir}`)), join(dir, 'u.data'), 1, /expected 4 tab-separated fields/);
});

test('bad specs are one-line UserErrors', async () => {
  for (const s of ['nosuch:x', 'synthetic:users=abc', 'synthetic:colour=3', 'amazon:', 'csv:a.csv,foo=1', 'synthetic:users=-5']) {
    const e = await rejects(() => loadDataset(s));
    assert.instance(e, UserError, s);
    assert.not.match(e.message, /\n/);
  }
});

test('synth writes nothing partial', async () => {
  const dir = tmpPath('synth-ok');
  const { writeSynthetic } = await import('../../src/data/synth_csv.js');
  await writeSynthetic(dir, { users: 50, items: 40, interactions: 400 });
  assert.equal(readdirSync(dir).sort(), ['interactions.csv', 'items.csv', 'queries.csv', 'users.csv']);
  assert.ok(existsSync(join(dir, 'interactions.csv')));
  const back = await loadDataset(`csv:${join(dir, 'interactions.csv')}`);
  assert.is(back.interactions.length, 400);
  assert.ok(back.shownNegative !== null);
});

test.run();
