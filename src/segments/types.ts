/**
 * What segmentUsers reads and what it returns. The input is plain arrays, so
 * any model that can give a user representation and score users against the
 * catalogue can be segmented (see from_model.ts for dpgcn's own models).
 */
import type { Dataset, Interactions } from '../data/types.js';

export interface SegmentInput {
  dataset: Dataset;
  /** The interactions the profiles describe (the model's training interactions). */
  interactions: Interactions;
  /** The representation clustered: numUsers x dim, row-major. */
  users: Float32Array;
  dim: number;
  /** What `users` is, for the report (e.g. "dp-gcn fused user vector"). */
  representation: string;
  /** The model's logits of these users against every item: users.length x numItems, row-major. */
  scoreUsers(users: Int32Array): Float32Array;
  /**
   * The same representation computed from two time windows of the data (for
   * the stability between windows); each numUsers x dim. Absent: not measured.
   */
  windows?: { early: Float32Array; late: Float32Array; description: string };
  /**
   * Other representations of the same users to choose from: segmentUsers
   * clusters each and keeps the one whose partition has the highest
   * silhouette (the true segments never choose). Absent: `users` only.
   */
  alternatives?: Representation[];
}

/** One representation of the users (see SegmentInput). */
export interface Representation { users: Float32Array; dim: number; representation: string; windows?: SegmentInput['windows'] }

export interface SegmentOptions {
  /** Number of segments, or 'auto' (silhouette over kMin..kMax). Default 'auto'. */
  k?: number | 'auto';
  kMin?: number;
  kMax?: number;
  /** Seeds k-means, the silhouette sample and the user samples (default 1). */
  seed?: number;
  /** k-means++ restarts (default 32). */
  restarts?: number;
  /** Points the silhouette is averaged over (default 2000). */
  silhouetteSample?: number;
  /** Users per segment whose scores estimate the segment's expected CTRs (default 200). */
  scoredUsers?: number;
  /** Entries per list (categories, queries, items, targets; default 5). */
  top?: number;
  /** Users in the 2-D projection kept for the report (default 1500). */
  projectionUsers?: number;
}

export interface Agreement { ari: number; nmi: number }

export interface ValueShare { value: number; label: string; share: number; population: number; index: number }

export interface SegmentProfile {
  /** Per static user feature: the distribution in the segment against the population. */
  static: { feature: string; values: ValueShare[] }[];
  topQueries: { query: number; text: string; count: number; share: number }[];
  topTerms: { term: string; count: number }[];
  /** Mean price band of clicked items (null when items have no price_band). */
  priceBand: { mean: number; population: number; shares: number[] } | null;
  activity: { interactionsPerUser: number; population: number; queryShare: number; populationQueryShare: number };
  /** The model's mean click probability over the catalogue for the segment's users. */
  expectedCtr: number;
  populationExpectedCtr: number;
}

export interface ScoredItem { item: string; index: number; title: string; expectedCtr: number }
export interface Target extends ScoredItem { populationCtr: number; lift: number; gain: number }

export interface Segment {
  id: number;
  size: number;
  share: number;
  profile: SegmentProfile;
  topCategories: { category: number; label: string; share: number; population: number; index: number }[];
  topItems: ScoredItem[];
  targets: {
    items: Target[];
    categories: { category: number; label: string; expectedCtr: number; populationCtr: number; lift: number }[];
    /** The segment's expected CTR on its target items, against the population's on the same items. */
    expectedResponse: { ctr: number; populationCtr: number; lift: number };
  };
}

export interface SegmentsResult {
  data: string;
  representation: string;
  users: number;
  k: number;
  silhouette: number;
  /** Every k tried under --k auto. */
  kScores: { k: number; silhouette: number; inertia: number }[];
  /** Every representation considered, with the k and silhouette of its best partition (the highest silhouette is used). */
  representations?: { representation: string; k: number; silhouette: number }[];
  /** Against the true segments, where the data set knows them. */
  ari?: number;
  nmi?: number;
  trueSegments?: number;
  /** How far the representation separates the true segments at all (see diagnostics.ts). */
  separation?: { betweenSegmentVariance: number; nearestTrueMeanAccuracy: number };
  stabilityAri: { seeds: number; timeWindows: number | null; timeWindowsDescription?: string };
  baselines: { staticFeatures: Agreement | null; categoryCounts: Agreement | null };
  segments: Segment[];
  /** A sample of users in the 2-D PCA projection, for the report. */
  projection: { x: number[]; y: number[]; segment: number[]; explained: number[] };
  seconds: number;
  /** Each user's segment and the k x dim centroids (library only: not in the JSON). */
  labels: Int32Array;
  centroids: Float32Array;
}
