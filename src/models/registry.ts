/** Model names to constructors, and the --models list parser. */
import { UserError } from '../errors.js';
import { MODEL_NAMES, type ModelContext, type ModelName, type Model } from './types.js';
import { createEmbeddingMlp } from './embedding_mlp.js';
import { createWideDeep } from './wide_deep.js';
import { createPnn } from './pnn.js';
import { createDin } from './din.js';
import { createGraphModel } from './graph_models.js';

export function isModelName(s: string): s is ModelName {
  return (MODEL_NAMES as string[]).includes(s);
}

export function createModel(name: ModelName, ctx: ModelContext): Model {
  switch (name) {
    case 'embedding-mlp': return createEmbeddingMlp(ctx);
    case 'wide-deep': return createWideDeep(ctx);
    case 'pnn': return createPnn(ctx);
    case 'din': return createDin(ctx);
    case 'gcn': case 'd-gcn': case 'dp-gcn': return createGraphModel(name, ctx);
    default: throw new UserError(`unknown model "${name as string}" (known: ${MODEL_NAMES.join(', ')})`);
  }
}

/** 'all' or a comma-separated list of distinct known names, in the order given. */
export function parseModelList(spec: string, option = '--models'): ModelName[] {
  const s = spec.trim();
  if (s === 'all') return [...MODEL_NAMES];
  const names = s.split(',').map((x) => x.trim()).filter((x) => x !== '');
  if (names.length === 0) throw new UserError(`${option}: expected "all" or a comma-separated list of ${MODEL_NAMES.join(', ')}`);
  const out: ModelName[] = [];
  for (const n of names) {
    if (!isModelName(n)) throw new UserError(`${option}: unknown model "${n}" (known: ${MODEL_NAMES.join(', ')}, or all)`);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}
