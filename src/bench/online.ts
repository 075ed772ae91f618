/**
 * `dpgcn bench online`: learning while serving, proven over HTTP. For each
 * seed, a learning server and a frozen one (`--no-learn`) start on loopback
 * from the same model file (fresh databases), and the closed-loop market
 * (src/online/market.ts) plays against each exactly as runOnline plays an
 * in-process policy: the same users in the same seeded order, each session's
 * slates requested with GET /recommend (session and request time given, so
 * the run is deterministic; seen=true, since the market's users click
 * items again, and the in-process learner does not exclude them either), every shown item sent back with POST /feedback
 * (click or impression, with the decisionId). The in-process online learner
 * of the same model (OnlineDdpgPolicy) runs on the same market and seed as
 * the reference. Per seed: total clicks of each; the paired difference
 * learning - frozen with a Student-t 95% CI over seeds.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../tensor/rng.js';
import { UserError } from '../errors.js';
import type { Dataset } from '../data/types.js';
import { parseSpec } from '../data/spec.js';
import { generateSynthetic } from '../data/synthetic.js';
import { readModelFile, buildFromFile } from '../recsys/model_file.js';
import { ClosedLoopMarket } from '../online/market.js';
import { onlineUsers, runOnline } from '../online/run.js';
import { OnlineDdpgPolicy } from '../online/ddpg_policy.js';
import type { GraphRecommender } from '../models/graph_models.js';
import { deriveSeed } from '../recsys/split.js';
import { startServer, type RunningServer } from '../http/server.js';
import { replication } from '../http/replication.js';
import { connectRedis } from '../util/redis.js';

export interface OnlineBenchOptions { model: string; seeds: number[]; users: number; replicas: 1 | 2; redis?: string; inProcess: boolean; log: (s: string) => void }
/** With --replicas 2: the Redis stream's length sampled every 100 ms while the market played, and the entries appended. */
export interface StreamFigures { maxLength: number; finalLength: number; entriesAdded: number; samples: number }
export interface SideResult { perSeed: { seed: number; totalClicks: number; policyVersion: number; published: number; withheld: number; seconds: number; stream?: StreamFigures }[] }
export interface OnlineBenchResult {
  learning: SideResult; frozen: SideResult; diff: { mean: number; ci95: [number, number]; perSeed: number[] };
  inProcess?: { perSeed: { seed: number; totalClicks: number }[]; learningVsInProcess: number };
  users: number; replicas: number; model: string;
}

/** Two-sided 97.5% Student t quantiles for df 1..30 (then the normal's). */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086,
  2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];
export function pairedCi(d: number[]): { mean: number; ci95: [number, number] } {
  const n = d.length, mean = d.reduce((a, b) => a + b, 0) / Math.max(1, n);
  if (n < 2) return { mean, ci95: [NaN, NaN] };
  const sd = Math.sqrt(d.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)), h = (T975[n - 2] ?? 1.96) * sd / Math.sqrt(n);
  return { mean, ci95: [mean - h, mean + h] };
}

/** The market's data set: regenerated from the file's synthetic spec (the file keeps only its true segments). */
function marketData(spec: string): Dataset {
  const p = parseSpec(spec);
  if (p.kind !== 'synthetic') throw new UserError(`--model: trained on ${spec}; bench online needs a model of the synthetic market`);
  return generateSynthetic(p.options);
}

async function json(url: string, init?: RequestInit): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await fetch(url, init);
  const b = await r.json();
  if (r.status !== 200) throw new Error(`${url}: ${r.status} ${JSON.stringify(b)}`);
  return b;
}

/** Plays the market against servers (requests spread round-robin by user) over HTTP; returns total clicks. */
async function playHttp(ds: Dataset, urls: string[], users: Int32Array, seed: number): Promise<number> {
  const market = new ClosedLoopMarket(ds, seed), P = market.params, K = P.slate;
  const order = new Rng(seed ^ 0x6c8e9cf5), itemRow = new Map(ds.itemIds.map((id, i) => [id, i]));
  let clicks = 0, clock = 0;
  for (let day = 0; day < P.days; day++) {
    for (const u of order.shuffle(Int32Array.from(users))) {
      const user = ds.userIds[u], url = urls[u % urls.length];
      // users come back as the market's return rule says (everyone on day 0), as in the in-process run
      if (!market.returns(u, day)) continue;
      market.startSession(u, day);
      for (;;) {
        const time = day * 1e6 + ++clock;
        const r = await json(`${url}/recommend?user=${encodeURIComponent(user)}&k=${K}&seen=true&session=${encodeURIComponent(`${user}@${day}`)}&time=${time}`);
        const slate = Int32Array.from(r.items as { item: string }[], (x) => itemRow.get(x.item)!);
        const out = market.show(u, slate);
        const events = Array.from(slate, (i, j) => ({ user, item: ds.itemIds[i], type: out.clicks[j] ? 'click' : 'impression', time, decisionId: r.decisionId }));
        for (const c of out.clicks) clicks += c;
        await json(`${url}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
        if (out.done) break;
      }
    }
  }
  return clicks;
}

/** Samples XLEN of the stream until stopped. */
async function watchStream(url: string, stream: string): Promise<{ stop(): Promise<StreamFigures>; cleanup(): Promise<void> }> {
  const r = await connectRedis('--redis', url);
  let max = 0, samples = 0, running = true;
  const loop = (async () => { while (running) { max = Math.max(max, await r.xlen(stream)); samples++; await new Promise((res) => setTimeout(res, 100)); } })();
  return {
    stop: async () => {
      running = false; await loop;
      const info = await r.call('XINFO', 'STREAM', stream) as (string | number)[];
      const at = (k: string) => Number(info[info.indexOf(k) + 1]);
      return { maxLength: max, finalLength: await r.xlen(stream), entriesAdded: at('entries-added'), samples };
    },
    // after the replicas have closed (a deleted stream wakes their blocked reads with an error)
    cleanup: async () => {
      const keys = await r.keys(`${stream.replace(/:events$/, '')}:*`);
      if (keys.length) await r.del(...keys);
      r.disconnect();
    },
  };
}

async function side(o: OnlineBenchOptions, learn: boolean, seed: number, dir: string): Promise<{ servers: RunningServer[]; prefix: string; close(): Promise<void> }> {
  const servers: RunningServer[] = [];
  const prefix = `bench-online-${process.pid}-${seed}-${learn ? 'l' : 'f'}`;
  const n = o.replicas === 2 ? 3 : 1;
  for (let k = 0; k < n; k++) {
    const db = path.join(dir, `${learn ? 'learn' : 'frozen'}-${seed}-${k}.db`);
    const repl = o.replicas === 2 ? replication({ url: o.redis!, prefix, replicaId: `r${k}`, learner: k === n - 1 }, db) : undefined;
    servers.push(await startServer({ model: o.model, db, port: 0, replication: repl, learning: { learn, seed, sync: o.replicas === 1 } }));
  }
  return { servers, prefix, close: async () => { for (const s of servers) await s.close(); } };
}

export async function benchOnline(o: OnlineBenchOptions): Promise<OnlineBenchResult> {
  if (o.replicas === 2 && !o.redis) throw new UserError('--replicas 2: needs --redis redis://HOST:PORT');
  const mf = await readModelFile(o.model), ds = marketData(mf.meta.dataSpec);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dpgcn-bench-online-'));
  const res: OnlineBenchResult = { learning: { perSeed: [] }, frozen: { perSeed: [] }, diff: { mean: NaN, ci95: [NaN, NaN], perSeed: [] }, users: o.users, replicas: o.replicas, model: o.model };
  const inProc: { seed: number; totalClicks: number }[] = [];
  process.env.DPGCN_LEARNER_LOG ??= '0';
  try {
    for (const seed of o.seeds) {
      const users = onlineUsers(ds, o.users, seed);
      for (const learn of [true, false]) {
        const s = await side(o, learn, seed, dir), t0 = performance.now();
        const watch = o.replicas === 2 ? await watchStream(o.redis!, `${s.prefix}:events`) : null;
        try {
          // the learner replica serves no traffic of its own with --replicas 2: requests go to the two others
          const urls = (o.replicas === 2 ? s.servers.slice(0, 2) : s.servers).map((x) => x.url);
          const clicks = await playHttp(ds, urls, users, seed);
          const l = s.servers[s.servers.length - 1].learner;
          await l.drain();
          const seconds = +((performance.now() - t0) / 1000).toFixed(1);
          // the replicas' last offsets and trims need a moment after the last request
          if (watch) await new Promise((r) => setTimeout(r, 2500));
          const stream = watch ? await watch.stop() : undefined;
          (learn ? res.learning : res.frozen).perSeed.push({ seed, totalClicks: clicks, policyVersion: l.version, published: l.published, withheld: l.withheld, seconds, ...(stream ? { stream } : {}) });
          o.log(`seed ${seed} ${learn ? 'learning' : 'frozen  '}: ${clicks} clicks (policy version ${l.version}, ${l.published} published, ${l.withheld} withheld, ${seconds} s`
            + `${stream ? `; stream: ${stream.entriesAdded} entries appended, longest ${stream.maxLength}, ${stream.finalLength} at the end` : ''})`);
        } finally { await s.close(); await watch?.cleanup(); }
      }
      if (o.inProcess) {
        const model = buildFromFile(mf, o.model) as GraphRecommender;
        const r = runOnline(ds, () => new OnlineDdpgPolicy('in-process', model, new Rng(deriveSeed(seed, mf.meta.model, 'online'))), { users, seed });
        model.dispose?.();
        inProc.push({ seed, totalClicks: r.totalClicks });
        o.log(`seed ${seed} in-process online learner: ${r.totalClicks} clicks`);
      }
    }
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  const d = res.learning.perSeed.map((x, k) => x.totalClicks - res.frozen.perSeed[k].totalClicks);
  res.diff = { ...pairedCi(d), perSeed: d };
  if (inProc.length) {
    const a = res.learning.perSeed.reduce((s, x) => s + x.totalClicks, 0), b = inProc.reduce((s, x) => s + x.totalClicks, 0);
    res.inProcess = { perSeed: inProc, learningVsInProcess: +(a / b - 1).toFixed(4) };
  }
  return res;
}
