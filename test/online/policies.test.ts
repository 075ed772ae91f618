/**
 * Every policy of the online protocol runs on a tiny market, models trained
 * offline first (two epochs, dim 16): the result has the JSON shape,
 * the oracle gets more clicks than random, online DDPG learns from every
 * feedback event, and a second run gives the same numbers (seeded).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { generateSynthetic } from '../../src/data/synthetic.js';
import { parseOnlinePolicies, runOnlineExperiment, renderOnlineTable } from '../../src/online/experiment.js';
import { topK, epsilonSlate, ServedPolicy, type ServingApi } from '../../src/online/policy.js';
import { runOnline, onlineUsers } from '../../src/online/run.js';
import { Rng } from '../../src/tensor/rng.js';

const s = suite('online/policies');
const ds = generateSynthetic({ users: 200, items: 100, interactions: 2500, seed: 4 });

s('topK and epsilonSlate', () => {
  assert.equal(Array.from(topK([0.1, 0.9, 0.5, 0.9], 3)), [1, 3, 2]);
  const big = Float32Array.from({ length: 200 }, (_, i) => (i * 37) % 200);
  assert.equal(Array.from(topK(big, 100)).slice(0, 2), [Array.from(big).indexOf(199), Array.from(big).indexOf(198)]);
  const e = epsilonSlate(Int32Array.from([5, 4, 3, 2, 1, 0, 6, 7]), 50, 4, 0.5, new Rng(1));
  assert.is(new Set(e).size, 4);
});

s('names: models, NAME:static, references; bad names fail', () => {
  const p = parseOnlinePolicies('gcn,d-gcn,dp-gcn:static,oracle,linucb,gcn:served');
  assert.equal(p.map((x) => x.kind), ['static', 'online', 'static', 'reference', 'reference', 'served']);
  assert.throws(() => parseOnlinePolicies('dp-gcn:live'), /unknown policy "dp-gcn:live"/);
  assert.throws(() => parseOnlinePolicies('bandit'), /unknown policy/);
  assert.is(parseOnlinePolicies('all').length, 15);
});

s('every policy runs; oracle beats random; DDPG learns online; seeded', async () => {
  const names = 'random,popularity,oracle,gcn,embedding-mlp,d-gcn:static,d-gcn,dp-gcn,dp-gcn:served,egreedy,linucb,thompson';
  const run = () => runOnlineExperiment({ dataset: ds, policies: parseOnlinePolicies(names), seeds: [1], users: 12,
    overrides: { epochs: 2, dim: 16 }, params: { days: 2 } });
  const r = await run();
  assert.is(r.protocol, 'online');
  assert.equal(r.models.map((m) => m.name), names.split(','));
  for (const m of r.models) {
    assert.equal(Object.keys(m.online), ['totalClicks', 'clicksPerSession', 'sessionLength', 'regret', 'coverage', 'ctrCurve', 'sessionsPerUser', 'satisfaction']);
    assert.is(m.perSeed.length, 1);
    assert.ok(m.online.sessionLength.mean >= 1, m.name);
    assert.is(m.online.ctrCurve.length, 10);
  }
  const get = (n: string) => r.models.find((m) => m.name === n)!;
  assert.ok(get('oracle').online.totalClicks.mean > get('random').online.totalClicks.mean);
  assert.ok(get('d-gcn').learnMsPerEvent! > 0 && get('dp-gcn').learnMsPerEvent! > 0);
  assert.is(get('d-gcn:static').learnMsPerEvent, undefined);
  assert.ok(renderOnlineTable(r).includes('clicks/session'));
  // one seed: the pairs are there, without an interval
  assert.equal(r.paired.filter((p) => p.metric === 'totalClicks').map((p) => `${p.a}-${p.b}`), ['dp-gcn-linucb', 'd-gcn-gcn', 'dp-gcn-d-gcn', 'dp-gcn-oracle', 'linucb-oracle']);
  assert.ok(r.paired.every((p) => p.n === 1 && Number.isNaN(p.sd)));
  const again = await run();
  assert.equal(again.models.map((m) => m.online.totalClicks.mean), r.models.map((m) => m.online.totalClicks.mean));
  assert.equal(again.models.map((m) => m.online.regret.mean), r.models.map((m) => m.online.regret.mean));
});

s('a served recommender (the serving API shape) drives the loop: impressions and clicks flow back', () => {
  const got: { user: string; item: string; type: string }[] = [];
  const api: ServingApi = {
    recommend: (_u, o) => Array.from({ length: o.k ?? 10 }, (_, j) => ({ item: ds.itemIds[j] })),
    feedback: (ev) => { got.push(...ev); return { accepted: ev.length }; },
  };
  const r = runOnline(ds, () => new ServedPolicy('served', api, ds.userIds, ds.itemIds), { users: onlineUsers(ds, 5, 1), seed: 1 });
  assert.is(got.length, Math.round(r.sessionLength * r.sessions) * 10);
  assert.is(got.filter((e) => e.type === 'click').length, r.totalClicks);
  assert.ok(got.every((e) => ds.itemIds.slice(0, 10).includes(e.item)));
});

s.run();
