/**
 * Joins served decisions and feedback into transitions (s, a, r, s', done).
 *
 * A decision stays open until the same user's next decision (then s' is that
 * decision's state; done if it belongs to another session) or until
 * `window` seconds of request time pass without one (done: the session
 * ended). Its reward is the number of distinct items of its slate clicked or
 * bought while it was open; a decision nobody clicked is an impression
 * without a click, reward 0. Feedback names its decision by id, or is joined
 * to the latest decision that showed that item to that user within the
 * window. Feedback for a decision already closed is kept (the caller stores
 * it with its decision id) but no longer changes the reward.
 *
 * Time is request time (the `time` a client sends, else the server's clock),
 * so a replayed log closes the same decisions at the same points.
 */
import type { Transition } from './online_learner.js';

export interface DecisionRecord {
  id: string;
  user: string;
  session: string;
  /** Request time, seconds. */
  time: number;
  version: number;
  /** The decision layer's state; null: nothing to learn from (opted out, no decision layer). */
  state: Float32Array | null;
  /** What the state was built from: the user's last items (external ids, oldest first). */
  history: string[];
  mean: Float32Array | null;
  noise: Float32Array | null;
  action: Float32Array | null;
  /** log density of mean + noise (null: not explored). */
  logDensity: number | null;
  /** The slate, by position. */
  items: string[];
}

export interface JoinedFeedback { user: string; item: string; type: string; time: number; decisionId?: string | null }

interface Open { d: DecisionRecord; clicked: Set<string> }

export const REWARD_TYPES = new Set(['click', 'purchase']);

export class Joiner {
  private readonly open = new Map<string, Open>();
  /** Per user, decisions (open or not) still inside the window, newest last. */
  private readonly recent = new Map<string, { id: string; time: number; items: Set<string> }[]>();
  private readonly openOf = new Map<string, string>();
  now = -Infinity;
  private lastSweep = -Infinity;

  constructor(readonly window: number) {}

  /** Records a decision; returns the transitions it closes (the user's previous decision, expired ones). */
  decision(d: DecisionRecord): Transition[] {
    this.now = Math.max(this.now, d.time);
    const out = this.expire(this.now);
    const prevId = this.openOf.get(d.user);
    if (prevId) {
      const p = this.open.get(prevId)!;
      const same = p.d.session === d.session && d.state !== null;
      out.push(this.close(p, same ? d.state! : null));
    }
    const list = this.recent.get(d.user) ?? [];
    list.push({ id: d.id, time: d.time, items: new Set(d.items) });
    this.recent.set(d.user, list);
    if (d.state && d.action) { this.open.set(d.id, { d, clicked: new Set() }); this.openOf.set(d.user, d.id); }
    return out;
  }

  /** The decision an event belongs to (by id, else the latest one within the window that showed the item), counting its reward. */
  feedback(e: JoinedFeedback): string | null {
    this.now = Math.max(this.now, e.time);
    let id = e.decisionId ?? null;
    if (!id) {
      const list = this.recent.get(e.user) ?? [];
      for (let k = list.length - 1; k >= 0; k--) {
        if (e.time - list[k].time > this.window) break;
        if (list[k].items.has(e.item)) { id = list[k].id; break; }
      }
    }
    if (id && REWARD_TYPES.has(e.type)) {
      const o = this.open.get(id);
      if (o && o.d.user === e.user && o.d.items.includes(e.item)) o.clicked.add(e.item);
    }
    return id;
  }

  /**
   * Closes every open decision older than the window at time now (done: the session ended). Unless
   * forced, the sweep runs at most every window/8 of request time (a decision closes within 9/8 window).
   */
  expire(now: number, force = false): Transition[] {
    this.now = Math.max(this.now, now);
    const out: Transition[] = [];
    if (!force && this.now - this.lastSweep < this.window / 8) return out;
    this.lastSweep = this.now;
    for (const o of [...this.open.values()]) if (this.now - o.d.time > this.window) out.push(this.close(o, null));
    for (const [u, list] of this.recent) {
      const keep = list.filter((x) => this.now - x.time <= this.window);
      if (keep.length) this.recent.set(u, keep); else this.recent.delete(u);
    }
    return out;
  }

  get openCount(): number { return this.open.size; }

  private close(o: Open, next: Float32Array | null): Transition {
    this.open.delete(o.d.id);
    if (this.openOf.get(o.d.user) === o.d.id) this.openOf.delete(o.d.user);
    const d = o.d, raw = Float32Array.from(d.mean!, (v, k) => v + d.noise![k]);
    return { decisionId: d.id, state: d.state!, action: d.action!, rawAction: raw, logDensity: d.logDensity, reward: o.clicked.size,
      next: next ?? d.state!, done: next === null };
  }

  /** Open decisions and the recent index, as plain data (saved with the learner). */
  snapshot(): unknown {
    const arr = (x: Float32Array | null) => (x ? Array.from(x) : null);
    return {
      now: this.now, lastSweep: this.lastSweep,
      open: [...this.open.values()].map((o) => ({ d: { ...o.d, state: arr(o.d.state), mean: arr(o.d.mean), noise: arr(o.d.noise), action: arr(o.d.action) }, clicked: [...o.clicked] })),
      recent: [...this.recent].map(([u, l]) => [u, l.map((x) => ({ id: x.id, time: x.time, items: [...x.items] }))]),
    };
  }

  static restore(window: number, s: unknown): Joiner {
    const j = new Joiner(window), x = s as { now: number; open: { d: Record<string, unknown>; clicked: string[] }[]; recent: [string, { id: string; time: number; items: string[] }[]][] };
    j.now = x.now ?? -Infinity; j.lastSweep = (s as { lastSweep?: number }).lastSweep ?? j.now;
    const f = (v: unknown) => (v ? Float32Array.from(v as number[]) : null);
    for (const o of x.open) {
      const d = { ...o.d, state: f(o.d.state), mean: f(o.d.mean), noise: f(o.d.noise), action: f(o.d.action) } as DecisionRecord;
      j.open.set(d.id, { d, clicked: new Set(o.clicked) }); j.openOf.set(d.user, d.id);
    }
    for (const [u, l] of x.recent) j.recent.set(u, l.map((r) => ({ id: r.id, time: r.time, items: new Set(r.items) })));
    return j;
  }
}

/** A decision as JSON-safe data (arrays for the float vectors), and back. */
export function decisionToJson(d: DecisionRecord): Record<string, unknown> {
  const arr = (x: Float32Array | null) => (x ? Array.from(x) : null);
  return { ...d, state: arr(d.state), mean: arr(d.mean), noise: arr(d.noise), action: arr(d.action) };
}
export function decisionFromJson(o: Record<string, unknown>): DecisionRecord {
  const f = (v: unknown) => (v ? Float32Array.from(v as number[]) : null);
  return { ...(o as unknown as DecisionRecord), state: f(o.state), mean: f(o.mean), noise: f(o.noise), action: f(o.action) };
}
