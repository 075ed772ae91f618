/**
 * The heterogeneous graph of DESIGN §4: node types user, item, query, term and
 * relations user-item (interactions), user-query (queries issued), query-item
 * (clicked under a query), item-term and query-term (vocabulary). Each
 * relation is a binary src x dst CSR; its transpose is cached by CsrMatrix.
 * Built from a protocol's TRAINING interactions only, so held-out behaviours
 * never reach message passing. Normalised adjacencies are computed once and
 * cached per (relation, kind, direction).
 */
import type { Dataset, Interactions } from '../data/types.js';
import type { CsrMatrix } from '../sparse/csr.js';
import { csrFromEdges } from '../sparse/build.js';
import { symNormalize, meanNormalize } from '../sparse/normalize.js';

export type NodeType = 'user' | 'item' | 'query' | 'term';
export const NODE_TYPES: readonly NodeType[] = ['user', 'item', 'query', 'term'];
export type RelationName = 'user-item' | 'user-query' | 'query-item' | 'item-term' | 'query-term';
export const RELATIONS: readonly { name: RelationName; src: NodeType; dst: NodeType }[] = [
  { name: 'user-item', src: 'user', dst: 'item' },
  { name: 'user-query', src: 'user', dst: 'query' },
  { name: 'query-item', src: 'query', dst: 'item' },
  { name: 'item-term', src: 'item', dst: 'term' },
  { name: 'query-term', src: 'query', dst: 'term' },
];
export type NormKind = 'sym' | 'mean';
/** forward: rows are the relation's src nodes (src aggregates from dst); backward: rows are dst nodes. */
export type Direction = 'forward' | 'backward';

export class HeteroGraph {
  private cache = new Map<string, CsrMatrix>();
  constructor(readonly counts: Record<NodeType, number>, readonly adj: Record<RelationName, CsrMatrix>) {}

  /** Returns every matrix's backend-resident copies now (see CsrMatrix.dispose); the graph stays usable. */
  dispose(): void {
    for (const r of RELATIONS) this.adj[r.name].dispose();
    for (const m of this.cache.values()) m.dispose();
  }

  /** Number of edges per relation. */
  relationNnz(): Record<RelationName, number> {
    const out = {} as Record<RelationName, number>;
    for (const r of RELATIONS) out[r.name] = this.adj[r.name].nnz;
    return out;
  }

  /**
   * Normalised adjacency of a relation; e.g. normalized('user-item', 'mean', 'backward')
   * is the items x users matrix whose row i averages the users who interacted with i.
   */
  normalized(rel: RelationName, kind: NormKind, dir: Direction = 'forward'): CsrMatrix {
    const key = `${rel}/${kind}/${dir}`;
    let m = this.cache.get(key);
    if (!m) {
      const a = this.adj[rel];
      if (kind === 'sym') m = dir === 'forward' ? symNormalize(a) : this.normalized(rel, 'sym', 'forward').transpose();
      else m = meanNormalize(dir === 'forward' ? a : a.transpose());
      this.cache.set(key, m);
    }
    return m;
  }

  /** Offsets of each node type in the homogeneous numbering (user, item, query, term). */
  offsets(): Record<NodeType, number> {
    const c = this.counts;
    return { user: 0, item: c.user, query: c.user + c.item, term: c.user + c.item + c.query };
  }

  /**
   * All node types as one symmetric square adjacency (each relation and its
   * transpose), normalised: 'sym' with self-loops is Eq. 1's D^-1/2 (A+I) D^-1/2.
   */
  homogeneous(opts: { relations?: RelationName[]; kind?: NormKind; selfLoops?: boolean } = {}): CsrMatrix {
    const rels = opts.relations ?? RELATIONS.map((r) => r.name);
    const kind = opts.kind ?? 'sym', loops = opts.selfLoops ?? true;
    const key = `homo/${rels.join('+')}/${kind}/${loops}`;
    let m = this.cache.get(key);
    if (m) return m;
    const off = this.offsets(), c = this.counts;
    const N = c.user + c.item + c.query + c.term;
    let nnz = 0;
    for (const r of rels) nnz += 2 * this.adj[r].nnz;
    const rr = new Int32Array(nnz), cc = new Int32Array(nnz);
    let w = 0;
    for (const r of RELATIONS) {
      if (!rels.includes(r.name)) continue;
      const a = this.adj[r.name], so = off[r.src], d0 = off[r.dst];
      for (let i = 0; i < a.rows; i++) {
        for (let p = a.rowPtr[i]; p < a.rowPtr[i + 1]; p++) {
          rr[w] = so + i; cc[w] = d0 + a.colIdx[p]; w++;
          rr[w] = d0 + a.colIdx[p]; cc[w] = so + i; w++;
        }
      }
    }
    const A = csrFromEdges(N, N, rr, cc, null, { duplicates: 'binary' });
    m = kind === 'sym' ? symNormalize(A, { selfLoops: loops }) : meanNormalize(A, { selfLoops: loops });
    this.cache.set(key, m);
    return m;
  }
}

/**
 * Builds the graph from `interactions` (pass a protocol's graphInteractions;
 * defaults to all of the data set's interactions, for inspection only).
 */
export function buildHeteroGraph(ds: Dataset, interactions: Interactions = ds.interactions): HeteroGraph {
  const it = interactions;
  let nq = 0;
  for (let k = 0; k < it.length; k++) if (it.query[k] >= 0) nq++;
  const qu = new Int32Array(nq), qq = new Int32Array(nq), qi = new Int32Array(nq);
  for (let k = 0, w = 0; k < it.length; k++) if (it.query[k] >= 0) { qu[w] = it.user[k]; qq[w] = it.query[k]; qi[w] = it.item[k]; w++; }
  const bin = { duplicates: 'binary' as const };
  const pattern = (m: CsrMatrix) => {
    const r = new Int32Array(m.nnz);
    for (let i = 0; i < m.rows; i++) r.fill(i, m.rowPtr[i], m.rowPtr[i + 1]);
    return csrFromEdges(m.rows, m.cols, r, m.colIdx, null, bin);
  };
  const counts = { user: ds.numUsers, item: ds.numItems, query: ds.numQueries, term: ds.numTerms };
  return new HeteroGraph(counts, {
    'user-item': csrFromEdges(ds.numUsers, ds.numItems, it.user, it.item, null, bin),
    'user-query': csrFromEdges(ds.numUsers, ds.numQueries, qu, qq, null, bin),
    'query-item': csrFromEdges(ds.numQueries, ds.numItems, qq, qi, null, bin),
    'item-term': pattern(ds.itemTerms),
    'query-term': pattern(ds.queryTerms),
  });
}
