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

/**
 * Builds a model. Its dispose() releases everything it holds, the parameters' storage included (what
 * the model's own dispose releases first), so a loop of fits returns wasm memory as it goes.
 */
export function createModel(name: ModelName, ctx: ModelContext): Model {
  const m = construct(name, ctx);
  const own = m.dispose?.bind(m);
  m.dispose = () => { own?.(); m.module.releaseStorage(); };
  return m;
}

function construct(name: ModelName, ctx: ModelContext): Model {
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
