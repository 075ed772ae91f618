/**
 * Argument marshalling for one kernel call. An array that already lives in
 * wasm memory (anything from allocF32/allocI32, or a subarray of it) is
 * passed as its byte offset: zero copy. Anything else (a plain JS array, a
 * subarray of foreign memory) is copied into a scratch block first; outputs
 * are copied back when the call ends. Only the elements the kernel uses are
 * copied, and the same foreign array passed twice (y aliasing a) shares one
 * scratch block so aliasing keeps its meaning.
 *
 * Calls do not nest (kernels never call back into JS), so one instance with
 * reusable slot arrays serves every call without allocating on the hot path.
 */
import type { WasmHeap } from './heap.js';

type View = Float32Array | Int32Array | Uint8Array | Int8Array | Int16Array;

/** Thrown when scratch space cannot be found; the glue then runs the js kernel instead. */
export const OUT_OF_MEMORY = new Error('wasm memory exhausted');

export interface CopyStats { copiesIn: number; copiesOut: number; bytesCopied: number }

export class Marshal {
  private readonly arrays: (View | null)[] = [];
  private readonly offs: number[] = [];
  private readonly bytes: number[] = [];
  private readonly lens: number[] = [];
  private readonly outs: boolean[] = [];
  private count = 0;
  readonly stats: CopyStats = { copiesIn: 0, copiesOut: 0, bytesCopied: 0 };

  constructor(private readonly heap: WasmHeap) {}

  /** Pointer to the first n elements of an input. */
  in(a: View, n: number): number {
    return this.heap.isResident(a) ? a.byteOffset : this.stage(a, n, false);
  }

  /** Pointer to the first n elements of an output (or in/out); copied back at end(). */
  out(a: View, n: number): number {
    return this.heap.isResident(a) ? a.byteOffset : this.stage(a, n, true);
  }

  /** A scratch block of `size` bytes for the kernel's own use, freed at end(). */
  scratch(size: number): number {
    const off = this.heap.allocBlock(size);
    if (off < 0) throw OUT_OF_MEMORY;
    this.push(null, off, size, 0, false);
    return off;
  }

  private push(a: View | null, off: number, size: number, n: number, out: boolean): void {
    const i = this.count++;
    this.arrays[i] = a; this.offs[i] = off; this.bytes[i] = size; this.lens[i] = n; this.outs[i] = out;
  }

  private stage(a: View, n: number, out: boolean): number {
    for (let i = 0; i < this.count; i++) {
      // Same array again: reuse its copy, widening it if this use needs more elements.
      if (this.arrays[i] === a && this.lens[i] >= n) {
        this.outs[i] ||= out;
        return this.offs[i];
      }
    }
    const size = n * a.BYTES_PER_ELEMENT;
    const off = this.heap.allocBlock(size);
    if (off < 0) throw OUT_OF_MEMORY;
    if (n > 0) {
      const view = new (a.constructor as new (b: ArrayBufferLike, o: number, n: number) => View)(this.heap.buffer, off, n);
      view.set(a.subarray(0, n) as never);
      this.stats.copiesIn++;
      this.stats.bytesCopied += size;
    }
    this.push(a, off, size, n, out);
    return off;
  }

  /** Copies outputs back (when the kernel ran) and frees every scratch block. */
  end(commit: boolean): void {
    if (this.count === 0) return;
    for (let i = 0; i < this.count; i++) {
      const a = this.arrays[i];
      const n = this.lens[i];
      if (commit && a !== null && this.outs[i] && n > 0) {
        const view = new (a.constructor as new (b: ArrayBufferLike, o: number, n: number) => View)(this.heap.buffer, this.offs[i], n);
        a.set(view as never);
        this.stats.copiesOut++;
        this.stats.bytesCopied += n * a.BYTES_PER_ELEMENT;
      }
      this.heap.freeBlock(this.offs[i], this.bytes[i]);
      this.arrays[i] = null;
    }
    this.count = 0;
  }
}
