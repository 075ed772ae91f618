/**
 * `dpgcn bench replicas`: two serving replicas sharing a Redis stream, both in
 * this process (one event loop: the figures include both replicas' work).
 * Measures the time from sending a feedback event to replica A until replica
 * B has applied it (p50, p99), and durable /feedback requests per second with
 * and without publishing to Redis (the anchor, measured in the same run).
 */
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { startServer, type RunningServer } from '../http/server.js';
import { replication } from '../http/replication.js';
import type { Recommender } from '../recsys/recommender.js';
import { connectRedis } from '../util/redis.js';

interface AutocannonResult { requests: { average: number; total: number }; non2xx: number; errors: number }
type Autocannon = (o: Record<string, unknown>, cb: (err: Error | null, r: AutocannonResult) => void) => unknown;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface ReplicaBenchResult {
  visibleMs: { p50: number; p99: number; events: number };
  feedbackRps: { local: number; redis: number; ratio: number; connections: number; seconds: number; non2xx: number };
  loadAverage: number[];
}

function ids(rec: Recommender, kind: 'user' | 'item', n: number): string[] {
  const out: string[] = [], has = (id: string) => (kind === 'user' ? rec.hasUser(id) : rec.hasItem(id));
  for (let k = 0; k < 10_000 && out.length < n; k++) for (const id of [`${kind[0]}${k}`, String(k)]) if (has(id)) { out.push(id); break; }
  if (out.length === 0) throw new Error(`bench replicas: found no ${kind} ids of the form ${kind[0]}N or N in the model`);
  return out;
}

function rps(url: string, body: () => string, connections: number, seconds: number): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    autocannon({ url: `${url}/feedback`, method: 'POST', connections, duration: seconds, headers: { 'content-type': 'application/json' },
      requests: [{ setupRequest: (r: Record<string, unknown>) => ({ ...r, body: body() }) }] }, (e, r) => (e ? reject(e) : resolve(r)));
  });
}

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return +s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(3); };

export async function benchReplicas(o: { model: string; redis: string; events: number; seconds: number; connections: number; log: (s: string) => void }): Promise<ReplicaBenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dpgcn-bench-repl-'));
  const prefix = `bench-repl-${process.pid}-${randomBytes(3).toString('hex')}`;
  const servers: RunningServer[] = [];
  let seq = 0;
  try {
    // anchor: the same server without Redis
    const local = await startServer({ model: o.model, db: path.join(dir, 'local.db'), port: 0 });
    servers.push(local);
    const users = ids(local.current(), 'user', 50), items = ids(local.current(), 'item', 50);
    const body = () => { seq++; return JSON.stringify({ events: [{ user: users[seq % users.length], item: items[(seq * 7) % items.length], type: 'impression', time: 1e9 + seq }] }); };
    o.log(`anchor: /feedback without Redis, ${o.connections} connections, ${o.seconds} s`);
    const a0 = await rps(local.url, body, o.connections, o.seconds);
    await local.close(); servers.length = 0;

    const waiting = new Map<number, (t: number) => void>();
    const mk = async (name: string, watch: boolean) => {
      const db = path.join(dir, `${name}.db`);
      const repl = replication({ url: o.redis, prefix, replicaId: name, onApplied: watch ? (op) => {
        if (op.op !== 'feedback') return;
        const t = performance.now();
        for (const e of op.events) waiting.get(e.time!)?.(t);
      } : undefined }, db);
      const s = await startServer({ model: o.model, db, port: 0, replication: repl });
      servers.push(s);
      return s;
    };
    const A = await mk('a', false);
    await mk('b', true);
    o.log(`/feedback through Redis (replica A publishing, B tailing), ${o.connections} connections, ${o.seconds} s`);
    const a1 = await rps(A.url, body, o.connections, o.seconds);
    o.log(`visibility: ${o.events} events sent one at a time to A, timed until B has applied each`);
    // let B drain the throughput run's backlog first
    await new Promise((r) => setTimeout(r, 1000));
    const lat: number[] = [];
    for (let n = 0; n < o.events; n++) {
      const time = 2e9 + n;
      const seen = new Promise<number>((resolve) => waiting.set(time, resolve));
      const t0 = performance.now();
      const r = await fetch(`${A.url}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events: [{ user: users[n % users.length], item: items[n % items.length], type: 'click', time }] }) });
      await r.text();
      lat.push((await seen) - t0);
      waiting.delete(time);
    }
    const res: ReplicaBenchResult = {
      visibleMs: { p50: pct(lat, 0.5), p99: pct(lat, 0.99), events: lat.length },
      feedbackRps: { local: +a0.requests.average.toFixed(0), redis: +a1.requests.average.toFixed(0), ratio: +(a1.requests.average / a0.requests.average).toFixed(3),
        connections: o.connections, seconds: o.seconds, non2xx: a0.non2xx + a1.non2xx },
      loadAverage: os.loadavg().map((x) => +x.toFixed(2)),
    };
    return res;
  } finally {
    for (const s of servers) await s.close();
    const r = await connectRedis('--redis', o.redis);
    const keys = await r.keys(`${prefix}:*`);
    if (keys.length) await r.del(...keys);
    r.disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
