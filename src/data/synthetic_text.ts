/**
 * Words for the synthetic market: pronounceable pseudo-words (so they look
 * like text, survive the tokenizer and do not collide with stop words), a noun
 * per top category, a few words per leaf category, adjectives and brands.
 * Titles and queries are phrases over them, so item-term and query-term
 * relations carry the category signal the way real product text does.
 */
import type { Rng } from '../tensor/rng.js';
import { isStopword } from './text/stopwords.js';

const CONS = 'bdfgklmnprstvz', VOW = 'aeiou';

export interface MarketWords {
  nouns: string[];        // per top category
  leafWords: string[][];  // per leaf category, 4 words
  adjectives: string[];
  brands: string[];
}

export function makeWords(rng: Rng, categories: number, leaves: number, brands: number): MarketWords {
  const used = new Set<string>();
  const word = (syl: number): string => {
    for (;;) {
      let w = '';
      for (let s = 0; s < syl; s++) w += CONS[rng.int(CONS.length)] + VOW[rng.int(VOW.length)];
      if (rng.uniform() < 0.5) w += CONS[rng.int(CONS.length)];
      if (!used.has(w) && !isStopword(w)) { used.add(w); return w; }
    }
  };
  const many = (n: number, syl: number) => Array.from({ length: n }, () => word(syl));
  return {
    nouns: many(categories, 2),
    leafWords: Array.from({ length: leaves }, () => many(4, 3)),
    adjectives: many(24, 2),
    brands: many(brands, 3).map((b) => b[0].toUpperCase() + b.slice(1)),
  };
}

/** Three query phrasings per leaf: "<w0> <noun>", "<w1> <w0>", "<w2> <noun>". */
export function leafQueries(w: MarketWords, leaf: number, top: number): string[] {
  const lw = w.leafWords[leaf], n = w.nouns[top];
  return [`${lw[0]} ${n}`, `${lw[1]} ${lw[0]}`, `${lw[2]} ${n}`];
}

/** "<Brand> <adjective> <leaf word> [<leaf word>] <noun>". */
export function makeTitle(rng: Rng, w: MarketWords, leaf: number, top: number, brand: number): string {
  const lw = w.leafWords[leaf];
  const a = w.adjectives[rng.int(w.adjectives.length)];
  const first = lw[rng.int(lw.length)];
  const second = rng.uniform() < 0.5 ? ' ' + lw[rng.int(lw.length)] : '';
  return `${w.brands[brand]} ${a} ${first}${second === ' ' + first ? '' : second} ${w.nouns[top]}`;
}
