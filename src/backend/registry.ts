/**
 * Backend registry. Factories run lazily, once; a factory returns a Backend or
 * throws, and the reason is kept for `dpgcn info`. Priority: native 3 > wasm 2
 * > js 1. DPGCN_BACKEND=js|wasm|native|auto picks the default; an explicit
 * choice that cannot load throws BackendUnavailableError.
 */
import { BackendUnavailableError, UserError } from '../errors.js';
import type { Backend, BackendInfo, BackendName } from './kernels.js';
import { jsBackend } from './js/index.js';
import { loadWasmBackend } from './wasm/index.js';
import { loadNativeBackend } from './native/index.js';
import { withNaNChecks } from './debug.js';

interface Entry { factory: () => Backend; priority: number; backend?: Backend; reason?: string; tried: boolean }

const entries = new Map<BackendName, Entry>();

export function registerBackend(name: BackendName, factory: () => Backend, priority: number): void {
  entries.set(name, { factory, priority, tried: false });
}

registerBackend('js', () => jsBackend, 1);
registerBackend('wasm', loadWasmBackend, 2);
registerBackend('native', loadNativeBackend, 3);

function load(name: BackendName): Entry {
  const e = entries.get(name);
  if (!e) throw new UserError(`unknown backend '${name}' (expected js, wasm or native)`);
  if (!e.tried) {
    e.tried = true;
    try { e.backend = e.factory(); } catch (err) { e.reason = (err as Error).message.split('\n')[0]; }
  }
  return e;
}

/** The named backend; throws BackendUnavailableError with the load reason. */
export function getBackend(name: BackendName): Backend {
  const e = load(name);
  if (!e.backend) throw new BackendUnavailableError(name, e.reason ?? 'not loaded');
  return e.backend;
}

export function backendNames(): BackendName[] {
  return [...entries.keys()];
}

/** Every registered backend with availability and, when unavailable, the reason. */
export function backendStatus(): BackendInfo[] {
  return [...entries.keys()].map((name) => {
    const e = load(name);
    return e.backend ? e.backend.info() : { name, available: false, reason: e.reason ?? 'not loaded' };
  });
}

function pickAuto(): Backend {
  const sorted = [...entries.entries()].sort((a, b) => b[1].priority - a[1].priority);
  for (const [name] of sorted) {
    const e = load(name);
    if (e.backend) return e.backend;
  }
  return jsBackend;
}

let current: Backend | null = null;

const debug = (b: Backend): Backend => (process.env.DPGCN_DEBUG && process.env.DPGCN_DEBUG !== '0' ? withNaNChecks(b) : b);

/**
 * The backend DPGCN_BACKEND names (trimmed, any case), or null when it is unset, empty or auto.
 * The one place the variable is read.
 */
export function backendFromEnv(): BackendName | null {
  const env = (process.env.DPGCN_BACKEND ?? 'auto').trim().toLowerCase();
  if (env === '' || env === 'auto') return null;
  if (env !== 'js' && env !== 'wasm' && env !== 'native') {
    throw new UserError(`DPGCN_BACKEND must be js, wasm, native or auto (got '${process.env.DPGCN_BACKEND}')`);
  }
  return env;
}

/** The backend in use: DPGCN_BACKEND, or the best available. */
export function currentBackend(): Backend {
  if (current) return current;
  const env = backendFromEnv();
  return (current = debug(env === null ? pickAuto() : getBackend(env)));
}

/** Makes b (a wrapped backend: the kernel profiler's) the current one; returns the one it replaces. */
export function setCurrentBackend(b: Backend): Backend | null {
  const prev = current;
  current = b;
  return prev;
}

/** Switch backends. Tensors made on another backend stay valid (kernels copy foreign storage). */
export function useBackend(name: BackendName | 'auto'): Backend {
  current = debug(name === 'auto' ? pickAuto() : getBackend(name));
  return current;
}

/** The name the default resolves to (for `dpgcn info`). */
export function defaultBackendName(): BackendName {
  return currentBackend().name;
}
