/** The machine's limits (STREAM triad, FMA peak) and thread control, from the native addon when it loads. */
import { cpus } from 'node:os';
import type { BackendName } from '../backend/kernels.js';
import * as native from '../backend/native/index.js';

export interface MachineLimits {
  triadGBs: { '1': number | null; all: number | null };
  peakGflopsPerCore: number | null;
  threads: number;
  source: string;
}

type NativeExtras = {
  nativeMachineLimits?: () => { triadGBs(threads: number): number; peakGflopsPerCore(): number };
  setNativeThreads?: (n: number) => void;
  nativeThreadCount?: () => number;
};
const ext = native as unknown as NativeExtras;

export function machineLimits(_quick = false): MachineLimits {
  const threads = Number(process.env.DPGCN_THREADS) || cpus().length;
  try {
    const lim = ext.nativeMachineLimits!();
    return { triadGBs: { '1': lim.triadGBs(1), all: lim.triadGBs(threads) }, peakGflopsPerCore: lim.peakGflopsPerCore(), threads, source: 'native addon' };
  } catch (e) {
    return { triadGBs: { '1': null, all: null }, peakGflopsPerCore: null, threads, source: `unavailable: ${(e as Error).message}` };
  }
}

export function setThreads(backend: BackendName, n: number): void {
  if (backend === 'native' && ext.setNativeThreads) ext.setNativeThreads(n);
}
