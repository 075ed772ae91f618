/**
 * A size-keyed pool of typed arrays for the backends whose storage is the JS
 * heap (js, native). A training step allocates the same shapes every time;
 * without reuse each large Float32Array costs fresh page faults and pushes V8
 * into extra garbage collections (external memory pressure), which on a
 * 5M-edge graph took longer than the SpMM itself. tidy() and backward() return
 * storage here through Backend.free; allocations come back zero-filled.
 */

const MIN_POOLED = 4096; // elements; small arrays are cheap to allocate, pooling them only adds bookkeeping

export class ArrayPool {
  private readonly f32 = new Map<number, Float32Array[]>();
  private readonly i32 = new Map<number, Int32Array[]>();
  private pooledBytes = 0;
  // only arrays this pool handed out come back: a caller's own array wrapped in a Tensor is never recycled
  private readonly owned = new WeakSet<object>();

  /** maxBytes bounds what the pool holds idle (default 1 GiB, DPGCN_POOL_MB). */
  constructor(private readonly maxBytes = (Number(process.env.DPGCN_POOL_MB) || 1024) * 1048576) {}

  allocF32(n: number): Float32Array {
    const a = n >= MIN_POOLED ? this.f32.get(n)?.pop() : undefined;
    if (!a) return this.own(new Float32Array(n));
    this.pooledBytes -= a.byteLength;
    return a.fill(0);
  }

  allocI32(n: number): Int32Array {
    const a = n >= MIN_POOLED ? this.i32.get(n)?.pop() : undefined;
    if (!a) return this.own(new Int32Array(n));
    this.pooledBytes -= a.byteLength;
    return a.fill(0);
  }

  /** Takes back a whole array (never a view into a larger buffer: that would hand out shared memory). */
  free(a: Float32Array | Int32Array): void {
    const n = a.length;
    if (n < MIN_POOLED || !this.owned.has(a)) return;
    if (this.pooledBytes + a.byteLength > this.maxBytes) return;
    const map = (a instanceof Float32Array ? this.f32 : this.i32) as Map<number, (Float32Array | Int32Array)[]>;
    let list = map.get(n);
    if (!list) map.set(n, (list = []));
    if (list.includes(a)) return; // freed twice: keep one copy
    list.push(a);
    this.pooledBytes += a.byteLength;
  }

  private own<T extends Float32Array | Int32Array>(a: T): T {
    if (a.length >= MIN_POOLED) this.owned.add(a);
    return a;
  }

  /** Drops every idle array (for tests and memory-sensitive callers). */
  clear(): void { this.f32.clear(); this.i32.clear(); this.pooledBytes = 0; }

  get idleBytes(): number { return this.pooledBytes; }
}
