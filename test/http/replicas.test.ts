/**
 * Serving replicas sharing state through a real Redis (DPGCN_TEST_REDIS;
 * skipped and counted as skipped without one). Each test uses its own key
 * prefix, so runs and leftovers never meet.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startServer, type RunningServer } from '../../src/http/server.js';
import { replication, type Replication } from '../../src/http/replication.js';
import { connectRedis } from '../../src/util/redis.js';
import { testRedis } from '../queue/helpers.js';
import { testUnless } from '../helpers/skip.js';
import { makeModelFile, TOKEN, auth, getJson, post } from '../recsys/fixtures.js';

const redis = await testRedis();
const S = suite('serve: replicas through Redis');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dpgcn-repl-'));
const model = path.join(dir, 'm.ck');
const running: RunningServer[] = [];
const prefixes: string[] = [];

function prefix(tag: string): string { const p = `test-repl-${tag}-${process.pid}-${randomBytes(3).toString('hex')}`; prefixes.push(p); return p; }

const FAST = { publishEvery: 10, minHeldOut: 2, batchSize: 8 };
process.env.DPGCN_LEARNER_LOG = '0';

async function replica(p: string, name: string, extra: { learner?: boolean; publishTimeoutMs?: number; learn?: boolean } = {}): Promise<{ srv: RunningServer; repl: Replication }> {
  const db = path.join(dir, `${p}-${name}.db`);
  const { learn, ...ro } = extra;
  const repl = replication({ url: redis.url!, prefix: p, ...ro }, db);
  const srv = await startServer({ model, db, port: 0, adminToken: TOKEN, replication: repl, learning: { learn: learn ?? false, seed: 5, learner: FAST } });
  running.push(srv);
  return { srv, repl };
}

async function stop(srv: RunningServer): Promise<void> { await srv.close(); running.splice(running.indexOf(srv), 1); }

/** Polls until check passes (or fails after ms). */
async function eventually(what: string, check: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (await check()) return; await new Promise((r) => setTimeout(r, 10)); }
  assert.unreachable(`${what}: not within ${ms} ms`);
}

const feedbackOf = async (url: string, user: string) => (await getJson(`${url}/users/${user}/export`, { headers: auth })).body.feedback as { item: string }[] | undefined;

S.before(async () => { if (redis.url) await makeModelFile(model, 'dp-gcn', 1); });
S.after(async () => {
  for (const s of [...running]) await s.close();
  if (redis.url && prefixes.length) {
    const r = await connectRedis('DPGCN_TEST_REDIS', redis.url);
    for (const p of prefixes) { const keys = await r.keys(`${p}:*`); if (keys.length) await r.del(...keys); }
    r.disconnect();
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

testUnless(S, redis.reason, 'feedback sent to one replica changes the other\'s state and recommendations', async () => {
  const p = prefix('fb');
  const a = await replica(p, 'a'), b = await replica(p, 'b');
  const before = await getJson(`${b.srv.url}/recommend?user=u1&k=5`);
  const top = before.body.items[0].item as string;
  const fb = await getJson(`${a.srv.url}/feedback`, post({ events: [{ user: 'u1', item: top, type: 'click', time: 1.7e9 }] }));
  assert.equal(fb, { status: 200, body: { accepted: 1, discarded: 0 } });
  await eventually('B holds the click', async () => ((await feedbackOf(b.srv.url, 'u1')) ?? []).some((e) => e.item === top));
  const after = await getJson(`${b.srv.url}/recommend?user=u1&k=5`);
  assert.not.ok(after.body.items.some((x: { item: string }) => x.item === top), 'B no longer recommends the item clicked at A');
  // B's own database holds only its own feedback; A's is not copied into it
  assert.is(b.srv.store.count(), 0);
  // a reload rebuilds B's model from its database and the stream: A's click survives it
  assert.is((await getJson(`${b.srv.url}/admin/reload`, post({}, auth))).status, 200);
  assert.ok(((await feedbackOf(b.srv.url, 'u1')) ?? []).some((e) => e.item === top), 'A\'s click still held after B reloads');
  // a user added at B is known at A
  assert.is((await getJson(`${b.srv.url}/users/newbie`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ features: {} }) })).status, 201);
  await eventually('A knows the new user', () => a.srv.current().hasUser('newbie'));
  await stop(a.srv); await stop(b.srv);
});

testUnless(S, redis.reason, 'delete and opt-out at one replica take effect at the other, and erase the stream\'s feedback entries', async () => {
  const p = prefix('del');
  const a = await replica(p, 'a'), b = await replica(p, 'b');
  await getJson(`${a.srv.url}/feedback`, post({ events: [{ user: 'u2', item: 'i3', type: 'click', time: 1.7e9 }, { user: 'u4', item: 'i5', type: 'click', time: 1.7e9 }] }));
  await eventually('B holds u2 and u4 feedback', async () => ((await feedbackOf(b.srv.url, 'u2')) ?? []).length === 1 && ((await feedbackOf(b.srv.url, 'u4')) ?? []).length === 1);
  const del = await getJson(`${b.srv.url}/users/u2`, { method: 'DELETE', headers: auth });
  assert.is(del.status, 200);
  await eventually('A has erased u2', () => !a.srv.current().hasUser('u2'));
  assert.is((await getJson(`${a.srv.url}/recommend?user=u2`)).status, 404);
  assert.is(a.srv.store.userEvents('u2').length, 0, 'A erased u2 from its own database too');
  const r = await connectRedis('DPGCN_TEST_REDIS', redis.url!);
  const entries = await r.xrange(`${p}:events`, '-', '+');
  r.disconnect();
  assert.not.ok(entries.some(([, f]) => f[f.indexOf('data') + 1].includes('"u2"') && f[f.indexOf('data') + 1].includes('"feedback"')), 'no u2 feedback left in the stream');
  // u4's entry may be trimmed by now (both replicas applied it), but its feedback stays everywhere
  assert.is(((await feedbackOf(a.srv.url, 'u4')) ?? []).length, 1, 'u4 feedback kept at A');
  assert.is(b.srv.store.userEvents('u4').length + a.srv.store.userEvents('u4').length, 1, 'u4 feedback stored once (at the replica that took it)');
  assert.is((await getJson(`${a.srv.url}/users/u4/opt-out`, { method: 'POST', headers: auth })).status, 200);
  await eventually('B has opted u4 out', () => b.srv.current().isOptedOut('u4'));
  const np = await getJson(`${b.srv.url}/recommend?user=u4&k=3&explain=1`);
  assert.ok(np.body.items.every((x: { explain: { scoring: string } }) => x.explain.scoring === 'popularity'));
  await stop(a.srv); await stop(b.srv);
});

testUnless(S, redis.reason, 'a restarted replica catches up from the stream (its own changes from its database, the others\' from Redis)', async () => {
  const p = prefix('restart');
  const a = await replica(p, 'a');
  let b = await replica(p, 'b');
  await getJson(`${b.srv.url}/feedback`, post({ events: [{ user: 'u5', item: 'i6', type: 'click', time: 1.7e9 }] }));
  await stop(b.srv);
  // while B is down, A takes feedback and a new user
  await getJson(`${a.srv.url}/feedback`, post({ events: [{ user: 'u5', item: 'i7', type: 'purchase', time: 1.7e9 + 1 }, { user: 'u6', item: 'i8', type: 'click', time: 1.7e9 + 2 }] }));
  await getJson(`${a.srv.url}/users/late`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
  b = await replica(p, 'b');
  // caught up before it listens: no polling needed
  const u5 = ((await feedbackOf(b.srv.url, 'u5')) ?? []).map((e) => e.item).sort();
  assert.equal(u5, ['i6', 'i7'], 'B\'s own click once (from SQLite) and A\'s purchase once (from the stream)');
  assert.equal(((await feedbackOf(b.srv.url, 'u6')) ?? []).map((e) => e.item), ['i8']);
  assert.ok(b.srv.current().hasUser('late'));
  assert.equal(await feedbackOf(b.srv.url, 'u5'), await feedbackOf(a.srv.url, 'u5'), 'both replicas hold the same u5 feedback');
  await stop(a.srv); await stop(b.srv);
});

testUnless(S, redis.reason, 'the learner replica learns from the stream\'s decisions and feedback; replicas swap in published versions, never withheld ones', async () => {
  const p = prefix('policy');
  const learner = await replica(p, 'learner', { learner: true, learn: true }), a = await replica(p, 'a', { learn: true }), b = await replica(p, 'b', { learn: true });
  assert.ok(learner.srv.learner.learning, 'the learner replica runs the learner');
  assert.not.ok(a.srv.learner.learning, 'a serving replica does not');
  const versions = new Set<number>();
  // traffic spread over both serving replicas, clicks carry the decision id
  for (let t = 0; t < 80; t++) {
    const s = t % 2 ? b.srv : a.srv, u = `u${(t * 7) % 23 + 1}`;
    const r = await getJson(`${s.url}/recommend?user=${u}&k=5&time=${100 + t}`);
    assert.is(r.status, 200);
    assert.match(r.body.decisionId, s === a.srv ? /-\d+$/ : /-\d+$/);
    versions.add(r.body.policyVersion);
    const ev = { user: u, item: r.body.items[t % 3].item, type: 'click', time: 100 + t, decisionId: r.body.decisionId };
    assert.is((await getJson(`${s.url}/feedback`, post({ events: [ev] }))).status, 200);
  }
  await eventually('the learner has journalled every decision', () => learner.srv.store.learnLog(0).filter((x) => x.data.includes('"op":"decision"')).length === 80, 10000);
  await learner.srv.learner.drain();
  await eventually('a gate decision came', () => learner.srv.learner.gates >= 1, 10000);
  const log = learner.srv.store.policyLog(), published = new Set(log.filter((g) => g.published).map((g) => g.version as number));
  assert.ok(log.length >= 1, 'every gate decision is logged');
  assert.ok(learner.srv.learner.published >= 1, 'the learner published a version');
  assert.ok([...versions].some((v) => v > 0), 'the replicas served a learned version');
  {
    const v = learner.srv.learner.version;
    await eventually('both replicas hold the learner\'s version', () => a.repl.policyVersion === v && b.repl.policyVersion === v);
    assert.is(a.srv.learner.version, v, 'decisions at A are logged with the adopted version');
    const mine = a.srv.current().policy()!.actorWeights(), theirs = learner.srv.current().policy()!.actorWeights();
    for (const n of Object.keys(theirs)) assert.equal(Array.from(mine[n].data), Array.from(theirs[n].data));
  }
  // every answer was served by version 0 or a published version: withheld ones never leave the learner
  for (const v of versions) assert.ok(v === 0 || published.has(v), `served version ${v} was published`);
  // determinism for an event order: a learner started on a copy of the journal (another stream) learns the same weights
  await learner.srv.learner.drain();
  const copy = path.join(dir, `${p}-copy.db`);
  await learner.srv.store.backup(copy);
  const q = prefix('policy-copy');
  const repl2 = replication({ url: redis.url!, prefix: q, learner: true, replicaId: 'copy' }, copy);
  const twin = await startServer({ model, db: copy, port: 0, replication: repl2, learning: { learn: true, seed: 5, learner: FAST } });
  running.push(twin);
  await twin.learner.drain();
  assert.is(twin.learner.version, learner.srv.learner.version, 'same versions published');
  const w1 = learner.srv.current().policy()!.actorWeights(), w2 = twin.current().policy()!.actorWeights();
  for (const n of Object.keys(w1)) assert.equal(Array.from(w2[n].data), Array.from(w1[n].data), `actor ${n} equal`);
  await stop(twin);
  // the swap itself: weights published with a change reach B, and B's scores follow them
  const w = learner.srv.current().policy()!.actorWeights(), first = Object.keys(w).find((n) => /bias|\.b$/.test(n)) ?? Object.keys(w)[0];
  for (let j = 0; j < w[first].data.length; j++) w[first].data[j] += 0.5;
  const before = (await getJson(`${b.srv.url}/recommend?user=u1&k=20`)).body.items;
  const v = await learner.repl.publishPolicy(w, learner.repl.policyVersion + 100);
  await eventually('B swapped in the new version', () => b.repl.policyVersion === v);
  assert.equal(Array.from(b.srv.current().policy()!.actorWeights()[first].data), Array.from(w[first].data));
  const after = (await getJson(`${b.srv.url}/recommend?user=u1&k=20`)).body.items;
  assert.is.not(JSON.stringify(after.map((x: { score: number }) => x.score)), JSON.stringify(before.map((x: { score: number }) => x.score)), 'scores follow the new actor');
  // an older version (a restarted learner republishing) never moves replicas back
  await learner.repl.publishPolicy(w, 1);
  await new Promise((r) => setTimeout(r, 100));
  assert.is(b.repl.policyVersion, v);
  await stop(learner.srv); await stop(a.srv); await stop(b.srv);
});

testUnless(S, redis.reason, 'the stream is trimmed once every replica has applied an entry; a restart after trimming rebuilds from its database', async () => {
  const p = prefix('trim');
  const a = await replica(p, 'a');
  let b = await replica(p, 'b');
  const r = await connectRedis('DPGCN_TEST_REDIS', redis.url!);
  try {
    for (let t = 0; t < 30; t++) await getJson(`${a.srv.url}/feedback`, post({ events: [{ user: `u${t % 9 + 1}`, item: `i${t % 11 + 1}`, type: 'click', time: 1.7e9 + t }] }));
    await eventually('B applied all 30', () => b.repl.applied === 30);
    const ua = await feedbackOf(a.srv.url, 'u3');
    // B down: nothing B has not applied may go
    await stop(b.srv);
    await getJson(`${a.srv.url}/feedback`, post({ events: [{ user: 'u3', item: 'i2', type: 'purchase', time: 1.7e9 + 99 }] }));
    await a.repl.offsets.maybeTrim(true);
    assert.ok(await r.xlen(`${p}:events`) >= 1, 'the entry B has not applied is kept');
    const applied = await r.hgetall(`${p}:applied`);
    assert.equal(Object.keys(applied).sort(), [a.repl.replicaId, b.repl.replicaId].sort(), 'each replica records its applied offset');
    b = await replica(p, 'b');
    assert.is(b.repl.applied, 1, 'B resumed after the last entry it stored: only the one it missed');
    await a.repl.offsets.maybeTrim(true);
    await eventually('trimmed to the last entry', async () => { await b.repl.offsets.maybeTrim(true); return (await r.xlen(`${p}:events`)) <= 1; });
    await stop(b.srv);
    b = await replica(p, 'b');
    // A's 31 clicks are gone from the stream, yet B holds them (from its database)
    assert.equal(await feedbackOf(b.srv.url, 'u3'), await feedbackOf(a.srv.url, 'u3'));
    assert.is(((await feedbackOf(b.srv.url, 'u3')) ?? []).length, (ua ?? []).length + 1);
  } finally { r.disconnect(); }
  await stop(a.srv); await stop(b.srv);
});

testUnless(S, redis.reason, 'Redis not answering: /feedback is a 503 naming redis after the local write, never a hang', async () => {
  const p = prefix('pause');
  const a = await replica(p, 'a', { publishTimeoutMs: 300 });
  const r = await connectRedis('DPGCN_TEST_REDIS', redis.url!);
  // Writes from every client wait until the UNPAUSE below, which comes only after the answer (the pause's own
  // 60 s limit is a backstop): a server that waited for Redis would answer after it came back, with a 200.
  await r.call('CLIENT', 'PAUSE', '60000', 'WRITE');
  try {
    const fb = await getJson(`${a.srv.url}/feedback`, post({ events: [{ user: 'u9', item: 'i1', type: 'click', time: 1.7e9 }] }));
    assert.is(fb.status, 503, 'answered while Redis was still paused'); assert.is(fb.body.field, 'redis');
    assert.is(a.srv.store.userEvents('u9').length, 1, 'the local durable write happened');
  } finally { await r.call('CLIENT', 'UNPAUSE'); r.disconnect(); }
  await stop(a.srv);
});

testUnless(S, redis.reason, 'a malformed or unknown stream entry is counted and shown (/health, /metrics), and later entries still apply', async () => {
  const p = prefix('bad');
  const b = await replica(p, 'b');
  const r = await connectRedis('DPGCN_TEST_REDIS', redis.url!);
  const bad1 = await r.xadd(`${p}:events`, '*', 'origin', 'elsewhere', 'data', '{"op":"feedback","events":[');
  const bad2 = await r.xadd(`${p}:events`, '*', 'origin', 'elsewhere', 'data', '{"op":"teleport"}');
  await r.xadd(`${p}:events`, '*', 'origin', 'elsewhere', 'data', JSON.stringify({ op: 'user', user: 'after-bad', features: {} }));
  r.disconnect();
  await eventually('the entry after the bad ones is applied', () => b.srv.current().hasUser('after-bad'));
  assert.is(b.repl.rejected, 2);
  const h = (await getJson(`${b.srv.url}/health`)).body;
  assert.is(h.replication.rejected, 2);
  assert.is(h.replication.lastRejected.id, bad2);
  assert.match(h.replication.lastRejected.reason, /unknown op "teleport"/);
  assert.is.not(bad1, bad2);
  const m = await (await fetch(`${b.srv.url}/metrics`)).text();
  assert.match(m, /^dpgcn_replication_entries_rejected_total 2$/m);
  // a replica that starts on the same stream meets them in its catch-up, and counts them too
  const c = await replica(p, 'c');
  assert.is(c.repl.rejected, 2);
  assert.match(await (await fetch(`${c.srv.url}/metrics`)).text(), /^dpgcn_replication_entries_rejected_total 2$/m);
  await stop(b.srv); await stop(c.srv);
});

S.run();
