import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readCsv } from '../../src/data/loaders/csv_parse.js';
import { loadDataset } from '../../src/data/spec.js';
import { DataError } from '../../src/errors.js';
import { tmpFile, rejects } from './helpers.js';

const test = suite('data/csv');

async function records(content: string, sep = ','): Promise<[string[], number][]> {
  const f = tmpFile('r.csv', content);
  const out: [string[], number][] = [];
  await readCsv(f, (r, l) => out.push([r, l]), sep);
  return out;
}

test('RFC 4180 quoting: separators, quotes and newlines inside quotes', async () => {
  const r = await records('a,b,c\n"x, y","say ""hi""","two\nlines"\nplain,,""\n');
  assert.equal(r[0][0], ['a', 'b', 'c']);
  assert.equal(r[1][0], ['x, y', 'say "hi"', 'two\nlines']);
  assert.is(r[1][1], 2);
  assert.is(r[2][1], 4, 'line number after a quoted newline');
});

test('CRLF, BOM and a last line without newline', async () => {
  const r = await records('\ufeffuser,item\r\n1,2\r\n"3","4"');
  assert.equal(r.map((x) => x[0]), [['user', 'item'], ['1', '2'], ['3', '4']]);
});

test('bad quoting is a DataError with a line', async () => {
  const f = tmpFile('q.csv', 'a,b\n"open,1\n');
  const e = await rejects(() => readCsv(f, () => {}));
  assert.instance(e, DataError); assert.match(e.message, /unterminated quoted field/);
  const f2 = tmpFile('q2.csv', 'a,b\nx"y,1\n');
  assert.match((await rejects(() => readCsv(f2, () => {}))).message, /:2: a quote inside an unquoted field/);
});

test('csv loader: aliases, column mapping, dates, queries merged, tab separator', async () => {
  const f = tmpFile('i.csv', '\ufeffUserId,ItemId,Timestamp,Rating,Query\r\nu1,a,3,5,"Running Shoes"\r\nu1,b,1,4,running shoe\r\nu2,a,2,3,\r\n');
  const ds = await loadDataset(`csv:${f}`);
  assert.is(ds.numUsers, 2); assert.is(ds.numItems, 2); assert.is(ds.interactions.length, 3);
  assert.equal(Array.from(ds.interactions.time), [1, 3, 2], 'sorted by (user, time)');
  assert.is(ds.numQueries, 1, 'near-duplicate queries merged');
  assert.equal(Array.from(ds.interactions.query), [0, 0, -1]);
  const g = tmpFile('g.tsv', 'who\twhat\twhen\nx\ty\t2020-01-02T00:00:00Z\n');
  const d2 = await loadDataset(`csv:${g},user=who,item=what,time=when,sep=tab`);
  assert.is(d2.interactions.time[0], Date.UTC(2020, 0, 2) / 1000);
});

test.run();
