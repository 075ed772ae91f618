/**
 * Tokeniser for titles, category paths and queries (the paper's preprocessing):
 * HTML entities decoded, lowercase, split on anything that is not a letter or
 * digit (apostrophes inside words are dropped: "80's" -> "80s"), stop words
 * removed, then Porter stemming.
 */
import { stemmer } from 'stemmer';
import { isStopword } from './stopwords.js';

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

/** Decodes the HTML entities found in scraped metadata (&amp; &#39; &#x27; ...). */
export function decodeEntities(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e: string) => {
    const l = e.toLowerCase();
    if (l.startsWith('#x')) return String.fromCodePoint(parseInt(l.slice(2), 16));
    if (l.startsWith('#')) return String.fromCodePoint(parseInt(l.slice(1), 10));
    return NAMED[l] ?? m;
  });
}

/** Lowercase word tokens, no filtering. */
export function tokenize(text: string): string[] {
  return decodeEntities(text).toLowerCase().replace(/['\u2019]/g, '').split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

export interface AnalyzeOptions {
  /** Porter stemming (default true). */
  stem?: boolean;
  /** Drop stop words (default true). */
  stopwords?: boolean;
  /** Drop tokens shorter than this (default 2; single digits and letters carry little). */
  minLength?: number;
}

const stemCache = new Map<string, string>();
function stemCached(w: string): string {
  let s = stemCache.get(w);
  if (s === undefined) { s = stemmer(w); if (stemCache.size < 200000) stemCache.set(w, s); }
  return s;
}

/** tokenize -> stop words -> stem; the terms used for graph and TF-IDF. */
export function analyze(text: string, opts: AnalyzeOptions = {}): string[] {
  const minLen = opts.minLength ?? 2;
  const out: string[] = [];
  for (const w of tokenize(text)) {
    if (w.length < minLen) continue;
    if (opts.stopwords !== false && isStopword(w)) continue;
    out.push(opts.stem === false ? w : stemCached(w));
  }
  return out;
}
