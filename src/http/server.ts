/**
 * `dpgcn serve`: the Recommender over HTTP (fastify, JSON-schema validated),
 * feedback in SQLite, Prometheus metrics, hot reload. Every answer is JSON;
 * bad input is a 4xx naming the field, never a 500.
 *
 * Concurrency: /recommend requests that arrive in the same event-loop turn
 * are scored together (Recommender.recommendMany: one GEMM over the item
 * table); feedback inserts of one turn share one transaction (FeedbackStore).
 * A reload builds the new model off to the side and swaps one reference;
 * requests already holding the old one finish on it.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { UserError } from '../errors.js';
import { NotFoundError, Recommender, type FeedbackEvent, FEEDBACK_TYPES, MAX_K } from '../recsys/recommender.js';
import { serveWebBundle } from './static.js';
import { FeedbackStore } from './feedback_store.js';
import { ServeMetrics } from './metrics.js';
import * as schemas from './schemas.js';
import type { Replication, ReplicatedOp } from './replication.js';
import { JOIN_WINDOW_S, ServingLearner, type Decided, type DecisionRequest } from '../recsys/serving_learner.js';
import type { LearnerOptions } from '../recsys/online_learner.js';
import { learnFromStream, registerLearning, replayJournal, replayLearnLog } from './learning.js';
import { decisionToJson } from '../recsys/join.js';
import { computeServedSegments, ServedSegments } from '../recsys/served_segments.js';
import { registerSegments } from './segments_routes.js';
import { existsSync } from 'node:fs';

async function loadSegments(model: string, opt: string | undefined): Promise<ServedSegments | null> {
  if (opt === 'none') return null;
  if (opt === 'compute') return new ServedSegments((await computeServedSegments(model)).file);
  const file = opt ?? `${model}.segments.json`;
  return opt !== undefined || existsSync(file) ? ServedSegments.read(file) : null;
}

export interface ServeOptions {
  model: string;
  /** SQLite file for feedback and serving state (default: MODEL.feedback.db). */
  db?: string;
  host?: string;
  port?: number;
  /** Bearer token for privacy and admin routes; null/undefined disables them. */
  adminToken?: string | null;
  /** Largest request body in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Most /recommend requests scored in one batch (default 64). */
  maxBatch?: number;
  /** Serve this instead of loading `model` (reloads still read model files). */
  recommender?: Recommender;
  /** Share changes with other replicas through Redis (src/serve/replication.ts); started before listening. */
  replication?: Replication;
  /** Serve this web bundle (dpgcn export web) at /web/. */
  web?: string;
  /**
   * Learning while serving (src/recsys/serving_learner.ts): on by default when the model has a decision
   * layer; learn false serves the frozen policy (decisions are still logged). Seed fixes exploration.
   */
  learning?: { learn?: boolean; seed?: number; sync?: boolean; window?: number; learner?: Partial<LearnerOptions> };
  /**
   * Market segments for GET /segments and GET /users/:id/segment: a file written by `dpgcn segments --out`,
   * 'compute' (from the model file at start), or 'none'. Default: MODEL.segments.json if it exists.
   */
  segments?: string;
}

export interface RunningServer {
  url: string; port: number; app: FastifyInstance; current(): Recommender; store: FeedbackStore; learner: ServingLearner;
  /**
   * Graceful shutdown: new requests get 503 JSON (field "server") from here on; requests in flight
   * finish (up to drainMs, default 10 s); then the listener, Redis, the learner and the database close.
   */
  close(o?: { drainMs?: number }): Promise<void>;
  draining(): boolean;
}

/** Applies the database's serving state to a freshly loaded model: items, users, erasures, opt-outs, newer feedback. */
export function applyStore(rec: Recommender, store: FeedbackStore): { replayed: number } {
  for (const it of store.items()) { const { title, ...rest } = it.attributes; rec.addItem(it.item, { ...(title !== undefined ? { title } : {}), ...rest }); }
  // erasures first: an id erased and then added again is a new user, never the erased one's data
  const users = store.users(), erase = users.filter((u) => u.deleted && rec.hasUser(u.user)).map((u) => u.user);
  if (erase.length) rec.deleteUsers(erase);
  for (const u of users) {
    if (u.features && !rec.hasUser(u.user)) rec.addUser(u.user, u.features);
    if (u.optedOut && rec.hasUser(u.user)) rec.optOut(u.user);
  }
  const ev = store.since(rec.meta.savedAt).filter((e) => rec.hasUser(e.user) && rec.hasItem(e.item));
  for (let o = 0; o < ev.length; o += 10_000) {
    rec.feedback(ev.slice(o, o + 10_000).map(({ user, item, type, time }) => ({ user, item, type, time })));
  }
  return { replayed: ev.length };
}

interface Pending { req: DecisionRequest; resolve(r: Decided): void; reject(e: Error): void }

/** Collects the /recommend requests of one event-loop turn and answers them together (one scoring pass). */
class Batcher {
  private queue: Pending[] = [];
  private scheduled = false;
  constructor(private readonly max: number, private readonly onBatch: (n: number) => void, private readonly run: (reqs: DecisionRequest[]) => Promise<Decided[]>) {}
  submit(req: DecisionRequest): Promise<Decided> {
    return new Promise((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      if (!this.scheduled) { this.scheduled = true; setImmediate(() => { this.flush().catch(() => undefined); }); }
    });
  }
  private async flush(): Promise<void> {
    this.scheduled = false;
    const q = this.queue;
    this.queue = [];
    for (let o = 0; o < q.length; o += this.max) {
      const part = q.slice(o, o + this.max);
      this.onBatch(part.length);
      let out: Decided[];
      try { out = await this.run(part.map((p) => p.req)); } catch (e) { for (const p of part) p.reject(e as Error); continue; }
      part.forEach((p, n) => { const r = out[n]; if (r.items instanceof Error) p.reject(r.items); else p.resolve(r); });
    }
  }
}

/** "events/0/type" -> "events[0].type". */
function fieldOf(path: string): string {
  return path.replace(/^\//, '').split('/').map((s, n) => (/^\d+$/.test(s) ? `[${s}]` : n ? `.${s}` : s)).join('');
}

type ErrorLike = Error & { statusCode?: number; code?: string; validation?: { instancePath: string; message?: string; params: Record<string, unknown> }[]; validationContext?: string };

function sendError(err: ErrorLike, reply: FastifyReply): FastifyReply {
  if (err.validation && err.validation.length) {
    const v = err.validation[0];
    const missing = v.params.missingProperty as string | undefined;
    const path = fieldOf(v.instancePath + (missing ? `/${missing}` : ''));
    const field = path || (err.validationContext ?? 'body');
    const allowed = v.params.allowedValues ? ` (${(v.params.allowedValues as unknown[]).join(', ')})` : '';
    return reply.code(400).send({ error: `${field}: ${missing ? 'is required' : v.message}${allowed}`, field });
  }
  if (err.code === 'DPGCN_REPLICATION') return reply.code(503).send({ error: err.message, field: 'redis' });
  if (err instanceof NotFoundError) return reply.code(404).send({ error: err.message, field: err.field });
  if (err instanceof UserError) return reply.code(400).send({ error: err.message, field: err.message.split(':')[0] });
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    const msg = err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'body: request body is too large' : `body: ${err.message}`;
    return reply.code(err.statusCode).send({ error: msg, field: 'body' });
  }
  reply.log?.error?.(err);
  process.stderr.write(`dpgcn serve: internal error: ${err.stack ?? err.message}\n`);
  return reply.code(500).send({ error: 'internal error' });
}

export async function startServer(o: ServeOptions): Promise<RunningServer> {
  const store = new FeedbackStore(o.db ?? `${o.model}.feedback.db`);
  let rec: Recommender;
  try {
    rec = o.recommender ?? await Recommender.load(o.model);
    applyStore(rec, store);
  } catch (e) { store.close(); throw e; }
  const repl = o.replication ?? null;
  const metrics = new ServeMetrics(); // before the replica's catch-up, which may count rejected entries
  const lo = o.learning ?? {};
  const origin = repl ? repl.replicaId : 'd';
  // with replicas every replica explores and logs; only the learner replica updates (from the stream)
  const learner = new ServingLearner(rec, { seed: lo.seed ?? 1, learn: lo.learn !== false, update: !repl || repl.isLearner, sync: !!lo.sync, window: lo.window ?? JOIN_WINDOW_S,
    feed: repl ? 'external' : 'local', origin, startSeq: store.decisionCount(origin), learner: lo.learner });
  rec.learnerState = () => learner.snapshot();
  if (!repl) replayJournal(learner, store);
  else if (learner.learning) replayLearnLog(learner, store);
  if (repl) {
    try {
      await repl.start({ current: () => rec, store, onRejected: () => metrics.replicationRejected.inc(), onPolicy: (v) => learner.adoptVersion(v),
        ...(learner.learning ? { learn: (entries) => learnFromStream(learner, store, entries) } : {}) });
    } catch (e) { await repl.close(); await learner.close(); rec.close(); store.close(); throw e; }
  }
  // after the local durable write: a Redis failure or timeout is a 503 (this replica has the change, the others may not)
  const share = async (op: ReplicatedOp): Promise<void> => {
    if (!repl) return;
    try { await repl.publish(op); } catch (e) { throw Object.assign(new Error(`redis: the change is kept on this replica but not yet shared: ${(e as Error).message}`), { code: 'DPGCN_REPLICATION' }); }
  };
  metrics.setModel(rec.modelVersion);
  // one decision at a time through the journal, in request order; answered once the decisions are durable
  const batcher = new Batcher(o.maxBatch ?? 64, (n) => metrics.batchSize.observe(n), async (reqs) => {
    const out = await learner.decide(reqs), decs = [];
    for (const d of out) {
      if (!d.decision) continue;
      const ord = store.nextOrd();
      if (!repl) learner.ingestDecision(d.decision, ord);
      decs.push({ ...d.decision, ord, origin });
    }
    await store.insertDecisions(decs);
    for (const d of decs) await share({ op: 'decision', decision: decisionToJson(d) });
    return out;
  });
  const token = o.adminToken ?? null;
  let segments: ServedSegments | null = null;
  try { segments = await loadSegments(o.model, o.segments); } catch (e) { await repl?.close(); await learner.close(); rec.close(); store.close(); throw e; }
  let modelFile = o.model;
  let reloading: Promise<unknown> = Promise.resolve();

  // close() drains before the listener closes (below), so connections still open then may be cut; long ids reach
  // the schemas (a 400 naming the field) instead of the router's bare 414
  const app = Fastify({ bodyLimit: o.bodyLimit ?? 1 << 20, logger: false, return503OnClosing: true, forceCloseConnections: true, routerOptions: { maxParamLength: 1024 },
    ajv: { customOptions: { coerceTypes: false, allErrors: false, removeAdditional: false, allowUnionTypes: true } } });
  app.setErrorHandler((err, _req, reply) => sendError(err as ErrorLike, reply));
  // graceful shutdown: while draining, requests in flight finish and new ones get a 503 (JSON) asking to retry elsewhere
  let draining = false, inFlight = 0, idle: (() => void) | null = null;
  const counted = new WeakSet<FastifyRequest>();
  app.addHook('onRequest', (req, reply, done) => {
    if (draining) { reply.code(503).header('connection', 'close').header('retry-after', '1').send({ error: 'server: shutting down, retry on another replica', field: 'server' }); return; }
    inFlight++; counted.add(req);
    done();
  });
  const finished = (req: FastifyRequest) => { if (!counted.delete(req)) return; if (--inFlight === 0 && idle) idle(); };
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}`, field: 'url' }));
  app.addHook('onResponse', (req, reply, done) => {
    metrics.observe(req.routeOptions.url ?? 'unmatched', req.method, reply.statusCode, reply.elapsedTime / 1000);
    finished(req);
    done();
  });
  // a client that goes away mid-request is not in flight any more
  app.addHook('onRequestAbort', (req, done) => { finished(req); done(); });

  const guard = (req: FastifyRequest, reply: FastifyReply): boolean => {
    if (!token) { reply.code(403).send({ error: 'privacy and admin routes are disabled: set DPGCN_ADMIN_TOKEN to enable them', field: 'authorization' }); return false; }
    if (req.headers.authorization !== `Bearer ${token}`) { reply.code(401).send({ error: 'authorization: expected "Bearer <DPGCN_ADMIN_TOKEN>"', field: 'authorization' }); return false; }
    return true;
  };

  if (o.web) serveWebBundle(app, o.web);
  app.get('/health', async () => ({ status: 'ok', modelVersion: rec.modelVersion, scoring: rec.scoring, users: rec.numUsers, items: rec.numItems, feedbackRows: store.count(),
    ...(repl ? { replication: { applied: repl.applied, rejected: repl.rejected, lastRejected: repl.lastRejected } } : {}) }));
  app.get('/metrics', async (_req, reply) => { reply.type(metrics.contentType); return metrics.text(); });

  app.get('/recommend', { schema: { querystring: schemas.recommendQuery } }, async (req) => {
    const q = req.query as { user: string; k?: string; query?: string; exclude?: string; explain?: string; time?: string; session?: string; seen?: string };
    const k = q.k === undefined ? 10 : Number(q.k);
    if (!(Number.isInteger(k) && k >= 1 && k <= MAX_K)) throw new UserError(`k: expected an integer in [1, ${MAX_K}], got "${q.k}"`);
    const exclude = q.exclude ? q.exclude.split(',').filter((s) => s !== '') : undefined;
    const time = q.time === undefined ? undefined : Number(q.time);
    const r = rec;
    const d = await batcher.submit({ user: q.user, options: { k, query: q.query, exclude, explain: q.explain === 'true' || q.explain === '1', seen: q.seen === 'true' || q.seen === '1' }, time, session: q.session });
    return { user: q.user, items: d.items, modelVersion: r.modelVersion, decisionId: d.decision?.id ?? null, policyVersion: d.decision?.version ?? learner.version };
  });

  app.get('/suggest', { schema: { querystring: schemas.suggestQuery } }, async (req) => {
    const q = req.query as { user: string; k?: string };
    const k = q.k === undefined ? 10 : Number(q.k);
    if (!(Number.isInteger(k) && k >= 1 && k <= MAX_K)) throw new UserError(`k: expected an integer in [1, ${MAX_K}], got "${q.k}"`);
    return { user: q.user, queries: rec.suggestQueries(q.user, k), modelVersion: rec.modelVersion };
  });

  app.post('/feedback', { schema: { body: schemas.feedbackBody } }, async (req) => {
    const events = (req.body as { events: FeedbackEvent[] }).events, r = rec;
    const res = r.feedback(events);
    if (res.applied.length) {
      const ord = store.nextOrd();
      // decision ids as joined (given, or the latest decision that showed the item within the window)
      if (!repl) learner.ingestFeedback(res.applied.map((e) => ({ ...e, time: e.time! })), ord).forEach((id, n) => { res.applied[n].decisionId = id; });
      for (const e of res.applied) Object.assign(e, { ord });
    }
    await store.insert(res.applied);
    metrics.feedbackEvents.inc(res.applied.length);
    await share({ op: 'feedback', events: res.applied });
    // a reload swapped in while the rows were being committed has already replayed the database: apply what it missed
    if (rec !== r) { const fresh = res.applied.filter((e) => rec.hasUser(e.user) && rec.hasItem(e.item)); if (fresh.length) rec.feedback(fresh); }
    return { accepted: res.accepted, discarded: res.discarded };
  });

  app.put('/users/:id', { schema: { params: schemas.idParams, body: schemas.userBody } }, async (req, reply) => {
    const id = (req.params as { id: string }).id, body = (req.body ?? {}) as { features?: Record<string, string | number> };
    const created = rec.addUser(id, body.features ?? {});
    if (created) { store.addUser(id, body.features ?? {}); await share({ op: 'user', user: id, features: body.features ?? {} }); }
    reply.code(created ? 201 : 200);
    return { user: id, created };
  });

  app.put('/items/:id', { schema: { params: schemas.idParams, body: schemas.itemBody } }, async (req, reply) => {
    const id = (req.params as { id: string }).id, body = (req.body ?? {}) as { title?: string; features?: Record<string, string | number> };
    const attrs = { ...(body.features ?? {}), ...(body.title !== undefined ? { title: body.title } : {}) };
    const created = rec.addItem(id, attrs);
    if (created) { store.addItem(id, attrs); await share({ op: 'item', item: id, attributes: attrs }); }
    reply.code(created ? 201 : 200);
    return { item: id, created };
  });

  app.delete('/users/:id', { schema: { params: schemas.idParams } }, async (req, reply) => {
    if (!guard(req, reply)) return reply;
    const id = (req.params as { id: string }).id;
    rec.deleteUser(id);
    const rows = store.deleteUser(id);
    await share({ op: 'delete', user: id });
    return { user: id, deleted: true, feedbackRowsDeleted: rows };
  });

  app.post('/users/:id/opt-out', { schema: { params: schemas.idParams } }, async (req, reply) => {
    if (!guard(req, reply)) return reply;
    const id = (req.params as { id: string }).id;
    rec.optOut(id);
    store.optOut(id);
    await share({ op: 'optout', user: id });
    return { user: id, optedOut: true };
  });

  app.get('/users/:id/export', { schema: { params: schemas.idParams } }, async (req, reply) => {
    if (!guard(req, reply)) return reply;
    const id = (req.params as { id: string }).id;
    const held = rec.exportUser(id);
    return { ...held, storedFeedback: store.userEvents(id).map(({ item, type, time, receivedAt }) => ({ item, type, time, receivedAt })) };
  });

  registerLearning(app, { learner, store, metrics, guard, current: () => rec });
  registerSegments(app, { segments: () => segments, current: () => rec });
  if (repl && learner.learning) {
    // the learner replica: a version that passed the gate goes to every replica (a withheld one never leaves)
    const logGate = learner.onGate;
    learner.onGate = (g) => {
      logGate?.(g);
      if (g.weights) repl.publishPolicy(g.weights, g.record.version).catch((e) => process.stderr.write(`dpgcn serve: publishing policy version ${g.record.version}: ${(e as Error).message}\n`));
    };
  }

  app.post('/admin/reload', { schema: { body: schemas.reloadBody } }, async (req, reply) => {
    if (!guard(req, reply)) return reply;
    const file = ((req.body ?? {}) as { model?: string }).model ?? modelFile;
    const run = reloading.then(async () => {
      const next = await Recommender.load(file);
      const { replayed } = applyStore(next, store);
      if (repl) await repl.replayInto(next);
      const old = rec;
      rec = next; modelFile = file;
      next.learnerState = () => learner.snapshot();
      learner.setRecommender(next);
      metrics.setModel(next.modelVersion);
      // requests already batched on the old model finish first (they hold their own reference)
      setTimeout(() => old.close(), 2000).unref();
      return { modelVersion: next.modelVersion, previous: old.modelVersion, replayed };
    });
    reloading = run.catch(() => undefined);
    return await run;
  });

  await app.listen({ host: o.host ?? '127.0.0.1', port: o.port ?? 8080 });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (o.port ?? 8080);
  const host = o.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, port, app, store, current: () => rec,
    learner,
    draining: () => draining,
    close: async (o2: { drainMs?: number } = {}) => {
      draining = true;
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, o2.drainMs ?? 10_000);
          idle = () => { clearTimeout(t); resolve(); };
        });
      }
      await app.close(); await repl?.close(); await learner.close(); rec.close(); store.close();
    },
  };
}

export { FEEDBACK_TYPES };
