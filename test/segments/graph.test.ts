/** The interaction graph's spectral embedding, and segmentUsers choosing between representations by silhouette. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { graphEmbedding } from '../../src/segments/graph_embedding.js';
import { kmeans } from '../../src/segments/kmeans.js';
import { adjustedRandIndex } from '../../src/segments/agreement.js';
import { segmentUsers } from '../../src/segments/segment_users.js';
import { Rng } from '../../src/tensor/rng.js';
import type { Interactions } from '../../src/data/types.js';
import { market, plantedInput, DIM } from './fixture.js';

const S = suite('segments: graph embedding and the choice of representation');

/** 3 groups of 40 users, each clicking 12 random items of its own block of 30 (and 1 item anywhere). */
function planted(): { it: Interactions; truth: Int32Array; nU: number; nI: number } {
  const rng = new Rng(11), nU = 120, nI = 90, user: number[] = [], item: number[] = [], truth = new Int32Array(nU);
  for (let u = 0; u < nU; u++) {
    const g = truth[u] = u % 3;
    for (let k = 0; k < 12; k++) { user.push(u); item.push(g * 30 + rng.int(30)); }
    user.push(u); item.push(rng.int(nI));
  }
  const n = user.length;
  return { nU, nI, truth, it: { length: n, user: Int32Array.from(user), item: Int32Array.from(item), time: new Float64Array(n), rating: null, query: new Int32Array(n).fill(-1) } };
}

S('the graph embedding separates planted groups, rows unit length, deterministic', () => {
  const p = planted(), g = graphEmbedding(p.it, p.nU, p.nI, 3);
  assert.is(g.dim, 2);
  assert.ok(Math.abs(g.singularValues[0] - 1) < 0.05, `the leading singular value of a normalised adjacency is 1 (got ${g.singularValues[0]})`);
  for (let u = 0; u < p.nU; u++) { const a = g.users[u * 2], b = g.users[u * 2 + 1]; assert.ok(Math.abs(a * a + b * b - 1) < 1e-5); }
  const km = kmeans({ data: g.users, n: p.nU, d: g.dim }, { k: 3, rng: new Rng(1), restarts: 8 });
  assert.ok(adjustedRandIndex(km.labels, p.truth) > 0.95, 'the three groups are found');
  assert.equal(Array.from(graphEmbedding(p.it, p.nU, p.nI, 3).users), Array.from(g.users));
});

S('segmentUsers keeps the representation with the higher silhouette and lists every one tried', () => {
  const ds = market(), clean = plantedInput(ds, 0.3), n = ds.numUsers, rng = new Rng(2);
  const noise = Float32Array.from({ length: n * DIM }, () => rng.normal(0, 1));
  const r = segmentUsers({ ...clean, users: noise, representation: 'noise', alternatives: [{ users: clean.users, dim: DIM, representation: 'planted' }] }, { k: 'auto', seed: 1, kMax: 10 });
  assert.is(r.representation, 'planted');
  assert.is(r.representations!.length, 2);
  const [a, b] = r.representations!;
  assert.is(a.representation, 'noise'); assert.is(b.representation, 'planted');
  assert.ok(b.silhouette > a.silhouette);
  assert.is(r.silhouette, b.silhouette);
  assert.ok(r.ari! > 0.9);
  // without alternatives: no list, the given representation
  const one = segmentUsers(clean, { k: 4, seed: 1 });
  assert.is(one.representation, 'planted'); assert.is(one.representations, undefined);
});

S.run();
