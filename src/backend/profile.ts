/**
 * A kernel profiler: wraps a backend so that every kernel call is timed and
 * counted (each is one crossing from JS into wasm or native code) and every
 * allocation is counted with the bytes it asked for, and the peak of bytes
 * handed out and not yet freed is kept. `dpgcn bench train --profile` reads
 * it around a training step; nothing else pays for it.
 */
import type { Backend, Kernels } from './kernels.js';

export interface KernelStat { name: string; calls: number; ms: number }

export interface ProfileReport {
  kernels: KernelStat[];
  /** Kernel calls (JS -> kernel crossings). */
  calls: number;
  kernelMs: number;
  allocations: number;
  allocatedMB: number;
  /** Peak of bytes allocated through the profiled backend and not yet freed, since the last reset. */
  peakLiveMB: number;
}

export class KernelProfile {
  readonly backend: Backend;
  private stats = new Map<string, KernelStat>();
  private allocs = 0; private allocBytes = 0; private live = 0; private peak = 0;
  private readonly sizes = new WeakMap<object, number>();

  constructor(inner: Backend) {
    const wrapped = {} as Record<string, unknown>;
    for (const [name, fn] of Object.entries(inner.kernels)) {
      const stat: KernelStat = { name, calls: 0, ms: 0 };
      this.stats.set(name, stat);
      wrapped[name] = (...args: unknown[]) => {
        const t0 = performance.now();
        try { return (fn as (...a: unknown[]) => unknown)(...args); } finally { stat.ms += performance.now() - t0; stat.calls++; }
      };
    }
    const track = <T extends Float32Array | Int32Array>(a: T): T => {
      this.allocs++; this.allocBytes += a.byteLength; this.live += a.byteLength; this.peak = Math.max(this.peak, this.live);
      this.sizes.set(a, a.byteLength);
      return a;
    };
    this.backend = {
      name: inner.name, kernels: wrapped as unknown as Kernels, info: () => inner.info(), liveAllocations: () => inner.liveAllocations(),
      ...(inner.idleBytes ? { idleBytes: () => inner.idleBytes!() } : {}), ...(inner.releaseIdle ? { releaseIdle: () => inner.releaseIdle!() } : {}),
      allocF32: (n) => track(inner.allocF32(n)), allocI32: (n) => track(inner.allocI32(n)),
      free: (a) => { const b = this.sizes.get(a); if (b !== undefined) { this.live -= b; this.sizes.delete(a); } inner.free(a); },
    };
  }

  /** Zeroes the counters; the live bytes carry over and the peak restarts from them. */
  reset(): void {
    for (const s of this.stats.values()) { s.calls = 0; s.ms = 0; }
    this.allocs = 0; this.allocBytes = 0; this.peak = this.live;
  }

  report(): ProfileReport {
    const kernels = [...this.stats.values()].filter((s) => s.calls > 0).map((s) => ({ ...s })).sort((a, b) => b.ms - a.ms);
    return {
      kernels, calls: kernels.reduce((a, s) => a + s.calls, 0), kernelMs: kernels.reduce((a, s) => a + s.ms, 0),
      allocations: this.allocs, allocatedMB: this.allocBytes / 1048576, peakLiveMB: this.peak / 1048576,
    };
  }
}
