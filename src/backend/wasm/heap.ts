/**
 * JS-side allocator over the wasm module's shared linear memory.
 *
 * Blocks are 64-byte aligned and come in size classes (four per power of
 * two below 1 MiB, 64 KiB multiples above), each with its own free list, so
 * alloc and free are O(1) and a training loop that repeats the same shapes
 * reuses the same blocks. Fresh blocks come from a bump pointer; when it
 * reaches the end, the memory grows (a SharedArrayBuffer-backed memory:
 * growing never detaches views made earlier, so typed arrays handed out stay
 * valid for their whole life). Memory is never returned to the OS, as wasm
 * memories cannot shrink.
 *
 * A block handed out as a typed array is owned by that array object: free()
 * and the FinalizationRegistry both key on it, and a per-allocation record
 * makes free idempotent even after the block has been reused.
 * NOTE: a subarray() does not keep its parent alive. Keep the allocated
 * array referenced as long as any view of it is in use.
 */

const ALIGN = 64;
const PAGE = 65536;
const BIG = 1 << 20;

/** Rounds a request up to its size class (a multiple of 64). */
export function sizeClass(bytes: number): number {
  const b = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  if (b <= 4 * ALIGN) return b;
  if (b >= BIG) return Math.ceil(b / PAGE) * PAGE;
  const step = 2 ** (Math.floor(Math.log2(b - 1)) - 2);
  return Math.ceil(b / step) * step;
}

interface Rec { off: number; size: number; freed: boolean }

type Resident = Float32Array | Int32Array | Uint8Array;

export class WasmHeap {
  private top: number;
  private readonly free_ = new Map<number, number[]>();
  /** Every SharedArrayBuffer the memory has exposed (one per growth). */
  private readonly buffers = new Set<ArrayBufferLike>();
  private current: ArrayBufferLike;
  private readonly owned = new WeakMap<object, Rec>();
  private readonly registry = new FinalizationRegistry<Rec>((rec) => this.release(rec));
  private live = 0;

  constructor(readonly memory: WebAssembly.Memory, base: number, private readonly maxBytes: number) {
    this.top = Math.ceil(base / ALIGN) * ALIGN;
    this.current = memory.buffer;
    this.buffers.add(this.current);
  }

  /** The newest buffer (covers every block handed out so far). */
  get buffer(): ArrayBufferLike {
    return this.current;
  }

  /** True if `a` is a view over this memory, so kernels can read it in place. */
  isResident(a: ArrayBufferView): boolean {
    const b = a.buffer;
    return b === this.current || this.buffers.has(b);
  }

  /** Byte offset of a free block of at least `bytes`, or -1 when the memory cannot grow. */
  allocBlock(bytes: number): number {
    const size = sizeClass(bytes);
    const list = this.free_.get(size);
    if (list !== undefined && list.length > 0) return list.pop()!;
    const end = this.top + size;
    if (end > this.current.byteLength && !this.grow(end)) return -1;
    const off = this.top;
    this.top = end;
    return off;
  }

  /** Returns a block from allocBlock (size is the requested size; its class is recomputed). */
  freeBlock(off: number, bytes: number): void {
    const size = sizeClass(bytes);
    let list = this.free_.get(size);
    if (list === undefined) this.free_.set(size, (list = []));
    list.push(off);
  }

  private grow(end: number): boolean {
    const have = this.current.byteLength;
    if (end > this.maxBytes) return false;
    const need = Math.ceil((end - have) / PAGE);
    // Grow by at least half the current size so growth stays amortised O(1).
    const want = Math.min(Math.max(need, Math.ceil(have / PAGE / 2)), Math.floor((this.maxBytes - have) / PAGE));
    for (const delta of want > need ? [want, need] : [need]) {
      try {
        this.memory.grow(delta);
        this.current = this.memory.buffer;
        this.buffers.add(this.current);
        return true;
      } catch {
        // fall through to the smaller request, then give up
      }
    }
    return false;
  }

  /**
   * A zeroed typed array of n elements living in wasm memory, or a plain JS
   * array when the memory is exhausted (kernels then copy it, still correct).
   */
  allocArray<T extends Resident>(ctor: { new(buf: ArrayBufferLike, off: number, n: number): T; new(n: number): T;
    readonly BYTES_PER_ELEMENT: number }, n: number): T {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`alloc: length must be a non-negative integer (got ${n})`);
    const bytes = n * ctor.BYTES_PER_ELEMENT;
    const off = this.allocBlock(bytes);
    if (off < 0) return new ctor(n);
    const a = new ctor(this.current, off, n);
    a.fill(0);
    const rec: Rec = { off, size: bytes, freed: false };
    this.owned.set(a, rec);
    this.registry.register(a, rec, rec);
    this.live++;
    return a;
  }

  /** Frees an array from allocArray; idempotent; ignores anything else. */
  freeArray(a: ArrayBufferView): void {
    const rec = this.owned.get(a);
    if (rec === undefined || rec.freed) return;
    this.owned.delete(a);
    this.registry.unregister(rec);
    this.release(rec);
  }

  private release(rec: Rec): void {
    if (rec.freed) return;
    rec.freed = true;
    this.live--;
    this.freeBlock(rec.off, rec.size);
  }

  liveAllocations(): number {
    return this.live;
  }

  /** Bytes of memory in use by the bump region (for diagnostics). */
  highWater(): number {
    return this.top;
  }
}
