/**
 * The two serving kernels in a browser (or any runtime with WebAssembly):
 * build/kernels.web.wasm, the kernels.wasm build over a non-shared memory
 * (shared memory needs cross-origin isolation, which a static page cannot
 * count on). Tables placed once with place() live in wasm memory and are
 * read in place; other arguments are copied into scratch above them for
 * the call. A growth of the memory detaches views, so callers take views
 * through view() each call. Without WebAssembly SIMD the js reference
 * kernels run instead (same results within float rounding).
 */
import type { TableKernels } from '../recsys/table_math.js';
import { scoreI8 as jsScoreI8, scoreTopK as jsScoreTopK } from '../backend/js/sparse.js';

interface Exports {
  heap_base(): number;
  score_topk_f32(items: number, q: number, nItems: number, d: number, k: number, exclude: number, hasExclude: number,
    outIdx: number, outScore: number, ws: number): number;
  score_i8_f32(items: number, scale: number, q: number, qScale: number, nItems: number, d: number, out: number): void;
}
type View = Float32Array | Int32Array | Uint8Array | Int8Array | Int16Array;
type Ctor<T extends View> = { new (b: ArrayBuffer, off: number, n: number): T; BYTES_PER_ELEMENT: number };
export interface Placed<T extends View> { ctor: Ctor<T>; off: number; n: number }

const PAGE = 65536;
// (module (func (result v128) (v128.const i32x4 0 0 0 0))): validates only where SIMD is supported
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11]);

export class WebKernels implements TableKernels {
  private top: number;
  private constructor(readonly name: 'wasm' | 'js', private readonly E: Exports | null, private readonly memory: WebAssembly.Memory | null) {
    this.top = E ? align(E.heap_base()) : 0;
  }

  /** The wasm kernels from url (kernels.web.wasm), or the js ones when this runtime has no WebAssembly SIMD or wasm is 'js'. */
  static async load(url: string | URL, want: 'wasm' | 'js' = 'wasm'): Promise<WebKernels> {
    if (want === 'js' || typeof WebAssembly !== 'object' || !WebAssembly.validate(SIMD_PROBE)) return new WebKernels('js', null, null);
    const bytes = await (await fetchOk(url)).arrayBuffer();
    const memory = new WebAssembly.Memory({ initial: 16, maximum: 65536 });
    const abort = () => { throw new Error('wasm kernel abort'); };
    const { instance } = await WebAssembly.instantiate(bytes, { env: { memory, abort } });
    return new WebKernels('wasm', instance.exports as unknown as Exports, memory);
  }

  /** Copies a into wasm memory for good (js: keeps a); read it back through view(). */
  place<T extends View>(a: T): Placed<T> {
    const ctor = a.constructor as Ctor<T>;
    if (!this.memory) return { ctor, off: -1, n: a.length, keep: a } as Placed<T>;
    const off = this.top;
    this.top = align(off + a.byteLength);
    this.ensure(this.top);
    new ctor(this.memory.buffer as ArrayBuffer, off, a.length).set(a as never);
    return { ctor, off, n: a.length };
  }

  /** A view of a placed array over the current memory. */
  view<T extends View>(p: Placed<T>): T {
    if (!this.memory) return (p as unknown as { keep: T }).keep;
    return new p.ctor(this.memory.buffer as ArrayBuffer, p.off, p.n);
  }

  scoreTopK(items: Float32Array, q: Float32Array, nItems: number, d: number, k: number, exclude: Uint8Array | null,
    outIdx: Int32Array, outScore: Float32Array): number {
    if (!this.E) return jsScoreTopK(items, q, nItems, d, k, exclude, outIdx, outScore);
    const cap = Math.min(k, nItems);
    const [pi, pq, pe, po, ps, pw] = this.args([[items, nItems * d], [q, d], [exclude, exclude ? nItems : 0], [outIdx, k], [outScore, k], [null, 2 * cap]]);
    const n = this.E.score_topk_f32(pi, pq, nItems, d, k, pe, exclude ? 1 : 0, po, ps, pw);
    outIdx.set(new Int32Array(this.memory!.buffer, po, k)); outScore.set(new Float32Array(this.memory!.buffer, ps, k));
    return n;
  }

  scoreI8(items: Int8Array, scale: Float32Array, q: Int16Array, qScale: number, nItems: number, d: number, out: Float32Array): void {
    if (!this.E) { jsScoreI8(items, scale, q, qScale, nItems, d, out); return; }
    const [pi, ps, pq, po] = this.args([[items, nItems * d], [scale, nItems], [q, d], [out, nItems]]);
    this.E.score_i8_f32(pi, ps, pq, qScale, nItems, d, po);
    if (!this.resident(out)) out.set(new Float32Array(this.memory!.buffer, po, nItems));
  }

  private resident(a: View): boolean { return a.buffer === this.memory!.buffer; }

  /** Pointers for one call: resident arrays in place, others copied above the placed tables ([null, n]: n words of workspace). */
  private args(list: [View | null, number][]): number[] {
    // offsets of resident arrays first: growing the memory detaches their views
    const ptr = list.map(([a]) => (a && this.resident(a) ? a.byteOffset : -1));
    let need = this.top;
    const at = list.map(([a, n], j) => {
      if (ptr[j] >= 0 || (a === null && n === 0)) return -1;
      const o = need; need = align(need + n * (a ? a.BYTES_PER_ELEMENT : 4)); return o;
    });
    this.ensure(need);
    list.forEach(([a, n], j) => {
      if (at[j] < 0) return;
      ptr[j] = at[j];
      if (a) new (a.constructor as Ctor<View>)(this.memory!.buffer as ArrayBuffer, at[j], n).set(a.subarray(0, n) as never);
    });
    return ptr.map((p) => Math.max(p, 0));
  }

  private ensure(bytes: number): void {
    const have = this.memory!.buffer.byteLength;
    if (bytes > have) this.memory!.grow(Math.ceil((bytes - have) / PAGE));
  }
}

const align = (n: number) => (n + 15) & ~15;

export async function fetchOk(url: string | URL): Promise<Response> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${String(url)}: HTTP ${r.status}`);
  return r;
}
