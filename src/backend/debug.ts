/**
 * DPGCN_DEBUG=1: wraps a backend's kernels so that a kernel that turns
 * NaN-free inputs into a NaN output throws at once, naming the kernel, instead
 * of the NaN surfacing epochs later as a bad loss. Debug only: it scans every
 * array argument before and after each call.
 */
import type { Backend, Kernels } from './kernels.js';
import { DpgcnError } from '../errors.js';

function hasNaN(a: unknown): boolean {
  if (!(a instanceof Float32Array)) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== a[i]) return true;
  return false;
}

export function withNaNChecks(b: Backend): Backend {
  const wrapped = {} as Record<string, unknown>;
  for (const [name, fn] of Object.entries(b.kernels)) {
    wrapped[name] = (...args: unknown[]) => {
      const before = args.some(hasNaN);
      const r = (fn as (...a: unknown[]) => unknown)(...args);
      if (!before && args.some(hasNaN)) throw new DpgcnError(`DPGCN_DEBUG: kernel ${name} on ${b.name} produced NaN from NaN-free inputs`);
      return r;
    };
  }
  return { ...b, kernels: wrapped as unknown as Kernels, info: () => b.info(), allocF32: (n) => b.allocF32(n), allocI32: (n) => b.allocI32(n), free: (a) => b.free(a), liveAllocations: () => b.liveAllocations() };
}
