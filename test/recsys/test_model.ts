/**
 * A small model that implements Model.servingTables, for the serving fast
 * path: one propagation step (user = own embedding + mean of its items', item
 * likewise from its users), an item bias, a co-occurrence item-item term and a
 * DDPG decision layer with a non-zero policy. Its forward computes the same
 * score the long way, so fast path and fallback must agree.
 */
import { Module } from '../../src/nn/module.js';
import { normalInit } from '../../src/nn/init.js';
import { Rng } from '../../src/tensor/rng.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { DecisionLayer } from '../../src/models/decision.js';
import { DEFAULT_CONFIG, type Batch, type Model, type ServingTables } from '../../src/models/types.js';
import type { Dataset, Interactions } from '../../src/data/types.js';
import type { ModelFile } from '../../src/recsys/model_file.js';
import { Recommender } from '../../src/recsys/recommender.js';
import { generateSynthetic } from '../../src/data/synthetic.js';

class TestModule extends Module {
  readonly user: Tensor; readonly item: Tensor; readonly bias: Tensor; readonly decision: DecisionLayer;
  constructor(users: number, items: number, d: number, rng: Rng) {
    super();
    this.user = this.param('user', normalInit([users, d], rng, 0.5));
    this.item = this.param('item', normalInit([items, d], rng, 0.5));
    this.bias = this.param('bias', normalInit([items], rng, 0.3));
    this.decision = this.child('decision', new DecisionLayer({ dim: d, extraDim: 0, beta: 0.8, actionDim: 4 }, rng.fork()));
    // a policy that is not zero, so the folded adjustment matters
    for (const p of this.decision.ddpg.actor.parameters()) for (let k = 0; k < p.size; k++) p.data[k] = rng.normal(0, 0.4);
  }
}

export class TableModel implements Model {
  readonly name = 'table-test';
  readonly module: TestModule;
  private tb: ServingTables | null = null;
  constructor(readonly ds: Dataset, readonly train: Interactions, readonly dim = 8, seed = 5) {
    this.module = new TestModule(ds.numUsers, ds.numItems, dim, new Rng(seed));
  }
  get decision(): DecisionLayer { return this.module.decision; }
  staticMean(): Float32Array | null { return null; }
  stateItemTable(): Float32Array { return this.module.item.data; }

  servingTables(): ServingTables {
    if (this.tb) return this.tb;
    const d = this.dim, U = this.ds.numUsers, I = this.ds.numItems, it = this.train;
    const ue = this.module.user.data, ie = this.module.item.data;
    const user = ue.slice(), item = ie.slice(), nu = new Float32Array(U), ni = new Float32Array(I);
    for (let k = 0; k < it.length; k++) { nu[it.user[k]]++; ni[it.item[k]]++; }
    for (let k = 0; k < it.length; k++) {
      const u = it.user[k], i = it.item[k];
      for (let c = 0; c < d; c++) { user[u * d + c] += ie[i * d + c] / nu[u]; item[i * d + c] += ue[u * d + c] / ni[i]; }
    }
    // item-item: 0.05 per user who has both (j != i)
    const byUser: number[][] = Array.from({ length: U }, () => []);
    for (let k = 0; k < it.length; k++) if (!byUser[it.user[k]].includes(it.item[k])) byUser[it.user[k]].push(it.item[k]);
    const rows: Map<number, number>[] = Array.from({ length: I }, () => new Map());
    for (const l of byUser) for (const j of l) for (const i of l) if (i !== j) rows[j].set(i, (rows[j].get(i) ?? 0) + 0.05);
    const rowPtr = new Int32Array(I + 1), col: number[] = [], val: number[] = [];
    rows.forEach((m, j) => { for (const [i, v] of [...m].sort((a, b) => a[0] - b[0])) { col.push(i); val.push(v); } rowPtr[j + 1] = col.length; });
    this.tb = { dim: d, user, item, itemBias: this.module.bias.data.slice(), itemItem: { rowPtr, colIdx: Int32Array.from(col), values: Float32Array.from(val) } };
    return this.tb;
  }

  forward(b: Batch): Tensor {
    const t = this.servingTables(), d = this.dim, ii = t.itemItem!, dec = this.decision, L = b.maxLen;
    const eu = new Float32Array(b.size * d), ei = new Float32Array(b.size * d);
    for (let r = 0; r < b.size; r++) { eu.set(t.user.subarray(b.user[r] * d, (b.user[r] + 1) * d), r * d); ei.set(t.item.subarray(b.item[r] * d, (b.item[r] + 1) * d), r * d); }
    const adj = dec.adjustment(dec.actions(dec.states(eu, null, b.history, b.historyLen, L, this.stateItemTable()), b.size), ei);
    const out = new Float32Array(b.size);
    for (let r = 0; r < b.size; r++) {
      let s = t.itemBias![b.item[r]] + adj[r];
      for (let c = 0; c < d; c++) s += eu[r * d + c] * ei[r * d + c];
      for (let h = 0; h < b.historyLen[r]; h++) {
        const j = b.history[r * L + h];
        for (let p = ii.rowPtr[j]; p < ii.rowPtr[j + 1]; p++) if (ii.colIdx[p] === b.item[r]) s += ii.values[p];
      }
      out[r] = s;
    }
    return tensor(out, [b.size, 1]);
  }
}

/** The same model without servingTables: the Recommender takes the forward path. */
export function withoutTables(m: TableModel): Model {
  return { name: m.name, module: m.module, forward: (b) => m.forward(b) } as Model;
}

export function testData(): Dataset { return generateSynthetic({ users: 60, items: 50, interactions: 900, seed: 3 }); }

/** A ModelFile in memory for a TableModel on ds (its training interactions: all of ds's). */
export function memoryFile(ds: Dataset, m: TableModel): ModelFile {
  const config = { ...DEFAULT_CONFIG, dim: m.dim, maxLen: 200 }; // the forward sees the whole history, as the item-item term does
  return {
    meta: { kind: 'dpgcn-model', fileVersion: 2, model: 'gcn', config, dataSpec: ds.name, protocol: 'ranking', seed: 1,
      data: { users: ds.numUsers, items: ds.numItems, interactions: ds.interactions.length },
      trained: { epochs: 0, bestEpoch: 0, valAuc: null, trainSeconds: 0 },
      dataset: { name: ds.name, numUsers: ds.numUsers, numItems: ds.numItems, numQueries: ds.numQueries, numTerms: ds.numTerms, userIds: ds.userIds,
        itemIds: ds.itemIds, itemTitles: ds.itemTitles, queryText: ds.queryText, vocab: ds.vocab, userFeatures: ds.userFeatures, itemFeatures: ds.itemFeatures,
        itemTerms: [0, 0], queryTerms: [0, 0], social: null }, savedAt: 1 },
    ds, train: ds.interactions, params: m.module.stateDict(), ddpg: null, served: null, graph: {}, learner: null,
  };
}

/** A Recommender over a TableModel (tables: fast path; else the forward fallback). */
export function tableRecommender(ds: Dataset, tables = true): Recommender {
  const m = new TableModel(ds, ds.interactions);
  const file = memoryFile(ds, m);
  const make = (train: Interactions) => {
    const x = new TableModel(ds, train);
    x.module.loadStateDict(file.params);
    return tables ? x : withoutTables(x);
  };
  return Recommender.fromParts({ file, model: tables ? m : withoutTables(m), rebuild: make });
}
