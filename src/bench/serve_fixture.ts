/**
 * A factorised model with random tables on a generated market, for `dpgcn
 * bench serve` at a scale no model implementing servingTables has been
 * trained at yet: it exercises exactly the serving path a trained factorised
 * model takes (same table shape, same kernels), so its latency and throughput
 * are those of the path, not of a model's quality. The benchmark labels it.
 */
import { Module } from '../nn/module.js';
import { normalInit } from '../nn/init.js';
import { Rng } from '../tensor/rng.js';
import { tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { DEFAULT_CONFIG, type Batch, type Model, type ServingTables } from '../models/types.js';
import { generateSynthetic } from '../data/synthetic.js';
import type { ModelFile } from '../recsys/model_file.js';
import { Recommender } from '../recsys/recommender.js';

class Tables extends Module {
  readonly user: Tensor; readonly item: Tensor;
  constructor(users: number, items: number, d: number, rng: Rng) {
    super();
    this.user = this.param('user', normalInit([users, d], rng, 0.1));
    this.item = this.param('item', normalInit([items, d], rng, 0.1));
  }
}

class RandomTables implements Model {
  readonly name = 'random-tables';
  readonly module: Tables;
  constructor(users: number, items: number, readonly d: number, seed: number) { this.module = new Tables(users, items, d, new Rng(seed)); }
  servingTables(): ServingTables { return { dim: this.d, user: this.module.user.data, item: this.module.item.data, itemBias: null, itemItem: null }; }
  forward(b: Batch): Tensor {
    const d = this.d, u = this.module.user.data, it = this.module.item.data, out = new Float32Array(b.size);
    for (let r = 0; r < b.size; r++) { let s = 0; for (let c = 0; c < d; c++) s += u[b.user[r] * d + c] * it[b.item[r] * d + c]; out[r] = s; }
    return tensor(out, [b.size, 1]);
  }
}

export interface FixtureOptions { users: number; items: number; interactions: number; dim: number; seed: number }
export const LARGE_FIXTURE: FixtureOptions = { users: 20000, items: 100000, interactions: 400000, dim: 64, seed: 1 };

export function fixtureRecommender(o: FixtureOptions = LARGE_FIXTURE): Recommender {
  const ds = generateSynthetic({ users: o.users, items: o.items, interactions: o.interactions, seed: o.seed });
  // the generated text is not needed to serve: drop it so the resident size is the serving state's
  ds.itemTerms = { ...ds.itemTerms, rows: 0, cols: 0, rowPtr: new Int32Array(1), colIdx: new Int32Array(0), values: new Float32Array(0) } as typeof ds.itemTerms;
  const model = new RandomTables(ds.numUsers, ds.numItems, o.dim, o.seed);
  const config = { ...DEFAULT_CONFIG, dim: o.dim };
  const file: ModelFile = {
    meta: { kind: 'dpgcn-model', fileVersion: 2, model: 'gcn', config, dataSpec: ds.name, protocol: 'ranking', seed: o.seed,
      data: { users: ds.numUsers, items: ds.numItems, interactions: ds.interactions.length },
      trained: { epochs: 0, bestEpoch: 0, valAuc: null, trainSeconds: 0 },
      dataset: { name: ds.name, numUsers: ds.numUsers, numItems: ds.numItems, numQueries: ds.numQueries, numTerms: ds.numTerms, userIds: ds.userIds,
        itemIds: ds.itemIds, itemTitles: ds.itemTitles, queryText: ds.queryText, vocab: ds.vocab, userFeatures: ds.userFeatures, itemFeatures: ds.itemFeatures,
        itemTerms: [0, 0], queryTerms: [ds.queryTerms.rows, ds.queryTerms.cols], social: null }, savedAt: Date.now() },
    ds, train: ds.interactions, params: {}, ddpg: null, served: null, graph: {}, learner: null,
  };
  return Recommender.fromParts({ file, model, rebuild: () => model });
}
