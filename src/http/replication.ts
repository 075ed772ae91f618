/**
 * Serving replicas that share state through Redis (`dpgcn serve --redis`).
 *
 * Every change a replica accepts (feedback, a new user or item, an erasure,
 * an opt-out, a decision) is written to its own SQLite store first, then
 * appended to one Redis stream (XADD). Every replica tails that stream (XREAD
 * BLOCK from the last id it applied), applies the other replicas' entries to
 * its Recommender and stores them in its own database (table remote, one
 * transaction per batch); its own entries it has applied already. A replica
 * that starts rebuilds its own changes and the stored remote ones from SQLite
 * and resumes the stream after the last entry it stored, so a restarted
 * replica ends in the same state as one that never stopped. The replica id
 * must therefore stay the same across restarts (the default is derived from
 * the database path).
 *
 * Trimming (stream_offsets.ts): after each batch a replica records the last id
 * it has applied and stored in PREFIX:applied; the stream is trimmed to the
 * smallest recorded id, so it holds only what some replica has not applied.
 *
 * Erasure: the replica that deletes a user also removes the entries before
 * the deletion that hold the user's data (XDEL), so a later replay cannot bring
 * them back; every replica that applies the deletion erases the user from its
 * own store (the stored remote entries included).
 *
 * Learning (issue 19): one replica may be the learner. It reads the stream as
 * the only member of a consumer group (XREADGROUP, XACK), journals every entry
 * (its own too) in stream order in its database (learn_log) and hands the
 * decisions and feedback to its ServingLearner (ReplicaContext.learn), which
 * joins, updates and gates them. A version that passes the gate is published
 * (publishPolicy: SET + PUBLISH, only if newer); every replica swaps it in
 * (Recommender.loadPolicy). A withheld version is never published, so never
 * served.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Redis } from 'ioredis';
import { connectRedis } from '../util/redis.js';
import type { FeedbackEvent, Recommender } from '../recsys/recommender.js';
import type { FeedbackStore } from './feedback_store.js';
import { compareIds, decodeWeights, encodeWeights, publishIfNewer, StreamOffsets, type Weights } from './stream_offsets.js';

export { compareIds } from './stream_offsets.js';

export type ReplicatedOp =
  | { op: 'feedback'; events: FeedbackEvent[] }
  | { op: 'user'; user: string; features: Record<string, string | number> }
  | { op: 'item'; item: string; attributes: Record<string, string | number> }
  | { op: 'delete'; user: string }
  | { op: 'optout'; user: string }
  | { op: 'decision'; decision: Record<string, unknown> };

/**
 * What the server gives the replication layer: the current model (it changes
 * on reload), the store, and where to count an entry that cannot be applied.
 */
export interface ReplicaContext {
  current(): Recommender; store: FeedbackStore; onRejected?(id: string, reason: string): void;
  /** A published policy version was swapped into the current model. */
  onPolicy?(version: number): void;
  /** The learner replica: journals and learns from stream entries (every origin), in stream order. */
  learn?(entries: { id: string; origin: string; op: ReplicatedOp }[]): void;
}

export interface ReplicationOptions {
  url: string;
  /** Key prefix shared by all replicas of one deployment (default dpgcn-serve). */
  prefix?: string;
  /** Stable across restarts (default: host name + a hash of the database path). */
  replicaId?: string;
  /** This replica is the learner (consumer group member that publishes policy weights). */
  learner?: boolean;
  /** A publish that Redis has not answered within this many ms fails (the request gets a 503; default 5000). */
  publishTimeoutMs?: number;
  /** Called after each remote entry is applied (tests and measurements). */
  onApplied?: (op: ReplicatedOp, id: string) => void;
}

export function defaultReplicaId(db: string): string {
  return `${hostname()}-${createHash('sha256').update(resolve(db)).digest('hex').slice(0, 12)}`;
}

type Entry = [id: string, fields: string[]];

export class Replication {
  readonly prefix: string;
  readonly replicaId: string;
  readonly stream: string;
  private readonly policyKey: string;
  private readonly group: string;
  private cmd!: Redis;
  private tail!: Redis;
  private sub: Redis | null = null;
  private group_: Redis | null = null;
  private ctx!: ReplicaContext;
  private lastId = '0';
  /** Applied offsets and trimming (PREFIX:applied). */
  offsets!: StreamOffsets;
  private stopping = false;
  private loops: Promise<void>[] = [];
  /** The newest policy loaded (a reloaded model gets it too). */
  private policy: Weights | null = null;
  /** Version of the policy weights this replica holds (0: the model file's own). */
  policyVersion = 0;
  get isLearner(): boolean { return !!this.o.learner; }
  /** Remote entries applied since start (catch-up included). */
  applied = 0;
  /**
   * Remote entries that could not be applied (malformed JSON, an unknown op,
   * a change the model refused) since start, and the last one: skipped so the
   * stream keeps flowing, but counted (/health, dpgcn_replication_entries_rejected_total).
   */
  rejected = 0;
  lastRejected: { id: string; reason: string } | null = null;

  constructor(private readonly o: ReplicationOptions & { replicaId: string }) {
    this.prefix = o.prefix ?? 'dpgcn-serve';
    this.replicaId = o.replicaId;
    this.stream = `${this.prefix}:events`;
    this.policyKey = `${this.prefix}:policy`;
    this.group = `${this.prefix}:learner`;
  }

  /** Connects, replays the stream into the model, then tails it (and learns/subscribes) in the background. */
  async start(ctx: ReplicaContext): Promise<void> {
    this.ctx = ctx;
    // the other replicas' entries this replica applied before (stored), then the stream after the last of them
    this.replayStored(ctx.current());
    this.lastId = ctx.store.lastRemoteId() ?? '0';
    this.cmd = await connectRedis('--redis', this.o.url);
    this.offsets = new StreamOffsets(() => this.cmd, this.stream, this.prefix);
    // registered before catching up: nothing this replica still needs is trimmed meanwhile
    await this.offsets.record(this.replicaId, this.lastId);
    this.tail = await connectRedis('--redis', this.o.url);
    // subscribed before the first look at the policy, so no version published in between is missed
    this.sub = await connectRedis('--redis', this.o.url);
    this.sub.on('message', () => { this.loadPolicy().catch((e) => this.warn('policy', e)); });
    await this.sub.subscribe(this.policyKey);
    await this.loadPolicy();
    // catch up before serving: read without blocking until the stream is exhausted
    for (;;) {
      const r = await this.tail.xread('COUNT', 1000, 'STREAMS', this.stream, this.lastId) as [string, Entry[]][] | null;
      if (!r || r[0][1].length === 0) break;
      this.applyEntries(r[0][1]);
    }
    await this.offsets.record(this.replicaId, this.lastId);
    this.loops.push(this.tailLoop());
    if (this.o.learner) {
      this.group_ = await connectRedis('--redis', this.o.url);
      try { await this.group_.xgroup('CREATE', this.stream, this.group, '0', 'MKSTREAM'); } catch (e) { if (!/BUSYGROUP/.test((e as Error).message)) throw e; }
      await this.offsets.record(`${this.replicaId}#learner`, ctx.store.lastLearnedId() ?? '0');
      this.loops.push(this.learnLoop());
    }
  }

  /**
   * Appends a change this replica has made durable (and applied) locally.
   * Feedback goes in one entry per user, so erasing a user can delete whole
   * entries without rewriting anyone else's. Returns the last entry id.
   */
  async publish(op: ReplicatedOp): Promise<string> {
    const ms = this.o.publishTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    // ioredis queues commands while Redis is away (the connection has no per-request retry limit): bound the wait here
    const late = new Promise<never>((_r, reject) => { timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms (the entry may still be appended later)`)), ms); });
    try { return await Promise.race([this.append(op), late]); } finally { clearTimeout(timer); }
  }

  private async append(op: ReplicatedOp): Promise<string> {
    const ops: ReplicatedOp[] = [];
    if (op.op === 'feedback') {
      const by = new Map<string, FeedbackEvent[]>();
      for (const e of op.events) { const l = by.get(e.user) ?? []; l.push(e); by.set(e.user, l); }
      for (const events of by.values()) ops.push({ op: 'feedback', events });
    } else ops.push(op);
    if (ops.length === 0) return this.lastId;
    const m = this.cmd.multi();
    for (const x of ops) m.xadd(this.stream, '*', 'origin', this.replicaId, 'data', JSON.stringify(x));
    const res = await m.exec();
    const err = res?.find(([e]) => e)?.[0];
    if (!res || err) throw err ?? new Error('XADD transaction aborted');
    const id = res[res.length - 1][1] as string;
    // after the deletion's own entry, so every entry before it that holds the user's data goes
    if (op.op === 'delete') await this.eraseFromStream(op.user, id);
    return id;
  }

  /** Stops the loops and closes every connection. */
  async close(): Promise<void> {
    this.stopping = true;
    // a blocked XREAD only returns when its connection goes away
    for (const r of [this.tail, this.group_, this.sub, this.cmd]) r?.disconnect();
    await Promise.allSettled(this.loops);
  }

  private async tailLoop(): Promise<void> {
    while (!this.stopping) {
      let r: [string, Entry[]][] | null;
      try { r = await this.tail.xread('COUNT', 1000, 'BLOCK', 1000, 'STREAMS', this.stream, this.lastId) as [string, Entry[]][] | null; } catch (e) {
        if (this.stopping) return;
        this.warn('tail', e); await new Promise((r) => setTimeout(r, 500)); continue;
      }
      if (r) this.applyEntries(r[0][1]);
      // idle too (a blocked read returns every second): the others' last offsets may have moved since
      try { if (r) await this.offsets.record(this.replicaId, this.lastId); await this.offsets.maybeTrim(); } catch (e) { if (!this.stopping) this.warn('offsets', e); }
    }
  }

  /** Applies a batch of entries and stores the other replicas' ones (before an erasure, so the erasure removes them too). */
  private applyEntries(entries: Entry[]): void {
    let rows: { id: string; user: string | null; data: string }[] = [];
    const flush = () => { this.ctx.store.addRemote(rows); rows = []; };
    for (const [id, fields] of entries) {
      this.lastId = id;
      const f: Record<string, string> = {};
      for (let k = 0; k < fields.length; k += 2) f[fields[k]] = fields[k + 1];
      if (f.origin === this.replicaId) continue;
      let op: ReplicatedOp;
      try {
        op = JSON.parse(f.data) as ReplicatedOp;
        if (op?.op === 'delete') flush();
        this.apply(op, this.ctx.current());
      } catch (e) { this.reject(id, e); continue; }
      // the learner journals decisions itself (learn_log); serving replicas keep none of the others'
      if (op.op !== 'decision') rows.push({ id, user: op.op === 'feedback' ? op.events[0]?.user ?? null : op.op === 'user' ? op.user : null, data: f.data });
      this.applied++;
      this.o.onApplied?.(op, id);
    }
    flush();
  }

  /** The stored remote entries received after the model was saved, applied to it (start and reload). */
  private replayStored(rec: Recommender): number {
    const rows = this.ctx.store.remote(rec.meta.savedAt);
    for (const r of rows) { try { this.apply(JSON.parse(r.data) as ReplicatedOp, rec); } catch (e) { this.warn(`stored entry ${r.id}`, e); } }
    return rows.length;
  }

  /** Another replica's change, applied to this replica's model (and, for privacy operations, its store). */
  private apply(op: ReplicatedOp, rec: Recommender): void {
    const store = this.ctx.store;
    switch (op.op) {
      case 'feedback': {
        // events for users or items this replica does not know (erased meanwhile) are dropped, as a replay from SQLite does
        const ev = op.events.filter((e) => rec.hasUser(e.user) && rec.hasItem(e.item));
        if (ev.length) rec.feedback(ev);
        return;
      }
      case 'user': rec.addUser(op.user, op.features); return;
      case 'item': rec.addItem(op.item, op.attributes); return;
      case 'delete': if (rec.hasUser(op.user)) rec.deleteUser(op.user); store.deleteUser(op.user); return;
      case 'optout': if (rec.hasUser(op.user)) rec.optOut(op.user); store.optOut(op.user); return;
      case 'decision': return; // the learner joins decisions (learnLoop); serving replicas keep none of the others'
      default: throw new Error(`unknown op ${JSON.stringify((op as { op?: unknown } | null)?.op)}`);
    }
  }

  private reject(id: string, e: unknown): void {
    const reason = (e as Error)?.message ?? String(e);
    this.rejected++;
    this.lastRejected = { id, reason };
    this.warn(`entry ${id} rejected`, e);
    this.ctx.onRejected?.(id, reason);
  }

  /**
   * Applies the other replicas' entries applied so far to a model being
   * loaded (a reload), from this replica's database: the tail stores each
   * batch as it applies it, so nothing is left to apply and the caller swaps at once.
   */
  async replayInto(rec: Recommender): Promise<void> {
    this.replayStored(rec);
    if (this.policy) {
      try { rec.loadPolicy(this.policy); } catch (e) { this.warn('policy (reloaded model)', e); }
    }
  }

  /** Removes the user's feedback entries from the stream, so no replay brings them back. */
  private async eraseFromStream(user: string, upTo: string): Promise<number> {
    let start = '-', removed = 0;
    for (;;) {
      const page = await this.cmd.xrange(this.stream, start, upTo, 'COUNT', 1000) as Entry[];
      const gone: string[] = [];
      for (const [id, fields] of page) {
        const data = fields[fields.indexOf('data') + 1];
        const op = JSON.parse(data) as ReplicatedOp;
        if ((op.op === 'feedback' && op.events[0]?.user === user) || (op.op === 'user' && op.user === user)) gone.push(id);
      }
      if (gone.length) removed += await this.cmd.xdel(this.stream, ...gone);
      if (page.length < 1000) return removed;
      start = `(${page[page.length - 1][0]}`;
    }
  }

  private async learnLoop(): Promise<void> {
    const consumer = this.replicaId;
    // entries delivered to this learner before a crash and never acknowledged come first ('0'), then new ones ('>')
    let from = '0';
    while (!this.stopping) {
      let r: [string, Entry[]][] | null;
      try {
        const g = this.group_!;
        r = (from === '>' ? await g.xreadgroup('GROUP', this.group, consumer, 'COUNT', 1000, 'BLOCK', 1000, 'STREAMS', this.stream, '>')
          : await g.xreadgroup('GROUP', this.group, consumer, 'COUNT', 1000, 'STREAMS', this.stream, '0')) as [string, Entry[]][] | null;
      } catch (e) {
        if (this.stopping) return;
        this.warn('learner', e); await new Promise((r) => setTimeout(r, 500)); continue;
      }
      if (!r || r[0][1].length === 0) { from = '>'; continue; }
      const entries = r[0][1], last = entries[entries.length - 1][0];
      // journalled before a crash but not acknowledged: skipped (the journal replays them at start)
      const done = this.ctx.store.lastLearnedId();
      const fresh: { id: string; origin: string; op: ReplicatedOp }[] = [];
      for (const [id, f] of entries) {
        // pending entries erased since (XDEL) come back as [id, null]: acknowledged, never learned from
        if (!f || (done && compareIds(id, done) <= 0)) continue;
        const origin = f[f.indexOf('origin') + 1], data = f[f.indexOf('data') + 1];
        try { fresh.push({ id, origin, op: JSON.parse(data) as ReplicatedOp }); } catch { /* counted by the tail loop */ }
      }
      try { if (fresh.length) this.ctx.learn?.(fresh); } catch (e) { this.warn('learner (journal)', e); }
      if (this.stopping) return;
      try {
        await this.group_!.xack(this.stream, this.group, ...entries.map(([id]) => id));
        await this.offsets.record(`${this.replicaId}#learner`, last);
      } catch (e) { if (!this.stopping) this.warn('learner (ack)', e); }
    }
  }

  /**
   * Publishes policy weights under a version (the learner's gate; without a
   * version, the next one of a counter: tests). Only a version newer than the
   * one stored is published; returns the version.
   */
  async publishPolicy(weights: Weights, version?: number): Promise<number> {
    if (Object.keys(weights).length === 0) return this.policyVersion;
    const v = version ?? await this.cmd.incr(`${this.policyKey}:counter`);
    const ok = await publishIfNewer(this.cmd, this.policyKey, v, JSON.stringify({ version: v, by: this.replicaId, weights: encodeWeights(weights) }));
    // the learner's own model holds these weights already
    if (ok && v > this.policyVersion) { this.policy = weights; this.policyVersion = v; }
    return v;
  }

  /** Swaps in the newest published policy if it is newer than the one held. */
  private async loadPolicy(): Promise<void> {
    const s = await this.cmd.get(this.policyKey);
    if (!s) return;
    const p = JSON.parse(s) as { version: number; weights: Record<string, { shape: number[]; b64: string }> };
    if (p.version <= this.policyVersion) return;
    const w = decodeWeights(p.weights);
    this.ctx.current().loadPolicy(w);
    this.policy = w; this.policyVersion = p.version;
    this.ctx.onPolicy?.(p.version);
  }

  private warn(where: string, e: unknown): void {
    process.stderr.write(`dpgcn serve: replication (${where}): ${(e as Error).message ?? String(e)}\n`);
  }
}

/** A Replication with the default replica id for a database file. */
export function replication(o: ReplicationOptions, db: string): Replication {
  return new Replication({ ...o, replicaId: o.replicaId ?? defaultReplicaId(db) });
}
