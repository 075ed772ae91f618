/** Model names to constructors, and the --models list parser. */
import { UserError } from '../errors.js';
import { MODEL_NAMES, BASELINE_NAMES, type ModelContext, type ModelName, type Model } from './types.js';
import { createPopularity, createEase } from './closed_form.js';
import { createEmbeddingMlp } from './embedding_mlp.js';
import { createWideDeep } from './wide_deep.js';
import { createPnn } from './pnn.js';
import { createDin } from './din.js';
import { createGraphModel } from './graph_models.js';

const KNOWN: string[] = [...MODEL_NAMES, ...BASELINE_NAMES];

export function isModelName(s: string): s is ModelName {
  return KNOWN.includes(s);
}

export function createModel(name: ModelName, ctx: ModelContext): Model {
  switch (name) {
    case 'embedding-mlp': return createEmbeddingMlp(ctx);
    case 'wide-deep': return createWideDeep(ctx);
    case 'pnn': return createPnn(ctx);
    case 'din': return createDin(ctx);
    case 'gcn': case 'd-gcn': case 'dp-gcn': case 'lightgcn': case 'bpr-mf': return createGraphModel(name, ctx);
    case 'pop': return createPopularity(ctx);
    case 'ease': return createEase(ctx);
    default: throw new UserError(`unknown model "${name as string}" (known: ${KNOWN.join(', ')})`);
  }
}

/** 'all' or a comma-separated list of distinct known names, in the order given. */
export function parseModelList(spec: string, option = '--models'): ModelName[] {
  const s = spec.trim();
  if (s === 'all') return [...MODEL_NAMES];
  const names = s.split(',').map((x) => x.trim()).filter((x) => x !== '');
  if (names.length === 0) throw new UserError(`${option}: expected "all" or a comma-separated list of ${KNOWN.join(', ')}`);
  const out: ModelName[] = [];
  for (const n of names) {
    if (!isModelName(n)) throw new UserError(`${option}: unknown model "${n}" (known: ${KNOWN.join(', ')}, or all for the first seven)`);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

/**
 * Releases everything a model holds, its parameters' storage included, for a caller that owns the model
 * and knows nothing else reads its arrays (a fit's selection model, a model written to a file, an
 * experiment's model after evaluation): a loop of fits then returns wasm memory as it goes. A served
 * model is only disposed (Model.dispose), since tables built from it may alias its parameters.
 */
export function releaseModel(m: Model): void {
  m.dispose?.();
  m.module.releaseStorage();
}
