/**
 * The parameters of a graph model (encoder, head, decision layer) and the
 * batch helpers its forward uses; graph_models.ts holds the model that
 * trains and scores with them.
 */
import type { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/create.js';
import { Module } from '../nn/module.js';
import { normalInit } from '../nn/init.js';
import { Rng } from '../tensor/rng.js';
import { RELATIONS, type HeteroGraph } from '../graph/hetero.js';
import type { Batch, ModelConfig, ModelContext } from './types.js';
import { HeteroGCN, type HiddenEdges } from './hetero_gcn.js';
import { FusionHead } from './fusion.js';
import { DotHead } from './dot_head.js';
import { LightEncoder } from './light_encoder.js';
import { itemItemTerm } from './item_item_term.js';
import { DecisionLayer } from './decision.js';
export type GraphModelName = 'gcn' | 'd-gcn' | 'dp-gcn' | 'lightgcn' | 'bpr-mf';

export interface GraphModelOptions {
  /**
   * Feedback the decision layer learns from: 'offline' (the default) = the
   * logged clicks; 'online' = the synthetic market's true click
   * probabilities (when the data set has an oracle), a diagnostic only: no
   * learner reads true probabilities by default (issue 18).
   */
  decisionEnv?: 'offline' | 'online';
  /** Logged steps per DDPG episode (default 8). */
  episodeSteps?: number;
  /** DDPG episodes per epoch (default 4 x config.ddpgEpisodes). */
  episodes?: number;
  /** Action size m of the decision layer (default 16; = dim for the unprojected a in R^d). */
  actionDim?: number;
  /** Minibatch updates after each batched environment step (default 2). */
  updatesPerStep?: number;
  /** Discount of the critic's target (default 0: rankings do not change the logged next state). */
  gamma?: number;
  /** Episodes of the per-epoch check that decides which policy is kept (default 128; 0 = off). */
  evalEpisodes?: number;
}

export class GraphModule extends Module {
  readonly gcn: HeteroGCN | LightEncoder;
  readonly head: FusionHead | DotHead;
  readonly noQuery: Tensor;
  decision: DecisionLayer | null = null;

  /** The decision layer's critic, targets and optimiser state are not children (only its actor scores): freed here too. */
  override releaseStorage(): void {
    super.releaseStorage();
    this.decision?.ddpg.releaseTraining();
  }

  constructor(graph: HeteroGraph, name: GraphModelName, ctx: ModelContext, opts: GraphModelOptions) {
    super();
    const c = ctx.config, rng = ctx.rng, typed = name === 'dp-gcn', dot = isDotModel(name, c);
    if (dot) {
      // lightgcn: the user-item graph; the paper's graph models: every relation (queries, terms)
      const relations = name === 'lightgcn' || name === 'bpr-mf' ? ['user-item' as const] : RELATIONS.map((r) => r.name);
      this.gcn = this.child('gcn', new LightEncoder(graph, { dim: c.dim, layers: name === 'bpr-mf' ? 0 : c.gcnLayers, relations }, rng));
    } else {
      this.gcn = this.child('gcn', new HeteroGCN(graph, { dim: c.dim, layers: c.gcnLayers, aggregation: c.aggregation, typeSpecific: typed, propagatedOnly: !typed }, rng));
    }
    this.noQuery = this.param('no_query', normalInit([1, c.dim], rng, dot ? 0.01 : 0.1));
    const userFeatures = typed ? ctx.dataset.userFeatures : null, itemFeatures = typed ? ctx.dataset.itemFeatures : null;
    this.head = dot
      ? this.child('head', new DotHead({ dim: c.dim, userFeatures, itemFeatures, itemItem: typed ? itemItemTerm(ctx) : null }, rng))
      : this.child('head', new FusionHead({ dim: c.dim, hidden: c.hidden, dropout: c.dropout, userFeatures, itemFeatures }, rng));
    if (name === 'd-gcn' || name === 'dp-gcn') {
      const extra = typed && this.head.userStatic ? c.dim : 0;
      // its own stream, derived from the seed: d-gcn draws exactly what gcn draws from ctx.rng, so with the
      // same ctx.rng and batches the two differ only by the decision layer (the experiment runner derives
      // both seeds from the model name, so there they also differ by initialisation and batch order)
      this.decision = this.child('decision', new DecisionLayer({ dim: c.dim, extraDim: extra, beta: c.beta, actionDim: opts.actionDim, gamma: opts.gamma,
        unitItems: !dot }, decisionRng(rng)));
    }
  }
}

/** Graph models score with the two-tower dot head where the config says so; lightgcn and bpr-mf always do. */
export function isDotModel(name: GraphModelName, c: ModelConfig): boolean {
  return name === 'lightgcn' || name === 'bpr-mf' || c.head === 'dot';
}

/** For each row, the first row with the same user and history (reps: those first rows; of: row -> index in reps). */
export function distinctContexts(batch: Batch): { reps: Int32Array; of: Int32Array } {
  const L = batch.maxLen, first = new Map<number, number[]>(), reps: number[] = [], of = new Int32Array(batch.size);
  const same = (a: number, b: number) => {
    if (batch.historyLen[a] !== batch.historyLen[b]) return false;
    for (let j = 0; j < L; j++) if (batch.history[a * L + j] !== batch.history[b * L + j]) return false;
    return true;
  };
  for (let b = 0; b < batch.size; b++) {
    const cands = first.get(batch.user[b]) ?? [];
    let r = cands.find((k) => same(reps[k], b));
    if (r === undefined) { r = reps.length; reps.push(b); cands.push(r); first.set(batch.user[b], cands); }
    of[b] = r;
  }
  return { reps: Int32Array.from(reps), of };
}

/** Rows ids of a row-major (n x d) table as a (B x d) tensor; id -1 gives a zero row. */
export function tableRows(tab: Float32Array, ids: Int32Array, d: number): Tensor {
  const o = new Float32Array(ids.length * d);
  ids.forEach((i, b) => { if (i >= 0) o.set(tab.subarray(i * d, (i + 1) * d), b * d); });
  return tensor(o, [ids.length, d]);
}

/** A stream derived from rng's seed without drawing from rng. */
export function decisionRng(rng: Rng): Rng { return new Rng((rng.seed ^ 0x5bd1e995) | 0); }

/** The batch's positive user-item pairs whose item is not already in the instance's history. */
export function ownEdges(batch: Batch, queryItemCount?: (q: number, i: number) => number): HiddenEdges {
  const u: number[] = [], i: number[] = [], q: number[] = [], qi: number[] = [];
  if (!batch.label) return { users: new Int32Array(0), items: new Int32Array(0) };
  for (let b = 0; b < batch.size; b++) {
    if (batch.label[b] < 0.5) continue;
    const h = batch.history.subarray(b * batch.maxLen, b * batch.maxLen + batch.historyLen[b]);
    if (h.includes(batch.item[b])) continue;
    u.push(batch.user[b]); i.push(batch.item[b]);
    const qq = batch.query[b];
    if (qq >= 0 && queryItemCount && queryItemCount(qq, batch.item[b]) <= 1) { q.push(qq); qi.push(batch.item[b]); }
  }
  return { users: Int32Array.from(u), items: Int32Array.from(i), queries: Int32Array.from(q), queryItems: Int32Array.from(qi) };
}

