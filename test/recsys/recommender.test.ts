import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Recommender, NotFoundError } from '../../src/recsys/recommender.js';
import { UserError } from '../../src/errors.js';
import { rowsWithout } from './fixtures.js';
import { TableModel, memoryFile, tableRecommender, testData } from './test_model.js';
import { generateSynthetic } from '../../src/data/synthetic.js';
import { configFor, prepareSplit } from '../../src/recsys/split.js';
import { fitModel } from '../../src/recsys/fit.js';
import { frozen, rankCandidates } from '../../src/eval/evaluate.js';
import { writeModelFile } from '../../src/recsys/model_file.js';

const R = suite('serve: Recommender');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dpgcn-rec-'));

R('fast path (tables, decision folded in, exact item-item merge) agrees with the forward fallback', () => {
  const ds = testData(), fast = tableRecommender(ds, true), slow = tableRecommender(ds, false);
  assert.is(fast.scoring, 'tables');
  assert.is(slow.scoring, 'forward');
  for (const user of ds.userIds.slice(0, 15)) {
    const a = fast.recommend(user, { k: 10 }), b = slow.recommend(user, { k: 10 });
    assert.equal(a.map((x) => x.item), b.map((x) => x.item), user);
    a.forEach((x, r) => assert.ok(Math.abs(x.score - b[r].score) < 1e-4, `${user} rank ${r}: ${x.score} vs ${b[r].score}`));
  }
});

R('recommendMany (one GEMM for the batch) answers as recommend does; errors stay per request', () => {
  const ds = testData(), rec = tableRecommender(ds);
  const reqs = ds.userIds.slice(0, 8).map((user, n) => ({ user, options: { k: 5 + n } }));
  const many = rec.recommendMany([...reqs, { user: 'nobody', options: {} }]);
  reqs.forEach((r, n) => {
    const one = rec.recommend(r.user, r.options);
    assert.equal((many[n] as { item: string }[]).map((x) => x.item), one.map((x) => x.item));
  });
  assert.instance(many[8], NotFoundError);
});

R('seen and excluded items are never recommended; k is checked', () => {
  const ds = testData(), rec = tableRecommender(ds), u = ds.userIds[3];
  const seen = new Set(rec.exportUser(u).training as { item: string }[]).size;
  assert.ok(seen > 0);
  const seenIds = new Set((rec.exportUser(u).training as { item: string }[]).map((x) => x.item));
  const all = rec.recommend(u, { k: 1000 });
  assert.is(all.length, ds.numItems - seenIds.size);
  for (const x of all) assert.not.ok(seenIds.has(x.item));
  const top = rec.recommend(u, { k: 3 });
  const ex = rec.recommend(u, { k: 3, exclude: [top[0].item] });
  assert.not.ok(ex.some((x) => x.item === top[0].item));
  assert.throws(() => rec.recommend(u, { k: 0 }), (e: Error) => e instanceof UserError && /k:/.test(e.message));
  assert.throws(() => rec.recommend(u, { k: 3, exclude: ['zz'] }), (e: Error) => e instanceof NotFoundError && e.field === 'exclude');
});

R('feedback: clicks join the history (no longer recommended), impressions do not; all-or-nothing validation', () => {
  const ds = testData(), rec = tableRecommender(ds), u = ds.userIds[5];
  const [first, second] = rec.recommend(u, { k: 2 });
  const r = rec.feedback([{ user: u, item: first.item, type: 'click', time: 10 }, { user: u, item: second.item, type: 'impression' }]);
  assert.is(r.accepted, 2);
  const next = rec.recommend(u, { k: 2 }).map((x) => x.item);
  assert.not.ok(next.includes(first.item));
  assert.ok(next.includes(second.item));
  assert.throws(() => rec.feedback([{ user: u, item: first.item, type: 'click' }, { user: u, item: first.item, type: 'like' as 'click' }]), /events\[1\]\.type/);
  assert.throws(() => rec.feedback([{ user: 'ghost', item: first.item, type: 'click' }]), (e: Error) => e instanceof NotFoundError && /events\[0\]\.user/.test(e.message));
  assert.is((rec.exportUser(u).feedback as unknown[]).length, 2, 'the rejected batch left nothing');
});

R('opt-out: non-personalised answers, feedback discarded', () => {
  const ds = testData(), rec = tableRecommender(ds), [a, b] = ds.userIds;
  // the non-personalised answer: the items most often in training, ties by item order, the same for every opted-out user
  const count = new Map<string, number>();
  for (const u of ds.userIds) for (const x of rec.exportUser(u).training as { item: string }[]) count.set(x.item, (count.get(x.item) ?? 0) + 1);
  const order = new Map(ds.itemIds.map((id, i) => [id, i]));
  const want = [...ds.itemIds].sort((x, y) => (count.get(y) ?? 0) - (count.get(x) ?? 0) || order.get(x)! - order.get(y)!).slice(0, 5);
  assert.not.equal(rec.recommend(a, { k: 5 }).map((x) => x.item), want, 'the fixture makes the personal answer differ from popularity');
  rec.optOut(a);
  const got = rec.recommend(a, { k: 5 });
  assert.equal(got.map((x) => x.item), want);
  assert.ok(got.every((x) => x.score === 0));
  assert.is(rec.isOptedOut(a), true);
  assert.is(rec.isOptedOut(b), false);
  assert.not.equal(rec.recommend(b, { k: 5 }).map((x) => x.item), want, 'b is still personalised');
  const r = rec.feedback([{ user: a, item: ds.itemIds[0], type: 'click' }, { user: b, item: ds.itemIds[0], type: 'click' }]);
  assert.is(r.accepted, 1); assert.is(r.discarded, 1);
  assert.equal(rec.exportUser(a).feedback, []);
  assert.is(rec.exportUser(a).optedOut, true);
});

R('addUser / addItem: cold-start rows without retraining', () => {
  const ds = testData(), rec = tableRecommender(ds);
  assert.is(rec.addUser('new-user', { gender: 1, region: 3 }), true);
  assert.is(rec.addUser('new-user', {}), false);
  assert.is(rec.recommend('new-user', { k: 5 }).length, 5);
  assert.throws(() => rec.addUser('x', { shoe_size: 3 }), /features\.shoe_size: unknown feature/);
  assert.throws(() => rec.addUser('x', { gender: 7 }), /features\.gender: expected a category index in \[0, 2\)/);
  assert.is(rec.addItem('new-item', { title: 'A new thing', category: 2 }), true);
  const all = rec.recommend('new-user', { k: 1000 });
  const it = all.find((x) => x.item === 'new-item');
  assert.ok(it && it.title === 'A new thing');
  rec.feedback([{ user: 'new-user', item: 'new-item', type: 'purchase' }]);
  assert.not.ok(rec.recommend('new-user', { k: 1000 }).some((x) => x.item === 'new-item'));
});

R('deleteUser: other users are scored as if the user never had edges', () => {
  const ds = testData(), rec = tableRecommender(ds), gone = ds.userIds[7];
  const others = ds.userIds.filter((u) => u !== gone).slice(0, 20);
  const before = others.map((u) => rec.recommend(u, { k: 10 }));
  rec.addUser('late', { gender: 0 });
  rec.deleteUser(gone);
  assert.not.ok(rec.hasUser(gone));
  assert.throws(() => rec.recommend(gone), (e: Error) => e instanceof NotFoundError);
  // the reference: a recommender built on the training data without the user
  const ds2 = testData(), u7 = ds2.userIds.indexOf(gone), ref = new TableModel(ds2, rowsWithout(ds2.interactions, u7));
  ref.module.loadStateDict(new TableModel(ds2, ds2.interactions).module.stateDict());
  const w = ref.module.user.data; w.fill(0, u7 * ref.dim, (u7 + 1) * ref.dim);
  const refRec = Recommender.fromParts({ file: { ...memoryFile(ds2, ref), train: ref.train }, model: ref, rebuild: () => ref });
  let changed = 0;
  others.forEach((u, n) => {
    const a = rec.recommend(u, { k: 10 }), b = refRec.recommend(u, { k: 10 });
    assert.equal(a, b, u);
    if (JSON.stringify(a) !== JSON.stringify(before[n])) changed++;
  });
  assert.ok(changed > 0, 'the deleted edges did matter before');
  assert.is(rec.recommend('late', { k: 3 }).length, 3, 'added users survive the rebuild');
});

for (const name of ['bpr-mf', 'lightgcn', 'gcn', 'dp-gcn', 'ease', 'din'] as const) {
  R(`a trained ${name}: the served ranking is the evaluation's; save and reload keep feedback and added items`, async () => {
    const ds = generateSynthetic({ users: 50, items: 40, interactions: 700, seed: 9 });
    const config = configFor('ranking', { dim: 8, epochs: 1, batchSize: 128, ddpgEpisodes: 4 }, name);
    const prepared = prepareSplit(ds, 'ranking', 1, config);
    const { model, selected } = fitModel(name, ds, prepared, config);
    const file = path.join(tmp, `${name}.ck`);
    await writeModelFile(file, { meta: { model: name, config, dataSpec: ds.name, protocol: 'ranking', seed: 1, selected,
      trained: { epochs: 1, bestEpoch: 1, valAuc: null, trainSeconds: 0 } }, ds, train: prepared.graphInteractions, model });
    const rec = await Recommender.load(file);
    assert.is(rec.scoring, { 'bpr-mf': 'tables', lightgcn: 'tables', gcn: 'tables', 'dp-gcn': 'items', ease: 'forward', din: 'forward' }[name]);
    const gi = prepared.graphInteractions;
    for (const u of [1, 4, 17]) {
      const user = ds.userIds[u];
      const order = Array.from({ length: gi.length }, (_, k) => k).filter((k) => gi.user[k] === u).sort((a, b) => gi.time[a] - gi.time[b] || a - b);
      const hist = order.map((k) => gi.item[k]);
      const seen = new Set(hist), cand = Int32Array.from({ length: ds.numItems }, (_, i) => i).filter((i) => !seen.has(i));
      const want = frozen(model, () => rankCandidates(model, u, cand, hist, config, 0));
      const got = rec.recommend(user, { k: 5 });
      assert.equal(got.map((x) => x.item), Array.from(want.items.subarray(0, 5), (i) => ds.itemIds[i]), `${name} ${user}`);
      got.forEach((x, r) => assert.ok(Math.abs(x.score - want.scores[r]) < 1e-4, `${name} ${user} rank ${r}: ${x.score} vs ${want.scores[r]}`));
    }
    const user = ds.userIds[4], top = rec.recommend(user, { k: 5 });
    rec.feedback([{ user, item: top[0].item, type: 'click', time: 5 }]);
    rec.addItem('fresh', { title: 'Fresh', category: 1 });
    const saved = path.join(tmp, `${name}-2.ck`);
    await rec.save(saved);
    const again = await Recommender.load(saved);
    assert.equal(again.recommend(user, { k: 5 }), rec.recommend(user, { k: 5 }));
    assert.is((again.exportUser(user).feedback as unknown[]).length, 1);
    assert.ok(again.hasItem('fresh'));
    rec.close(); again.close(); model.dispose?.();
  });
}

R.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
R.run();
