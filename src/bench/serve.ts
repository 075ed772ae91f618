/**
 * `dpgcn bench serve`: the server in its own process on loopback, driven by
 * autocannon from this one (on a 2-core machine: one core each). Reports
 * p50/p99/requests per second of /recommend at each connection count, the
 * server's RSS, durable feedback events per second, and beside each figure
 * the memory-bandwidth bound of reading the item table once per request.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeMachineLimits } from '../backend/native/index.js';

interface AutocannonResult {
  latency: { p50: number; p99: number }; requests: { average: number; total: number }; non2xx: number; errors: number; timeouts: number;
}
interface Tracker { on(ev: 'response', f: (client: unknown, status: number, bytes: number, ms: number) => void): void }
type Autocannon = (o: Record<string, unknown>, cb: (err: Error | null, r: AutocannonResult) => void) => Tracker;
const autocannonRaw = createRequire(import.meta.url)('autocannon') as Autocannon;

/**
 * autocannon's own percentiles are whole milliseconds (its histogram records
 * integers); the per-response times it emits are not, so the percentiles here
 * come from those (2xx only, as autocannon's).
 */
function autocannon(o: Record<string, unknown>): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    const times: number[] = [];
    const t = autocannonRaw(o, (err, r) => {
      if (err) { reject(err); return; }
      times.sort((a, b) => a - b);
      const pct = (p: number) => (times.length ? +times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(3) : NaN);
      resolve({ ...r, latency: { p50: pct(0.5), p99: pct(0.99) } });
    });
    t.on('response', (_c, status, _b, ms) => { if (status >= 200 && status < 300) times.push(ms); });
  });
}

export interface ServeBenchTarget { label: string; model: string | 'fixture' }
export interface ServeBenchRow {
  route: string; model: string; items: number; connections: number; p50Ms: number; p99Ms: number; rps: number; rssMB: number;
  scoring: string; boundMs: number | null; boundRps: number | null; non2xx: number;
  /** Single requests read the int8 table (bytes: rows + scales + approximate scores) instead of the float32 one. */
  int8: boolean; passBytes: number | null;
  /** One query's share of a batched GEMM at this run's fp32 peak of one core: 2 * items * width flops. */
  gemmBoundMs: number | null;
}
export interface ServeBenchResult {
  results: ServeBenchRow[];
  feedback: { eventsPerSec: number; durable: true; connections: number; eventsPerRequest: number; p50Ms: number; p99Ms: number; model: string } | null;
  machine: { triadGBs: number | null; peakGflopsPerCore: number | null; loadAverage: number[] };
  maxBatch: number;
  anchors: { gorseCachedTop10Ms: number; gorseInsert10RowsMs: [number, number] };
}

interface Child { proc: ChildProcess; url: string; info: { items: number; users: number; scoring: string; tableBytes: number | null; model: string; int8: boolean } }

/** fp32 FMA GFLOP/s of one core, measured by the native addon in this run (null without it): the batched path's compute bound. */
function peakGflops(): number | null {
  try { return nativeMachineLimits().peakGflopsPerCore(); } catch { return null; }
}

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'serve_child.js');

function startChild(model: string, db: string, maxBatch?: number): Promise<Child> {
  const proc = spawn(process.execPath, [CHILD, '--model', model, '--db', db, ...(maxBatch ? ['--max-batch', String(maxBatch)] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '', err = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (\S+) (\{.*\})\n/.exec(out);
      if (m) resolve({ proc, url: m[1], info: JSON.parse(m[2]) });
    });
    proc.stderr!.on('data', (d) => { err += d; });
    proc.on('exit', (code) => reject(new Error(`bench server exited ${code}: ${err.trim()}`)));
  });
}

function rssMB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? +(Number(m[1]) / 1024).toFixed(1) : NaN;
  } catch { return NaN; }
}

async function stop(c: Child): Promise<void> {
  const done = new Promise((r) => c.proc.once('exit', r));
  c.proc.kill('SIGTERM');
  const t = setTimeout(() => c.proc.kill('SIGKILL'), 5000);
  await done; clearTimeout(t);
}

export interface ServeBenchOptions {
  targets: ServeBenchTarget[];
  connections: number[];
  /** Seconds per measurement. */
  duration: number;
  /** Memory bandwidth of the machine (GB/s, both threads) for the bound; null if unknown. */
  triadGBs: number | null;
  /** Most requests scored together (default 64; 1 = no dynamic batching). */
  maxBatch?: number;
  log(s: string): void;
}

const fmt = (x: number | null, d = 3) => (x === null || !Number.isFinite(x) ? '-' : x.toFixed(d));

export async function benchServe(o: ServeBenchOptions): Promise<ServeBenchResult> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dpgcn-bench-serve-'));
  const results: ServeBenchRow[] = [];
  let feedback: ServeBenchResult['feedback'] = null;
  const peak = peakGflops();
  o.log(`fp32 FMA peak of one core (native addon, this run): ${peak?.toFixed(1) ?? '?'} GFLOP/s`);
  try {
    for (const t of o.targets) {
      const db = path.join(tmp, `${t.label.replace(/\W+/g, '_')}.db`);
      const c = await startChild(t.model, db, o.maxBatch);
      const { items, users, scoring, tableBytes, int8 } = c.info;
      // float32 rows of width w: tableBytes = 4 * items * w; the int8 pass reads w bytes and a scale per row and writes a float score
      const width = tableBytes !== null ? tableBytes / (4 * items) : null;
      const passBytes = tableBytes === null ? null : int8 ? items * width! + 8 * items : tableBytes;
      const boundMs = passBytes !== null && o.triadGBs ? passBytes / (o.triadGBs * 1e6) : null;
      const gemmBoundMs = width !== null && peak ? (2 * items * width) / (peak * 1e6) : null;
      o.log(`${t.label}: ${items} items, ${users} users, ${scoring} scoring${int8 ? ' (int8 pass + exact float32 re-rank)' : ''}`
        + (tableBytes !== null ? `, float32 item table ${(tableBytes / 1e6).toFixed(1)} MB, ${(passBytes! / 1e6).toFixed(1)} MB read per unbatched request` : '')
        + (boundMs !== null ? ` -> bandwidth bound ${boundMs.toFixed(3)} ms per unbatched request, ${Math.floor(1000 / boundMs)} requests/s` : '')
        + (gemmBoundMs !== null ? `; batched GEMM bound ${gemmBoundMs.toFixed(3)} ms per query per core, ${Math.floor(1000 / gemmBoundMs)} queries/s per core` : ''));
      let n = 0;
      const userIds = Array.from({ length: Math.min(users, 5000) }, (_, i) => i);
      // generated markets name users u1.., MovieLens by number
      const probe = async (id: string) => (await fetch(`${c.url}/recommend?user=${encodeURIComponent(id)}&k=1`)).status === 200;
      const prefix = (await probe('u1')) ? 'u' : (await probe('1')) ? '' : null;
      if (prefix === null) throw new Error(`${t.label}: cannot find user ids to query`);
      const paths = userIds.map((i) => `/recommend?user=${prefix}${i + 1}&k=10`);
      for (const conn of o.connections) {
        // warm-up, then the measurement
        await autocannon({ url: c.url, connections: conn, duration: 1, requests: [{ method: 'GET', setupRequest: (r: { path: string }) => ({ ...r, path: paths[n++ % paths.length] }) }] });
        const r = await autocannon({ url: c.url, connections: conn, duration: o.duration,
          requests: [{ method: 'GET', setupRequest: (rq: { path: string }) => ({ ...rq, path: paths[n++ % paths.length] }) }] });
        const row: ServeBenchRow = { route: '/recommend', model: t.label, items, connections: conn, p50Ms: r.latency.p50, p99Ms: r.latency.p99,
          rps: Math.round(r.requests.average), rssMB: rssMB(c.proc.pid!), scoring, boundMs: boundMs === null ? null : +boundMs.toFixed(4),
          boundRps: boundMs === null ? null : Math.floor(1000 / boundMs), non2xx: r.non2xx + r.errors + r.timeouts,
          int8, passBytes, gemmBoundMs: gemmBoundMs === null ? null : +gemmBoundMs.toFixed(4) };
        results.push(row);
        o.log(`  /recommend c=${String(conn).padStart(2)}: p50 ${fmt(row.p50Ms)} ms  p99 ${fmt(row.p99Ms)} ms  ${row.rps} req/s  RSS ${row.rssMB} MB`
          + (boundMs !== null ? `   [bound: p50 >= ${boundMs.toFixed(3)} ms unbatched, ${row.boundRps} req/s unbatched` : '')
          + (gemmBoundMs !== null ? `; ${Math.floor(1000 / gemmBoundMs)} req/s per core batched]` : boundMs !== null ? ']' : '') + (row.non2xx ? `  (${row.non2xx} failed)` : ''));
      }
      if (!feedback) {
        const per = 10, conn = 64;
        let seq = 0;
        // items are named per data set: take real ids from a recommendation
        const rec = await (await fetch(`${c.url}/recommend?user=${prefix}1&k=50`)).json() as { items: { item: string }[] };
        const itemIds = rec.items.map((x) => x.item);
        const make = () => JSON.stringify({ events: Array.from({ length: per }, (_, j) => ({ user: `${prefix}${(seq + j) % userIds.length + 1}`, item: itemIds[(seq + j) % itemIds.length], type: j % 4 ? 'click' : 'impression', time: ++seq })) });
        const r = await autocannon({ url: c.url, connections: conn, duration: o.duration,
          requests: [{ method: 'POST', path: '/feedback', headers: { 'content-type': 'application/json' }, setupRequest: (rq: Record<string, unknown>) => ({ ...rq, body: make() }) }] });
        const stored = (await (await fetch(`${c.url}/health`)).json() as { feedbackRows: number }).feedbackRows;
        feedback = { eventsPerSec: Math.round(r.requests.average * per), durable: true, connections: conn, eventsPerRequest: per, p50Ms: r.latency.p50, p99Ms: r.latency.p99, model: t.label };
        o.log(`  /feedback c=${conn}, ${per} events per request: ${feedback.eventsPerSec} durable events/s  p50 ${fmt(r.latency.p50)} ms  p99 ${fmt(r.latency.p99)} ms`
          + `  (${stored} rows committed, synchronous=FULL; ${r.non2xx + r.errors} failed)   [anchor: Gorse inserts 10 rows in 3.6-11 ms]`);
      }
      await stop(c);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return { results, feedback, machine: { triadGBs: o.triadGBs, peakGflopsPerCore: peak, loadAverage: os.loadavg().map((x) => +x.toFixed(2)) }, maxBatch: o.maxBatch ?? 64, anchors: { gorseCachedTop10Ms: 0.26, gorseInsert10RowsMs: [3.6, 11] } };
}
