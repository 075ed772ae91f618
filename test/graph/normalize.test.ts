import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CsrMatrix } from '../../src/sparse/csr.js';
import { symNormalize, meanNormalize, addSelfLoops } from '../../src/sparse/normalize.js';
import { csrFromEdges } from '../../src/sparse/build.js';
import { currentBackend } from '../../src/backend/registry.js';

const test = suite('graph/normalize');

function dense(m: CsrMatrix): number[][] {
  const d = Array.from({ length: m.rows }, () => new Array(m.cols).fill(0));
  for (let i = 0; i < m.rows; i++) for (let p = m.rowPtr[i]; p < m.rowPtr[i + 1]; p++) d[i][m.colIdx[p]] = m.values[p];
  return d;
}
function close(a: number[][], b: number[][]): void {
  for (let i = 0; i < a.length; i++) for (let j = 0; j < a[i].length; j++) assert.ok(Math.abs(a[i][j] - b[i][j]) < 1e-6, `[${i}][${j}] ${a[i][j]} vs ${b[i][j]}`);
}

// path graph 0 - 1 - 2
const path = csrFromEdges(3, 3, [0, 1, 1, 2], [1, 0, 2, 1]);

test('sym with self-loops: D^-1/2 (A+I) D^-1/2 on a path', () => {
  // degrees of A+I: 2, 3, 2
  const s = Math.sqrt;
  close(dense(symNormalize(path, { selfLoops: true })), [
    [1 / 2, 1 / s(6), 0],
    [1 / s(6), 1 / 3, 1 / s(6)],
    [0, 1 / s(6), 1 / 2],
  ]);
});

test('mean with and without self-loops', () => {
  close(dense(meanNormalize(path, { selfLoops: true })), [[1 / 2, 1 / 2, 0], [1 / 3, 1 / 3, 1 / 3], [0, 1 / 2, 1 / 2]]);
  close(dense(meanNormalize(path)), [[0, 1, 0], [1 / 2, 0, 1 / 2], [0, 1, 0]]);
});

test('bipartite sym is 1/sqrt(d_u d_i); isolated rows stay zero', () => {
  // users x items: u0-{i0,i1}, u1-{i1}, u2-{}
  const a = csrFromEdges(3, 2, [0, 0, 1], [0, 1, 1]);
  close(dense(symNormalize(a)), [[1 / Math.sqrt(2), 1 / Math.sqrt(4)], [0, 1 / Math.sqrt(2)], [0, 0]]);
  assert.throws(() => symNormalize(a, { selfLoops: true }), /square/);
});

test('addSelfLoops keeps columns sorted and adds to an existing diagonal', () => {
  const m = csrFromEdges(3, 3, [0, 1, 2, 2], [2, 1, 0, 1]);
  const l = addSelfLoops(m);
  close(dense(l), [[1, 0, 1], [0, 2, 0], [1, 1, 1]]);
  for (let i = 0; i < 3; i++) for (let p = l.rowPtr[i] + 1; p < l.rowPtr[i + 1]; p++) assert.ok(l.colIdx[p] > l.colIdx[p - 1]);
});

test('dispose returns resident copies (matrix and transpose) and the matrix stays usable', () => {
  const b = currentBackend();
  const m = CsrMatrix.fromCoo(3, 4, [0, 1, 2, 2], [1, 3, 0, 2], [1, 2, 3, 4]);
  const base = b.liveAllocations();
  m.residentOn(b); m.transpose().residentOn(b);
  const held = b.liveAllocations() - base;
  assert.is(held, b.name === 'wasm' ? 6 : 0);
  m.dispose();
  assert.is(b.liveAllocations(), base);
  const again = m.residentOn(b);
  assert.equal(Array.from(again.values), [1, 2, 3, 4]);
  m.dispose();
  assert.is(b.liveAllocations(), base);
});

test('csrFromEdges matches CsrMatrix.fromCoo (sum and binary duplicates)', () => {
  const r = [2, 0, 2, 1, 0, 2], c = [1, 3, 1, 0, 0, 2], v = [1, 2, 3, 4, 5, 6];
  const a = csrFromEdges(3, 4, r, c, v), b = CsrMatrix.fromCoo(3, 4, r, c, v);
  assert.equal(a.rowPtr, b.rowPtr); assert.equal(a.colIdx, b.colIdx); assert.equal(a.values, b.values);
  const bin = csrFromEdges(3, 4, r, c, v, { duplicates: 'binary' });
  assert.equal(Array.from(bin.values), [1, 1, 1, 1, 1]);
});

test.run();
