/**
 * Graceful shutdown over real HTTP: a request in flight when close() starts
 * finishes with its answer; requests arriving while the server drains get a
 * 503 JSON naming the server; close() resolves once the last one is done.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startServer } from '../../src/http/server.js';
import { makeModelFile, getJson, post } from '../recsys/fixtures.js';

const S = suite('serve: graceful shutdown');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dpgcn-shut-'));
const model = path.join(dir, 'm.ck');

S.before(async () => { await makeModelFile(model, 'dp-gcn', 1); });
S.after(() => { fs.rmSync(dir, { recursive: true, force: true }); });

S('in-flight requests finish, new ones get 503 JSON while draining, close resolves after', async () => {
  const s = await startServer({ model, db: path.join(dir, 'a.db'), port: 0, learning: { learn: false } });
  // hold /recommend inside the server until released
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const decide = s.learner.decide.bind(s.learner);
  let entered = 0;
  s.learner.decide = async (reqs) => { entered++; await gate; return decide(reqs); };
  const slow = getJson(`${s.url}/recommend?user=u1&k=3`);
  while (entered === 0) await new Promise((r) => setTimeout(r, 5));
  let closed = false;
  const closing = s.close().then(() => { closed = true; });
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(s.draining());
  const late = await getJson(`${s.url}/health`);
  assert.is(late.status, 503);
  assert.is(late.body.field, 'server');
  assert.match(late.body.error, /shutting down/);
  const fb = await getJson(`${s.url}/feedback`, post({ events: [{ user: 'u1', item: 'i2', type: 'click', time: 1 }] }));
  assert.is(fb.status, 503, 'a write arriving while draining is refused, not half-done');
  assert.not.ok(closed, 'still draining while a request is in flight');
  release();
  const r = await slow;
  assert.is(r.status, 200, 'the in-flight request got its answer');
  assert.is(r.body.items.length, 3);
  await closing;
  assert.ok(closed);
  let refused = false;
  try { await fetch(`${s.url}/health`); } catch { refused = true; }
  assert.ok(refused, 'the listener is closed once drained');
});

S('a drain that outlasts drainMs still closes', async () => {
  const s = await startServer({ model, db: path.join(dir, 'b.db'), port: 0, learning: { learn: false } });
  const decide = s.learner.decide.bind(s.learner);
  let entered = 0, release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  s.learner.decide = async (reqs) => { entered++; await gate; return decide(reqs); };
  const slow = fetch(`${s.url}/recommend?user=u1&k=3`).catch(() => null);
  while (entered === 0) await new Promise((r) => setTimeout(r, 5));
  const t0 = Date.now();
  const closing = s.close({ drainMs: 200 });
  await new Promise((r) => setTimeout(r, 300));
  release();
  await closing;
  assert.ok(Date.now() - t0 < 5000);
  await slow;
});

S.run();
