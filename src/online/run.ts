/**
 * One policy's closed-loop run: N users over the market's `days` days; each
 * day every user who comes back (everyone on day 0, later as the market's
 * return rule says), in a seeded order per day, has one session of slates
 * until they leave.
 * The policy sees recommend(user, K, context) and then feedback([event]), as
 * a served recommender would. Per run: total clicks, clicks per session,
 * slates per session, regret against the myopic oracle (the oracle slate's
 * expected clicks minus the shown slate's, summed over every slate, at the
 * state the policy's own choices led to), catalogue coverage (share of items
 * ever shown) and the CTR curve (clicks / impressions in `curvePoints` equal
 * parts of the run, in order of time), and the users' mean true
 * satisfaction at the end (a diagnostic only references could see).
 */
import { Rng } from '../tensor/rng.js';
import type { Dataset } from '../data/types.js';
import { ClosedLoopMarket, type MarketParams } from './market.js';
import { topK, type OnlinePolicy } from './policy.js';

export interface OnlineRunOptions {
  users: Int32Array;
  seed: number;
  params?: Partial<MarketParams>;
  curvePoints?: number;
  /** Compute the regret to the myopic oracle (default true; it costs one oracle slate per slate). */
  regret?: boolean;
}

export interface OnlineRunResult {
  totalClicks: number;
  sessions: number;
  /** Sessions per user over the horizon (retention; the horizon's days at most). */
  sessionsPerUser: number;
  clicksPerSession: number;
  sessionLength: number;
  regret: number;
  coverage: number;
  ctrCurve: number[];
  /** Mean true satisfaction of the run's users after the last day. */
  satisfaction: number;
  /** Mean wall time of one learning feedback event (ms), when the policy learns. */
  learnMsPerEvent?: number;
  /** The same in CPU time of the process, when the policy measures it. */
  learnCpuMsPerEvent?: number;
  /** Mean share of a slate's items that were in the same user's previous slate of the session. */
  slateOverlap: number;
  /** The policy's own diagnostics, when it has them. */
  diagnostics?: Record<string, number>;
}

/** The users of a run: n distinct users drawn by seed (all of them when n >= numUsers). */
export function onlineUsers(ds: Dataset, n: number, seed: number): Int32Array {
  const k = Math.min(n, ds.numUsers);
  return Int32Array.from(new Rng(seed ^ 0x2545f491).sample(ds.numUsers, k)).sort();
}

/** The logged clicks of each user, oldest first. */
export function loggedHistories(ds: Dataset): (u: number) => Int32Array {
  return (u) => ds.interactions.item.slice(ds.userPtr[u], ds.userPtr[u + 1]);
}

/** Runs policy in a fresh market of ds (built by makePolicy over that market, so oracles can read it). */
export function runOnline(ds: Dataset, makePolicy: (market: ClosedLoopMarket) => OnlinePolicy, o: OnlineRunOptions): OnlineRunResult {
  const market = new ClosedLoopMarket(ds, o.seed, o.params);
  const policy = makePolicy(market);
  const P = market.params, K = P.slate, points = o.curvePoints ?? 10;
  const history = new Map<number, Int32Array>();
  const lastSlate = new Map<number, Set<number>>();
  const logged = loggedHistories(ds);
  const shown = new Uint8Array(ds.numItems);
  const order = new Rng(o.seed ^ 0x6c8e9cf5);
  const slateLog: { clicks: number }[] = [];
  const withRegret = o.regret ?? true;
  let clicks = 0, sessions = 0, slates = 0, regret = 0, overlap = 0, overlapN = 0;
  try {
    for (let day = 0; day < P.days; day++) {
      const users = order.shuffle(Int32Array.from(o.users));
      for (const u of users) {
        if (!market.returns(u, day)) continue;
        market.startSession(u, day);
        sessions++;
        for (let step = 0; ; step++) {
          const h = history.get(u) ?? logged(u);
          const best = withRegret ? market.expectedClicks(u, topK(market.trueProbs(u), K)) : 0;
          const slate = policy.recommend(u, K, { day, step, history: h });
          if (withRegret) regret += best - market.expectedClicks(u, slate);
          const prev = step > 0 ? lastSlate.get(u) : undefined;
          if (prev) { overlap += slate.filter((i) => prev.has(i)).length / slate.length; overlapN++; }
          lastSlate.set(u, new Set(slate));
          const out = market.show(u, slate);
          let n = 0;
          const added: number[] = [];
          slate.forEach((i, j) => { shown[i] = 1; if (out.clicks[j]) { n++; added.push(i); } });
          const h2 = added.length ? Int32Array.from([...h, ...added]) : h;
          history.set(u, h2);
          clicks += n; slates++;
          slateLog.push({ clicks: n });
          policy.feedback([{ user: u, items: slate, clicks: out.clicks, done: out.done, history: h2 }]);
          if (out.done) break;
        }
      }
    }
  } finally {
    policy.close?.();
  }
  const ctrCurve: number[] = [];
  for (let p = 0; p < points; p++) {
    const a = Math.floor(p * slateLog.length / points), b = Math.floor((p + 1) * slateLog.length / points);
    let c = 0;
    for (let j = a; j < b; j++) c += slateLog[j].clicks;
    ctrCurve.push(b > a ? c / ((b - a) * K) : NaN);
  }
  let cov = 0;
  for (const s of shown) cov += s;
  let sat = 0;
  for (const u of o.users) sat += market.satisfaction(u) / o.users.length;
  const res: OnlineRunResult = { totalClicks: clicks, sessions, sessionsPerUser: sessions / o.users.length, clicksPerSession: clicks / sessions, sessionLength: slates / sessions,
    regret, coverage: cov / ds.numItems, ctrCurve, satisfaction: sat, slateOverlap: overlapN ? overlap / overlapN : NaN };
  if (policy.learnEvents) res.learnMsPerEvent = 1000 * policy.learnSeconds! / policy.learnEvents;
  if (policy.learnEvents && policy.learnCpuSeconds !== undefined) res.learnCpuMsPerEvent = 1000 * policy.learnCpuSeconds / policy.learnEvents;
  if (policy.diagnostics) res.diagnostics = policy.diagnostics();
  return res;
}
