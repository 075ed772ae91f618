/**
 * GET /segments and GET /users/:id/segment over real HTTP (loopback): the
 * segments as `dpgcn segments` prints them, a user's segment and distance, a
 * user added at run time on the nearest centroid, 404 naming an unknown user,
 * 4xx JSON for bad input, a server without segments.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startServer, type RunningServer } from '../../src/http/server.js';
import { computeServedSegments, ServedSegments, type ServedSegmentsFile } from '../../src/recsys/served_segments.js';
import { sqDistances } from '../../src/segments/distance.js';
import { makeModelFile, getJson } from '../recsys/fixtures.js';

const S = suite('serve: segments');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dpgcn-seg-'));
const model = path.join(dir, 'm.ck'), segFile = path.join(dir, 'm.segments.json');
let srv: RunningServer, file: ServedSegmentsFile;
const put = (body: unknown): RequestInit => ({ method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

S.before(async () => {
  await makeModelFile(model, 'dp-gcn', 1);
  file = (await computeServedSegments(model, { k: 3 })).file;
  fs.writeFileSync(segFile, JSON.stringify(file));
  srv = await startServer({ model, db: path.join(dir, 'a.db'), port: 0, segments: segFile, learning: { learn: false } });
});
S.after(async () => { await srv?.close(); fs.rmSync(dir, { recursive: true, force: true }); });

S('GET /segments: each segment\'s size, profile and targeting line', async () => {
  const r = await getJson(`${srv.url}/segments`);
  assert.is(r.status, 200);
  assert.is(r.body.k, 3);
  assert.is(r.body.segments.length, 3);
  assert.is(r.body.segments.reduce((a: number, s: { size: number }) => a + s.size, 0), r.body.users);
  for (const s of r.body.segments) {
    assert.match(s.profile, new RegExp(`^segment ${s.id}: ${s.size} users`));
    assert.match(s.targeting, /^targets /);
  }
  assert.match(r.body.header[0], /^3 segments of \d+ users/);
  // the representation the segments were computed in is the one stored (whichever had the higher silhouette)
  assert.is(Buffer.from(file.users, 'base64').byteLength, 4 * file.userIds.length * file.dim);
  assert.is(Buffer.from(file.centroids, 'base64').byteLength, 4 * file.k * file.dim);
});

S('GET /users/:id/segment: a model user\'s segment and distance; a user added at run time on the nearest centroid', async () => {
  const r = await getJson(`${srv.url}/users/u1/segment`);
  assert.is(r.status, 200);
  assert.is(r.body.user, 'u1');
  assert.is(r.body.segment, file.labels[file.userIds.indexOf('u1')]);
  assert.ok(r.body.distance >= 0 && Number.isFinite(r.body.distance));
  assert.is(r.body.assigned, 'k-means');
  const f = file.userFeatures, feats: Record<string, number> = {};
  f.names.forEach((n, c) => { feats[n] = (c + 1) % f.cardinalities[c]; });
  assert.is((await getJson(`${srv.url}/users/newcomer`, put({ features: feats }))).status, 201);
  const a = await getJson(`${srv.url}/users/newcomer/segment`);
  assert.is(a.status, 200);
  assert.is(a.body.assigned, 'nearest centroid');
  // the nearest centroid to the fold-in vector, at that distance
  const seg = new ServedSegments(file), got = seg.assign('\u0000x', feats)!;
  assert.is(a.body.segment, got.segment);
  assert.ok(Math.abs(a.body.distance - got.distance) < 1e-5);
  const cents = Buffer.from(file.centroids, 'base64'), c = new Float32Array(cents.buffer.slice(cents.byteOffset, cents.byteOffset + cents.byteLength));
  assert.is(c.length, file.k * file.dim);
  assert.ok(sqDistances(new Float32Array(file.dim), 1, c, file.k, file.dim).length === file.k);
  // without features: the mean of all users
  assert.is((await getJson(`${srv.url}/users/bare`, put({}))).status, 201);
  const b = await getJson(`${srv.url}/users/bare/segment`);
  assert.is(b.status, 200); assert.ok(b.body.segment >= 0 && b.body.segment < 3);
});

S('unknown user: 404 naming the user; bad input: 4xx JSON naming the field, never a 500', async () => {
  const r = await getJson(`${srv.url}/users/nobody-here/segment`);
  assert.is(r.status, 404); assert.is(r.body.field, 'user'); assert.match(r.body.error, /nobody-here/);
  const long = await getJson(`${srv.url}/users/${'x'.repeat(300)}/segment`);
  assert.is(long.status, 400); assert.is(long.body.field, 'id');
  const mid = await getJson(`${srv.url}/users/${'y'.repeat(90)}/segment`);
  assert.is(mid.status, 404); assert.is(mid.body.field, 'user');
  const empty = await getJson(`${srv.url}/users//segment`);
  assert.ok(empty.status >= 400 && empty.status < 500); assert.type(empty.body.field, 'string');
  const bad = await getJson(`${srv.url}/users/%E0%A4%A/segment`);
  assert.ok(bad.status >= 400 && bad.status < 500, `malformed escape: ${bad.status}`);
});

S('a server without segments answers 404 naming segments; a bad segments file is refused at start', async () => {
  const s = await startServer({ model, db: path.join(dir, 'b.db'), port: 0, segments: 'none', learning: { learn: false } });
  try {
    const r = await getJson(`${s.url}/segments`);
    assert.is(r.status, 404); assert.is(r.body.field, 'segments');
    const u = await getJson(`${s.url}/users/u1/segment`);
    assert.is(u.status, 404); assert.is(u.body.field, 'segments');
  } finally { await s.close(); }
  const junk = path.join(dir, 'junk.json');
  fs.writeFileSync(junk, '{"format":"other"}');
  try { await startServer({ model, db: path.join(dir, 'c.db'), port: 0, segments: junk }); assert.unreachable('started'); } catch (e) { assert.match((e as Error).message, /--segments .*not a segments file/); }
});

S('segments computed from the model file at start', async () => {
  const s = await startServer({ model, db: path.join(dir, 'd.db'), port: 0, segments: 'compute', learning: { learn: false } });
  try {
    const r = await getJson(`${s.url}/segments`);
    assert.is(r.status, 200); assert.ok(r.body.k >= 2);
  } finally { await s.close(); }
});

S.run();
