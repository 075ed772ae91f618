/**
 * The wasm backend: AssemblyScript kernels (build/kernels.wasm, f32x4 SIMD)
 * over a shared WebAssembly.Memory that JS owns.
 *
 * Tensor storage from allocF32/allocI32 lives in that memory, so kernels on
 * resident arrays copy nothing; foreign arrays still work (copied per call).
 * The memory is shared because growing a shared memory never detaches the
 * views made before, so arrays handed out stay valid. Its maximum,
 * DPGCN_WASM_MEMORY_MB (default 4096), is only reserved address space:
 * untouched pages cost no RSS. When it is exhausted, allocations fall back to
 * plain arrays and calls that cannot stage their inputs run the js kernels.
 */
import { BINARY_OP_COUNT, UNARY_OP_COUNT, type Backend, type BackendInfo } from '../kernels.js';
import { makeKernels } from './glue.js';
import { WasmHeap } from './heap.js';
import { loadModule, type WasmExports } from './loader.js';
import { Marshal, type CopyStats } from './marshal.js';

/** Backend plus diagnostics for tests and benchmarks. */
export interface WasmBackend extends Backend {
  readonly name: 'wasm';
  /** True if `a` lives in this backend's memory (kernels read it without copying). */
  isResident(a: ArrayBufferView): boolean;
  /** Counts of arrays copied in and out by the foreign-array path. */
  copyStats(): Readonly<CopyStats>;
  /** Bytes of wasm memory reserved so far, and the ceiling. */
  memoryBytes(): { used: number; size: number; max: number };
  /** Raw exports, for tests that check op counts. */
  readonly exports: WasmExports;
}

let cached: WasmBackend | null = null;

/** Loads (once) and returns the wasm backend; throws an Error whose message is the reason. */
export function loadWasmBackend(): WasmBackend {
  if (cached !== null) return cached;
  const { exports: E, memory, maxBytes } = loadModule();
  if (E.unary_op_count() !== UNARY_OP_COUNT || E.binary_op_count() !== BINARY_OP_COUNT) {
    throw new Error(`build/kernels.wasm is stale: it has ${E.unary_op_count()} unary and ${E.binary_op_count()} binary ops, `
      + `the contract ${UNARY_OP_COUNT} and ${BINARY_OP_COUNT} (run npm run build:wasm)`);
  }
  const heap = new WasmHeap(memory, E.heap_base(), maxBytes);
  const gemmWs = heap.allocBlock(E.gemm_workspace_bytes());
  if (gemmWs < 0) throw new Error('cannot reserve the GEMM workspace in wasm memory');
  const marshal = new Marshal(heap);
  const kernels = makeKernels(E, marshal, gemmWs, heap);
  const info: BackendInfo = { name: 'wasm', available: true, simd: 'wasm-simd128', isa: 'wasm32', threads: 1 };
  cached = {
    name: 'wasm',
    kernels,
    allocF32: (n) => heap.allocArray(Float32Array, n),
    allocI32: (n) => heap.allocArray(Int32Array, n),
    free: (a) => heap.freeArray(a),
    info: () => ({ ...info }),
    liveAllocations: () => heap.liveAllocations(),
    isResident: (a) => heap.isResident(a),
    copyStats: () => ({ ...marshal.stats }),
    memoryBytes: () => ({ used: heap.highWater(), size: heap.buffer.byteLength, max: maxBytes }),
    exports: E,
  };
  return cached;
}
