/**
 * Served feedback and the serving state that must outlive a restart, in an
 * embedded SQLite database (better-sqlite3, WAL, synchronous=FULL: a commit
 * is on disk when it returns). Writes from concurrent requests are grouped:
 * every insert queued in one event-loop turn goes into one transaction, so
 * one fsync acknowledges them all (group commit).
 */
import Database from 'better-sqlite3';
import { UserError } from '../errors.js';
import type { FeedbackEvent } from '../recsys/recommender.js';
import type { DecisionRecord } from '../recsys/join.js';

export interface StoredEvent extends FeedbackEvent { id: number; receivedAt: number; ord?: number | null }
/** A decision as stored: the record plus its place in the journal (ord orders decisions and feedback together). */
export interface StoredDecision extends DecisionRecord { ord: number; origin: string; seq: number }
export interface UserState { user: string; optedOut: boolean; deleted: boolean; features: Record<string, string | number> | null }

const SCHEMA = `
CREATE TABLE IF NOT EXISTS feedback (
  id INTEGER PRIMARY KEY, user TEXT NOT NULL, item TEXT NOT NULL, type TEXT NOT NULL,
  time REAL NOT NULL, received_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS feedback_user ON feedback(user);
CREATE TABLE IF NOT EXISTS users (
  user TEXT PRIMARY KEY, opted_out INTEGER NOT NULL DEFAULT 0, deleted INTEGER NOT NULL DEFAULT 0,
  features TEXT, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS items (item TEXT PRIMARY KEY, attributes TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS decisions (
  id TEXT PRIMARY KEY, ord INTEGER NOT NULL, origin TEXT NOT NULL, seq INTEGER NOT NULL, user TEXT NOT NULL, session TEXT NOT NULL,
  time REAL NOT NULL, version INTEGER NOT NULL, state BLOB, history TEXT NOT NULL, mean BLOB, noise BLOB, action BLOB,
  log_density REAL, items TEXT NOT NULL, received_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS decisions_ord ON decisions(ord);
CREATE TABLE IF NOT EXISTS policy_log (
  id INTEGER PRIMARY KEY, version INTEGER NOT NULL, published INTEGER NOT NULL, reason TEXT NOT NULL,
  candidate REAL, candidate_se REAL, current REAL, current_se REAL, held_out INTEGER, transitions INTEGER, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS remote (id TEXT PRIMARY KEY, user TEXT, data TEXT NOT NULL, received_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS remote_user ON remote(user);
CREATE TABLE IF NOT EXISTS learn_log (ord INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, user TEXT, data TEXT NOT NULL);
`;
const blob = (x: Float32Array | null) => (x ? Buffer.from(x.buffer, x.byteOffset, x.byteLength) : null);
const f32 = (b: Buffer | null) => (b ? new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)) : null);

export class FeedbackStore {
  private readonly db: Database.Database;
  private readonly insertOne: Database.Statement;
  private readonly insertMany: (rows: StoredEvent[], decs: StoredDecision[], now: number) => void;
  private pending: { rows: FeedbackEvent[]; decisions?: StoredDecision[]; done(e?: Error): void }[] = [];
  private readonly insertDecision: Database.Statement;
  /** The journal's last position (decisions and feedback share it). */
  private ord = 0;
  private scheduled = false;
  private seq = 0;

  constructor(readonly file: string) {
    try {
      this.db = new Database(file);
    } catch (e) {
      throw new UserError(`--db ${file}: cannot open the database (${(e as Error).message})`);
    }
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
    // databases from before decisions were logged gain the columns (NULL for old rows)
    const cols = (this.db.prepare('PRAGMA table_info(feedback)').all() as { name: string }[]).map((c) => c.name);
    if (!cols.includes('decision_id')) this.db.exec('ALTER TABLE feedback ADD COLUMN decision_id TEXT; ALTER TABLE feedback ADD COLUMN ord INTEGER');
    this.insertOne = this.db.prepare('INSERT INTO feedback (user, item, type, time, received_at, decision_id, ord) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.insertDecision = this.db.prepare(`INSERT INTO decisions (id, ord, origin, seq, user, session, time, version, state, history, mean, noise, action, log_density, items, received_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insertMany = this.db.transaction((rows: StoredEvent[], decs: StoredDecision[], now: number) => {
      for (const d of decs) {
        this.insertDecision.run(d.id, d.ord, d.origin, d.seq, d.user, d.session, d.time, d.version, blob(d.state), JSON.stringify(d.history),
          blob(d.mean), blob(d.noise), blob(d.action), d.logDensity, JSON.stringify(d.items), now);
      }
      for (const r of rows) this.insertOne.run(r.user, r.item, r.type, r.time ?? r.receivedAt / 1000, r.receivedAt, r.decisionId ?? null, r.ord ?? null);
    });
    const o = this.db.prepare('SELECT max(o) AS o FROM (SELECT max(ord) AS o FROM feedback UNION ALL SELECT max(ord) AS o FROM decisions)').get() as { o: number | null };
    this.ord = o.o ?? 0;
    const m = this.db.prepare('SELECT max(seq) AS s FROM (SELECT seq FROM users UNION ALL SELECT seq FROM items)').get() as { s: number | null };
    this.seq = m.s ?? 0;
  }

  /** Resolves once the events are committed (one transaction for all inserts queued in this turn). */
  insert(events: FeedbackEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.pending.push({ rows: events, done: (e) => (e ? reject(e) : resolve()) });
      if (!this.scheduled) { this.scheduled = true; setImmediate(() => this.flush()); }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    const now = Date.now(), rows: StoredEvent[] = [], decs: StoredDecision[] = [];
    for (const p of batch) { for (const r of p.rows) rows.push({ ...r, id: 0, receivedAt: now }); if (p.decisions) decs.push(...p.decisions); }
    try {
      this.insertMany(rows, decs, now);
    } catch (e) {
      for (const p of batch) p.done(e as Error);
      return;
    }
    for (const p of batch) p.done();
  }

  /** The next journal position (assign in the order events are handled; rows commit in that order). */
  nextOrd(): number { return ++this.ord; }

  /** Resolves once the decisions are committed (grouped with the feedback of the same turn). */
  insertDecisions(decisions: StoredDecision[]): Promise<void> {
    if (decisions.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.pending.push({ rows: [], decisions, done: (e) => (e ? reject(e) : resolve()) });
      if (!this.scheduled) { this.scheduled = true; setImmediate(() => this.flush()); }
    });
  }

  /** Decisions made by origin so far (numbering continues after a restart). */
  decisionCount(origin: string): number {
    return (this.db.prepare('SELECT max(seq) AS s FROM decisions WHERE origin = ?').get(origin) as { s: number | null }).s ?? 0;
  }

  decisionCountAll(): number { return (this.db.prepare('SELECT count(*) AS n FROM decisions').get() as { n: number }).n; }

  /** Decisions and feedback after journal position `since`, merged in journal order (what the learner replays). */
  journal(since: number): ({ kind: 'decision'; d: StoredDecision } | { kind: 'feedback'; e: StoredEvent })[] {
    const ds = (this.db.prepare('SELECT * FROM decisions WHERE ord > ? ORDER BY ord').all(since) as Record<string, unknown>[]).map((r) => ({ kind: 'decision' as const, d: {
      id: r.id as string, ord: r.ord as number, origin: r.origin as string, seq: r.seq as number, user: r.user as string, session: r.session as string,
      time: r.time as number, version: r.version as number, state: f32(r.state as Buffer | null), history: JSON.parse(r.history as string),
      mean: f32(r.mean as Buffer | null), noise: f32(r.noise as Buffer | null), action: f32(r.action as Buffer | null),
      logDensity: r.log_density as number | null, items: JSON.parse(r.items as string) } }));
    const es = (this.db.prepare('SELECT id, user, item, type, time, received_at AS receivedAt, decision_id AS decisionId, ord FROM feedback WHERE ord > ? ORDER BY ord')
      .all(since) as StoredEvent[]).map((e) => ({ kind: 'feedback' as const, e }));
    const out: ({ kind: 'decision'; d: StoredDecision } | { kind: 'feedback'; e: StoredEvent })[] = [];
    let i = 0, j = 0;
    while (i < ds.length || j < es.length) {
      if (j >= es.length || (i < ds.length && ds[i].d.ord < (es[j].e.ord ?? 0))) out.push(ds[i++]); else out.push(es[j++]);
    }
    return out;
  }

  /**
   * Other replicas' stream entries this replica applied (with replicas): kept so a restart or a reload
   * rebuilds them without the stream, which may then be trimmed. Rows in stream order, committed together.
   */
  addRemote(rows: { id: string; user: string | null; data: string }[]): void {
    if (rows.length === 0) return;
    const now = Date.now(), st = this.db.prepare('INSERT OR IGNORE INTO remote (id, user, data, received_at) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => { for (const r of rows) st.run(r.id, r.user, r.data, now); })();
  }

  /** Remote entries stored after `sinceMs` (unix ms), in stream order. */
  remote(sinceMs: number): { id: string; data: string }[] {
    return this.db.prepare('SELECT id, data FROM remote WHERE received_at > ? ORDER BY received_at, rowid').all(sinceMs) as { id: string; data: string }[];
  }

  /** The last stream id this replica has applied and stored (null: none). */
  lastRemoteId(): string | null {
    const r = this.db.prepare('SELECT id FROM remote ORDER BY rowid DESC LIMIT 1').get() as { id: string } | undefined;
    return r?.id ?? null;
  }

  /** The learner replica's journal: every stream entry (its own too) in stream order; ord is its position. */
  addLearnLog(rows: { id: string; user: string | null; data: string }[]): number[] {
    const st = this.db.prepare('INSERT INTO learn_log (id, user, data) VALUES (?, ?, ?)');
    return this.db.transaction(() => rows.map((r) => Number(st.run(r.id, r.user, r.data).lastInsertRowid)))();
  }

  learnLog(sinceOrd: number): { ord: number; id: string; data: string }[] {
    return this.db.prepare('SELECT ord, id, data FROM learn_log WHERE ord > ? ORDER BY ord').all(sinceOrd) as { ord: number; id: string; data: string }[];
  }

  lastLearnedId(): string | null {
    const r = this.db.prepare('SELECT id FROM learn_log ORDER BY ord DESC LIMIT 1').get() as { id: string } | undefined;
    return r?.id ?? null;
  }

  /** Every publish/withhold decision of the learner. */
  logGate(g: { version: number; published: boolean; reason: string; candidate: number; candidateSe: number; current: number; currentSe: number; heldOut: number; transitions: number }): void {
    this.db.prepare('INSERT INTO policy_log (version, published, reason, candidate, candidate_se, current, current_se, held_out, transitions, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(g.version, g.published ? 1 : 0, g.reason, nz(g.candidate), nz(g.candidateSe), nz(g.current), nz(g.currentSe), g.heldOut, g.transitions, Date.now());
  }

  policyLog(): Record<string, unknown>[] { return this.db.prepare('SELECT * FROM policy_log ORDER BY id').all() as Record<string, unknown>[]; }

  /** Events received after `sinceMs` (unix ms), in arrival order. */
  since(sinceMs: number): StoredEvent[] {
    return (this.db.prepare('SELECT id, user, item, type, time, received_at AS receivedAt FROM feedback WHERE received_at > ? ORDER BY id').all(sinceMs) as StoredEvent[]);
  }

  /** Every event, in arrival order (iterated, not loaded whole). */
  *all(): IterableIterator<StoredEvent> {
    yield* this.db.prepare('SELECT id, user, item, type, time, received_at AS receivedAt FROM feedback ORDER BY id').iterate() as IterableIterator<StoredEvent>;
  }

  count(): number { return (this.db.prepare('SELECT count(*) AS n FROM feedback').get() as { n: number }).n; }

  userEvents(user: string): StoredEvent[] {
    return this.db.prepare('SELECT id, user, item, type, time, received_at AS receivedAt FROM feedback WHERE user = ? ORDER BY id').all(user) as StoredEvent[];
  }

  /** Erases the user's feedback and remembers the erasure (replayed on every load); returns the rows removed. */
  deleteUser(user: string): number {
    return this.db.transaction(() => {
      const n = this.db.prepare('DELETE FROM feedback WHERE user = ?').run(user).changes;
      this.db.prepare('DELETE FROM decisions WHERE user = ?').run(user);
      this.db.prepare('DELETE FROM remote WHERE user = ?').run(user);
      this.db.prepare('DELETE FROM learn_log WHERE user = ?').run(user);
      this.db.prepare(`INSERT INTO users (user, deleted, opted_out, features, seq) VALUES (?, 1, 0, NULL, ?)
        ON CONFLICT(user) DO UPDATE SET deleted = 1, opted_out = 0, features = NULL`).run(user, ++this.seq);
      return n;
    })();
  }

  optOut(user: string): void {
    this.db.prepare(`INSERT INTO users (user, opted_out, seq) VALUES (?, 1, ?) ON CONFLICT(user) DO UPDATE SET opted_out = 1`).run(user, ++this.seq);
  }

  /** An added user; an erased id keeps its erasure (applied first on every load), so it comes back as a new user. */
  addUser(user: string, features: Record<string, string | number>): void {
    this.db.prepare(`INSERT INTO users (user, features, seq) VALUES (?, ?, ?) ON CONFLICT(user) DO UPDATE SET features = excluded.features`)
      .run(user, JSON.stringify(features), ++this.seq);
  }

  addItem(item: string, attributes: Record<string, string | number>): void {
    this.db.prepare('INSERT INTO items (item, attributes, seq) VALUES (?, ?, ?) ON CONFLICT(item) DO NOTHING').run(item, JSON.stringify(attributes), ++this.seq);
  }

  users(): UserState[] {
    return (this.db.prepare('SELECT user, opted_out, deleted, features FROM users ORDER BY seq').all() as { user: string; opted_out: number; deleted: number; features: string | null }[])
      .map((r) => ({ user: r.user, optedOut: !!r.opted_out, deleted: !!r.deleted, features: r.features ? JSON.parse(r.features) : null }));
  }

  items(): { item: string; attributes: Record<string, string | number> }[] {
    return (this.db.prepare('SELECT item, attributes FROM items ORDER BY seq').all() as { item: string; attributes: string }[])
      .map((r) => ({ item: r.item, attributes: JSON.parse(r.attributes) }));
  }

  /** A consistent copy of the database (tests, moving a replica). */
  async backup(file: string): Promise<void> { await this.db.backup(file); }

  close(): void { this.db.close(); }
}

const nz = (x: number): number | null => (Number.isFinite(x) ? x : null);
