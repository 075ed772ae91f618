/**
 * Learning while serving (issue 19), the library half: every answer is a
 * logged decision (state, action with its noise and density, slate,
 * session, policy version); decisions and feedback are joined into
 * transitions (join.ts) in journal order and learned from on a worker
 * thread (learner_thread.ts); versions that pass the gate are swapped into
 * the Recommender. The server stores the decisions (durably) and feeds the
 * journal; with replicas, the learner replica feeds it from the stream.
 *
 * Exploration: decision `seq` of origin o draws its noise from
 * decisionRng(seed, seq), so a seed and an order of requests fix the answers
 * (with `sync`, the gate's answer for every completed period is awaited
 * before the next decision, so swaps happen at the same points too).
 * Opted-out users are answered without exploration and their decisions carry
 * no state: they are never learned from.
 */
import type { Recommender, RecommendOptions, Recommendation } from './recommender.js';
import { act, decisionRng, type PolicyCore } from './learner.js';
import { Joiner, type DecisionRecord, type JoinedFeedback } from './join.js';
import { LEARNER_DEFAULTS, type GateRecord, type LearnerOptions, type LearnerState, type Transition } from './online_learner.js';
import { LearnerThread, type GateMessage, type LearnerStats } from './learner_thread.js';
import type { SavedLearner } from './model_file.js';

export interface ServingLearnerOptions {
  /** Exploration and minibatch seed. */
  seed: number;
  /** Learn (explore, join, update, publish); false: the frozen policy, decisions still logged. */
  learn: boolean;
  /**
   * Run the learner here (default: learn). A serving replica explores and logs (learn) but leaves
   * the updates to the learner replica (update false) and adopts the versions it publishes.
   */
  update?: boolean;
  /** Await each due gate decision before the next answer (deterministic answers). */
  sync: boolean;
  /** Join window, seconds of request time (default 1800). */
  window: number;
  /** Where the joiner's input comes from: this server's own journal, or fed by the caller (a stream). */
  feed: 'local' | 'external';
  /** Prefix of decision ids (the replica id with replicas). */
  origin: string;
  /** Decisions this origin made before (ids and noise streams continue after them). */
  startSeq: number;
  learner?: Partial<LearnerOptions>;
}

export const JOIN_WINDOW_S = 1800;

export interface DecisionRequest { user: string; options: RecommendOptions; time?: number; session?: string }
export interface Decided { items: Recommendation[] | Error; decision: DecisionRecord & { seq: number } | null }

export class ServingLearner {
  readonly opts: LearnerOptions;
  private policy: PolicyCore | null;
  private joiner: Joiner;
  private thread: LearnerThread | null = null;
  seq: number;
  /** Policy version being served. */
  version: number;
  /** Journal position the joiner has consumed. */
  ord: number;
  lastGate: GateRecord | null = null;
  gates = 0; published = 0; withheld = 0;
  onGate: ((g: GateMessage) => void) | null = null;

  constructor(private rec: Recommender, readonly o: ServingLearnerOptions, saved: SavedLearner | null = rec.savedLearner) {
    this.opts = { ...LEARNER_DEFAULTS, seed: o.seed, ...o.learner };
    this.policy = rec.policy();
    this.seq = o.startSeq;
    const m = (saved?.meta ?? {}) as { version?: number; ord?: number; joiner?: unknown; learner?: LearnerState['meta'] };
    this.version = m.version ?? 0;
    this.ord = m.ord ?? 0;
    this.joiner = m.joiner ? Joiner.restore(o.window, m.joiner) : new Joiner(o.window);
    if (o.learn && o.update !== false && this.policy) {
      const state = saved && m.learner ? { meta: m.learner, tensors: saved.tensors } : null;
      this.thread = new LearnerThread(this.policy.spec(), this.opts, state, (g) => this.gateCame(g));
    }
  }

  /** The model changed (reload): act with the new one's policy, keep learning state. */
  setRecommender(rec: Recommender): void { this.rec = rec; this.policy = rec.policy(); }

  get learning(): boolean { return this.thread !== null; }
  /** Exploring (a learning server, or a replica of a learning deployment). */
  get exploring(): boolean { return this.o.learn && this.policy !== null; }
  /** A version published elsewhere (the learner replica) has been swapped into the model. */
  adoptVersion(v: number): void { if (v > this.version) this.version = v; }
  get stats(): LearnerStats | null { return this.thread?.stats ?? null; }

  private gateCame(g: GateMessage): void {
    this.gates++;
    this.lastGate = g.record;
    if (g.weights) { this.rec.loadPolicy(g.weights); this.version = g.record.version; this.published++; } else this.withheld++;
    this.onGate?.(g);
  }

  /** Answers requests (scored together), each with its decision record; ids are assigned in request order. */
  async decide(reqs: DecisionRequest[]): Promise<Decided[]> {
    if (this.o.sync) { const due = this.thread?.gateDue(); if (due) await due; }
    const sigma = this.exploring ? this.opts.sigma : 0, now = Date.now() / 1000;
    const acts: (Pick<DecisionRecord, 'state' | 'history' | 'mean' | 'noise' | 'action' | 'logDensity'>)[] = reqs.map(() => ({ state: null, history: [], mean: null, noise: null, action: null, logDensity: null }));
    const seqs = reqs.map(() => ++this.seq);
    const policy = this.policy;
    const out = this.rec.decide(reqs.map((r) => ({ user: r.user, options: r.options })), (j, state, history) => {
      acts[j].history = history;
      if (!policy || !state) return null;
      const a = act(policy, state, sigma, sigma > 0 ? decisionRng(this.opts.seed, seqs[j]) : null);
      Object.assign(acts[j], { state, mean: a.mean, noise: a.noise, action: a.action, logDensity: sigma > 0 ? a.logDensity : null });
      return a.action;
    });
    return out.map((items, j) => ({
      items,
      decision: items instanceof Error ? null : {
        id: `${this.o.origin}-${seqs[j]}`, seq: seqs[j], user: reqs[j].user, session: reqs[j].session ?? reqs[j].user, time: reqs[j].time ?? now,
        version: this.version, ...acts[j], items: items.map((r) => r.item) },
    }));
  }

  /** Journal entry: a decision (at journal position ord). */
  ingestDecision(d: DecisionRecord, ord: number): void {
    this.ord = Math.max(this.ord, ord);
    this.send(this.joiner.decision(d));
  }

  /** Journal entry: feedback events (at journal position ord); returns each event's decision id (null: none found). */
  ingestFeedback(events: JoinedFeedback[], ord: number): (string | null)[] {
    this.ord = Math.max(this.ord, ord);
    return events.map((e) => this.joiner.feedback(e));
  }

  /** Closes decisions older than the window (a timer calls it; request time advances only with traffic). */
  expire(now: number): void { this.send(this.joiner.expire(now, true)); }

  private send(ts: Transition[]): void { if (this.thread && ts.length) this.thread.add(ts); }

  /** Waits until everything joined so far is learned from. */
  async drain(): Promise<LearnerStats | null> { return this.thread ? this.thread.drain() : null; }

  /** The state Recommender.save writes (consistent: joiner and learner at the same journal position). */
  async snapshot(): Promise<SavedLearner> {
    const joiner = this.joiner.snapshot(), ord = this.ord, version = this.version;
    const st = this.thread ? await this.thread.snapshot() : null;
    return { meta: { version, ord, joiner, ...(st ? { learner: st.meta } : {}) }, tensors: st?.tensors ?? {} };
  }

  get openDecisions(): number { return this.joiner.openCount; }

  async close(): Promise<void> { await this.thread?.close(); this.thread = null; }
}
