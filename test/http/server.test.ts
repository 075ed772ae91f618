import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startServer, type RunningServer } from '../../src/http/server.js';
import { Recommender } from '../../src/recsys/recommender.js';
import { FeedbackStore } from '../../src/http/feedback_store.js';
import { buildFromFile, readModelFile, writeModelFile } from '../../src/recsys/model_file.js';
import { makeModelFile, TOKEN, auth, getJson, post, rowsWithout } from '../recsys/fixtures.js';

const S = suite('serve: HTTP server');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dpgcn-srv-'));
const modelA = path.join(dir, 'a.ck'), modelB = path.join(dir, 'b.ck');
let srv: RunningServer;
let url = '';

S.before(async () => {
  await makeModelFile(modelA, 'dp-gcn', 1);
  await makeModelFile(modelB, 'gcn', 2);
  srv = await startServer({ model: modelA, db: path.join(dir, 'fb.db'), port: 0, adminToken: TOKEN, learning: { learn: false } }); // frozen: exact answers
  url = srv.url;
});

S('every route answers its contract', async () => {
  const h = await getJson(`${url}/health`);
  assert.is(h.status, 200); assert.is(h.body.status, 'ok');
  const r = await getJson(`${url}/recommend?user=u1&k=5`);
  assert.is(r.status, 200);
  assert.is(r.body.user, 'u1'); assert.type(r.body.modelVersion, 'string');
  assert.is(r.body.items.length, 5);
  for (const it of r.body.items) { assert.type(it.item, 'string'); assert.type(it.score, 'number'); assert.type(it.title, 'string'); }
  const ex = await getJson(`${url}/recommend?user=u1&k=5&exclude=${r.body.items[0].item}`);
  assert.not.ok(ex.body.items.some((x: { item: string }) => x.item === r.body.items[0].item));
  const fb = await getJson(`${url}/feedback`, post({ events: [{ user: 'u1', item: r.body.items[0].item, type: 'click', time: 1.7e9 }, { user: 'u2', item: 'i3', type: 'impression' }] }));
  assert.equal(fb, { status: 200, body: { accepted: 2, discarded: 0 } });
  const after = await getJson(`${url}/recommend?user=u1&k=5`);
  assert.not.ok(after.body.items.some((x: { item: string }) => x.item === r.body.items[0].item), 'a clicked item is not recommended again');
  const sg = await getJson(`${url}/suggest?user=u1&k=3`);
  assert.is(sg.status, 200); assert.ok(Array.isArray(sg.body.queries));
  const pu = await getJson(`${url}/users/newbie`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ features: { gender: 1 } }) });
  assert.equal(pu, { status: 201, body: { user: 'newbie', created: true } });
  assert.is((await getJson(`${url}/recommend?user=newbie&k=3`)).body.items.length, 3, 'cold start for an added user');
  const pi = await getJson(`${url}/items/brand-new`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'Brand new', features: { category: 1 } }) });
  assert.is(pi.status, 201);
  const all = await getJson(`${url}/recommend?user=newbie&k=1000`);
  assert.ok(all.body.items.some((x: { item: string; title: string }) => x.item === 'brand-new' && x.title === 'Brand new'));
  const exp = await getJson(`${url}/users/u1/export`, { headers: auth });
  assert.is(exp.status, 200); assert.is(exp.body.user, 'u1');
  assert.is(exp.body.storedFeedback.length, 1);
  const m = await getJson(`${url}/metrics`);
  assert.is(m.status, 200);
  assert.match(m.body, /dpgcn_http_requests_total\{route="\/recommend",method="GET",status="200"\}/);
  assert.match(m.body, /dpgcn_http_request_duration_seconds_bucket/);
  assert.match(m.body, new RegExp(`dpgcn_model_info\\{version="${r.body.modelVersion}"\\} 1`));
});

S('privacy and admin routes: 401 without the token, 403 when no token is configured', async () => {
  assert.is((await getJson(`${url}/users/u1/export`)).status, 401);
  assert.is((await getJson(`${url}/users/u1/export`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
  assert.is((await getJson(`${url}/users/u1`, { method: 'DELETE' })).status, 401);
  assert.is((await getJson(`${url}/admin/reload`, post({}))).status, 401);
  const closed = await startServer({ model: modelA, db: path.join(dir, 'closed.db'), port: 0, adminToken: null });
  try {
    for (const [p, init] of [['/users/u1/export', {}], ['/users/u1', { method: 'DELETE' }], ['/users/u1/opt-out', post({})], ['/admin/reload', post({})]] as [string, RequestInit][]) {
      const r = await getJson(`${closed.url}${p}`, { ...init, headers: { ...(init.headers ?? {}), ...auth } });
      assert.is(r.status, 403, p); assert.match(r.body.error, /DPGCN_ADMIN_TOKEN/);
    }
  } finally { await closed.close(); }
});

/** 1,000 bad requests of many kinds, deterministic. */
function malformed(n: number): { path: string; init: RequestInit }[] {
  const j = (body: string, method = 'POST', ct = 'application/json') => ({ method, headers: { 'content-type': ct }, body });
  const kinds: ((i: number) => { path: string; init: RequestInit })[] = [
    (i) => ({ path: `/recommend?user=u1&k=${['0', '-1', '1001', 'abc', '1e3', '2.5', '', '99999999999'][i % 8]}`, init: {} }),
    (i) => ({ path: `/recommend?user=nobody${i}`, init: {} }),
    () => ({ path: '/recommend', init: {} }),
    () => ({ path: '/recommend?user=u1&k=1&k=2', init: {} }),
    (i) => ({ path: `/recommend?user=u1&exclude=nosuch${i}`, init: {} }),
    (i) => ({ path: `/recommend?user=u1&query=${encodeURIComponent('no such query ' + i)}`, init: {} }),
    () => ({ path: '/suggest?user=u1&k=x', init: {} }),
    (i) => ({ path: '/feedback', init: j(['{', '{"events":', '{"events":[}', 'null', '[]', '"x"', '{"events":[{"user":"u1","item":"i1","type":"click"}]', '\u0000'][i % 8]) }),
    () => ({ path: '/feedback', init: j(JSON.stringify({ events: [] })) }),
    (i) => ({ path: '/feedback', init: j(JSON.stringify({ events: [{ user: 'u1', item: 'i1', type: ['like', 5, null, ''][i % 4] }] })) }),
    (i) => ({ path: '/feedback', init: j(JSON.stringify({ events: [{ user: i % 2 ? 7 : null, item: 'i1', type: 'click' }] })) }),
    () => ({ path: '/feedback', init: j(JSON.stringify({ events: [{ user: 'u1', item: 'i1', type: 'click', time: 'yesterday' }] })) }),
    (i) => ({ path: '/feedback', init: j(JSON.stringify({ events: [{ user: 'ghost' + i, item: 'i1', type: 'click' }] })) }),
    (i) => ({ path: '/feedback', init: j(JSON.stringify({ events: [{ user: 'u1', item: 'ghost' + i, type: 'click' }] })) }),
    () => ({ path: '/feedback', init: j(JSON.stringify({ events: 'all of them' })) }),
    () => ({ path: '/feedback', init: j('user=u1', 'POST', 'application/x-www-form-urlencoded') }),
    () => ({ path: '/feedback', init: j('{"events":[]}', 'POST', 'text/plain') }),
    () => ({ path: '/users/x', init: j(JSON.stringify({ features: { shoe_size: 3 } }), 'PUT') }),
    () => ({ path: '/users/x', init: j(JSON.stringify({ features: { gender: 9 } }), 'PUT') }),
    () => ({ path: '/users/x', init: j(JSON.stringify({ features: 'all' }), 'PUT') }),
    () => ({ path: '/items/x', init: j(JSON.stringify({ title: 42 }), 'PUT') }),
    (i) => ({ path: `/users/nobody${i}`, init: { method: 'DELETE', headers: auth } }),
    (i) => ({ path: `/users/nobody${i}/export`, init: { headers: auth } }),
    (i) => ({ path: `/users/nobody${i}/opt-out`, init: { method: 'POST', headers: auth } }),
    () => ({ path: '/admin/reload', init: { ...j(JSON.stringify({ model: path.join(dir, 'missing.ck') })), headers: { 'content-type': 'application/json', ...auth } } }),
    () => ({ path: '/admin/reload', init: { ...j(JSON.stringify({ model: 5 })), headers: { 'content-type': 'application/json', ...auth } } }),
    (i) => ({ path: `/no/such/route/${i}`, init: {} }),
    () => ({ path: '/recommend', init: { method: 'DELETE' } }),
  ];
  const out: { path: string; init: RequestInit }[] = [];
  for (let i = 0; i < n; i++) out.push(kinds[i % kinds.length](i));
  // oversized bodies: 413
  for (let i = 0; i < 3; i++) out[i * 300 + 7] = { path: '/feedback', init: j(JSON.stringify({ events: [{ user: 'u1', item: 'i1', type: 'click', pad: 'x'.repeat(1.2e6) }] })) };
  return out;
}

S('1,000 malformed requests: all 4xx with a JSON error naming the field, and the server still answers correctly', async () => {
  const before = await getJson(`${url}/recommend?user=u5&k=5`);
  const reqs = malformed(1000), statuses = new Map<number, number>();
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < reqs.length) {
      const r = reqs[next++];
      const res = await fetch(url + r.path, r.init);
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      assert.ok(res.status >= 400 && res.status < 500, `${r.init.method ?? 'GET'} ${r.path.slice(0, 80)} -> ${res.status} ${text.slice(0, 200)}`);
      const body = JSON.parse(text);
      assert.type(body.error, 'string', r.path);
      assert.type(body.field, 'string', `${r.path}: ${text.slice(0, 200)}`);
    }
  }));
  assert.ok((statuses.get(400) ?? 0) > 300 && (statuses.get(404) ?? 0) > 100 && statuses.get(413) === 3, JSON.stringify([...statuses]));
  const after = await getJson(`${url}/recommend?user=u5&k=5`);
  assert.equal({ ...after.body, decisionId: null }, { ...before.body, decisionId: null }, "the same answer (each is its own decision)");
  assert.is((await getJson(`${url}/health`)).status, 200);
});

S('opt-out: non-personalised answers and no rows stored afterwards', async () => {
  const store = srv.store;
  const n0 = store.userEvents('u9').length;
  assert.is((await getJson(`${url}/users/u9/opt-out`, post({}, auth))).status, 200);
  const fb = await getJson(`${url}/feedback`, post({ events: [{ user: 'u9', item: 'i1', type: 'click' }, { user: 'u9', item: 'i2', type: 'purchase' }] }));
  assert.equal(fb.body, { accepted: 0, discarded: 2 });
  assert.is(store.userEvents('u9').length, n0);
  const a = await getJson(`${url}/recommend?user=u9&k=5`), b = await getJson(`${url}/recommend?user=u10&k=5`);
  assert.is(a.body.items.length, 5);
  assert.ok(a.body.items.every((x: { score: number }) => x.score === 0), 'popularity list, no personal score');
  assert.ok(b.body.items.some((x: { score: number }) => x.score !== 0));
});

S('delete a user: rows gone; other users scored as if the user never had edges', async () => {
  const victim = 'u4';
  await getJson(`${url}/feedback`, post({ events: [{ user: victim, item: 'i2', type: 'click' }] }));
  assert.ok(srv.store.userEvents(victim).length > 0);
  const others = Array.from({ length: 30 }, (_, n) => `u${n + 20}`);
  const before = await Promise.all(others.map((u) => getJson(`${url}/recommend?user=${u}&k=10`)));
  const del = await getJson(`${url}/users/${victim}`, { method: 'DELETE', headers: auth });
  assert.is(del.status, 200);
  assert.is(srv.store.userEvents(victim).length, 0);
  assert.is((await getJson(`${url}/recommend?user=${victim}`)).status, 404);
  // reference: a model file built from scratch on the training data without the user (parameter rows zeroed)
  const mf = await readModelFile(modelA), u = mf.ds.userIds.indexOf(victim);
  for (const p of Object.values(mf.params)) if (p.shape[0] === mf.ds.numUsers && p.shape.length === 2) p.data.fill(0, u * p.shape[1], (u + 1) * p.shape[1]);
  const train = rowsWithout(mf.train, u), model = buildFromFile(mf, modelA, { train });
  const ref = path.join(dir, 'ref.ck');
  await writeModelFile(ref, { meta: mf.meta, ds: mf.ds, train, model });
  const rec = await Recommender.load(ref);
  let changed = 0;
  for (const [n, o] of others.entries()) {
    const got = await getJson(`${url}/recommend?user=${o}&k=10`);
    const want = rec.recommend(o, { k: 10 });
    assert.equal(got.body.items, want, o);
    if (JSON.stringify(got.body.items) !== JSON.stringify(before[n].body.items)) changed++;
  }
  assert.ok(changed > 0, 'the deleted edges mattered before');
  rec.close(); model.dispose?.();
});

S('hot reload under load: no request fails, answers switch to the new model', async () => {
  const v0 = (await getJson(`${url}/health`)).body.modelVersion;
  let stop = false, ok = 0, failed = 0, reloaded = 0;
  const fails: string[] = [];
  const versions = new Set<string>();
  /** Per request: how many reloads had completed when it was sent, and the version that answered it. */
  const seen: { after: number; version: string }[] = [];
  const load = Promise.all(Array.from({ length: 8 }, async (_, w) => {
    for (let n = 0; !stop; n++) {
      const after = reloaded;
      const r = await fetch(`${url}/recommend?user=u${(w * 7 + n) % 60 + 10}&k=10`); // u4 is deleted by now
      if (r.status === 200) {
        const version = (await r.json() as { modelVersion: string }).modelVersion;
        ok++; versions.add(version); seen.push({ after, version });
      } else { failed++; fails.push(`${r.status} ${await r.text()}`); }
    }
  }));
  /** Waits (by count, not by time; 60 s only as a backstop) until 40 more requests have been answered. */
  const answered = async (): Promise<void> => {
    const want = ok + 40, end = Date.now() + 60_000;
    while (ok < want && failed === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    if (ok < want) { stop = true; assert.unreachable(`the load stalled at ${ok} answers (${failed} failed: ${fails[0]})`); }
  };
  // three files with versions distinct from each other and from v0 (a save stamps a new version), so every answer names its reload
  const copies: string[] = [];
  for (const [src, n] of [[modelA, 'a2'], [modelB, 'b2']] as const) {
    const r = await Recommender.load(src), f = path.join(dir, `${n}.ck`);
    await r.save(f); r.close(); copies.push(f);
  }
  const reloadVersions = [v0];
  for (const m of [modelB, copies[0], copies[1]]) {
    await answered();
    const res = await getJson(`${url}/admin/reload`, post({ model: m }, auth));
    assert.is(res.status, 200, JSON.stringify(res.body));
    reloadVersions.push(res.body.modelVersion);
    reloaded++;
  }
  await answered();
  stop = true;
  await load;
  assert.is(failed, 0, fails.slice(0, 3).join('; '));
  assert.is(new Set(reloadVersions).size, 4, 'four distinct versions');
  // a request sent after reload r had returned is answered by reload r's model or a later one, never an older one
  for (const x of seen) {
    assert.ok(reloadVersions.slice(x.after).includes(x.version), `a request sent after reload ${x.after} got ${x.version} (reloads: ${reloadVersions.join(' ')})`);
  }
  // of the last 40 answers at most 8 (one per worker) were sent before the last reload returned
  assert.ok(seen.filter((x) => x.after === 3).length >= 32, 'the final model answered the load');
  const v1 = (await getJson(`${url}/health`)).body.modelVersion;
  assert.is.not(v1, v0);
  assert.ok(versions.has(v0) && versions.has(v1), [...versions].join(' '));
  // state survives the reload: the deleted user stays deleted, the opted-out user opted out
  assert.is((await getJson(`${url}/recommend?user=u4`)).status, 404);
  // an erased id added again is a new, empty user, after a reload too
  assert.is((await getJson(`${url}/users/u4`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 201);
  await getJson(`${url}/admin/reload`, post({}, auth));
  const back = await getJson(`${url}/users/u4/export`, { headers: auth });
  assert.equal([back.body.training, back.body.feedback, back.body.added], [[], [], true]);
  assert.ok((await getJson(`${url}/recommend?user=u9&k=3`)).body.items.every((x: { score: number }) => x.score === 0));
});

S('feedback export: a CSV the csv: loader reads', async () => {
  const { spawnSync } = await import('node:child_process');
  const main = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../src/cli/main.js');
  const out = path.join(dir, 'fb.csv');
  const r = spawnSync(process.execPath, [main, 'feedback', 'export', '--db', path.join(dir, 'fb.db'), '--out', out], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
  assert.is(lines[0], 'user,item,timestamp,type,label');
  assert.ok(lines.length > 2);
  const { loadDataset } = await import('../../src/data/spec.js');
  const ds = await loadDataset(`csv:${out}`);
  assert.ok(ds.numUsers > 0 && ds.interactions.length > 0);
  const store = new FeedbackStore(path.join(dir, 'fb.db'));
  assert.is(lines.length - 1, store.count());
  store.close();
});

S.after(async () => { await srv?.close(); fs.rmSync(dir, { recursive: true, force: true }); });
S.run();
