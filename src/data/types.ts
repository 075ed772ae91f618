/**
 * The Dataset every loader produces and every model consumes. Ids are dense
 * (0..n-1) per node type; string ids map back to the source. Interactions are
 * columnar typed arrays sorted by (user, time), stable in file order, so a
 * user's behaviour sequence is the contiguous slice userPtr[u]..userPtr[u+1].
 */
import type { CsrMatrix } from '../sparse/csr.js';

/** Categorical static features: values is n x names.length, row-major; value < cardinality. */
export interface CatFeatures {
  names: string[];
  cardinalities: number[];
  values: Int32Array;
}

/** Positive interactions (clicks, reviews, ratings), sorted by (user, time). */
export interface Interactions {
  readonly length: number;
  user: Int32Array;
  item: Int32Array;
  /** Seconds (unix time where the source has it; file order otherwise). */
  time: Float64Array;
  rating: Float32Array | null;
  /** Query issued before the interaction, -1 = none. */
  query: Int32Array;
}

/** Known ground truth of the synthetic market. */
export interface Oracle {
  /** True click probability of `item` shown to `user` at `time` (seconds). */
  clickProb(user: number, item: number, time: number): number;
  /** True latent market segment of each user. */
  segments: Int32Array;
  /** The latent pieces of clickProb, for the closed-loop simulator (src/online/market.ts). */
  market?: MarketLatent;
}

/**
 * The synthetic market's click model in its latent space: the closed-loop
 * simulator moves a user's taste (interest evolution) and runs time past the
 * log, so it needs the logit with a taste offset and an unclamped time.
 */
export interface MarketLatent {
  /** Latent size d. */
  dim: number;
  /** Items x d latent item vectors q_i. */
  item: Float32Array;
  /** Leaf category of each item. */
  leaf: Int32Array;
  /** Days the log spans (tau runs from -1/2 to 1/2 over them). */
  days: number;
  /** The user's taste p_u + tau d_u (d values). */
  taste(user: number, tau: number): Float32Array;
  /** Click logit at time position tau (not clamped), taste offset by shift (d values, or null). */
  logit(user: number, item: number, tau: number, shift: Float32Array | null): number;
}

export interface Dataset {
  /** The spec it was loaded from, e.g. `movielens:/data/ml-100k`. */
  name: string;
  numUsers: number;
  numItems: number;
  numQueries: number;
  numTerms: number;
  userIds: string[];
  itemIds: string[];
  interactions: Interactions;
  /** userPtr[u]..userPtr[u+1] is user u's slice of `interactions` (length numUsers+1). */
  userPtr: Int32Array;
  userFeatures: CatFeatures;
  itemFeatures: CatFeatures;
  /** items x terms and queries x terms (tf counts as values). */
  itemTerms: CsrMatrix;
  queryTerms: CsrMatrix;
  queryText: string[];
  /** Term strings (stemmed tokens). */
  vocab: string[];
  /** A human-readable item title (may be ''). */
  itemTitles: string[];
  /**
   * For each interaction, an item that was shown to the same user near the same
   * time and not clicked (-1 = unknown). Only the synthetic market logs these;
   * protocols use them as the negatives when present.
   */
  shownNegative: Int32Array | null;
  /** Optional user-user social relation (lastfm friends), users x users. */
  social: CsrMatrix | null;
  oracle: Oracle | null;
}

/** Empty feature block (a data set with no static features of this kind). */
export function noFeatures(): CatFeatures {
  return { names: [], cardinalities: [], values: new Int32Array(0) };
}
