/**
 * Query suggestion, as served: a query's score for a user is the mean of the
 * user's scores of its best 3 items, over the items clicked under it in
 * training (those items are the only ones allowed in its top 3).
 */
import type { Dataset, Interactions } from '../data/types.js';
import type { Scorer } from './scorer.js';

export function suggestQueries(scorer: Scorer, train: Interactions, ds: Dataset, user: number, history: number[],
  numItems: number, k: number): { query: string; score: number }[] {
  if (ds.numQueries === 0) return [];
  const byQuery = new Map<number, Set<number>>();
  for (let n = 0; n < train.length; n++) {
    if (train.query[n] < 0) continue;
    const s = byQuery.get(train.query[n]) ?? new Set<number>();
    s.add(train.item[n]);
    byQuery.set(train.query[n], s);
  }
  const scored: { query: string; score: number; q: number }[] = [];
  const exclude = new Uint8Array(numItems).fill(1);
  for (const [q, items] of byQuery) {
    for (const i of items) exclude[i] = 0;
    const t = scorer.topK({ user, history, exclude, k: 3, query: q, time: Date.now() / 1000 });
    for (const i of items) exclude[i] = 1;
    if (t.scores.length) scored.push({ q, query: ds.queryText[q] ?? '', score: t.scores.reduce((a, b) => a + b, 0) / t.scores.length });
  }
  scored.sort((a, b) => b.score - a.score || a.q - b.q);
  return scored.slice(0, k).map(({ query, score }) => ({ query, score: +score.toFixed(6) }));
}
