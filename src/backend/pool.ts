/**
 * A pool of typed-array storage for the backends whose storage is the JS heap
 * (js, native). A training step allocates the same shapes again and again;
 * without reuse each large Float32Array costs fresh page faults and pushes V8
 * into extra garbage collections (external memory pressure), which on a
 * 5M-edge graph took longer than the SpMM itself. Buffers are kept by size
 * class (four per power of two, at most 25% slack), so batches whose sizes
 * vary a little (flattened histories) reuse storage too. tidy() and
 * backward() return storage here through Backend.free; allocations come back
 * zero-filled. What it keeps idle is bounded by the peak of storage it had
 * handed out at once: with four size classes per power of two, a workload
 * whose sizes wander (DIN's flattened histories) would otherwise fill every
 * class up to the cap and hold memory no step ever needs at once, which is
 * how `npm start` reached 1.8 GB.
 */

const MIN_POOLED = 4096; // elements; small arrays are cheap to allocate, pooling them only adds bookkeeping

/** Smallest size class >= n: 2^k * {1, 1.25, 1.5, 1.75}. */
export function sizeClass(n: number): number {
  if (n <= MIN_POOLED) return n;
  const p = 2 ** Math.floor(Math.log2(n));
  for (const f of [1, 1.25, 1.5, 1.75, 2]) if (p * f >= n) return p * f;
  return 2 * p;
}

export class ArrayPool {
  private readonly idle = new Map<number, ArrayBuffer[]>(); // by byte length
  private pooledBytes = 0;
  private liveBytes = 0;
  private peakLiveBytes = 0;
  // views this pool handed out and not yet freed: a caller's own array is never recycled,
  // and a second free() of the same view is a no-op instead of a double hand-out
  private readonly live = new WeakSet<object>();

  /** maxBytes bounds what the pool holds idle (default 1 GiB, DPGCN_POOL_MB). */
  constructor(private readonly maxBytes = (Number(process.env.DPGCN_POOL_MB) || 1024) * 1048576) {}

  private buffer(n: number): ArrayBuffer | null {
    const bytes = sizeClass(n) * 4;
    const buf = this.idle.get(bytes)?.pop();
    if (buf) this.pooledBytes -= bytes;
    return buf ?? null;
  }

  allocF32(n: number): Float32Array { return this.alloc(Float32Array, n); }

  allocI32(n: number): Int32Array { return this.alloc(Int32Array, n); }

  private alloc<T extends Float32Array | Int32Array>(Ctor: new (b: ArrayBuffer | number, o?: number, n?: number) => T, n: number): T {
    if (n < MIN_POOLED) return new Ctor(n);
    const reused = this.buffer(n);
    const a = new Ctor(reused ?? new ArrayBuffer(sizeClass(n) * 4), 0, n);
    if (reused) a.fill(0);
    this.live.add(a);
    this.liveBytes += a.buffer.byteLength;
    if (this.liveBytes > this.peakLiveBytes) this.peakLiveBytes = this.liveBytes;
    return a;
  }

  /** Takes back storage this pool handed out; anything else is ignored. */
  free(a: Float32Array | Int32Array): void {
    if (!this.live.has(a)) return;
    this.live.delete(a);
    const buf = a.buffer as ArrayBuffer;
    this.liveBytes -= buf.byteLength;
    if (this.pooledBytes + buf.byteLength > Math.min(this.maxBytes, this.peakLiveBytes)) return;
    let list = this.idle.get(buf.byteLength);
    if (!list) this.idle.set(buf.byteLength, (list = []));
    list.push(buf);
    this.pooledBytes += buf.byteLength;
  }

  /** Drops every idle buffer, and forgets the peak (a fit is over: the next workload sets its own). */
  clear(): void { this.idle.clear(); this.pooledBytes = 0; this.peakLiveBytes = this.liveBytes; }

  get idleBytes(): number { return this.pooledBytes; }
}
