/**
 * A served factorised model parks the model file's parameters, interactions
 * and graph on disk (parkModelFile): an erasure (rebuild) and a save re-read
 * them once and keep the edits; a file changed on disk since the load is refused.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Recommender } from '../../src/recsys/recommender.js';
import { UserError } from '../../src/errors.js';
import { generateSynthetic } from '../../src/data/synthetic.js';
import { configFor, prepareSplit } from '../../src/recsys/split.js';
import { fitModel } from '../../src/recsys/fit.js';
import { readModelFile, writeModelFile } from '../../src/recsys/model_file.js';

const t = suite('recsys/model_file park');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dpgcn-park-'));

async function trained(name: string): Promise<string> {
  const ds = generateSynthetic({ users: 50, items: 40, interactions: 700, seed: 9 });
  const config = configFor('ranking', { dim: 8, epochs: 1, batchSize: 128 }, 'lightgcn');
  const prepared = prepareSplit(ds, 'ranking', 1, config);
  const { model } = fitModel('lightgcn', ds, prepared, config);
  const file = path.join(tmp, name);
  await writeModelFile(file, { meta: { model: 'lightgcn', config, dataSpec: ds.name, protocol: 'ranking', seed: 1,
    trained: { epochs: 1, bestEpoch: 1, valAuc: null, trainSeconds: 0 } }, ds, train: prepared.graphInteractions, model });
  model.dispose?.();
  return file;
}

t('erasure after a parked load: rebuilt without the user, saved, reloaded: the erasure stays', async () => {
  const file = await trained('a.ck');
  const rec = await Recommender.load(file);
  assert.is(rec.scoring, 'tables');
  const gone = 'u3', before = rec.recommend('u4', { k: 5 });
  assert.ok(before.length === 5);
  rec.deleteUser(gone);
  assert.not.ok(rec.hasUser(gone));
  const saved = path.join(tmp, 'a-2.ck');
  await rec.save(saved);
  const mf = await readModelFile(saved), u = mf.ds.userIds.indexOf(gone);
  assert.is(u, -1, 'erased id is not written');
  // the erased row's interactions and parameters are gone from the saved file
  const row = 3; // ids are u0, u1, ...: u3 is row 3
  for (let k = 0; k < mf.ds.interactions.length; k++) assert.ok(mf.ds.interactions.user[k] !== row, 'interaction of the erased user kept');
  for (const p of Object.values(mf.params)) if (p.shape[0] === mf.ds.numUsers && p.shape.length === 2) assert.ok(p.data.subarray(row * p.shape[1], (row + 1) * p.shape[1]).every((x) => x === 0));
  const again = await Recommender.load(saved);
  assert.not.ok(again.hasUser(gone));
  assert.equal(again.recommend('u4', { k: 5 }), rec.recommend('u4', { k: 5 }));
  rec.close(); again.close();
});

t('a file rewritten on disk after the load is refused, not read', async () => {
  const file = await trained('b.ck');
  const rec = await Recommender.load(file);
  await new Promise((r) => setTimeout(r, 5));
  fs.copyFileSync(await trained('c.ck'), file);
  try {
    rec.deleteUser('u3');
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, UserError);
    assert.match((e as Error).message, /changed on disk/);
  }
  rec.close();
});

t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
t.run();
