/**
 * The result of `dpgcn experiment`: what --json writes and what --report
 * renders. Numbers that could not be computed are serialised as null by
 * JSON.stringify (NaN has no JSON form), so readers must accept null too.
 */

import { UserError } from '../errors.js';

export interface MeanSd { mean: number; sd: number }

/** One training run of one model. */
export interface SeedResult { seed: number; auc: number; trainSeconds: number; testSeconds: number }

export interface ModelResult {
  name: string;
  /** Test AUC over seeds (sample sd). */
  auc: MeanSd;
  gauc: number;
  /** Percent, against the experiment's base model (embedding-mlp). */
  relaImpr: number;
  p5: number; p10: number; ndcg5: number; ndcg10: number;
  /** Mean over seeds. */
  trainSeconds: number;
  /** Mean over seeds: time to score the whole test set. */
  testSeconds: number;
  /** Per epoch, mean over seeds. */
  /** valNdcg10: ranking protocols, which select the epoch on it. */
  curves: { loss: number[]; valAuc: number[]; valNdcg10?: number[] };
  perSeed?: SeedResult[];
}

export interface ExperimentResult {
  dataset: string;
  protocol: string;
  seeds: number[];
  /** Synthetic data only: the AUC of the true click probabilities. */
  oracleAuc?: number;
  /** GAUC of the true click probabilities (the within-user optimum). */
  oracleGauc?: number;
  /** The RelaImpr base; "embedding-mlp" when absent. */
  baseModel?: string;
  models: ModelResult[];
}

export const DEFAULT_BASE_MODEL = 'embedding-mlp';

/**
 * Checks the shape of a parsed --json file, so a report can be rendered from
 * a file without trusting it. `source` names the file in the error.
 */
export function parseExperimentResult(json: unknown, source: string): ExperimentResult {
  const fail = (where: string, what: string): never => { throw new UserError(`${source}: ${where}: expected ${what}`); };
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const num = (v: unknown, where: string): void => { if (v !== null && typeof v !== 'number') fail(where, 'a number or null'); };
  const nums = (v: unknown, where: string): void => {
    if (!Array.isArray(v)) fail(where, 'an array of numbers');
    (v as unknown[]).forEach((x, i) => num(x, `${where}[${i}]`));
  };
  if (!isObj(json)) return fail('top level', 'an object');
  if (typeof json.dataset !== 'string') fail('dataset', 'a string');
  if (typeof json.protocol !== 'string') fail('protocol', 'a string');
  nums(json.seeds, 'seeds');
  if (json.oracleAuc !== undefined) num(json.oracleAuc, 'oracleAuc');
  if (json.baseModel !== undefined && typeof json.baseModel !== 'string') fail('baseModel', 'a string');
  if (!Array.isArray(json.models)) fail('models', 'an array');
  (json.models as unknown[]).forEach((m, i) => {
    const at = `models[${i}]`;
    if (!isObj(m)) return fail(at, 'an object');
    if (typeof m.name !== 'string') fail(`${at}.name`, 'a string');
    if (!isObj(m.auc)) fail(`${at}.auc`, 'an object {mean, sd}');
    num((m.auc as Record<string, unknown>).mean, `${at}.auc.mean`);
    num((m.auc as Record<string, unknown>).sd, `${at}.auc.sd`);
    for (const k of ['gauc', 'relaImpr', 'p5', 'p10', 'ndcg5', 'ndcg10', 'trainSeconds', 'testSeconds']) num(m[k], `${at}.${k}`);
    if (!isObj(m.curves)) fail(`${at}.curves`, 'an object {loss, valAuc}');
    nums((m.curves as Record<string, unknown>).loss, `${at}.curves.loss`);
    nums((m.curves as Record<string, unknown>).valAuc, `${at}.curves.valAuc`);
    if ((m.curves as Record<string, unknown>).valNdcg10 !== undefined) nums((m.curves as Record<string, unknown>).valNdcg10, `${at}.curves.valNdcg10`);
    if (m.perSeed !== undefined) {
      if (!Array.isArray(m.perSeed)) fail(`${at}.perSeed`, 'an array');
      (m.perSeed as unknown[]).forEach((s, j) => {
        if (!isObj(s)) return fail(`${at}.perSeed[${j}]`, 'an object');
        for (const k of ['seed', 'auc', 'trainSeconds', 'testSeconds']) num(s[k], `${at}.perSeed[${j}].${k}`);
      });
    }
  });
  return json as unknown as ExperimentResult;
}
