/**
 * `dpgcn bench stream`: the Redis stream's length over a long run. Two
 * serving replicas and a learner (one process, loopback ports, fresh
 * databases, a unique key prefix removed afterwards); N stream entries are
 * produced by /recommend (one decision entry each) and /feedback (one
 * feedback entry each, with the decisionId) spread over both serving
 * replicas, `concurrency` requests at a time. XLEN is sampled every 50 ms;
 * the report holds the longest length seen, the length at the end (after the
 * replicas have recorded their last offsets) and the entries appended.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startServer, type RunningServer } from '../http/server.js';
import { replication } from '../http/replication.js';
import { connectRedis } from '../util/redis.js';

export interface StreamBenchResult { entriesAdded: number; maxLength: number; finalLength: number; samples: number; seconds: number; trimmedByReplicas: number; learner: { published: number; withheld: number; version: number } }

export async function benchStream(o: { model: string; redis: string; events: number; concurrency: number; log: (s: string) => void }): Promise<StreamBenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dpgcn-bench-stream-'));
  const prefix = `bench-stream-${process.pid}-${randomBytes(3).toString('hex')}`, stream = `${prefix}:events`;
  const servers: RunningServer[] = [];
  const repls: ReturnType<typeof replication>[] = [];
  const r = await connectRedis('--redis', o.redis);
  try {
    for (const [name, learner] of [['a', false], ['b', false], ['learner', true]] as const) {
      const db = path.join(dir, `${name}.db`), repl = replication({ url: o.redis, prefix, replicaId: name, learner }, db);
      repls.push(repl);
      servers.push(await startServer({ model: o.model, db, port: 0, replication: repl, learning: { learn: true, seed: 1 } }));
    }
    const rec = servers[0].current(), users: string[] = [];
    for (let k = 0; users.length < 200 && k < 100_000; k++) for (const id of [`u${k}`, String(k)]) if (rec.hasUser(id)) { users.push(id); break; }
    if (users.length === 0) throw new Error('bench stream: no user ids of the form uN or N in the model');
    let max = 0, samples = 0, sampling = true;
    const sampler = (async () => { while (sampling) { max = Math.max(max, await r.xlen(stream)); samples++; await new Promise((res) => setTimeout(res, 50)); } })();
    const t0 = performance.now(), pairs = Math.ceil(o.events / 2);
    let next = 0;
    const worker = async () => {
      for (let n = next++; n < pairs; n = next++) {
        const url = servers[n % 2].url, user = users[n % users.length], time = 1e6 + n;
        const a = await (await fetch(`${url}/recommend?user=${encodeURIComponent(user)}&k=5&time=${time}`)).json() as { items: { item: string }[]; decisionId: string };
        const res = await fetch(`${url}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ events: [{ user, item: a.items[n % a.items.length].item, type: n % 4 === 0 ? 'click' : 'impression', time, decisionId: a.decisionId }] }) });
        await res.text();
        if ((n + 1) % 2000 === 0) o.log(`${2 * (n + 1)} entries appended, stream length now ${await r.xlen(stream)}, longest so far ${max}`);
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, worker));
    const seconds = (performance.now() - t0) / 1000;
    await new Promise((res) => setTimeout(res, 2500));
    sampling = false; await sampler;
    const info = await r.call('XINFO', 'STREAM', stream) as (string | number)[];
    const l = servers[2].learner;
    return { entriesAdded: Number(info[info.indexOf('entries-added') + 1]), maxLength: max, finalLength: await r.xlen(stream), samples, seconds: +seconds.toFixed(1),
      trimmedByReplicas: repls.reduce((a, x) => a + x.offsets.trimmed, 0), learner: { published: l.published, withheld: l.withheld, version: l.version } };
  } finally {
    for (const s of servers) await s.close();
    const keys = await r.keys(`${prefix}:*`);
    if (keys.length) await r.del(...keys);
    r.disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
