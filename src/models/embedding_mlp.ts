/**
 * Embedding&MLP, the base model of DIN's RelaImpr: every field (user id and
 * profile, candidate item id and attributes, query) is embedded, the
 * behaviour history is sum-pooled into one vector, everything is
 * concatenated and an MLP gives the logit.
 */
import type { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { MLP } from '../nn/layers.js';
import type { Batch, ModelContext, Model } from './types.js';
import { FieldEmbeddings, concatCols, pooledHistory } from './features.js';

/** Fields and MLP; wide-deep reuses it as its deep part. */
export class EmbeddingMlpNet extends Module {
  readonly fields: FieldEmbeddings;
  readonly mlp: MLP;
  constructor(ctx: ModelContext) {
    super();
    const { dataset, config, rng } = ctx;
    this.fields = this.child('fields', new FieldEmbeddings(dataset, config.dim, rng));
    const n = this.fields.numFieldsWithHistory;
    this.mlp = this.child('mlp', new MLP([n * config.dim, ...config.hidden, 1], rng, 'relu', config.dropout));
  }
  /** The concatenated input of the MLP (B, fields*dim). */
  features(batch: Batch): Tensor {
    return concatCols([...this.fields.batchFields(batch), pooledHistory(this.fields, batch, 'sum')]);
  }
  forward(batch: Batch, training: boolean): Tensor {
    this.train(training);
    return this.mlp.forward(this.features(batch));
  }
}

export function createEmbeddingMlp(ctx: ModelContext): Model {
  const net = new EmbeddingMlpNet(ctx);
  return { name: 'embedding-mlp', module: net, forward: (b, t) => net.forward(b, t) };
}
