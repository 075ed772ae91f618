/**
 * The server's side of learning while serving: replaying the journal into
 * the learner at start, the learner's routes (GET /learner, POST
 * /admin/snapshot) and its metrics (dpgcn_policy_version, the gate's
 * estimates). Every gate decision, published or withheld, is written to the
 * database (policy_log) and printed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import client from 'prom-client';
import type { ServingLearner } from '../recsys/serving_learner.js';
import type { Recommender } from '../recsys/recommender.js';
import type { FeedbackStore } from './feedback_store.js';
import type { ServeMetrics } from './metrics.js';
import { UserError } from '../errors.js';
import type { ReplicatedOp } from './replication.js';
import { decisionFromJson } from '../recsys/join.js';

/** Feeds the decisions and feedback stored after the learner's saved journal position (a restart resumes learning). */
export function replayJournal(learner: ServingLearner, store: FeedbackStore): number {
  const j = store.journal(learner.ord);
  for (const x of j) {
    if (x.kind === 'decision') learner.ingestDecision(x.d, x.d.ord);
    else learner.ingestFeedback([{ ...x.e, time: x.e.time! }], x.e.ord ?? learner.ord);
  }
  return j.length;
}

/** The learner replica: journals stream entries (learn_log) and feeds them to the learner, in stream order. */
export function learnFromStream(learner: ServingLearner, store: FeedbackStore, entries: { id: string; origin: string; op: ReplicatedOp }[]): void {
  const rows = entries.filter((x) => x.op.op === 'decision' || x.op.op === 'feedback').map((x) => ({
    id: x.id, user: x.op.op === 'feedback' ? x.op.events[0]?.user ?? null : x.op.op === 'decision' ? String(x.op.decision.user) : null, data: JSON.stringify(x.op) }));
  if (rows.length === 0) return;
  const ords = store.addLearnLog(rows);
  rows.forEach((r, n) => ingestLogged(learner, JSON.parse(r.data) as ReplicatedOp, ords[n]));
}

/** The learner replica at start: the journalled stream entries after the learner's saved position. */
export function replayLearnLog(learner: ServingLearner, store: FeedbackStore): number {
  const rows = store.learnLog(learner.ord);
  for (const r of rows) ingestLogged(learner, JSON.parse(r.data) as ReplicatedOp, r.ord);
  return rows.length;
}

function ingestLogged(learner: ServingLearner, op: ReplicatedOp, ord: number): void {
  if (op.op === 'decision') learner.ingestDecision(decisionFromJson(op.decision), ord);
  else if (op.op === 'feedback') learner.ingestFeedback(op.events.map((e) => ({ user: e.user, item: e.item, type: e.type, time: e.time!, decisionId: e.decisionId ?? null })), ord);
}

export interface LearningContext {
  learner: ServingLearner;
  store: FeedbackStore;
  metrics: ServeMetrics;
  guard(req: FastifyRequest, reply: FastifyReply): boolean;
  current(): Recommender;
}

export function registerLearning(app: FastifyInstance, c: LearningContext): void {
  const { learner, store, metrics } = c, r = metrics.registry;
  const version = new client.Gauge({ name: 'dpgcn_policy_version', help: 'Policy version being served (0: the model file\'s)', registers: [r] });
  const est = new client.Gauge({ name: 'dpgcn_policy_estimate', help: 'Last gate: SNIPS estimate of clicks per decision on held-out logged decisions',
    labelNames: ['policy', 'stat'] as const, registers: [r] });
  const gates = new client.Counter({ name: 'dpgcn_policy_gate_total', help: 'Gate decisions by outcome', labelNames: ['outcome'] as const, registers: [r] });
  const trans = new client.Gauge({ name: 'dpgcn_learner_transitions', help: 'Transitions learned from', registers: [r] });
  version.set(learner.version);
  learner.onGate = (g) => {
    const rec = g.record;
    version.set(learner.version);
    gates.inc({ outcome: rec.publish ? 'published' : 'withheld' });
    trans.set(g.stats.transitions);
    for (const [p, e] of [['candidate', rec.candidate], ['current', rec.current]] as const) {
      for (const s of ['value', 'lo', 'hi', 'ess'] as const) if (Number.isFinite(e[s])) est.set({ policy: p, stat: s }, e[s]);
    }
    store.logGate({ version: rec.version, published: rec.publish, reason: rec.reason, candidate: rec.candidate.value, candidateSe: rec.candidate.se,
      current: rec.current.value, currentSe: rec.current.se, heldOut: rec.candidate.n, transitions: rec.transitions });
    if (process.env.DPGCN_LEARNER_LOG !== '0') process.stdout.write(`dpgcn serve: policy ${rec.publish ? `version ${rec.version} published` : 'withheld'}: ${rec.reason} (${rec.transitions} transitions, ${rec.candidate.n} held out)\n`);
  };

  app.get('/learner', async (req) => {
    const wait = (req.query as { wait?: string }).wait === 'true';
    const stats = wait ? await learner.drain() : learner.stats;
    return { learning: learner.learning, policyVersion: learner.version, decisions: learner.seq, openDecisions: learner.openDecisions,
      gates: { total: learner.gates, published: learner.published, withheld: learner.withheld, last: learner.lastGate }, stats,
      sigma: learner.learning ? learner.opts.sigma : 0, windowSeconds: learner.o.window };
  });

  app.post('/admin/snapshot', async (req, reply) => {
    if (!c.guard(req, reply)) return reply;
    const file = ((req.body ?? {}) as { model?: string }).model;
    if (typeof file !== 'string' || file === '') throw new UserError('model: expected the file to write the snapshot to');
    const meta = await c.current().save(file);
    return { model: file, savedAt: meta.savedAt, policyVersion: learner.version };
  });
}
