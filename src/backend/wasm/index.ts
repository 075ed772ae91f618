// Placeholder: the wasm helper replaces this file.
import type { Backend } from '../kernels.js';
export function loadWasmBackend(): Backend { throw new Error('wasm backend not built yet'); }
