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

export interface StoredEvent extends FeedbackEvent { id: number; receivedAt: number }
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
`;

export class FeedbackStore {
  private readonly db: Database.Database;
  private readonly insertOne: Database.Statement;
  private readonly insertMany: (rows: StoredEvent[]) => void;
  private pending: { rows: FeedbackEvent[]; done(e?: Error): void }[] = [];
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
    this.insertOne = this.db.prepare('INSERT INTO feedback (user, item, type, time, received_at) VALUES (?, ?, ?, ?, ?)');
    this.insertMany = this.db.transaction((rows: StoredEvent[]) => {
      for (const r of rows) this.insertOne.run(r.user, r.item, r.type, r.time ?? r.receivedAt / 1000, r.receivedAt);
    });
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
    const now = Date.now(), rows: StoredEvent[] = [];
    for (const p of batch) for (const r of p.rows) rows.push({ ...r, id: 0, receivedAt: now });
    try {
      this.insertMany(rows);
    } catch (e) {
      for (const p of batch) p.done(e as Error);
      return;
    }
    for (const p of batch) p.done();
  }

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

  close(): void { this.db.close(); }
}
