/**
 * The paper's Table 2 for any data set: node counts, interactions, density,
 * edges per relation of the heterogeneous graph, and degree quantiles.
 */
import type { Dataset } from '../data/types.js';
import { buildHeteroGraph, RELATIONS, type RelationName } from './hetero.js';

export interface DegreeQuantiles { min: number; p25: number; p50: number; p75: number; p90: number; max: number; mean: number }
export interface DatasetStats {
  name: string;
  users: number; items: number; queries: number; terms: number; interactions: number;
  density: number;
  relations: Record<RelationName, number>;
  degrees: { user: DegreeQuantiles; item: DegreeQuantiles };
  timeRange: [number, number] | null;
  features: { user: string[]; item: string[] };
}

export function quantiles(xs: Int32Array): DegreeQuantiles {
  if (xs.length === 0) return { min: 0, p25: 0, p50: 0, p75: 0, p90: 0, max: 0, mean: 0 };
  const s = xs.slice().sort();
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
  let sum = 0;
  for (const x of s) sum += x;
  return { min: s[0], p25: q(0.25), p50: q(0.5), p75: q(0.75), p90: q(0.9), max: s[s.length - 1], mean: sum / s.length };
}

export function datasetStats(ds: Dataset): DatasetStats {
  const g = buildHeteroGraph(ds);
  const it = ds.interactions;
  const ui = g.adj['user-item'];
  let tmin = Infinity, tmax = -Infinity;
  for (let k = 0; k < it.length; k++) { const t = it.time[k]; if (t < tmin) tmin = t; if (t > tmax) tmax = t; }
  const relations = {} as Record<RelationName, number>;
  for (const r of RELATIONS) relations[r.name] = g.adj[r.name].nnz;
  return {
    name: ds.name, users: ds.numUsers, items: ds.numItems, queries: ds.numQueries, terms: ds.numTerms,
    interactions: it.length,
    density: ds.numUsers && ds.numItems ? ui.nnz / (ds.numUsers * ds.numItems) : 0,
    relations,
    degrees: { user: quantiles(ui.rowCounts()), item: quantiles(ui.transpose().rowCounts()) },
    timeRange: it.length ? [tmin, tmax] : null,
    features: { user: ds.userFeatures.names, item: ds.itemFeatures.names },
  };
}
