/**
 * Data specs, as typed on the command line:
 *   synthetic[:users=2000,items=1000,interactions=40000,seed=1,...]
 *   movielens:DIR   amazon:REVIEWS[,META]   lastfm:DIR
 *   csv:FILE[,user=COL,item=COL,time=COL|none,rating=COL,query=COL,label=COL,sep=;]
 * Every kind also takes threshold=R (implicit feedback: keep rating >= R) and
 * kcore=K (iterated K-core filter), applied in that order after loading.
 */
import { totalmem } from 'node:os';
import { UserError } from '../errors.js';
import { SYNTHETIC_DEFAULTS, generateSynthetic, type SyntheticOptions } from './synthetic.js';
import { loadMovieLens } from './loaders/movielens.js';
import { loadAmazon } from './loaders/amazon.js';
import { loadLastfm } from './loaders/lastfm.js';
import { loadCsv, type CsvOptions } from './loaders/csv.js';
import { applyThreshold, kCore } from './kcore.js';
import type { Dataset } from './types.js';

export interface CommonOptions { threshold?: number; kcore?: number }
export type DataSpec =
  | { kind: 'synthetic'; options: Partial<SyntheticOptions>; common: CommonOptions }
  | { kind: 'movielens'; dir: string; common: CommonOptions }
  | { kind: 'amazon'; reviews: string; meta: string | null; common: CommonOptions }
  | { kind: 'lastfm'; dir: string; common: CommonOptions }
  | { kind: 'csv'; file: string; csv: CsvOptions; common: CommonOptions };

const KINDS = 'synthetic, movielens:DIR, amazon:REVIEWS[,META], lastfm:DIR, csv:FILE';
const CSV_KEYS = ['user', 'item', 'time', 'rating', 'query', 'label', 'sep'];

function num(spec: string, key: string, v: string, integer: boolean): number {
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || (integer && !Number.isInteger(x))) {
    throw new UserError(`data spec "${spec}": ${key} must be ${integer ? 'an integer' : 'a number'} (got "${v}")`);
  }
  return x;
}

/** Parses a spec string; throws UserError naming the problem. */
export function parseSpec(spec: string): DataSpec {
  const colon = spec.indexOf(':');
  const kind = (colon < 0 ? spec : spec.slice(0, colon)).trim();
  const rest = colon < 0 ? '' : spec.slice(colon + 1);
  const parts = rest === '' ? [] : rest.split(',');
  const positional: string[] = [];
  const kv = new Map<string, string>();
  for (const p of parts) {
    const eq = p.indexOf('=');
    if (eq > 0 && /^[a-zA-Z]+$/.test(p.slice(0, eq))) kv.set(p.slice(0, eq), p.slice(eq + 1));
    else if (p !== '') positional.push(p);
  }
  const common: CommonOptions = {};
  if (kv.has('threshold')) { common.threshold = num(spec, 'threshold', kv.get('threshold')!, false); kv.delete('threshold'); }
  if (kv.has('kcore')) { common.kcore = num(spec, 'kcore', kv.get('kcore')!, true); kv.delete('kcore'); }
  const noExtra = (allowed: string[]) => {
    for (const k of kv.keys()) if (!allowed.includes(k)) throw new UserError(`data spec "${spec}": unknown option "${k}" for ${kind}${allowed.length ? ` (known: ${allowed.join(', ')})` : ''}`);
  };
  const one = (what: string) => {
    if (positional.length !== 1) throw new UserError(`data spec "${spec}": expected ${kind}:${what}`);
    return positional[0];
  };
  switch (kind) {
    case 'synthetic': {
      if (positional.length) throw new UserError(`data spec "${spec}": synthetic takes only key=value options (e.g. synthetic:users=500,seed=2)`);
      const keys = Object.keys(SYNTHETIC_DEFAULTS);
      noExtra(keys);
      const options: Partial<SyntheticOptions> = {};
      const ints = ['users', 'items', 'interactions', 'seed', 'segments', 'dim', 'categories', 'subcategories', 'days'];
      for (const [k, v] of kv) {
        const x = num(spec, k, v, ints.includes(k));
        if (k !== 'seed' && k !== 'drift' && !(x > 0)) throw new UserError(`data spec "${spec}": ${k} must be positive (got ${v})`);
        (options as Record<string, number>)[k] = x;
      }
      checkSyntheticSize(spec, options);
      return { kind, options, common };
    }
    case 'movielens': noExtra([]); return { kind, dir: one('DIR'), common };
    case 'lastfm': noExtra([]); return { kind, dir: one('DIR'), common };
    case 'amazon':
      noExtra([]);
      if (positional.length < 1 || positional.length > 2) throw new UserError(`data spec "${spec}": expected amazon:REVIEWS[,META]`);
      return { kind, reviews: positional[0], meta: positional[1] ?? null, common };
    case 'csv': {
      noExtra(CSV_KEYS);
      const csv: CsvOptions = Object.fromEntries(kv);
      if (csv.sep === 'tab') csv.sep = '\t';
      if (csv.sep !== undefined && csv.sep.length !== 1) throw new UserError(`data spec "${spec}": sep must be one character or "tab"`);
      return { kind, file: one('FILE'), csv, common };
    }
    default:
      throw new UserError(`data spec "${spec}": unknown kind "${kind}" (expected ${KINDS})`);
  }
}

/**
 * A market too large to allocate is a bad argument, not an internal error:
 * ids are int32, and the generator holds about 100 bytes per interaction and
 * a few hundred per user and item (measured on the 1.7M-interaction market).
 */
function checkSyntheticSize(spec: string, o: Partial<SyntheticOptions>): void {
  const v = { ...SYNTHETIC_DEFAULTS, ...o };
  for (const k of ['users', 'items', 'interactions'] as const) {
    if (v[k] > 2 ** 31 - 1) throw new UserError(`data spec "${spec}": ${k}=${v[k]} exceeds the int32 id range (at most ${2 ** 31 - 1})`);
  }
  const bytes = v.interactions * 100 + (v.users + v.items) * (8 * v.dim + 128);
  const limit = totalmem() * 0.75;
  if (bytes > limit) {
    throw new UserError(`data spec "${spec}": this market needs about ${(bytes / 2 ** 30).toFixed(1)} GiB, more than this machine can hold (${(totalmem() / 2 ** 30).toFixed(0)} GiB of memory)`);
  }
}

/** Loads a data set from a spec (string or parsed). Synthetic data is generated. */
export async function loadDataset(spec: string | DataSpec): Promise<Dataset> {
  const s = typeof spec === 'string' ? parseSpec(spec) : spec;
  let ds: Dataset;
  switch (s.kind) {
    case 'synthetic': ds = generateSynthetic(s.options); break;
    case 'movielens': ds = await loadMovieLens(s.dir); break;
    case 'amazon': ds = await loadAmazon(s.reviews, s.meta); break;
    case 'lastfm': ds = await loadLastfm(s.dir); break;
    case 'csv': ds = await loadCsv(s.file, s.csv); break;
    default: throw new UserError(`unhandled data spec ${(s satisfies never as DataSpec).kind}`);
  }
  if (s.common.threshold !== undefined) ds = applyThreshold(ds, s.common.threshold);
  if (s.common.kcore !== undefined) ds = kCore(ds, s.common.kcore);
  if (typeof spec === 'string') ds.name = spec;
  return ds;
}
