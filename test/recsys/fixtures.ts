/** Small trained model files for the server tests (seconds to make, deterministic). */
import { generateSynthetic } from '../../src/data/synthetic.js';
import type { Interactions } from '../../src/data/types.js';
import { DEFAULT_CONFIG, type ModelConfig, type ModelName } from '../../src/models/types.js';
import { fitModel } from '../../src/recsys/fit.js';
import { prepareSplit } from '../../src/recsys/split.js';
import { writeModelFile, type ModelMeta } from '../../src/recsys/model_file.js';

export const SPEC = { users: 80, items: 60, interactions: 1200, seed: 7 };

/** Trains `name` on the small synthetic market and writes it to file. */
export async function makeModelFile(file: string, name: ModelName = 'dp-gcn', seed = 1, over: Partial<ModelConfig> = {}): Promise<ModelMeta> {
  const ds = generateSynthetic(SPEC);
  const config = { ...DEFAULT_CONFIG, dim: 8, epochs: 1, batchSize: 256, ddpgEpisodes: 4, ...over };
  const prepared = prepareSplit(ds, 'dien', seed, config);
  const { model, train, selected } = fitModel(name, ds, prepared, config);
  const meta = await writeModelFile(file, { meta: { model: name, config, dataSpec: ds.name, protocol: 'dien', seed, selected,
    trained: { epochs: 1, bestEpoch: train.bestEpoch, valAuc: null, trainSeconds: 0 } }, ds, train: prepared.graphInteractions, model });
  model.dispose?.();
  return meta;
}

export const TOKEN = 'test-admin-token';
export const auth = { authorization: `Bearer ${TOKEN}` };

export async function getJson(url: string, init: RequestInit = {}): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await fetch(url, init);
  const text = await r.text();
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* not JSON (metrics) */ }
  return { status: r.status, body };
}

export const post = (body: unknown, headers: Record<string, string> = {}): RequestInit =>
  ({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/**
 * The interaction rows of every user but u, built row by row here (not with
 * the library's own dropUsers), as the reference for erasure tests.
 */
export function rowsWithout(it: Interactions, u: number): Interactions {
  const user: number[] = [], item: number[] = [], time: number[] = [], query: number[] = [], rating: number[] = [];
  for (let k = 0; k < it.length; k++) {
    if (it.user[k] === u) continue;
    user.push(it.user[k]); item.push(it.item[k]); time.push(it.time[k]); query.push(it.query[k]);
    if (it.rating) rating.push(it.rating[k]);
  }
  return { length: user.length, user: Int32Array.from(user), item: Int32Array.from(item), time: Float64Array.from(time),
    query: Int32Array.from(query), rating: it.rating ? Float32Array.from(rating) : null };
}
