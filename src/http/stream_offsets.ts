/**
 * Helpers of the replication stream (replication.ts): policy weights as
 * JSON, stream id order, the per-replica applied offsets and trimming.
 *
 * Trimming: every replica records the last stream id it has applied (and
 * stored in its own SQLite, so it never needs the entry again) in the hash
 * PREFIX:applied, field = replica id; the learner records the last id it has
 * journalled under "ID#learner". The stream is trimmed (XTRIM MINID) to the
 * smallest of them: an entry goes once every registered replica has applied
 * it. A replica that leaves for good must be removed from the hash
 * (HDEL PREFIX:applied ID), or the stream stops being trimmed.
 */
import type { Redis } from 'ioredis';

export type Weights = Record<string, { shape: number[]; data: Float32Array }>;

export function encodeWeights(w: Weights): Record<string, { shape: number[]; b64: string }> {
  const out: Record<string, { shape: number[]; b64: string }> = {};
  for (const [n, p] of Object.entries(w)) out[n] = { shape: p.shape, b64: Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength).toString('base64') };
  return out;
}

export function decodeWeights(o: Record<string, { shape: number[]; b64: string }>): Weights {
  const out: Weights = {};
  for (const [n, p] of Object.entries(o)) {
    const b = Buffer.from(p.b64, 'base64');
    const data = new Float32Array(b.byteLength / 4);
    new Uint8Array(data.buffer).set(b);
    out[n] = { shape: p.shape, data };
  }
  return out;
}

/** Orders stream ids "ms-seq". */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number), [bm, bs] = b.split('-').map(Number);
  return am !== bm ? am - bm : (as ?? 0) - (bs ?? 0);
}

/**
 * Publishes a policy version only if it is newer than the one stored (a
 * learner that restarts and republishes old versions cannot move replicas back).
 * KEYS: policy, policy:version; ARGV: version, payload. Returns 1 if published.
 */
const PUBLISH_NEWER = `
local c = redis.call('GET', KEYS[2])
if c and tonumber(c) >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[2], ARGV[1])
redis.call('SET', KEYS[1], ARGV[2])
redis.call('PUBLISH', KEYS[1], ARGV[1])
return 1`;

export async function publishIfNewer(r: Redis, key: string, version: number, payload: string): Promise<boolean> {
  return (await r.eval(PUBLISH_NEWER, 2, key, `${key}:version`, String(version), payload)) === 1;
}

/** Applied offsets and trimming for one stream. */
export class StreamOffsets {
  readonly hash: string;
  private lastTrim = 0;
  /** Entries removed by this replica's trims. */
  trimmed = 0;
  constructor(private readonly r: () => Redis, readonly stream: string, prefix: string, private readonly everyMs = 1000) { this.hash = `${prefix}:applied`; }

  /** Records that `field` (a replica id, or ID#learner) has applied everything up to `id`. */
  async record(field: string, id: string): Promise<void> { await this.r().hset(this.hash, field, id); }

  /** Trims the stream to the smallest applied offset (at most once per everyMs unless forced); returns entries removed. */
  async maybeTrim(force = false): Promise<number> {
    const now = Date.now();
    if (!force && now - this.lastTrim < this.everyMs) return 0;
    this.lastTrim = now;
    const all = await this.r().hgetall(this.hash), ids = Object.values(all);
    if (ids.length === 0) return 0;
    const min = ids.reduce((a, b) => (compareIds(a, b) <= 0 ? a : b));
    if (min === '0' || min === '0-0') return 0;
    const n = await this.r().xtrim(this.stream, 'MINID', min) as number;
    this.trimmed += n;
    return n;
  }
}
